"""No app imports the project package (site/portal), the one layer import-linter cannot see.

`lint-imports` checks the apps' layers from the repository root, where `portal` is not importable,
so the top of the layering is held here: with external imports recorded, `portal` must not appear
among what the apps import.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def test_no_app_imports_the_project_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    apps = config["tool"]["importlinter"]["root_packages"]
    graph = grimp.build_graph(*apps, include_external_packages=True)
    assert "demo" in graph.modules  # the graph was built from the apps
    importers = graph.find_modules_that_directly_import("portal") if "portal" in graph.modules else set()
    assert not importers, f"apps import the project package: {sorted(importers)}"
