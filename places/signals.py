"""Signals of the places app.

`divisions_imported` is sent by `manage.py import_divisions` after an import has committed, with
`report` (places.importer.ImportReport, which lists the codes created and renamed). The import
writes with bulk SQL for speed, so no per-row model signals fire; receivers that keep derived
data (the search index) use this instead. A receiver may return a line for the operator.
"""

from __future__ import annotations

from django.dispatch import Signal

divisions_imported = Signal()
