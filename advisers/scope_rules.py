"""Where the programme's records belong, for the platform's scope registry (backoffice.scope).

Registered from `AdvisersConfig.ready()`, as ledger, content and workflows register theirs:

- villages' records (contracts, schedules, liaison officers, service rooms, recusals): their
  village's code; county bureaus: their county's code;
- advisers: the villages of their contracts (any status, so a bureau keeps seeing the history of
  its villages) *and* the county of their firm. A county bureau therefore sees the advisers who
  serve, or once served, its villages and those registered with a firm in its county, including
  a newly registered adviser without a contract yet; a township office or village committee sees
  the advisers of its villages only;
- firms: their county, and the firms of the advisers in scope; only the bureau of the firm's own
  county (or a wider scope over it) changes or deletes one;
- an adviser's own account: its own adviser record, firm and contracts, and the villages it
  serves now (contracts in force, or signed and not yet ended);
- a liaison officer's account without a staff profile: its village.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from backoffice import scope
from backoffice.scope import Scope


def _adviser_villages(adviser_id: int) -> tuple[str, ...]:
    from .models import ServiceContract

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


def adviser_account_scope(user) -> Scope | None:
    """An adviser's account: the villages it serves now, and its own records."""
    from .models import Adviser

    adviser_id = Adviser.objects.filter(user=user).values_list("pk", flat=True).first()
    if adviser_id is None:
        return None
    return Scope(prefixes=_adviser_villages(adviser_id), adviser_id=adviser_id)


def liaison_account_scope(user) -> Scope | None:
    """A liaison officer's account (without a staff profile): its village."""
    from .models import LiaisonOfficer

    village = (
        LiaisonOfficer.objects.filter(user=user, is_active=True).values_list("village_id", flat=True).first()
    )
    return Scope(prefixes=(village,)) if village else None


def _adviser_rule(queryset: QuerySet, user_scope: Scope) -> QuerySet:
    from .models import ServiceContract

    if user_scope.is_adviser:
        return queryset.filter(pk=user_scope.adviser_id)
    serving = ServiceContract.objects.filter(user_scope.q("village")).values("adviser_id")
    return queryset.filter(Q(pk__in=serving) | user_scope.q("firm__county"))


def _firm_rule(queryset: QuerySet, user_scope: Scope) -> QuerySet:
    from .models import Adviser, ServiceContract

    if user_scope.is_adviser:
        return queryset.filter(advisers__pk=user_scope.adviser_id)
    serving = ServiceContract.objects.filter(user_scope.q("village")).values("adviser_id")
    firms = Adviser.objects.filter(pk__in=serving).values("firm_id")
    return queryset.filter(Q(pk__in=firms) | user_scope.q("county"))


def _firm_manage_rule(queryset: QuerySet, user_scope: Scope) -> QuerySet:
    """Only the bureau of the firm's own county (or a wider scope over it) changes a firm."""
    if user_scope.is_adviser:
        return queryset.none()
    return queryset.filter(user_scope.q("county"))


def _contract_rule(queryset: QuerySet, user_scope: Scope) -> QuerySet:
    if user_scope.is_adviser:
        return queryset.filter(adviser_id=user_scope.adviser_id)
    return queryset.filter(user_scope.q("village"))


def _recusal_rule(queryset: QuerySet, user_scope: Scope) -> QuerySet:
    if user_scope.is_adviser:
        return queryset.filter(Q(adviser_id=user_scope.adviser_id) | Q(substitute_id=user_scope.adviser_id))
    return queryset.filter(user_scope.q("village") | user_scope.q("other_village"))


def register() -> None:
    """Declare the programme's models and account kinds to the scope registry."""
    from .models import (
        Adviser,
        CountyBureau,
        Firm,
        LiaisonOfficer,
        OnSiteSchedule,
        Recusal,
        ServiceContract,
        ServiceRoom,
    )

    # After staff profiles (order 0): an adviser with a staff profile answers for its profile.
    scope.register_resolver(adviser_account_scope, order=10)
    scope.register_resolver(liaison_account_scope, order=20)
    scope.register(ServiceContract, field="village", rule=_contract_rule)
    scope.register(OnSiteSchedule, field="contract__village")
    scope.register(LiaisonOfficer, field="village")
    scope.register(ServiceRoom, field="village")
    scope.register(Recusal, field="village", rule=_recusal_rule)
    scope.register(CountyBureau, field="county")
    scope.register(Adviser, field="firm__county", rule=_adviser_rule)
    scope.register(Firm, field="county", rule=_firm_rule, manage_rule=_firm_manage_rule)
