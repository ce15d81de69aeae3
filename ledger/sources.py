"""Where an automatic ledger entry comes from: a registry the layers above fill in.

The ledger sits below the workflows (and any other app that writes entries for advisers), so it
cannot name them. An app that creates ledger entries registers a resolver here in its
AppConfig's `ready()`; the ledger asks the resolvers whether an entry is theirs (then it is
locked: it is edited where it came from) and shows the link they give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Source:
    """An entry's origin: a short code ("fee_filing"), the label shown and the page to open."""

    code: str
    label: Any
    url: str = ""


Resolver = Callable[[Any], Source | None]
_resolvers: dict[str, Resolver] = {}


def register(code: str, resolver: Resolver) -> None:
    """`resolver(entry)` returns the entry's Source when `code`'s app made it, else None."""
    _resolvers[code] = resolver


def source_of(entry) -> Source | None:
    if entry.pk is None:
        return None
    for resolver in _resolvers.values():
        found = resolver(entry)
        if found is not None:
            return found
    return None
