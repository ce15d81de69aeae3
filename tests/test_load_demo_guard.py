"""`load_demo` refuses to run under production settings without its explicit flag.

The demo creates accounts with the published password demo12348 (`admin` included); the
production smoke test (tests/production/) runs the real command under the real production
settings, with and without the flag.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def test_load_demo_refuses_under_production_settings(db, settings):
    settings.PORTAL_IS_PRODUCTION = True
    with pytest.raises(CommandError, match="--i-know-this-is-production"):
        call_command("load_demo")
    assert not get_user_model().objects.filter(username="admin").exists()


def test_the_flag_is_offered_in_the_help(capsys):
    with pytest.raises(SystemExit):
        call_command("load_demo", "--help")
    assert "--i-know-this-is-production" in capsys.readouterr().out
