"""Static files storage for production: WhiteNoise's compressed manifest storage, strict as ever,
except for one broken third-party file.

django-viewflow 2.4.0 ships a second, npm-installed copy of the Roboto stylesheet at
``viewflow/fonts/roboto/node_modules/roboto-fontface/css/roboto/roboto-fontface.css``. It names
``./Roboto-Thin.woff2`` and the other font files next to itself, where the wheel has none (they
are in ``.../fonts/roboto/``), so ``ManifestStaticFilesStorage`` stops ``collectstatic`` with a
``MissingFileError`` and no manifest is written: every ``{% static %}`` is then a 500.

No template of viewflow (nor ours) uses that copy; viewflow's pages load
``viewflow/fonts/roboto/roboto-fontface.css``, whose references resolve. Rather than turn off
strictness for everything (``manifest_strict = False`` does not even help: post-processing still
raises), this storage leaves the ``url(...)`` references of the files listed in
``UNRESOLVED_REFERENCES_ALLOWED`` as they are, and hashes, compresses and checks every other file
as usual — a missing file referenced by our own CSS still fails ``collectstatic``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)

# Third-party static files whose references point at files their package does not ship, and
# which no page loads. Patterns are matched against the static path (fnmatch, case-sensitive).
UNRESOLVED_REFERENCES_ALLOWED: tuple[str, ...] = (
    "viewflow/fonts/roboto/node_modules/roboto-fontface/css/roboto/roboto-fontface.css",
)


def references_left_as_is(name: str) -> bool:
    """Whether ``name``'s references are exempt from the manifest's resolution."""
    return any(fnmatchcase(name, pattern) for pattern in UNRESOLVED_REFERENCES_ALLOWED)


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """``CompressedManifestStaticFilesStorage`` that tolerates the listed vendor files only."""

    def url_converter(
        self, name: str, hashed_files: dict, template: str | None = None
    ) -> Callable[[Any], str]:
        converter = super().url_converter(name, hashed_files, template)
        if not references_left_as_is(name):
            return converter

        def keep_reference(matchobj: Any) -> str:
            # The reference stays as the vendor wrote it; the file is hashed and served like
            # any other, so nothing breaks that works today.
            return matchobj.groupdict()["matched"]

        return keep_reference
