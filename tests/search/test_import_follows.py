"""`manage.py import_divisions` keeps the search index in step with renamed and new villages.

The import writes with bulk SQL (no per-row signals), so the search learns of it through
places.signals.divisions_imported: a few thousand changed villages are re-indexed at once; a
national first import asks the operator for a full rebuild instead.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from search import es, outbox
from search import signals as search_signals
from search.models import IndexOutbox
from tests.conftest import BUZHAI

from .test_search import search

NEW_VILLAGE = "451402001299"
RENAMED_VILLAGE = "451402001202"  # 公益村委会 in the demo slice


def write_update(folder: Path) -> Path:
    """A county's update: 太平街道 becomes 太平镇, 公益村委会 becomes 福源村委会, 翠湖村委会 is new."""
    (folder / "streets.csv").write_text(
        "code,name,areaCode,provinceCode,cityCode\n451402001,太平镇,451402,45,4514\n", encoding="utf-8"
    )
    (folder / "villages.csv").write_text(
        "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        f"{RENAMED_VILLAGE},福源村委会,451402001,45,4514,451402\n"
        f"{NEW_VILLAGE},翠湖村委会,451402001,45,4514,451402\n",
        encoding="utf-8",
    )
    return folder


def run_import(folder: Path, capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("import_divisions", str(folder), "--no-progress", stdout=out, stderr=out)
    if es.configured():
        report = outbox.drain(ignore_backoff=True)
        assert report.failed == 0, report.errors
        es.refresh()
    return out.getvalue()


def ids(data: dict) -> list[str]:
    return [r["id"] for r in data["results"]]


def test_renamed_and_new_villages_are_found_after_the_import(
    client, searchable, backend, tmp_path, django_capture_on_commit_callbacks
):
    assert RENAMED_VILLAGE in ids(search(client, "公益村委会"))
    output = run_import(write_update(tmp_path), django_capture_on_commit_callbacks)
    # The new village, the renamed one and the 11 villages of the renamed township.
    assert "Search: 12 villages re-indexed" in output, output

    assert ids(search(client, "翠湖"))[0] == NEW_VILLAGE
    assert ids(search(client, "cuihu"))[0] == NEW_VILLAGE
    assert ids(search(client, "福源"))[0] == RENAMED_VILLAGE
    assert RENAMED_VILLAGE not in ids(search(client, "公益"))
    # A village of the renamed township is found by the township's new name.
    village = search(client, "卜寨 太平镇")["results"][0]
    assert village["id"] == BUZHAI and "太平镇" in village["data"]["where"]


def test_an_import_of_nothing_new_changes_nothing(
    client, searchable, tmp_path, django_capture_on_commit_callbacks
):
    folder = write_update(tmp_path)
    run_import(folder, django_capture_on_commit_callbacks)
    IndexOutbox.objects.all().delete()
    output = run_import(folder, django_capture_on_commit_callbacks)
    assert "no village names changed" in output
    assert not IndexOutbox.objects.exists()


@pytest.mark.parametrize("backend", ["database"], indirect=True)
def test_a_large_import_asks_for_a_rebuild_instead(
    client, searchable, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(search_signals, "IMPORT_INCREMENTAL_LIMIT", 5)
    output = run_import(write_update(tmp_path), django_capture_on_commit_callbacks)
    assert "run `manage.py search_rebuild`" in output
    assert NEW_VILLAGE not in ids(search(client, "翠湖"))
    call_command("search_rebuild", "--no-progress", stdout=io.StringIO())
    assert ids(search(client, "翠湖"))[0] == NEW_VILLAGE


@pytest.mark.parametrize("backend", ["database"], indirect=True)
def test_a_failed_follow_up_is_reported_and_the_import_stands(
    searchable, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from places.models import Division

    def broken(keys):
        raise RuntimeError("disk full")

    monkeypatch.setattr(search_signals, "refresh_database", broken)
    output = run_import(write_update(tmp_path), django_capture_on_commit_callbacks)
    assert "failed to follow them (RuntimeError: disk full)" in output
    assert "run `manage.py search_rebuild`" in output
    assert Division.objects.get(code=NEW_VILLAGE).name == "翠湖村委会"
    assert Division.objects.get(code=RENAMED_VILLAGE).name == "福源村委会"
