"""The database side of the public search: the fallback index and the indexing outbox.

`SearchEntry` holds one row per searchable record (village, adviser, article, lecture) with
what a result shows, and `SearchToken` its search tokens (Chinese bigrams, ASCII words, pinyin
strings, see search/text.py), indexed so that a query is a few index lookups even with 620,573
villages. They answer `/search/` when Elasticsearch is not configured or not reachable.

`IndexOutbox` is the durable queue of changes for Elasticsearch: a row is written in the same
transaction as the change it records, so that a save never waits on Elasticsearch and no
change is lost while it is down; `manage.py search_worker` drains it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    VILLAGE = "village", _("村(社区)")
    ADVISER = "adviser", _("法律顾问")
    ARTICLE = "article", _("普法文章")
    LECTURE = "lecture", _("法制讲座")


class SearchEntry(models.Model):
    """One searchable record as the public search shows it (no personal data beyond what is public)."""

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    object_id = models.CharField(_("对象编号"), max_length=20)
    title = models.CharField(_("标题"), max_length=300)
    # Normalised title and title without its generic ending (卜寨村委会 → 卜寨), for exact and
    # prefix matches; compared in code-point order (the "C" collation on PostgreSQL).
    title_key = models.CharField(max_length=300)
    core_key = models.CharField(max_length=300)
    subtitle = models.CharField(_("副标题"), max_length=300, blank=True)
    related = models.CharField(_("相关名称"), max_length=1000, blank=True)
    body = models.TextField(_("正文"), blank=True)
    url = models.CharField(max_length=300)
    county_codes = models.CharField(max_length=200, blank=True, help_text="space-separated county codes")
    place_codes = models.TextField(blank=True, help_text="space-separated division codes for area filters")
    tree_path = models.CharField(max_length=255, blank=True, help_text="Wagtail page path, for site filters")
    category = models.CharField(_("分类"), max_length=50, blank=True)
    date = models.DateField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    tokens = models.TextField(blank=True, help_text="the entry's search tokens, space-separated")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("搜索条目")
        verbose_name_plural = _("搜索条目")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")]
        indexes = [
            models.Index(fields=["title_key"], name="search_entry_title"),
            models.Index(fields=["core_key"], name="search_entry_core"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def county_list(self) -> list[str]:
        return self.county_codes.split()

    @property
    def place_list(self) -> list[str]:
        return self.place_codes.split()


class SearchToken(models.Model):
    """That an entry has a search token: the rows through which the fallback finds candidates.

    Only (token, entry) is kept, as the primary key and the table's one index, so that every
    lookup (an equality per bigram, a range per pinyin prefix) is an index-only scan. Ranking
    reads an entry's tokens from `SearchEntry.tokens` and field weights from the entry's own
    fields, so nothing else is needed here: at national scale (about 26 million rows) a weight
    column, a surrogate id and a second index on (entry, token) would take more than half of
    the table's size. Rows are deleted by (token, entry) from the entry's own token list (see
    search/dbindex.py), hence no index on `entry` and no database-level foreign key, whose check
    on every deleted entry would need one; search/dbindex.py is the only writer.
    """

    pk = models.CompositePrimaryKey("token", "entry")
    token = models.CharField(max_length=64)
    entry = models.ForeignKey(
        SearchEntry,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="token_rows",
    )

    def __str__(self) -> str:
        return self.token


class IndexOutbox(models.Model):
    """A record whose search documents must be refreshed in Elasticsearch.

    Only (kind, object id) is stored: the worker reads the record's current state when it
    drains, so repeated changes collapse into one update and a deleted record becomes a delete.
    """

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("索引队列")
        verbose_name_plural = _("索引队列")
        ordering = ["id"]
        indexes = [models.Index(fields=["next_attempt_at", "id"], name="search_outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class IndexState(models.Model):
    """Small named facts the worker keeps between runs (e.g. the last day contracts were refreshed)."""

    key = models.CharField(max_length=50, primary_key=True)
    value = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key
