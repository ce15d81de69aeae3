"""`search_rebuild --unless-built` (run by `make run`) builds the fallback once, completely."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test.utils import override_settings

from search import dbindex, documents
from search.models import SearchEntry
from tests.conftest import BUZHAI


def rebuild(*args: str) -> str:
    out = io.StringIO()
    with override_settings(ELASTICSEARCH_URL=""):
        call_command("search_rebuild", "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_entries_written_by_saves_do_not_count_as_a_build(world):
    # What saves during `load_demo` leave behind: some records indexed, uncovered villages not.
    dbindex.write(documents.village_docs([BUZHAI]))
    assert SearchEntry.objects.count() == 1 and not dbindex.fully_built()

    output = rebuild("--unless-built")
    assert "Database:" in output
    assert dbindex.fully_built()
    assert SearchEntry.objects.count() == documents.total_count()
    uncovered = "451402001202"
    assert SearchEntry.objects.filter(kind="village", object_id=uncovered).exists()

    assert "nothing to do" in rebuild("--unless-built")
    assert "Database:" in rebuild()  # without the flag it always rebuilds
