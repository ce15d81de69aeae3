"""Where back-office attachments are kept: outside MEDIA_ROOT, served only through scoped views.

Sign-in sheets, fee agreements and proofs of hardship may name villagers. Files under MEDIA_ROOT
are served to anyone who knows the address (by the web server in production), so these go to
PRIVATE_MEDIA_ROOT and are downloaded through views that check the reader's scope.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """A callable, so that migrations do not record the machine's path."""
    location = getattr(settings, "PRIVATE_MEDIA_ROOT", None) or settings.MEDIA_ROOT.parent / "private"
    return FileSystemStorage(location=location, base_url=None)
