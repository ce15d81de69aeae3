"""Length limits of the free text that the public pages show, held by the database too.

A TextField's `max_length` only shapes the admin form; the validator makes `full_clean()` (the
admin, imports) refuse too, and the check constraint makes every other path (the shell, bulk
updates) fail rather than publish a megabyte page.
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


def limited(limit: int) -> dict:
    """TextField options for a text of at most `limit` characters."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}


def length_constraint(field: str, limit: int, name: str, message) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit), name=name, violation_error_message=message
    )
