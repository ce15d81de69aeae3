"""Search requests and results, the same whichever backend answers."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import text
from .documents import KIND_RANK
from .models import Kind

PAGE_SIZE = 10
MAX_PAGE = 50  # deep pages of a search are never useful; this bounds the work of each request
FACET_SIZE = 30


@dataclass
class SearchRequest:
    """What the user asked for, already validated."""

    query: text.Query
    kind: str = ""
    county: str = ""
    category: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE
    areas: list[str] = field(default_factory=list)  # the site's jurisdiction (code prefixes)
    tree_path: str = ""  # the site's root page path: only its own articles
    facets: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def area_ancestors(self) -> set[str]:
        """Codes enclosing the site's areas: a county-wide article belongs to its townships' sites."""
        return {a[:n] for a in self.areas for n in (2, 4, 6, 9) if n < len(a)}


@dataclass
class Hit:
    kind: str
    object_id: str
    title: str
    url: str
    subtitle: str = ""
    category: str = ""
    county_codes: list[str] = field(default_factory=list)
    date: dt.date | None = None
    data: dict = field(default_factory=dict)
    score: float = 0.0
    title_html: SafeString = mark_safe("")  # noqa: S308 -- empty literal
    snippet_html: SafeString = mark_safe("")  # noqa: S308 -- empty literal

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    def as_dict(self) -> dict:
        return {
            "type": self.kind,
            "type_label": self.kind_label,
            "id": self.object_id,
            "title": self.title,
            "title_html": str(self.title_html),
            "snippet_html": str(self.snippet_html),
            "subtitle": self.subtitle,
            "url": self.url,
            "category": self.category,
            "county_codes": self.county_codes,
            "date": self.date.isoformat() if self.date else None,
            "data": self.data,
        }


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    request: SearchRequest
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    total_is_lower_bound: bool = False  # the database fallback stops counting very broad queries
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    backend: str = "database"
    degraded: bool = False  # Elasticsearch is configured but did not answer: database results

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, math.ceil(self.total / self.request.page_size)))

    @property
    def has_next(self) -> bool:
        return self.request.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.request.page > 1


def facet_values(counts: dict[str, int], labels: dict[str, str], selected: str) -> list[FacetValue]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_SIZE]
    values = [FacetValue(v, labels.get(v, v), n, v == selected) for v, n in ordered if n]
    if selected and all(v.value != selected for v in values):
        values.append(FacetValue(selected, labels.get(selected, selected), counts.get(selected, 0), True))
    return values


KIND_LABELS = {k.value: str(k.label) for k in Kind}
KIND_ORDER = sorted(KIND_RANK, key=lambda k: -KIND_RANK[k])


# --- highlighting --------------------------------------------------------------------------------


def _spans_for(
    haystack: str, query: text.Query, title_pinyin: list[str] | None = None
) -> list[tuple[int, int]]:
    """Character spans of `haystack` (normalised in place, same length) matched by the query."""
    spans: list[tuple[int, int]] = []
    lowered = haystack.lower()
    for term in query.terms:
        needles = text.bigrams(term.text) if term.kind == "cjk" and len(term.text) > 1 else [term.text]
        for needle in needles:
            start = lowered.find(needle)
            while start != -1 and len(spans) < 200:
                spans.append((start, start + len(needle)))
                start = lowered.find(needle, start + 1)
        if term.kind == "word" and title_pinyin is not None:
            matched = pinyin_prefix_chars(haystack, term.text)
            if matched:
                spans.append((0, matched))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def pinyin_prefix_chars(name: str, typed: str) -> int:
    """How many leading characters of `name` the pinyin (full or initials) `typed` spells out."""
    best = 0

    def walk(index: int, rest: str, initials_only: bool) -> None:
        nonlocal best
        if not rest:
            best = max(best, index)
            return
        if index >= len(name):
            return
        for reading in text.readings(name[index].lower()) or ():
            if initials_only:
                if rest[0] == reading[0]:
                    walk(index + 1, rest[1:], True)
            elif rest.startswith(reading):
                walk(index + 1, rest[len(reading) :], False)
            elif reading.startswith(rest):
                best = max(best, index + 1)

    if len(typed) <= 40:
        walk(0, typed, False)
        walk(0, typed, True)
    return best


def mark(value: str, spans: list[tuple[int, int]]) -> SafeString:
    out, last = [], 0
    for start, end in spans:
        out.append(escape(value[last:start]))
        out.append(f"<mark>{escape(value[start:end])}</mark>")
        last = end
    out.append(escape(value[last:]))
    return mark_safe("".join(out))  # noqa: S308 -- every piece is escaped above


def highlight_title(title: str, query: text.Query) -> SafeString:
    return mark(title, _spans_for(title, query, title_pinyin=[]))


def snippet(body: str, query: text.Query, width: int = 80) -> SafeString:
    """A window of `body` around its first match, highlighted; its start when nothing matches."""
    flat = " ".join(body.split())
    if not flat:
        return mark_safe("")  # noqa: S308 -- empty literal
    spans = _spans_for(flat, query)
    if not spans:
        cut = flat[:width]
        return mark(cut + ("…" if len(flat) > width else ""), [])
    first = spans[0][0]
    start = max(0, first - width // 4)
    end = min(len(flat), start + width)
    window = flat[start:end]
    inside = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
    html = mark(window, inside)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    return mark_safe(f"{prefix}{html}{suffix}")  # noqa: S308 -- `html` is escaped by mark()
