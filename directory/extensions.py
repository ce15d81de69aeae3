"""Sections that higher layers add to the directory's public pages.

The directory sits below the flows (it imports none of them), yet the adviser page shows, for
instance, the adviser's last published assessment grade. A flow package registers a section
function in its AppConfig.ready(); the page renders each section's template with its context.
A section function takes the adviser and returns ``{"template": "...", ...}`` or None, and must
run a bounded number of queries (the page's own count is asserted in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

AdviserSection = Callable[[Any], dict[str, Any] | None]
_adviser_sections: list[AdviserSection] = []


def register_adviser_section(section: AdviserSection) -> AdviserSection:
    """Add a section to the public adviser page (idempotent; usable as a decorator)."""
    if section not in _adviser_sections:
        _adviser_sections.append(section)
    return section


def adviser_sections(adviser) -> list[dict[str, Any]]:
    return [found for section in _adviser_sections if (found := section(adviser))]
