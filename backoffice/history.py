"""Records that others' history rests on are kept, never hard-deleted.

A model refuses its own deletion by raising `KeptForHistory` (a `ProtectedError`, so every
caller that already handles Django's PROTECT handles it too) with the sentence the back office
shows instead of deleting: what to do instead (end it, set it inactive).
"""

from __future__ import annotations

from django.db.models import Model, ProtectedError


class KeptForHistory(ProtectedError):
    """Raised from a pre_delete receiver or `delete()`; `message` is shown to the user as is."""

    def __init__(self, message: str, instance: Model) -> None:
        super().__init__(message, [instance])
        self.message = message


def referring_rows(instance: Model) -> int:
    """How many rows of other models point at `instance` (reverse foreign keys and one-to-ones).

    Any of them is history: a ledger entry, a filing, a contract, a training attended.
    """
    total = 0
    for relation in instance._meta.related_objects:
        if relation.many_to_many:
            continue
        model = relation.related_model
        total += model._base_manager.filter(**{relation.field.name: instance}).count()
    return total
