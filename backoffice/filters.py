"""Listing filters by place (county, township) whose choices stop at the user's scope."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from places import codes
from places.models import Division

from .scope import Scope, scope_for


def counties_in(scope: Scope) -> QuerySet:
    """Counties that lie in, or contain, the scope (a township office's county is listed too)."""
    counties = Division.objects.counties()
    if scope.unrestricted:
        return counties
    query = Q(pk__in=[])
    for prefix in scope.prefixes or ():
        if len(prefix) >= 6:
            query |= Q(code=prefix[:6])
        else:
            query |= Q(code__gte=prefix, code__lt=codes.prefix_upper_bound(prefix))
    return counties.filter(query)


def townships_in(scope: Scope, county: str | None) -> QuerySet:
    """Townships to offer: those of the chosen county, or of the scope when it is a city or less.

    Listing every township of a city (~80) is fine; of a province or the country it is not, so
    wider scopes choose a county first.
    """
    townships = Division.objects.filter(level=codes.TOWNSHIP)
    if county:
        townships = townships.within(county)
    elif scope.unrestricted or any(len(p) < 4 for p in scope.prefixes or ()):
        return townships.none()
    if not scope.unrestricted:
        query = Q(pk__in=[])
        for prefix in scope.prefixes or ():
            if len(prefix) >= 9:
                query |= Q(code=prefix[:9])
            else:
                query |= Q(code__gte=prefix, code__lt=codes.prefix_upper_bound(prefix))
        townships = townships.filter(query)
    return townships


class PlaceFilterSet(WagtailFilterSet):
    """County and township filters on a place field (a code or a foreign key to Division).

    Subclasses set `place_field`, or override `filter_place` for records tied to several places.
    """

    place_field = "village"

    county = django_filters.ChoiceFilter(label=_("县(市、区)"), method="filter_county", empty_label=_("全部"))
    township = django_filters.ChoiceFilter(
        label=_("乡镇(街道)"), method="filter_township", empty_label=_("全部")
    )

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        user = request.user if request is not None else None
        scope = scope_for(user)
        counties = list(counties_in(scope).order_by("code").values_list("code", "name"))
        if len(counties) <= 1:
            self.filters.pop("county")
        else:
            self.filters["county"].extra["choices"] = counties
        chosen = (data or {}).get("county") or ""
        chosen = chosen if chosen in dict(counties) else ""
        townships = list(townships_in(scope, chosen or None).order_by("code").values_list("code", "name"))
        if len(townships) <= 1:
            self.filters.pop("township")
        else:
            self.filters["township"].extra["choices"] = townships

    def filter_place(self, queryset: QuerySet, prefix: str) -> QuerySet:
        field = self.place_field
        return queryset.filter(**{f"{field}__gte": prefix, f"{field}__lt": codes.prefix_upper_bound(prefix)})

    def filter_county(self, queryset, name, value):
        return self.filter_place(queryset, value) if value else queryset

    def filter_township(self, queryset, name, value):
        return self.filter_place(queryset, value) if value else queryset
