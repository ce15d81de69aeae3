"""Wagtail's own (admin) search on Elasticsearch 8, with Chinese analysis.

modelsearch's Elasticsearch 8 backend analyses text with the `standard` analyzer, which splits
Chinese into single characters (so "法律顾问" would match anything containing 法), and defines
its autocomplete analyzers with `ngram`/`edge_ngram` filters from the `analysis-common` module.
This backend keeps modelsearch's mappings and queries but makes Chinese bigrams the default
analysis and rebuilds the autocomplete analyzer from server-core components only (the same
`standard` + `shingle` chain as the public index, search/es.py), so it runs on any
Elasticsearch 8 distribution, including the integration-test one the test suite uses.

Selected in settings when ELASTICSEARCH_URL is set: BACKEND = "search.wagtail_backend".

**While Elasticsearch is down or silent** the admin's searches (pages, images, documents,
snippets, choosers) must not fail: modelsearch raises the client's ConnectionError or timeout
straight into the view, a 500. Here a search that Elasticsearch cannot answer is answered from
the database instead, by a plain `icontains` match on the model's own search fields (the
queryset's filters, such as a chooser's collection or "live only", still apply). Why not
modelsearch's database backend: its index table is only kept up to date while it is the
configured backend, so during an outage it would be empty or stale, whereas the records
themselves are always current; and for Chinese a substring match is what editors expect.
The outage is shared with the public search (search.service): after one failure every search
and index update of this process skips Elasticsearch for a few seconds, so a hung cluster costs
one client timeout, not one per request. Index updates skipped or failed during an outage are
logged with the model and id; `manage.py update_index` brings the admin index back in step.
"""

from __future__ import annotations

import logging
import operator
from functools import reduce

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from elasticsearch import exceptions as es_exceptions
from modelsearch import index
from modelsearch.backends.elasticsearch8 import Elasticsearch8SearchBackend, Elasticsearch8SearchResults
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText

from . import es, service

logger = logging.getLogger(__name__)

BIGRAMS = {
    "type": "shingle",
    "min_shingle_size": 2,
    "max_shingle_size": 2,
    "output_unigrams": False,
    "output_unigrams_if_no_shingles": True,
    "token_separator": "",
}
# Autocomplete: single characters and bigrams, so that a partly typed word already matches.
PARTIAL = {**BIGRAMS, "output_unigrams": True}


TEXT_FIELDS = (models.CharField, models.TextField)


def _text_lookups(model, compiler) -> list[str]:
    """The ORM paths of the model's text search fields (restricted to `fields=` when given)."""
    wanted = set(compiler.fields) if compiler.fields else None
    paths: list[str] = []
    for entry in model.get_search_fields():
        if wanted is not None and entry.field_name not in wanted:
            continue
        if isinstance(entry, index.SearchField | index.AutocompleteField):
            try:
                field = model._meta.get_field(entry.field_name)
            except FieldDoesNotExist:
                continue  # a method or property: nothing to match in the database
            if isinstance(field, TEXT_FIELDS):
                paths.append(entry.field_name)
        elif isinstance(entry, index.RelatedFields):
            try:
                relation = model._meta.get_field(entry.field_name)
            except FieldDoesNotExist:
                continue
            target = getattr(relation, "related_model", None)
            if target is None:
                continue
            for sub in entry.fields:
                if not isinstance(sub, index.SearchField | index.AutocompleteField):
                    continue
                try:
                    field = target._meta.get_field(sub.field_name)
                except FieldDoesNotExist:
                    continue
                if isinstance(field, TEXT_FIELDS):
                    paths.append(f"{entry.field_name}__{sub.field_name}")
    return list(dict.fromkeys(paths))


def _condition(query, paths: list[str]) -> Q | None:
    """A Q for a modelsearch query over the text paths; None means "everything"."""
    if isinstance(query, MatchAll):
        return None
    if isinstance(query, Boost):
        return _condition(query.subquery, paths)
    if isinstance(query, Not):
        inner = _condition(query.subquery, paths)
        return Q(pk__in=[]) if inner is None else ~inner
    if isinstance(query, And | Or):
        parts = [_condition(q, paths) for q in query.subqueries]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return reduce(operator.and_ if isinstance(query, And) else operator.or_, parts)
    text = getattr(query, "query_string", "") or ""
    if isinstance(query, Phrase):
        terms = [text.strip()]
    else:
        terms = text.split()
    terms = [t for t in terms if t]
    if not terms or not paths:
        return Q(pk__in=[])

    def matches(term: str) -> Q:
        return reduce(operator.or_, (Q(**{f"{p}__icontains": term}) for p in paths))

    join = operator.or_ if isinstance(query, PlainText | Fuzzy) and query.operator == "or" else operator.and_
    return reduce(join, (matches(t) for t in terms))


def note_outage(exc: Exception) -> None:
    """Share a cluster that does not answer with the public search; an answer that is an error
    (a missing admin index, a rejected query) concerns this search alone."""
    if not isinstance(exc, es_exceptions.ApiError):
        service.suspend(exc)


def database_queryset(compiler) -> models.QuerySet:
    """The records a search would find, straight from the database."""
    queryset = compiler.queryset
    condition = _condition(compiler.query, _text_lookups(queryset.model, compiler))
    if condition is not None:
        queryset = queryset.filter(pk__in=queryset.filter(condition).values("pk"))
    if not queryset.ordered:
        queryset = queryset.order_by("-pk")
    return queryset


class FallbackSearchResults(Elasticsearch8SearchResults):
    """Elasticsearch's results, or the database's while Elasticsearch does not answer."""

    def _database(self) -> models.QuerySet:
        return database_queryset(self.query_compiler)

    def _unavailable(self, exc: Exception) -> None:
        note_outage(exc)
        logger.warning(
            "admin search: Elasticsearch unavailable (%s); searching %s in the database",
            exc.__class__.__name__,
            self.query_compiler.queryset.model._meta.label,
        )

    def _do_search(self):
        if not service.elasticsearch_suspended():
            try:
                return list(super()._do_search())
            except es.UNAVAILABLE as exc:
                self._unavailable(exc)
        queryset = self._database()
        return list(queryset[self.start : self.stop] if self.stop is not None else queryset[self.start :])

    def _do_count(self):
        if not service.elasticsearch_suspended():
            try:
                return super()._do_count()
            except es.UNAVAILABLE as exc:
                self._unavailable(exc)
        total = max(self._database().count() - self.start, 0)
        return min(total, self.stop - self.start) if self.stop is not None else total

    def facet(self, field_name):
        if not service.elasticsearch_suspended():
            try:
                return super().facet(field_name)
            except es.UNAVAILABLE as exc:
                self._unavailable(exc)
        rows = self._database().order_by().values(field_name).annotate(n=models.Count("pk")).order_by("-n")
        return {row[field_name]: row["n"] for row in rows}


class ChineseElasticsearch8SearchBackend(Elasticsearch8SearchBackend):
    results_class = FallbackSearchResults

    settings = {
        "settings": {
            "analysis": {
                "filter": {"portal_bigrams": BIGRAMS, "portal_partial": PARTIAL},
                "analyzer": {
                    # Every text field without an explicit analyzer, at index and search time.
                    "default": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "portal_bigrams"],
                    },
                    # modelsearch maps AutocompleteField and `_edgengrams` to these two names.
                    "edgengram_analyzer": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "portal_partial"],
                    },
                    "ngram_analyzer": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "portal_partial"],
                    },
                },
            },
        }
    }

    # Index updates from saves (modelsearch's signal handlers) never wait on a cluster that is
    # known to be down, and never fail the save; modelsearch would log each with a traceback.
    def _skip(self, action: str, model, ids) -> bool:
        if service.elasticsearch_suspended():
            logger.warning(
                "admin search: Elasticsearch unavailable; %s of %s %s skipped (run manage.py update_index later)",
                action,
                model._meta.label,
                ",".join(str(i) for i in ids),
            )
            return True
        return False

    def _failed(self, exc: Exception, action: str, model, ids) -> None:
        note_outage(exc)
        logger.warning(
            "admin search: Elasticsearch unavailable (%s); %s of %s %s failed (run manage.py update_index later)",
            exc.__class__.__name__,
            action,
            model._meta.label,
            ",".join(str(i) for i in ids),
        )

    def add(self, obj):
        if self._skip("update", type(obj), [obj.pk]):
            return
        try:
            super().add(obj)
        except es.UNAVAILABLE as exc:
            self._failed(exc, "update", type(obj), [obj.pk])

    def add_bulk(self, model, obj_list):
        objects = list(obj_list)
        if self._skip("update", model, [o.pk for o in objects]):
            return
        try:
            super().add_bulk(model, objects)
        except es.UNAVAILABLE as exc:
            self._failed(exc, "update", model, [o.pk for o in objects])

    def delete(self, obj):
        if self._skip("removal", type(obj), [obj.pk]):
            return
        try:
            super().delete(obj)
        except es.UNAVAILABLE as exc:
            self._failed(exc, "removal", type(obj), [obj.pk])


SearchBackend = ChineseElasticsearch8SearchBackend
