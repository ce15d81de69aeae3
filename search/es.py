"""The public search index in Elasticsearch, defined with elasticsearch-dsl.

One index holds every kind of record (so one query ranks and facets across them), behind an
alias: a full rebuild fills a new index and swaps the alias atomically, so searches never see a
half-built index.

Chinese text is analysed into overlapping character bigrams by the `standard` tokenizer (one
token per Han character) followed by a two-token `shingle` filter with no separator. That is what
Elasticsearch's `cjk` analyzer does for Chinese, built only from components of the server core:
the `cjk` analyzer and `cjk_bigram` filter live in the `analysis-common` module, which
Elasticsearch's integration-test distribution (what the tests run against) does not ship. A
`.chars` sub-field keeps single characters for one-character queries. Pinyin strings are
computed in Python (search/text.py) and matched by prefix on keyword fields.

Every call has a client timeout of at most 2 s (ELASTICSEARCH_TIMEOUT) and no retries: when the
cluster is slow or down, the caller falls back to the database at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db.models import Q as DjangoQ
from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_exceptions
from elasticsearch_dsl import (
    Byte,
    Date,
    Document,
    Index,
    Keyword,
    MetaField,
    Object,
    Q,
    Search,
    Short,
    Text,
    analyzer,
    token_filter,
)

from . import text
from .dbindex import hit as dbhit
from .documents import KIND_RANK, SearchDoc
from .models import SearchEntry
from .results import (
    FACET_SIZE,
    KIND_LABELS,
    Hit,
    SearchRequest,
    SearchResults,
    facet_values,
    highlight_title,
)

logger = logging.getLogger(__name__)

# Errors that mean "Elasticsearch is not usable now": the caller falls back or retries later.
UNAVAILABLE = (
    es_exceptions.ConnectionError,
    es_exceptions.ConnectionTimeout,
    es_exceptions.TransportError,
    es_exceptions.ApiError,
)

bigram_shingle = token_filter(
    "portal_bigram_shingle",
    "shingle",
    min_shingle_size=2,
    max_shingle_size=2,
    output_unigrams=False,
    output_unigrams_if_no_shingles=True,
    token_separator="",
)
chinese = analyzer("portal_chinese", tokenizer="standard", filter=["lowercase", bigram_shingle])


def _text(chars: bool = False, **kwargs) -> Text:
    """A bigram-analysed text field; `chars` adds single characters (for one-character queries)."""
    if chars:
        kwargs["fields"] = {"chars": Text(analyzer="standard")}
    return Text(analyzer=chinese, **kwargs)


class SearchDocument(Document):
    """One village, adviser, article or lecture. Text fields hold normalised text.

    Only what searching, ranking, filtering and facets need is indexed, and `_source` keeps no
    copy of the text: results are displayed from the database entries of the same records
    (search/dbindex.py), which the same updates maintain. That halves the indexing work of a
    national rebuild (620,573 villages and their advisers within the 3-minute budget).
    """

    kind = Keyword()
    kind_rank = Byte()
    object_id = Keyword()
    title = _text(chars=True, copy_to="all_text")
    title_key = Keyword(doc_values=False)
    core_key = Keyword(doc_values=False)
    title_length = Short()
    # Searched through all_text only.
    subtitle = Text(index=False, copy_to="all_text")
    related = Text(index=False, copy_to="all_text")
    body = Text(index=False, copy_to="all_text")
    # Everything, for matching: bigrams (frequencies suffice, no phrase queries on it).
    all_text = Text(analyzer=chinese, index_options="freqs")
    # ASCII words of the text (names of firms, numbers), matched by prefix.
    words = Keyword(multi=True, doc_values=False)
    pinyin = Keyword(multi=True, doc_values=False)
    initials = Keyword(multi=True, doc_values=False)
    related_pinyin = Keyword(multi=True, doc_values=False)
    related_initials = Keyword(multi=True, doc_values=False)
    category = Keyword()
    county_codes = Keyword(multi=True)
    place_codes = Keyword(multi=True, doc_values=False)
    tree_path = Keyword(doc_values=False)
    date = Date()
    # Title and address, so that a hit whose database entry is missing can still be listed.
    show = Object(enabled=False)

    class Meta:
        source = MetaField(
            excludes=["title", "subtitle", "related", "body", "words", "pinyin", "initials", "related_*"]
        )


# --- client and index names ----------------------------------------------------------------------

_client_lock = threading.Lock()
_clients: dict[tuple[str, float], Elasticsearch] = {}


def url() -> str:
    return getattr(settings, "ELASTICSEARCH_URL", "") or ""


def configured() -> bool:
    return bool(url())


def timeout() -> float:
    return min(float(getattr(settings, "ELASTICSEARCH_TIMEOUT", 2.0)), 2.0)


def client(request_timeout: float | None = None) -> Elasticsearch:
    """A shared client for the configured URL (thread-safe; one per URL and timeout)."""
    key = (url(), request_timeout or timeout())
    with _client_lock:
        if key not in _clients:
            _clients[key] = Elasticsearch(
                key[0], request_timeout=key[1], max_retries=0, retry_on_timeout=False
            )
        return _clients[key]


def alias() -> str:
    return f"{getattr(settings, 'ELASTICSEARCH_INDEX_PREFIX', 'portal')}-search"


def index_settings() -> dict:
    return {
        "number_of_shards": 1,
        "number_of_replicas": int(getattr(settings, "ELASTICSEARCH_REPLICAS", 0)),
    }


def _new_index(name: str) -> Index:
    index = Index(name)
    index.settings(**index_settings())
    index.document(SearchDocument)
    return index


# --- documents -----------------------------------------------------------------------------------


def doc_id(kind: str, object_id: str) -> str:
    return f"{kind}:{object_id}"


def source(doc: SearchDoc) -> dict:
    """The indexed document (normalised text, pinyin, codes) of one record."""
    title_key = doc.title_key
    subtitle = text.normalise(doc.subtitle)
    related = text.normalise(doc.related)
    body = text.normalise(doc.body)
    words = set(text.WORD_RE.findall(f"{title_key} {subtitle} {related} {body}"))
    return {
        "kind": doc.kind,
        "kind_rank": KIND_RANK.get(doc.kind, 0),
        "object_id": doc.object_id,
        "title": title_key,
        "title_key": title_key,
        "core_key": text.core_name(title_key),
        "title_length": min(len(doc.title), 32000),
        "subtitle": subtitle,
        "related": related,
        "body": body,
        "pinyin": doc.pinyin.full,
        "initials": doc.pinyin.initials,
        "related_pinyin": doc.related_pinyin.full,
        "related_initials": doc.related_pinyin.initials,
        "category": doc.category,
        "county_codes": doc.county_codes,
        "place_codes": doc.place_codes,
        "tree_path": doc.tree_path or None,
        "date": doc.date.isoformat() if doc.date else None,
        "words": sorted(words)[:200] if words else [],
        "show": {"title": doc.title, "url": doc.url},
    }


def _actions(index: str, docs: Iterable[SearchDoc]) -> Iterator[dict]:
    for doc in docs:
        yield {"_op_type": "index", "_index": index, "_id": doc_id(*doc.key), "_source": source(doc)}


# --- lifecycle -----------------------------------------------------------------------------------


def current_indices(es: Elasticsearch | None = None) -> list[str]:
    es = es or client()
    try:
        return sorted(es.indices.get_alias(name=alias()).keys())
    except es_exceptions.NotFoundError:
        return []


def create_index(es: Elasticsearch | None = None) -> str:
    """Create an empty index behind the alias unless the alias exists; return the index name."""
    es = es or client()
    existing = current_indices(es)
    if existing:
        return existing[0]
    name = f"{alias()}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    _new_index(name).create(using=es)
    es.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias()}}])
    return name


REBUILD_STATE = "es_rebuild_target"


def rebuild(
    docs: Iterable[SearchDoc],
    total: int | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    chunk_size: int = 2000,
    threads: int = 2,
) -> dict:
    """Fill a new index with `docs`, then point the alias at it and drop the old ones.

    While it runs, the outbox worker also writes to the new index (IndexState REBUILD_STATE), so
    that changes made during the rebuild are not lost by the swap.
    """
    from .models import IndexState

    es = client(request_timeout=120)
    name = f"{alias()}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    index = _new_index(name)
    index.settings(refresh_interval="-1", number_of_replicas=0)
    index.create(using=es)
    IndexState.objects.update_or_create(key=REBUILD_STATE, defaults={"value": name})
    done = 0
    failed = 0
    try:
        for ok_count, errors in _bulk_in_threads(es, _actions(name, docs), chunk_size, threads):
            done += ok_count + len(errors)
            failed += len(errors)
            for item in errors[: max(0, 10 - failed + len(errors))]:
                logger.error("search rebuild: document not indexed: %s", _item_summary(item))
            if progress:
                progress("elasticsearch", done, total)
        if progress:
            progress("elasticsearch", done, total)
        es.indices.put_settings(
            index=name,
            settings={"refresh_interval": "1s", "number_of_replicas": index_settings()["number_of_replicas"]},
        )
        es.indices.refresh(index=name)
        # One segment before searches see it: a bulk load leaves a few dozen, and a prefix or
        # phrase query does its term lookups once per segment (about twice as fast afterwards).
        es.options(request_timeout=600).indices.forcemerge(index=name, max_num_segments=1)
        old = current_indices(es)
        actions = [{"remove": {"index": o, "alias": alias()}} for o in old]
        actions.append({"add": {"index": name, "alias": alias()}})
        es.indices.update_aliases(actions=actions)
    except BaseException:
        es.indices.delete(index=name, ignore_unavailable=True)
        raise
    finally:
        IndexState.objects.filter(key=REBUILD_STATE, value=name).delete()
    for o in old:
        es.indices.delete(index=o, ignore_unavailable=True)
    stale = [i for i in es.indices.get(index=f"{alias()}-*").keys() if i != name]
    for leftover in stale:  # indexes of interrupted rebuilds
        es.indices.delete(index=leftover, ignore_unavailable=True)
    return {"index": name, "indexed": done - failed, "failed": failed, "replaced": old}


def _bulk_in_threads(
    es: Elasticsearch, actions: Iterator[dict], chunk_size: int, threads: int
) -> Iterator[tuple[int, list[dict]]]:
    """Send bulk requests from `threads` threads; yield (indexed, errors) per chunk.

    The actions (and so the database reads behind them) are produced in the calling thread,
    which owns the database connection and its transaction; only the HTTP requests run in the
    pool. At most 2 × threads chunks are in flight, so memory stays bounded.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    def send(chunk: list[dict]) -> tuple[int, list[dict]]:
        ok, errors = helpers.bulk(es, chunk, raise_on_error=False, raise_on_exception=True, refresh=False)
        return ok, list(errors)

    pending: set = set()
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        chunk: list[dict] = []
        for action in actions:
            chunk.append(action)
            if len(chunk) >= chunk_size:
                pending.add(pool.submit(send, chunk))
                chunk = []
                if len(pending) >= 2 * threads:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        yield future.result()
        if chunk:
            pending.add(pool.submit(send, chunk))
        for future in pending:
            yield future.result()


def _item_summary(item: dict) -> str:
    for op in item.values():
        return f"{op.get('_id')}: {op.get('error', {}).get('type', op.get('status'))}"
    return "?"


def write_targets() -> list[str]:
    """Where incremental updates go: the alias, and a rebuild's new index while one runs."""
    from .models import IndexState

    targets = [alias()]
    state = IndexState.objects.filter(key=REBUILD_STATE).first()
    if state and state.value:
        targets.append(state.value)
    return targets


def apply(docs: list[SearchDoc], gone: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Index `docs` and delete `gone` everywhere they belong; return the keys that failed.

    Raises one of UNAVAILABLE when the cluster cannot be reached at all.
    """
    es = client()
    actions = []
    for target in write_targets():
        actions.extend(_actions(target, docs))
        actions.extend(
            {"_op_type": "delete", "_index": target, "_id": doc_id(kind, object_id)}
            for kind, object_id in gone
        )
    if not actions:
        return {}
    _, errors = helpers.bulk(es, actions, raise_on_error=False, raise_on_exception=True, refresh=False)
    failures: dict[tuple[str, str], str] = {}
    for item in errors:
        for op_type, op in item.items():
            if op_type == "delete" and op.get("status") == 404:
                continue  # already gone: the goal of a delete
            kind, _, object_id = str(op.get("_id", "")).partition(":")
            error = op.get("error", {})
            failures[(kind, object_id)] = str(error.get("type", op.get("status")))[:300]
    return failures


def refresh() -> None:
    client().indices.refresh(index=alias())


def state() -> dict:
    """For /readyz: reachable, alias present, document count."""
    es = client()
    try:
        health = es.cluster.health()
        indices = current_indices(es)
        count = es.count(index=alias())["count"] if indices else 0
    except UNAVAILABLE as exc:
        return {"ok": False, "reachable": False, "error": exc.__class__.__name__}
    return {
        "ok": bool(indices) and health.get("status") in ("green", "yellow"),
        "reachable": True,
        "cluster_status": health.get("status"),
        "alias": alias(),
        "alias_present": bool(indices),
        "index": indices[0] if indices else None,
        "documents": count,
    }


def count(kind: str | None = None) -> int:
    body = {"query": {"term": {"kind": kind}}} if kind else None
    return (
        client().count(index=alias(), body=body)["count"] if body else client().count(index=alias())["count"]
    )


def all_keys() -> set[tuple[str, str]]:
    """Every (kind, object id) in the index; for checks and tests (scrolls the whole index)."""
    es = client(request_timeout=30)
    keys = set()
    for hit in helpers.scan(es, index=alias(), query={"_source": ["kind", "object_id"]}):
        keys.add((hit["_source"]["kind"], hit["_source"]["object_id"]))
    return keys


def indexed_with(kind: str, object_id: str, words: str) -> bool:
    """Whether the indexed document of this record matches `words` (all their bigrams).

    `_source` holds no text, so checks of what a document says go through the index itself.
    """
    query = {
        "bool": {
            "filter": [{"term": {"kind": kind}}, {"term": {"object_id": object_id}}],
            "must": [{"match": {"all_text": {"query": text.normalise(words), "operator": "and"}}}],
        }
    }
    return client().count(index=alias(), query=query)["count"] == 1


def get_source(kind: str, object_id: str) -> dict | None:
    try:
        return client().get(index=alias(), id=doc_id(kind, object_id))["_source"]
    except es_exceptions.NotFoundError:
        return None


# --- searching -----------------------------------------------------------------------------------


OWN_PREFIX_BOOST = 25  # a word that starts the record's own pinyin or initials


def _term_clause(term: text.Term) -> Q:
    if term.kind == "cjk":
        if len(term.text) < 2:
            # One character: names only (it would match most of any longer text).
            return Q("match", **{"title.chars": term.text})
        return Q("match", all_text={"query": term.match_text, "minimum_should_match": str(term.required)})
    word = term.text
    # A prefix query over pinyin expands to every indexed string that starts with the word (tens
    # of thousands for "wang"), so each is run once: the own-name prefixes carry their ranking
    # boost here (1 for matching + 25), rather than being asked again among the boosts.
    options = [
        Q("constant_score", filter=Q("prefix", pinyin=word), boost=1 + OWN_PREFIX_BOOST),
        Q("constant_score", filter=Q("prefix", initials=word), boost=1 + OWN_PREFIX_BOOST),
        Q("prefix", related_pinyin=word),
        Q("prefix", related_initials=word),
        Q("prefix", words=word),
    ]
    if term.is_code:
        options.append(Q("prefix", place_codes=word))
    return Q("bool", should=options, minimum_should_match=1)


def _boosts(query: text.Query) -> list[Q]:
    """Ranking: exact name, then name prefix, then where the words match."""
    compact = query.compact
    boosts = [
        Q("constant_score", filter=Q("term", title_key=compact), boost=1000),
        Q("constant_score", filter=Q("term", core_key=compact), boost=1000),
        Q("constant_score", filter=Q("prefix", title_key=compact), boost=500),
    ]
    for term in query.terms:
        if term.kind == "cjk":
            if len(term.text) < 2:
                boosts.append(Q("match", **{"title.chars": {"query": term.text, "boost": 30 + 20}}))
                continue
            # The name's bigrams (30), and more when they are consecutive, as typed (20). Bigrams
            # in a row are the characters in a row: as a phrase of bigrams this reads one bigram
            # list per two characters, not the single characters' lists (村 is in 500,000 names).
            # For two characters both are one term, asked once with both boosts.
            if len(text.bigrams(term.text)) == 1:
                boosts.append(Q("match", title={"query": term.text, "boost": 30 + 20}))
                continue
            boosts.append(Q("match", title={"query": term.text, "boost": 30}))
            boosts.append(Q("match_phrase", title={"query": term.text, "boost": 20}))
        else:
            # The prefix boosts (25) are part of the term's own clause (_term_clause).
            boosts += [
                Q("constant_score", filter=Q("term", pinyin=term.text), boost=40),
                Q("constant_score", filter=Q("term", initials=term.text), boost=40),
            ]
    return boosts


def _visibility(search: SearchRequest) -> list[Q]:
    filters = []
    if search.areas:
        inside = [Q("prefix", place_codes=a) for a in search.areas]
        ancestors = sorted(search.area_ancestors())
        if ancestors:
            inside.append(Q("terms", place_codes=ancestors))
        inside.append(~Q("exists", field="place_codes"))
        filters.append(Q("bool", should=inside, minimum_should_match=1))
    if search.tree_path:
        filters.append(
            Q(
                "bool",
                should=[~Q("exists", field="tree_path"), Q("prefix", tree_path=search.tree_path)],
                minimum_should_match=1,
            )
        )
    return filters


def _selected(search: SearchRequest, skip: str = "") -> list[Q]:
    chosen = []
    if search.kind and skip != "kind":
        chosen.append(Q("term", kind=search.kind))
    if search.county and skip != "county":
        chosen.append(Q("term", county_codes=search.county))
    if search.category and skip != "category":
        chosen.append(Q("term", category=search.category))
    return chosen


def build(search: SearchRequest) -> Search:
    query = Q(
        "bool",
        must=[_term_clause(t) for t in search.query.terms],
        filter=_visibility(search),
        should=_boosts(search.query),
    )
    s = Search(using=client(), index=alias()).query(query)
    s = s.extra(track_total_hits=True)
    selected = _selected(search)
    if selected:
        s = s.post_filter(Q("bool", filter=selected))
    if search.facets:
        for name, field in (("kind", "kind"), ("county", "county_codes"), ("category", "category")):
            others = _selected(search, skip=name)
            bucket = s.aggs.bucket(name, "filter", filter=Q("bool", filter=others))
            bucket.bucket("values", "terms", field=field, size=FACET_SIZE)
    s = s.sort("_score", {"kind_rank": "desc"}, {"title_length": "asc"}, {"object_id": "asc"})
    s = s.source(["kind", "object_id", "show"])
    return s[search.offset : search.offset + search.page_size]


def search(search: SearchRequest) -> SearchResults:
    """Answer `search` from Elasticsearch; raises one of UNAVAILABLE when it cannot.

    The response is read as the client's plain dicts: wrapping ten hits and three facets in
    elasticsearch-dsl's response objects cost more than Elasticsearch took to answer.
    """
    results = SearchResults(request=search, backend="elasticsearch")
    if not search.query:
        return results
    response = client().search(index=alias(), body=build(search).to_dict()).body
    hits = response["hits"]
    results.total = hits["total"]["value"]
    found = [(h["_source"], h.get("_score") or 0.0) for h in hits["hits"]]
    entries = _entries([(source["kind"], source["object_id"]) for source, _ in found])
    for source, score in found:
        kind, object_id = source["kind"], source["object_id"]
        entry = entries.get((kind, object_id))
        if entry is None:
            # Indexed but not (yet) in the database entries: list it with what the index has.
            logger.warning("search: %s %s is indexed but has no database entry", kind, object_id)
            show = source.get("show") or {}
            title = show.get("title", "")
            results.hits.append(
                Hit(
                    kind=kind,
                    object_id=object_id,
                    title=title,
                    url=show.get("url", ""),
                    title_html=highlight_title(title, search.query),
                    score=score,
                )
            )
            continue
        results.hits.append(dbhit(entry, score, search))
    if search.facets:
        aggs = response.get("aggregations", {})
        results.facets = {
            "kind": facet_values(_buckets(aggs, "kind"), KIND_LABELS, search.kind),
            "county": facet_values(_buckets(aggs, "county"), {}, search.county),
            "category": facet_values(_buckets(aggs, "category"), {}, search.category),
        }
    return results


def _entries(keys: list[tuple[str, str]]) -> dict[tuple[str, str], SearchEntry]:
    """The database entries of these hits, in one query: what a result shows (not the tokens)."""
    if not keys:
        return {}
    by_kind: dict[str, list[str]] = {}
    for kind, object_id in keys:
        by_kind.setdefault(kind, []).append(object_id)
    condition = DjangoQ()
    for kind, ids in by_kind.items():
        condition |= DjangoQ(kind=kind, object_id__in=ids)
    entries = SearchEntry.objects.filter(condition).defer("tokens", "updated_at")
    return {(e.kind, e.object_id): e for e in entries}


def _buckets(aggs: dict, name: str) -> dict[str, int]:
    return {b["key"]: b["doc_count"] for b in aggs.get(name, {}).get("values", {}).get("buckets", [])}
