"""Divisions are ordinary rows, never Wagtail pages: 620,573 villages must not enter the page tree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import codes


class DivisionQuerySet(models.QuerySet):
    def within(self, prefix: str) -> DivisionQuerySet:
        """Divisions whose code starts with `prefix` (the prefix itself included)."""
        return self.filter(code__gte=prefix, code__lt=codes.prefix_upper_bound(prefix))

    def villages(self) -> DivisionQuerySet:
        return self.filter(level=codes.VILLAGE)

    def counties(self) -> DivisionQuerySet:
        return self.filter(level=codes.COUNTY)


class Division(models.Model):
    """One administrative division of any level, identified by its official code."""

    class Level(models.IntegerChoices):
        PROVINCE = codes.PROVINCE, _("省级")
        CITY = codes.CITY, _("地级")
        COUNTY = codes.COUNTY, _("县级")
        TOWNSHIP = codes.TOWNSHIP, _("乡级")
        VILLAGE = codes.VILLAGE, _("村级")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The county code is the unit of administration (bureau, settings, scope); storing it makes
    # county-wide coverage a single indexed GROUP BY instead of a join through townships.
    county_code = models.CharField(_("所属县级代码"), max_length=6, blank=True, db_index=True)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="places_div_level_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_village(self) -> bool:
        return self.level == codes.VILLAGE

    @property
    def is_urban_community(self) -> bool:
        """Urban communities (社区) and rural villages (村) are named differently in the data."""
        return "社区" in self.name or "居委会" in self.name or "居民委员会" in self.name

    def ancestors(self) -> list[Division]:
        """Enclosing divisions, outermost first, in one query."""
        wanted = codes.ancestor_codes(self.code)
        found = {d.code: d for d in Division.objects.filter(code__in=wanted)}
        return [found[c] for c in wanted if c in found]
