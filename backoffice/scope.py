"""Who sees what in the back office: a staff member's scope, as division-code prefixes.

The brief: "a staff member's scope is a division code prefix (city 4 digits, county 6, township 9,
village 12), which makes 'sees only their own county' a prefix filter", and "scope is enforced on
every query of the back office and the workflows, not only in menus". Every listing, chooser,
edit view, export, dashboard and API of the back office filters through `scoped()` (or
`scope_filter()` for a model not registered here), so there is one place to get this right.

Where each record belongs:

- villages, contracts, liaison officers, service rooms, recusals: their village's code;
- county bureaus: their county's code;
- advisers: the villages of their contracts (any status, so a bureau keeps seeing the history of
  its villages) *and* the county of their firm. A county bureau therefore sees the advisers who
  serve, or once served, its villages and those registered with a firm in its county, including
  a newly registered adviser without a contract yet; a township office or village committee sees
  the advisers of its villages only;
- firms: their county, and the firms of the advisers in scope;
- an adviser's own account: its own adviser record, firm and contracts, and the villages it
  serves now (contracts in force, or signed and not yet ended);
- a liaison officer's account without a staff profile: its village.

Superusers see everything. An account with no scope sees nothing (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from places import codes

ALWAYS_FALSE = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """Division-code prefixes a user may see; `prefixes=None` means everywhere."""

    prefixes: tuple[str, ...] | None
    adviser_id: int | None = None

    @property
    def unrestricted(self) -> bool:
        return self.prefixes is None

    @property
    def is_empty(self) -> bool:
        return self.prefixes == () and self.adviser_id is None

    @property
    def is_adviser(self) -> bool:
        return self.adviser_id is not None

    def covers(self, code: str | None) -> bool:
        """Whether a division code lies inside the scope."""
        if self.prefixes is None:
            return True
        if not code:
            return False
        return any(code.startswith(prefix) for prefix in self.prefixes)

    def q(self, field: str) -> Q:
        """A filter matching rows whose `field` (a code, or a foreign key to Division) is in scope."""
        if self.prefixes is None:
            return Q()
        if not self.prefixes:
            return ALWAYS_FALSE
        exact = [p for p in self.prefixes if len(p) == codes.CODE_LENGTHS[codes.VILLAGE]]
        query = Q(**{f"{field}__in": exact}) if exact else ALWAYS_FALSE
        for prefix in self.prefixes:
            if prefix in exact:
                continue
            query |= Q(**{f"{field}__gte": prefix, f"{field}__lt": codes.prefix_upper_bound(prefix)})
        return query

    @property
    def roots(self) -> list[str]:
        """The prefixes, or [""] (the whole country) when unrestricted."""
        return [""] if self.prefixes is None else list(self.prefixes)


EVERYWHERE = Scope(prefixes=None)
NOWHERE = Scope(prefixes=())


def _adviser_villages(adviser_id: int) -> tuple[str, ...]:
    from advisers.models import ServiceContract

    today = timezone.localdate()
    # In force today or signed and starting later; a terminated contract until its last day.
    ended = Q(status=ServiceContract.Status.TERMINATED) & (
        Q(terminated_on__isnull=True) | Q(terminated_on__lt=today)
    )
    villages = (
        ServiceContract.objects.filter(adviser_id=adviser_id, end_date__gte=today)
        .exclude(ended)
        .values_list("village_id", flat=True)
        .distinct()
    )
    return tuple(sorted(villages))


def compute_scope(user) -> Scope:
    """The scope of an account, from its staff profile, adviser record or liaison record."""
    from advisers.models import Adviser, LiaisonOfficer

    from .models import StaffProfile

    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return NOWHERE
    if user.is_superuser:
        return EVERYWHERE
    scope_code = StaffProfile.objects.filter(user=user).values_list("scope_id", flat=True).first()
    if scope_code:
        return Scope(prefixes=(scope_code,))
    adviser_id = Adviser.objects.filter(user=user).values_list("pk", flat=True).first()
    if adviser_id is not None:
        return Scope(prefixes=_adviser_villages(adviser_id), adviser_id=adviser_id)
    village = (
        LiaisonOfficer.objects.filter(user=user, is_active=True).values_list("village_id", flat=True).first()
    )
    if village:
        return Scope(prefixes=(village,))
    return NOWHERE


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    if user is None:
        return NOWHERE
    cached = getattr(user, "_portal_scope", None)
    if cached is None:
        cached = compute_scope(user)
        try:
            user._portal_scope = cached
        except AttributeError:  # pragma: no cover -- exotic user objects without __dict__
            pass
    return cached


def forget_scope(user) -> None:
    """Drop a cached scope (after the user's profile or contracts change within one request)."""
    if hasattr(user, "_portal_scope"):
        del user._portal_scope


def scope_filter(queryset: QuerySet, user, field: str = "village") -> QuerySet:
    """Rows of `queryset` whose `field` (division code or FK to Division) is in the user's scope.

    The building block for any place-bound model, e.g. the work ledger:
    `scope_filter(LedgerEntry.objects.all(), request.user, field="village")`.
    """
    return queryset.filter(scope_for(user).q(field))


# --- how each model maps to a place -------------------------------------------------------

ScopeRule = Callable[[QuerySet, Scope], QuerySet]
_rules: dict[type[models.Model], ScopeRule] = {}
_manage_rules: dict[type[models.Model], ScopeRule] = {}
_place_fields: dict[type[models.Model], str] = {}


def register(
    model: type[models.Model],
    *,
    field: str,
    rule: ScopeRule | None = None,
    manage_rule: ScopeRule | None = None,
) -> None:
    """Declare where `model`'s records belong: `field` is their division code (path with "__").

    `rule` replaces the plain prefix filter for models that belong to several places (advisers).
    `manage_rule` narrows who may change or delete a record below who may see it: a firm is seen
    by every county its advisers serve, but managed only by the bureau of its own county.
    """
    _place_fields[model] = field
    if rule is not None:
        _rules[model] = rule
    if manage_rule is not None:
        _manage_rules[model] = manage_rule


def scoped(queryset: QuerySet, user) -> QuerySet:
    """`queryset` restricted to the records the user's scope reaches."""
    _ensure_registered()
    scope = scope_for(user)
    if scope.unrestricted:
        return queryset
    model = queryset.model
    if model in _rules:
        return _rules[model](queryset, scope)
    if model in _place_fields:
        return queryset.filter(scope.q(_place_fields[model]))
    raise LookupError(f"{model.__name__} has no scope rule; register one in backoffice.scope")


def is_in_scope(user, instance: models.Model) -> bool:
    """Whether a saved record is reachable by the user (one indexed query)."""
    if instance.pk is None:
        return False
    if scope_for(user).unrestricted:
        return True
    return scoped(type(instance)._default_manager.filter(pk=instance.pk), user).exists()


def managed(queryset: QuerySet, user) -> QuerySet:
    """`queryset` restricted to the records the user may change or delete (within `scoped()`)."""
    _ensure_registered()
    scope = scope_for(user)
    if scope.unrestricted:
        return queryset
    rule = _manage_rules.get(queryset.model)
    if rule is None:
        return scoped(queryset, user)
    return rule(queryset, scope)


def has_manage_rule(model: type[models.Model]) -> bool:
    """Whether managing `model`'s records is narrower than seeing them."""
    _ensure_registered()
    return model in _manage_rules


def is_managed(user, instance: models.Model) -> bool:
    """Whether a saved record may be changed or deleted by the user (its scope allowing)."""
    if instance.pk is None:
        return False
    if scope_for(user).unrestricted:
        return True
    return managed(type(instance)._default_manager.filter(pk=instance.pk), user).exists()


def place_code_of(instance: models.Model) -> str:
    """The division code a record belongs to, for the audit log ("" when it has none)."""
    _ensure_registered()
    field = _place_fields.get(type(instance))
    if not field:
        return ""
    parts = field.split("__")
    value: object = instance
    for part in parts[:-1]:
        value = getattr(value, part, None)
        if value is None:
            return ""
    last = parts[-1]
    code = getattr(value, f"{last}_id") if hasattr(value, f"{last}_id") else getattr(value, last, None)
    return str(code or "")


def _adviser_rule(queryset: QuerySet, scope: Scope) -> QuerySet:
    from advisers.models import ServiceContract

    if scope.is_adviser:
        return queryset.filter(pk=scope.adviser_id)
    serving = ServiceContract.objects.filter(scope.q("village")).values("adviser_id")
    return queryset.filter(Q(pk__in=serving) | scope.q("firm__county"))


def _firm_rule(queryset: QuerySet, scope: Scope) -> QuerySet:
    from advisers.models import Adviser, ServiceContract

    if scope.is_adviser:
        return queryset.filter(advisers__pk=scope.adviser_id)
    serving = ServiceContract.objects.filter(scope.q("village")).values("adviser_id")
    firms = Adviser.objects.filter(pk__in=serving).values("firm_id")
    return queryset.filter(Q(pk__in=firms) | scope.q("county"))


def _firm_manage_rule(queryset: QuerySet, scope: Scope) -> QuerySet:
    """Only the bureau of the firm's own county (or a wider scope over it) changes a firm."""
    if scope.is_adviser:
        return queryset.none()
    return queryset.filter(scope.q("county"))


def _contract_rule(queryset: QuerySet, scope: Scope) -> QuerySet:
    if scope.is_adviser:
        return queryset.filter(adviser_id=scope.adviser_id)
    return queryset.filter(scope.q("village"))


def _recusal_rule(queryset: QuerySet, scope: Scope) -> QuerySet:
    if scope.is_adviser:
        return queryset.filter(Q(adviser_id=scope.adviser_id) | Q(substitute_id=scope.adviser_id))
    return queryset.filter(scope.q("village") | scope.q("other_village"))


def _division_rule(queryset: QuerySet, scope: Scope) -> QuerySet:
    return queryset.filter(scope.q("code"))


_registered = False


def _ensure_registered() -> None:
    """Register the foundation's models lazily (apps may not be ready when this module loads)."""
    global _registered
    if _registered:
        return
    from advisers.models import (
        Adviser,
        CountyBureau,
        Firm,
        LiaisonOfficer,
        OnSiteSchedule,
        Recusal,
        ServiceContract,
        ServiceRoom,
    )
    from places.models import Division

    from .models import StaffProfile

    register(Division, field="code", rule=_division_rule)
    register(ServiceContract, field="village", rule=_contract_rule)
    register(OnSiteSchedule, field="contract__village")
    register(LiaisonOfficer, field="village")
    register(ServiceRoom, field="village")
    register(Recusal, field="village", rule=_recusal_rule)
    register(CountyBureau, field="county")
    register(Adviser, field="firm__county", rule=_adviser_rule)
    register(Firm, field="county", rule=_firm_rule, manage_rule=_firm_manage_rule)
    register(StaffProfile, field="scope")
    _registered = True


def codes_in_scope(user, candidates: Iterable[str]) -> list[str]:
    scope = scope_for(user)
    return [code for code in candidates if scope.covers(code)]
