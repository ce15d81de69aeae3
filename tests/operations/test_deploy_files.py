"""The Procfile and the systemd units start commands that exist, with the options they need.

A unit that names a command this code does not have fails only on the server, at 3 a.m.: here
every `manage.py` command of the Procfile and of deploy/systemd/ is looked up among Django's
commands (and `run_every`'s target too), and `systemd-analyze verify` checks the units
themselves (keys, sections, executables) on a copy whose paths point at this checkout.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
LONG_RUNNING = ["portal-web", "portal-search-worker", "portal-workflow-timers", "portal-publish-scheduled"]


def procfile() -> dict[str, str]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


def unit(name: str) -> dict[str, list[str]]:
    """Key → values of a unit file, continuation lines joined."""
    text = (UNITS / name).read_text().replace("\\\n", " ")
    values: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def manage_commands(command_line: str) -> list[str]:
    """The management commands a command line runs (run_every's target included)."""
    words = shlex.split(command_line)
    if "manage.py" not in words:
        return []
    rest = words[words.index("manage.py") + 1 :]
    if rest[0] == "run_every":
        assert float(rest[1]) >= 1
        return ["run_every", rest[2]]
    return [rest[0]]


def test_procfile_runs_every_process_with_existing_commands():
    entries = procfile()
    assert set(entries) == {"web", "search_worker", "workflow_timers", "publish_scheduled"}
    assert entries["web"].startswith("gunicorn --pythonpath site portal.wsgi ")
    known = get_commands()
    ran = [c for line in entries.values() for c in manage_commands(line)]
    assert ran == ["search_worker", "run_every", "workflow_timers", "run_every", "publish_scheduled"]
    assert all(c in known for c in ran), [c for c in ran if c not in known]


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_each_long_running_unit_restarts_and_reads_the_environment(name):
    values = unit(f"{name}.service")
    assert values["Restart"] == ["always"]
    assert values["EnvironmentFile"] == ["/etc/portal.env"]
    assert values["User"] == ["portal"] and values["WantedBy"] == ["multi-user.target"]
    (start,) = values["ExecStart"]
    if name == "portal-web":
        assert " --pythonpath site portal.wsgi " in start
        assert any("collectstatic" in pre for pre in values["ExecStartPre"])
    else:
        assert all(c in get_commands() for c in manage_commands(start))


def test_backup_runs_nightly_from_a_timer():
    service = unit("portal-backup.service")
    assert service["Type"] == ["oneshot"] and manage_commands(service["ExecStart"][0]) == ["backup"]
    assert unit("portal-backup.timer")["OnCalendar"] and unit("portal-backup.timer")["Persistent"] == ["true"]


def test_nginx_example_keeps_originals_private_and_forwards_the_client():
    conf = (ROOT / "deploy" / "nginx" / "portal.conf").read_text()
    active = "\n".join(line for line in conf.splitlines() if not line.lstrip().startswith("#"))
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in active
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in active
    assert re.search(r"location \^~ /media/original_images/ \{ deny all; \}", active)
    assert re.search(r"location \^~ /media/documents/ \{ deny all; \}", active)
    assert "private" not in active  # no location serves PORTAL_PRIVATE_MEDIA_ROOT


def test_systemd_accepts_the_units(tmp_path):
    tool = shutil.which("systemd-analyze")
    if not tool:
        message = "needs systemd-analyze (Debian: apt-get install systemd) to verify deploy/systemd/"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    venv = Path(os.environ.get("VIRTUAL_ENV") or ROOT / ".venv")
    for path in UNITS.iterdir():
        text = path.read_text()
        text = text.replace("/srv/portal/.venv", str(venv)).replace("/srv/portal", str(ROOT))
        text = text.replace("/etc/portal.env", str(ROOT / "deploy" / "portal.env.example"))
        text = re.sub(r"^(User|Group)=portal$", r"\1=root", text, flags=re.M)
        (tmp_path / path.name).write_text(text)
    done = subprocess.run(  # noqa: S603 -- systemd's own checker on our unit files
        [tool, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
