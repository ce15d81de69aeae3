"""Find a village by part of its name, from the database.

Villagers type a fragment ("卜寨"), not an official name ("卜寨村委会"); the same fragment may
exist in many provinces, so results carry their township and county and are limited to the
site's areas when it has any.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from places import codes
from places.models import Division

MAX_QUERY_LENGTH = 50


def normalise(query: str) -> str:
    """Strip whitespace and control characters; cap the length a name can have."""
    cleaned = "".join(ch for ch in (query or "") if ch.isprintable()).strip()
    return cleaned[:MAX_QUERY_LENGTH]


def find_villages(query: str, areas: list[str] | None = None, limit: int = 20) -> QuerySet[Division]:
    """Villages whose name contains `query`, exact and prefix matches first."""
    query = normalise(query)
    if not query:
        return Division.objects.none()
    qs = Division.objects.filter(level=codes.VILLAGE)
    if codes.is_valid_code(query):
        return qs.filter(code__startswith=query).order_by("code")[:limit]
    if areas:
        area_filter = Q()
        for prefix in areas:
            area_filter |= Q(code__gte=prefix, code__lt=codes.prefix_upper_bound(prefix))
        qs = qs.filter(area_filter)
    qs = qs.filter(name__contains=query).annotate(
        rank=Case(
            When(name=query, then=Value(0)),
            When(name__startswith=query, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )
    return qs.order_by("rank", "code")[:limit]
