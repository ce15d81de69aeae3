"""The production static files storage tolerates viewflow's one broken stylesheet, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from portal.storage import PortalStaticFilesStorage, references_left_as_is

VIEWFLOW_COPY = "viewflow/fonts/roboto/node_modules/roboto-fontface/css/roboto/roboto-fontface.css"
BROKEN_CSS = "@font-face { src: url('./Roboto-Thin.woff2') format('woff2'); }"


def collect(tmp_path: Path, files: dict[str, str]) -> tuple[PortalStaticFilesStorage, list]:
    """Copy `files` into a STATIC_ROOT and post-process them as collectstatic does."""
    source = FileSystemStorage(location=tmp_path / "source")
    target = PortalStaticFilesStorage(location=tmp_path / "static", base_url="/static/")
    for name, text in files.items():
        source.save(name, ContentFile(text.encode()))
        target.save(name, ContentFile(text.encode()))
    results = list(target.post_process({name: (source, name) for name in files}))
    return target, results


def test_viewflows_broken_copy_is_collected_with_its_references_untouched(tmp_path):
    target, results = collect(
        tmp_path, {VIEWFLOW_COPY: BROKEN_CSS, "portal/site.css": "body { color: #000; }"}
    )
    assert not [r for r in results if isinstance(r[2], Exception)]
    hashed = target.stored_name(VIEWFLOW_COPY)
    assert hashed != VIEWFLOW_COPY and "url('./Roboto-Thin.woff2')" in target.open(hashed).read().decode()
    assert target.stored_name("portal/site.css").startswith("portal/site.")


def test_a_missing_reference_anywhere_else_still_fails(tmp_path):
    with pytest.raises(ValueError, match="Roboto-Thin.woff2"):
        _target, results = collect(tmp_path, {"portal/fonts.css": BROKEN_CSS})
        for result in results:
            if isinstance(result[2], Exception):
                raise result[2]


def test_only_the_listed_file_is_exempt():
    assert references_left_as_is(VIEWFLOW_COPY)
    assert not references_left_as_is("viewflow/fonts/roboto/roboto-fontface.css")
    assert not references_left_as_is("portal/site.css")
