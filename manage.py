#!/usr/bin/env python
"""Django's command-line utility for the village legal adviser platform."""

import os
import sys
from pathlib import Path


def main() -> None:
    # The Django project package lives in site/ (a folder, because `site` is a stdlib module).
    sys.path.insert(0, str(Path(__file__).resolve().parent / "site"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
