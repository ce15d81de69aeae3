"""Who may see, record, confirm and manage what in the ledger (role: permissions; place: scope).

- an adviser records and sees their own entries, and the trainings they attended;
- the village committee sees its village's entries and confirms or disputes on-site work;
- township offices, county and city bureaus see the entries of their area; bureaus record
  trainings (their own, and see those of the bureaus above them).

Where: the scope registry (`backoffice.scope.scoped`) with the rules below, registered in
`LedgerConfig.ready()`; what: the role's permissions.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from backoffice.scope import scope_for, scoped
from places import codes

from .models import LedgerEntry, Training

VIEW = "ledger.view_ledgerentry"
ADD = "ledger.add_ledgerentry"
CONFIRM = "ledger.confirm_ledgerentry"
VIEW_TRAINING = "ledger.view_training"
MANAGE_TRAINING = "ledger.change_training"


def scope_of(user):
    return scope_for(user)


def entry_rule(queryset: QuerySet[LedgerEntry], scope) -> QuerySet[LedgerEntry]:
    """The scope rule of ledger entries (registered in `LedgerConfig.ready`): an adviser reaches
    their own entries, every other account the entries of the villages in its scope."""
    if scope.is_adviser:
        return queryset.filter(adviser_id=scope.adviser_id)
    return queryset.filter(scope.q("village"))


def training_rule(queryset: QuerySet[Training], scope) -> QuerySet[Training]:
    """Trainings: an adviser's are those attended; a bureau's those held in its area and by the
    bureaus above it (a city's training for all its counties)."""
    if scope.is_adviser:
        return queryset.filter(trainingattendance__adviser_id=scope.adviser_id).distinct()
    above: set[str] = set()
    for prefix in scope.prefixes:
        above.update(codes.ancestor_codes(prefix))
        above.add(prefix)
    return queryset.filter(scope.q("organiser") | Q(organiser_id__in=above))


def entries_visible_to(user) -> QuerySet[LedgerEntry]:
    """Entries the user's role may view, where the scope registry lets them reach."""
    entries = LedgerEntry.objects.all()
    if not user.is_authenticated or not user.has_perm(VIEW):
        return entries.none()
    return scoped(entries, user)


def can_record(user) -> bool:
    """Only an adviser's own account records work, for the villages it serves."""
    if not user.is_authenticated or not user.has_perm(ADD):
        return False
    scope = scope_of(user)
    return scope.is_adviser and bool(scope.prefixes)


def can_edit(user, entry: LedgerEntry) -> bool:
    if entry.is_locked or not user.has_perm("ledger.change_ledgerentry"):
        return False
    scope = scope_of(user)
    return scope.is_adviser and entry.adviser_id == scope.adviser_id


def can_delete(user, entry: LedgerEntry) -> bool:
    return can_edit(user, entry) and user.has_perm("ledger.delete_ledgerentry")


def can_confirm_any(user) -> bool:
    if not user.is_authenticated or not user.has_perm(CONFIRM):
        return False
    scope = scope_of(user)
    return not scope.is_adviser and (scope.unrestricted or bool(scope.prefixes))


def confirmable(user) -> QuerySet[LedgerEntry]:
    """On-site entries waiting for this committee's confirmation."""
    if not can_confirm_any(user):
        return LedgerEntry.objects.none()
    return entries_visible_to(user).filter(on_site=True, confirmation=LedgerEntry.Confirmation.PENDING)


def can_confirm(user, entry: LedgerEntry) -> bool:
    return (
        entry.on_site
        and entry.confirmation == LedgerEntry.Confirmation.PENDING
        and confirmable(user).filter(pk=entry.pk).exists()
    )


def trainings_visible_to(user) -> QuerySet[Training]:
    trainings = Training.objects.all()
    if not user.is_authenticated or not user.has_perm(VIEW_TRAINING):
        return trainings.none()
    return scoped(trainings, user)


def can_manage_trainings(user) -> bool:
    if not user.is_authenticated or not user.has_perm(MANAGE_TRAINING):
        return False
    scope = scope_of(user)
    return not scope.is_adviser and (scope.unrestricted or bool(scope.prefixes))


def can_manage_training(user, training: Training) -> bool:
    if not can_manage_trainings(user):
        return False
    scope = scope_of(user)
    return scope.covers(training.organiser_id)


def organisers_for(user) -> list[str]:
    """The division codes a bureau may hold trainings for: its own scope roots."""
    scope = scope_of(user)
    return list(scope.prefixes or ())
