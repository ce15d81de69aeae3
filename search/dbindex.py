"""The database fallback: search entries and tokens in SQL, on SQLite and PostgreSQL alike.

Writing: each `SearchDoc` becomes a `SearchEntry` with its sorted token list, and one
`SearchToken` row, just (token, entry), per token (bigrams, words, pinyin; see SearchDoc.tokens).
Searching, for a query of terms that must all match:

1. Each term's matching entries are found through the token rows' primary key (an equality per
   bigram, a range per pinyin/word prefix): index-only scans once the tables are vacuumed
   (`search_rebuild` does so). With several terms, the one expected to match the fewest
   entries (counted with a cap) drives, so a query mixing a rare and a very common bigram
   stays cheap; a single term is not counted.
2. The driver's entries, read lookup by lookup (own pinyin before related names) up to
   CANDIDATE_CAP, plus exact and prefix title matches, looked up separately so that the best
   results are never cut off, are then checked against every term in Python from their stored
   token lists, ranked, filtered and counted for the facets.

A very broad query (a single common bigram over 620,573 villages) therefore reports "at least
N" results; everything it lists does match, and exact names still come first.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
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
    "pk",
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


def _entry(doc: SearchDoc, tokens: Iterable[str]) -> SearchEntry:
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
    token_sets = [doc.tokens() for doc in docs]
    entries = SearchEntry.objects.bulk_create(
        [_entry(doc, tokens) for doc, tokens in zip(docs, token_sets, strict=True)], batch_size=500
    )
    rows = [(entry.pk, token) for entry, tokens in zip(entries, token_sets, strict=True) for token in tokens]
    if connection.vendor == "postgresql":
        # COPY is several times faster than INSERT for the millions of rows of a national index.
        with connection.cursor() as cursor:
            table = SearchToken._meta.db_table
            with cursor.copy(f"COPY {table} (entry_id, token) FROM STDIN") as copy:  # noqa: S608 -- model table name
                for row in rows:
                    copy.write_row(row)
    else:
        SearchToken.objects.bulk_create(
            [SearchToken(entry_id=e, token=t) for e, t in rows], batch_size=WRITE_BATCH
        )


DELETE_PAIRS = 400  # (token, entry) pairs per DELETE: 800 parameters, within SQLite's limit


def delete(keys: Iterable[tuple[str, str]]) -> None:
    """Remove these records' entries and their token rows.

    Token rows are found through the primary key, from each entry's own token list: the table
    has no index on the entry alone (see SearchToken).
    """
    by_kind: dict[str, list[str]] = {}
    for kind, object_id in keys:
        by_kind.setdefault(kind, []).append(object_id)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found = list(
                SearchEntry.objects.filter(kind=kind, object_id__in=chunk).values_list("pk", "tokens")
            )
            if not found:
                continue
            pairs = [(token, pk) for pk, tokens in found for token in set(tokens.split())]
            for at in range(0, len(pairs), DELETE_PAIRS):
                SearchToken.objects.filter(pk__in=pairs[at : at + DELETE_PAIRS]).delete()
            SearchEntry.objects.filter(pk__in=[pk for pk, _ in found]).delete()


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


def vacuum() -> bool:
    """VACUUM (ANALYZE) the fallback's tables on PostgreSQL after a full rebuild commits.

    A rebuild deletes and rewrites every row: until the tables are vacuumed, lookups cannot be
    index-only scans (the visibility map is unset, so each token row is also read from the
    table) and the planner's statistics describe the old rows. Autovacuum would get there, but
    minutes later. Returns whether it ran (not on SQLite, nor inside a transaction).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {SearchEntry._meta.db_table}, {SearchToken._meta.db_table}")
    return True


def fully_built() -> bool:
    """Whether a full rebuild of the fallback has ever completed in this database."""
    return IndexState.objects.filter(key=FULL_BUILD_STATE).exists()


def entry_count() -> int:
    return SearchEntry.objects.count()


# --- searching -----------------------------------------------------------------------------------


def _lookups(term: text.Term) -> list[Q] | None:
    """Token lookups whose rows include every entry that can match `term`, the likeliest best
    matches first (None: no token lookup possible, a single Chinese character).

    A word is a prefix of the record's own pinyin or initials, an ASCII word, related names'
    pinyin, or a division code: one index range each. A Chinese term is an equality per bigram.
    """
    if term.kind == "cjk":
        return [Q(token=g) for g in term.bigrams] if len(term.text) >= 2 else None
    prefixes = ("p:", "i:", "", "r:", "s:")
    if term.is_code:
        prefixes = ("c:", *prefixes)
    return [Q(token__gte=p + term.text, token__lt=text.prefix_upper_bound(p + term.text)) for p in prefixes]


def _capped_count(condition: Q, cap: int = COUNT_CAP) -> int:
    """Rows matching `condition`, counted up to `cap` (an index-only scan on PostgreSQL)."""
    return SearchToken.objects.filter(condition).values("entry_id")[:cap].count()


def _driver(term: text.Term, count: bool) -> tuple[int, list[Q]] | None:
    """The lookups that find `term`'s candidates and (when `count`) how many rows they have.

    For a Chinese term needing k of its n bigrams, any n-k+1 of them will do (an entry lacking
    all of those has at most k-1); the rarest are chosen, which needs their counts.
    """
    lookups = _lookups(term)
    if lookups is None:
        return None
    if term.kind == "cjk" and len(lookups) > 1:
        counted = sorted((_capped_count(q), n, q) for n, q in enumerate(lookups))
        chosen = counted[: len(lookups) - term.required + 1]
        return min(COUNT_CAP, sum(c for c, _, _ in chosen)), [q for _, _, q in chosen]
    if not count:
        return 0, lookups
    total = 0
    for q in lookups:
        total += _capped_count(q, COUNT_CAP - total)
        if total >= COUNT_CAP:
            break
    return total, lookups


def _entry_ids(lookups: list[Q], limit: int) -> list[int]:
    """Distinct entries of the lookups' rows, in the lookups' order, at most `limit` + 1.

    One bounded index range per lookup rather than one DISTINCT over all of them: a broad
    prefix ("wang") has hundreds of thousands of rows, and only the first `limit` entries are
    ranked anyway.
    """
    found: dict[int, None] = {}
    for q in lookups:
        rows = SearchToken.objects.filter(q).values_list("entry_id", flat=True)[: limit + 1]
        found.update(dict.fromkeys(rows))
        if len(found) > limit:
            break
    return list(found)[: limit + 1]


class _Candidate:
    """What ranking, filters and facets read of an entry, from one row of values (thousands of
    candidates are ranked for a broad query; model instances would cost more than ranking)."""

    __slots__ = ("_counties", "_places", *RANKING_FIELDS)

    def __init__(self, row: tuple) -> None:
        for name, value in zip(RANKING_FIELDS, row, strict=True):
            setattr(self, name, value)
        self._places: list[str] | None = None
        self._counties: list[str] | None = None

    @property
    def place_list(self) -> list[str]:
        if self._places is None:
            self._places = self.place_codes.split()
        return self._places

    @property
    def county_list(self) -> list[str]:
        if self._counties is None:
            self._counties = self.county_codes.split()
        return self._counties


def _rows(condition: Q, limit: int | None = None) -> list[_Candidate]:
    qs = SearchEntry.objects.filter(condition).values_list(*RANKING_FIELDS)
    return [_Candidate(row) for row in (qs[:limit] if limit else qs)]


def _candidates(search: SearchRequest) -> tuple[list[_Candidate], bool]:
    """Entries that may match, and whether the list was cut at CANDIDATE_CAP."""
    query = search.query
    several = len(query.terms) > 1
    options = [d for d in (_driver(t, count=several) for t in query.terms) if d is not None]
    capped = False
    if options:
        _, lookups = min(options, key=lambda o: o[0])
        ids = _entry_ids(lookups, CANDIDATE_CAP)
        capped = len(ids) > CANDIDATE_CAP
        entries: dict[int, _Candidate] = {}
        ids = ids[:CANDIDATE_CAP]
        for start in range(0, len(ids), 900):
            entries.update((c.pk, c) for c in _rows(Q(pk__in=ids[start : start + 900])))
    else:
        # Only single Chinese characters, matched in names: a substring scan, bounded.
        condition = Q()
        for term in query.terms:
            condition &= Q(title_key__contains=term.text)
        rows = _rows(condition, CANDIDATE_CAP + 1)
        capped = len(rows) > CANDIDATE_CAP
        entries = {c.pk: c for c in rows[:CANDIDATE_CAP]}
    compact = query.compact
    if compact:
        # Exact and prefix name matches are looked up directly so a capped list never loses them.
        best = Q(title_key=compact) | Q(core_key=compact)
        best |= Q(title_key__gte=compact, title_key__lt=text.prefix_upper_bound(compact))
        for entry in _rows(best, 50):
            entries.setdefault(entry.pk, entry)
    return list(entries.values()), capped


class _BigramWeights:
    """The weight of the most important field a matched bigram comes from: 3 title, 2 subtitle or
    related names, 1 body. Looked up only for the bigrams a query matched (a bigram is in a field
    exactly when it is a substring of the field's normalised text), so ranking thousands of
    candidates does not split every candidate's fields into bigrams."""

    def __init__(self, entry: _Candidate) -> None:
        self.entry = entry
        self._side: str | None = None

    def get(self, gram: str, default: int = 1) -> int:
        if gram in self.entry.title_key:
            return 3
        if self._side is None:
            self._side = text.normalise(f"{self.entry.subtitle} {self.entry.related}")
        return 2 if gram in self._side else default


# A word's score by where it starts a token: (token prefix, exact match, prefix match).
WORD_SCORES = (("p:", 40.0, 25.0), ("i:", 40.0, 25.0), ("", 20.0, 10.0), ("r:", 12.0, 8.0), ("s:", 12.0, 8.0))


def _word_score(word: str, ordered: list[str]) -> float | None:
    """The best of WORD_SCORES for `word` among an entry's tokens (sorted, as stored).

    The tokens starting with a prefix are contiguous in sorted order and the prefix itself, when
    present, comes first: one binary search per kind of token instead of a pass over all of them.
    """
    if len(word) < 2:
        return _word_score_by_scan(word, ordered)
    best = None
    for prefix, exact, partial in WORD_SCORES:
        key = prefix + word
        at = bisect_left(ordered, key)
        if at < len(ordered) and ordered[at].startswith(key):
            score = exact if ordered[at] == key else partial
            best = score if best is None else max(best, score)
    return best


def _word_score_by_scan(word: str, ordered: list[str]) -> float | None:
    """_word_score for a one-letter word, which also starts the "p:"-style tokens themselves."""
    best = None
    for token in ordered:
        if token.startswith("c:"):
            continue
        if token[1:2] != ":":
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


class _Prepared:
    """A term with what ranking asks of it for every candidate, computed once per search."""

    __slots__ = ("grams", "required", "term")

    def __init__(self, term: text.Term) -> None:
        self.term = term
        self.grams = term.bigrams
        self.required = term.required


def _term_score(
    prepared: _Prepared, entry: _Candidate, ordered: list[str], tokens: set[str], weights: _BigramWeights
) -> float | None:
    """How well `entry` matches the term, or None when it does not."""
    term = prepared.term
    if term.kind == "cjk":
        if len(term.text) < 2:
            # One character: names only (it would match most of any longer text).
            return 30.0 if term.text in entry.title_key else None
        grams = prepared.grams
        matched = [g for g in grams if g in tokens]
        if len(matched) < prepared.required:
            return None
        return 10.0 * max(weights.get(g, 1) for g in matched) * len(matched) / len(grams)
    word = term.text
    if term.is_code and any(code.startswith(word) for code in entry.place_list):
        return 50.0
    return _word_score(word, ordered)


def _score(search: SearchRequest, entry: _Candidate, terms: list[_Prepared]) -> float | None:
    ordered = entry.tokens.split()  # sorted when written (see _entry)
    tokens = set(ordered) if any(t.kind == "cjk" for t in search.query.terms) else set()
    weights = _BigramWeights(entry)
    total = 0.0
    for prepared in terms:
        score = _term_score(prepared, entry, ordered, tokens, weights)
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


def _visible(search: SearchRequest, entry: _Candidate) -> bool:
    if entry.tree_path and search.tree_path and not entry.tree_path.startswith(search.tree_path):
        return False
    if not search.areas:
        return True
    places = entry.place_list
    if not places:
        return True
    ancestors = search.area_ancestors()
    return any(p.startswith(a) for p in places for a in search.areas) or any(p in ancestors for p in places)


def _filters(search: SearchRequest, entry: _Candidate, skip: str = "") -> bool:
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
    terms = [_Prepared(term) for term in search.query.terms]
    scored: list[tuple[float, _Candidate]] = []
    for entry in candidates:
        if not _visible(search, entry):
            continue
        score = _score(search, entry, terms)
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


def _facets(search: SearchRequest, matching: list[_Candidate]) -> dict:
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
