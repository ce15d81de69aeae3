"""Who may see, record, confirm and manage what in the ledger (role: permissions; place: scope).

- an adviser records and sees their own entries, and the trainings they attended;
- the village committee sees its village's entries and confirms or disputes on-site work;
- township offices, county and city bureaus see the entries of their area; bureaus record
  trainings (their own, and see those of the bureaus above them).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from places import codes

from .models import LedgerEntry, Training

VIEW = "ledger.view_ledgerentry"
ADD = "ledger.add_ledgerentry"
CONFIRM = "ledger.confirm_ledgerentry"
VIEW_TRAINING = "ledger.view_training"
MANAGE_TRAINING = "ledger.change_training"


def scope_of(user):
    from backoffice.scope import scope_for

    return scope_for(user)


def entries_visible_to(user) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.all()
    if not user.is_authenticated or not user.has_perm(VIEW):
        return entries.none()
    scope = scope_of(user)
    if scope.unrestricted:
        return entries
    if scope.is_adviser:
        return entries.filter(adviser_id=scope.adviser_id)
    return entries.filter(scope.q("village"))


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
    scope = scope_of(user)
    if scope.unrestricted:
        return trainings
    if scope.is_adviser:
        return trainings.filter(trainingattendance__adviser_id=scope.adviser_id).distinct()
    # Trainings held in the area, and those of the bureaus above it (a city's training for all).
    above: set[str] = set()
    for prefix in scope.prefixes:
        above.update(codes.ancestor_codes(prefix))
        above.add(prefix)
    return trainings.filter(scope.q("organiser") | Q(organiser_id__in=above))


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
