"""The database fallback: search entries and tokens in SQL, on SQLite and PostgreSQL alike.

Writing: each `SearchDoc` becomes a `SearchEntry` and its `SearchToken`s (bigrams, words,
pinyin; see SearchDoc.weighted_tokens). Searching, for a query of terms that must all match:

1. Each term's matching entries are found through the token index (an equality lookup per
   bigram, a range scan per pinyin/word prefix); the term expected to match the fewest entries
   (counted with a cap) drives, so a query mixing a rare and a very common bigram stays cheap.
2. The driver's entries (at most CANDIDATE_CAP, plus exact and prefix title matches, looked up
   separately so that the best results are never cut off) are then checked against every term
   in Python from their stored token lists, ranked, filtered and counted for the facets.

A very broad query (a single common bigram over 620,573 villages) therefore reports "at least
N" results; everything it lists does match, and exact names still come first.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q

from . import text
from .documents import KIND_RANK, SearchDoc
from .models import IndexState, SearchEntry, SearchToken
from .results import (
    KIND_LABELS,
    Hit,
    SearchRequest,
    SearchResults,
    facet_values,
    highlight_title,
    snippet,
)

logger = logging.getLogger(__name__)

CANDIDATE_CAP = 3000
# What matching, ranking, filters and facets read of a candidate. The rest (body, data, url...)
# is read only for the page of results shown: a broad query ranks thousands of candidates.
RANKING_FIELDS = (
    "kind",
    "object_id",
    "title",
    "title_key",
    "core_key",
    "subtitle",
    "related",
    "county_codes",
    "place_codes",
    "tree_path",
    "category",
    "tokens",
)
COUNT_CAP = 20_000
WRITE_BATCH = 2000
# Set when a full rebuild commits. Saves index their own records as they go, so entries alone do
# not show that every record (uncovered villages, lectures loaded in bulk) has been indexed.
FULL_BUILD_STATE = "database_fully_built"


# --- writing -------------------------------------------------------------------------------------


def _entry(doc: SearchDoc, tokens: dict[str, int]) -> SearchEntry:
    return SearchEntry(
        kind=doc.kind,
        object_id=doc.object_id,
        title=doc.title[:300],
        title_key=doc.title_key[:300],
        core_key=doc.core_key[:300],
        subtitle=doc.subtitle[:300],
        related=doc.related[:1000],
        body=doc.body,
        url=doc.url[:300],
        county_codes=" ".join(doc.county_codes)[:200],
        place_codes=" ".join(doc.place_codes),
        tree_path=doc.tree_path[:255],
        category=doc.category[:50],
        date=doc.date,
        data=doc.data,
        tokens=" ".join(sorted(tokens)),
    )


def _insert(docs: list[SearchDoc]) -> None:
    weighted = [doc.weighted_tokens() for doc in docs]
    entries = SearchEntry.objects.bulk_create(
        [_entry(doc, tokens) for doc, tokens in zip(docs, weighted, strict=True)], batch_size=500
    )
    rows = [
        (entry.pk, token, weight)
        for entry, tokens in zip(entries, weighted, strict=True)
        for token, weight in tokens.items()
    ]
    if connection.vendor == "postgresql":
        # COPY is several times faster than INSERT for the millions of rows of a national index.
        with connection.cursor() as cursor:
            table = SearchToken._meta.db_table
            with cursor.copy(f"COPY {table} (entry_id, token, weight) FROM STDIN") as copy:  # noqa: S608 -- model table name
                for row in rows:
                    copy.write_row(row)
    else:
        SearchToken.objects.bulk_create(
            [SearchToken(entry_id=e, token=t, weight=w) for e, t, w in rows], batch_size=WRITE_BATCH
        )


def delete(keys: Iterable[tuple[str, str]]) -> None:
    by_kind: dict[str, list[str]] = {}
    for kind, object_id in keys:
        by_kind.setdefault(kind, []).append(object_id)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            entry_ids = SearchEntry.objects.filter(kind=kind, object_id__in=chunk)
            SearchToken.objects.filter(entry__in=entry_ids).delete()
            SearchEntry.objects.filter(kind=kind, object_id__in=chunk).delete()


def write(docs: list[SearchDoc], gone: Iterable[tuple[str, str]] = ()) -> None:
    """Replace the entries of `docs` and remove those of `gone`, in one transaction."""
    with transaction.atomic():
        delete([*(d.key for d in docs), *gone])
        for start in range(0, len(docs), WRITE_BATCH):
            _insert(docs[start : start + WRITE_BATCH])


def rebuild(docs: Iterable[SearchDoc], progress=None) -> int:
    """Replace the whole fallback index in one transaction (readers see the old one until commit)."""
    count = 0
    with transaction.atomic():
        SearchToken.objects.all().delete()
        SearchEntry.objects.all().delete()
        batch: list[SearchDoc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= WRITE_BATCH:
                _insert(batch)
                count += len(batch)
                batch = []
                if progress:
                    progress(count)
        if batch:
            _insert(batch)
            count += len(batch)
            if progress:
                progress(count)
        IndexState.objects.update_or_create(key=FULL_BUILD_STATE, defaults={"value": str(count)})
    return count


def fully_built() -> bool:
    """Whether a full rebuild of the fallback has ever completed in this database."""
    return IndexState.objects.filter(key=FULL_BUILD_STATE).exists()


def entry_count() -> int:
    return SearchEntry.objects.count()


# --- searching -----------------------------------------------------------------------------------


def _term_token_filter(term: text.Term) -> Q | None:
    """Which token rows show that an entry may match `term` (None: no token lookup possible)."""
    if term.kind == "cjk":
        if len(term.text) < 2:
            return None
        return Q(token__in=term.bigrams)
    condition = Q()
    for prefix in ("", "p:", "i:", "r:", "s:", *(("c:",) if term.is_code else ())):
        value = prefix + term.text
        condition |= Q(token__gte=value, token__lt=text.prefix_upper_bound(value))
    return condition


def _capped_count(condition: Q) -> int:
    return SearchToken.objects.filter(condition).values("entry_id")[:COUNT_CAP].count()


def _driver_filter(term: text.Term) -> Q | None:
    """Rows whose entries include every entry that can match `term`.

    For a Chinese term needing k of its n bigrams, any n-k+1 of them will do (an entry lacking
    all of those has at most k-1); the rarest are chosen.
    """
    if term.kind == "cjk" and len(term.text) >= 2:
        grams = term.bigrams
        counts = {g: _capped_count(Q(token=g)) for g in grams}
        chosen = sorted(grams, key=lambda g: counts[g])[: len(grams) - term.required + 1]
        return Q(token__in=chosen)
    return _term_token_filter(term)


def _candidates(search: SearchRequest) -> tuple[list[SearchEntry], bool]:
    """Entries that may match, and whether the list was cut at CANDIDATE_CAP."""
    query = search.query
    fields = SearchEntry.objects.only(*RANKING_FIELDS)
    options = []
    for term in query.terms:
        condition = _driver_filter(term)
        if condition is not None:
            options.append((_capped_count(condition), condition))
    capped = False
    if options:
        _, driver = min(options, key=lambda o: o[0])
        ids = list(
            SearchToken.objects.filter(driver)
            .order_by()
            .values_list("entry_id", flat=True)
            .distinct()[: CANDIDATE_CAP + 1]
        )
        capped = len(ids) > CANDIDATE_CAP
        entries = {e.pk: e for e in _in_chunks(fields, ids[:CANDIDATE_CAP])}
    else:
        # Only single Chinese characters, matched in names: a substring scan, bounded.
        condition = Q()
        for term in query.terms:
            condition &= Q(title_key__contains=term.text)
        rows = list(fields.filter(condition)[: CANDIDATE_CAP + 1])
        capped = len(rows) > CANDIDATE_CAP
        entries = {e.pk: e for e in rows[:CANDIDATE_CAP]}
    compact = query.compact
    if compact:
        # Exact and prefix name matches are looked up directly so a capped list never loses them.
        best = fields.filter(
            Q(title_key=compact)
            | Q(core_key=compact)
            | Q(title_key__gte=compact, title_key__lt=text.prefix_upper_bound(compact))
        )[:50]
        for entry in best:
            entries.setdefault(entry.pk, entry)
    return list(entries.values()), capped


def _in_chunks(qs, ids: list[int], size: int = 900) -> list[SearchEntry]:
    found: list[SearchEntry] = []
    for start in range(0, len(ids), size):
        found.extend(qs.filter(pk__in=ids[start : start + size]))
    return found


class _BigramWeights:
    """The weight of the most important field a matched bigram comes from: 3 title, 2 subtitle or
    related names, 1 body. Looked up only for the bigrams a query matched (a bigram is in a field
    exactly when it is a substring of the field's normalised text), so ranking thousands of
    candidates does not split every candidate's fields into bigrams."""

    def __init__(self, entry: SearchEntry) -> None:
        self.entry = entry
        self._side: str | None = None

    def get(self, gram: str, default: int = 1) -> int:
        if gram in self.entry.title_key:
            return 3
        if self._side is None:
            self._side = text.normalise(f"{self.entry.subtitle} {self.entry.related}")
        return 2 if gram in self._side else default


def _term_score(
    term: text.Term, entry: SearchEntry, tokens: set[str], weights: _BigramWeights
) -> float | None:
    """How well `entry` matches `term`, or None when it does not."""
    if term.kind == "cjk":
        if len(term.text) < 2:
            # One character: names only (it would match most of any longer text).
            return 30.0 if term.text in entry.title_key else None
        grams = term.bigrams
        matched = [g for g in grams if g in tokens]
        if len(matched) < term.required:
            return None
        return 10.0 * max(weights.get(g, 1) for g in matched) * len(matched) / len(grams)
    word = term.text
    if term.is_code and any(code.startswith(word) for code in entry.place_list):
        return 50.0
    best = None
    for token in tokens:
        if token.startswith("c:"):
            continue
        if not token.startswith(("p:", "i:", "r:", "s:")):
            if token.startswith(word):
                best = max(best or 0, 20.0 if token == word else 10.0)
            continue
        value = token[2:]
        if not value.startswith(word):
            continue
        own = token[0] in "pi"
        exact = value == word
        score = (40.0 if exact else 25.0) if own else (12.0 if exact else 8.0)
        best = max(best or 0, score)
    return best


def _score(search: SearchRequest, entry: SearchEntry) -> float | None:
    tokens = set(entry.tokens.split())
    weights = _BigramWeights(entry)
    total = 0.0
    for term in search.query.terms:
        score = _term_score(term, entry, tokens, weights)
        if score is None:
            return None
        total += score
    compact = search.query.compact
    if compact and (entry.title_key == compact or entry.core_key == compact):
        total += 1000
    elif compact and entry.title_key.startswith(compact):
        total += 500
    elif compact and compact in entry.title_key:
        total += 200
    return total


def _visible(search: SearchRequest, entry: SearchEntry) -> bool:
    if entry.tree_path and search.tree_path and not entry.tree_path.startswith(search.tree_path):
        return False
    if not search.areas:
        return True
    places = entry.place_list
    if not places:
        return True
    ancestors = search.area_ancestors()
    return any(p.startswith(a) for p in places for a in search.areas) or any(p in ancestors for p in places)


def _filters(search: SearchRequest, entry: SearchEntry, skip: str = "") -> bool:
    if skip != "kind" and search.kind and entry.kind != search.kind:
        return False
    if skip != "county" and search.county and search.county not in entry.county_list:
        return False
    return not (skip != "category" and search.category and entry.category != search.category)


def search(search: SearchRequest) -> SearchResults:
    """Answer `search` from the database (see the module docstring for how)."""
    results = SearchResults(request=search, backend="database")
    if not search.query:
        return results
    candidates, capped = _candidates(search)
    scored: list[tuple[float, SearchEntry]] = []
    for entry in candidates:
        if not _visible(search, entry):
            continue
        score = _score(search, entry)
        if score is not None:
            scored.append((score, entry))
    selected = [(s, e) for s, e in scored if _filters(search, e)]
    selected.sort(key=lambda se: (-se[0], -KIND_RANK.get(se[1].kind, 0), len(se[1].title), se[1].object_id))
    results.total = len(selected)
    results.total_is_lower_bound = capped
    page = selected[search.offset : search.offset + search.page_size]
    shown = SearchEntry.objects.defer("tokens", "updated_at").in_bulk([entry.pk for _, entry in page])
    # An entry deleted by a save since it was ranked is left out rather than half-loaded.
    results.hits = [hit(shown[entry.pk], score, search) for score, entry in page if entry.pk in shown]
    if search.facets:
        results.facets = _facets(search, [e for _, e in scored])
    return results


def hit(entry: SearchEntry, score: float, search: SearchRequest) -> Hit:
    """A result as listed, from its entry (for both backends)."""
    query = search.query
    body_source = entry.body or entry.related
    return Hit(
        kind=entry.kind,
        object_id=entry.object_id,
        title=entry.title,
        url=entry.url,
        subtitle=entry.subtitle,
        category=entry.category,
        county_codes=entry.county_list,
        date=entry.date,
        data=entry.data,
        score=score,
        title_html=highlight_title(entry.title, query),
        snippet_html=snippet(body_source, query),
    )


def _facets(search: SearchRequest, matching: list[SearchEntry]) -> dict:
    kinds: Counter[str] = Counter()
    counties: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for entry in matching:
        if _filters(search, entry, skip="kind"):
            kinds[entry.kind] += 1
        if _filters(search, entry, skip="county"):
            for county in set(entry.county_list):
                counties[county] += 1
        if _filters(search, entry, skip="category") and entry.category:
            categories[entry.category] += 1
    return {
        "kind": facet_values(kinds, KIND_LABELS, search.kind),
        "county": facet_values(counties, {}, search.county),
        "category": facet_values(categories, {}, search.category),
    }
