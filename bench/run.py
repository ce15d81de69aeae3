"""`make bench`: the national division import and the village page, on SQLite and PostgreSQL.

Budgets come from the issue: the national import (665,276 divisions, 620,573 of them villages)
must finish within 90 s on each database on a 2-core machine, and a public place page stays within
its query budget (≤ 12, see directory/queries.py). Speed is measured here, never with timing
assertions in tests, and both databases are measured in the same run so that their ratio means
something on a noisy machine.

Every step runs the real entry point in a subprocess (`manage.py migrate`, `import_divisions`,
`load_demo`, then bench/pages.py) against a database created for the run: a fresh SQLite file under
.cache/bench/ and a fresh `portal_bench` database on the PostgreSQL server. Only the imports and
the page requests are timed. Figures are printed as a table and written to .cache/bench/latest.json.
Exit status: 0 when everything measured is within budget (PostgreSQL may be skipped), 1 when
something is over budget or failed, 2 when the national data cannot be found.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench"
DEFAULT_DATA = Path("..") / "shared" / "data" / "divisions"  # relative to the repository root
DEFAULT_POSTGRES_URL = "postgres://portal:portal@127.0.0.1:5432/portal"
BENCH_DATABASE = "portal_bench"
IMPORT_BUDGET_S = 90.0  # the budget for the national import, per database
QUERY_BUDGET = 12  # directory/queries.py: village page and township listings
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PAGES = {
    "village_covered": "village page, covered",
    "village_uncovered": "village page, uncovered",
    "township": "township listing",
}
_IMPORTED_RE = re.compile(r"Imported in ([0-9.]+)s: created (.*?); renamed (\d+); unchanged (\d+)\.")


class BenchError(Exception):
    """A step failed; the message says which and shows the end of its output."""


@dataclass
class Target:
    """One database to measure: how to reach it and how to make it fresh."""

    key: str
    label: str
    url: str
    var_dir: Path
    version: str = ""
    admin_url: str = ""  # PostgreSQL only: where CREATE/DROP DATABASE run
    figures: dict[str, Any] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """The environment of every subprocess: dev settings pointed at this database only."""
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings.dev",
            DATABASE_URL=self.url,
            PORTAL_VAR_DIR=str(self.var_dir),
            PYTHONUNBUFFERED="1",
        )
        return env


def locate_data(given: str | None) -> Path:
    """The folder of national division files: --data, then $DIVISIONS_DATA, then ../shared/...

    Relative paths are taken from the repository root, so that `make bench` finds the shared data
    wherever the checkout lives, without an absolute path in the repository.
    """
    raw = given or os.environ.get("DIVISIONS_DATA") or str(DEFAULT_DATA)
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = (ROOT / path).resolve()
    if not (path / "villages.csv.gz").exists() and not (path / "villages.csv").exists():
        print(
            f"bench: no national division files (villages.csv[.gz] ...) in {path}.\n"
            "Point at the folder holding provinces, cities, areas, streets and villages .csv(.gz) with\n"
            "  make bench BENCH_ARGS='--data /path/to/divisions'\n"
            "or set DIVISIONS_DATA=/path/to/divisions (default: ../shared/data/divisions from the repo root).",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return path


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(target: Target, args: list[str], step: str) -> tuple[float, str]:
    """Run one command for `target`; return its wall time in seconds and its standard output."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 -- our own interpreter and scripts, no shell
        [sys.executable, *args],
        cwd=ROOT,
        env=target.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(
            f"{target.label}: {step} failed (exit {done.returncode}):\n{_tail(done.stderr or done.stdout)}"
        )
    return elapsed, done.stdout


def _import(target: Target, data: Path, step: str) -> dict[str, Any]:
    """Time `manage.py import_divisions` end to end, as an operator waits for it."""
    elapsed, out = _run(target, ["manage.py", "import_divisions", "--no-progress", str(data)], step)
    match = _IMPORTED_RE.search(out)
    if not match:
        raise BenchError(f"{target.label}: {step}: unexpected output:\n{_tail(out)}")
    return {
        "seconds": round(elapsed, 2),
        # The command's own clock: validation and writing, without interpreter and Django start-up.
        "command_reported_seconds": float(match.group(1)),
        "created": match.group(2),
        "renamed": int(match.group(3)),
        "unchanged": int(match.group(4)),
    }


def measure(target: Target, data: Path, requests: int, warmup: int) -> None:
    """Migrate, import twice, load the demo people, then measure the pages; fills target.figures."""
    print(f"[{target.label}] migrate", flush=True)
    _run(target, ["manage.py", "migrate", "--noinput"], "migrate")
    print(f"[{target.label}] import national divisions (timed)", flush=True)
    first = _import(target, data, "first import")
    if first["created"] == "nothing":
        raise BenchError(f"{target.label}: the first import created nothing; the database was not fresh")
    target.figures["import_first"] = first
    print(f"[{target.label}]   {first['seconds']:.1f} s: created {first['created']}", flush=True)
    print(f"[{target.label}] import again, nothing to create (timed)", flush=True)
    again = _import(target, data, "second import")
    if again["created"] != "nothing" or again["renamed"]:
        raise BenchError(f"{target.label}: the re-run changed data: created {again['created']}")
    target.figures["import_again"] = again
    print(f"[{target.label}]   {again['seconds']:.1f} s: unchanged {again['unchanged']}", flush=True)
    print(f"[{target.label}] load demo people", flush=True)
    _run(target, ["manage.py", "load_demo"], "load_demo")
    if target.admin_url:
        # Autovacuum analyzes the freshly loaded tables within a minute or so of the import; doing
        # it now measures the pages in that steady state instead of racing the autovacuum worker.
        import psycopg

        with psycopg.connect(target.url, autocommit=True, connect_timeout=5) as conn:
            conn.execute("ANALYZE")
        target.figures["analyzed_before_pages"] = True
    print(f"[{target.label}] {requests} requests per page (timed)", flush=True)
    out_file = target.var_dir / "pages.json"
    args = ["bench/pages.py", f"--requests={requests}", f"--warmup={warmup}", f"--out={out_file}"]
    _run(target, args, "page measurement")
    target.figures["pages"] = json.loads(out_file.read_text(encoding="utf-8"))["pages"]


def _new_var_dir(prefix: str) -> Path:
    """A throw-away var dir (media of the demo portraits); static/ exists so WhiteNoise stays quiet."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=CACHE))
    (path / "static").mkdir()
    return path


def sqlite_target() -> Target:
    """A fresh SQLite file under .cache/bench/ (git-ignored), with the project's pragmas."""
    var_dir = _new_var_dir("sqlite-")
    return Target(
        "sqlite", LABELS["sqlite"], f"sqlite:///{var_dir / 'portal.sqlite3'}", var_dir, sqlite3.sqlite_version
    )


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def postgres_target(name: str) -> tuple[Target | None, str]:
    """A freshly created database on the server of $DATABASE_URL (or the local default).

    Returns (None, reason) when there is no server to reach, so that the run goes on with SQLite.
    The bench database is dropped and re-created; the database of the URL itself is only used to
    issue those two statements, never written to.
    """
    env_url = os.environ.get("DATABASE_URL", "")
    base = env_url if env_url.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES_URL
    if "bench" not in name or urlsplit(base).path.lstrip("/") == name:
        raise SystemExit(f"bench: refusing to drop and re-create database {name!r}: use a name with 'bench'")
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        return None, "psycopg is not installed"
    parts = urlsplit(base)
    shown = f"{parts.hostname}:{parts.port or 5432}{parts.path}"  # without the password
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, (
            f"PostgreSQL not reachable at {shown} ({first_line}); "
            "start it with .ci/postgres-up or set DATABASE_URL"
        )
    target = Target(
        "postgresql", LABELS["postgresql"], _with_database(base, name), _new_var_dir("postgresql-")
    )
    target.version = version.split()[0]
    target.admin_url = base
    return target, ""


def drop(target: Target) -> None:
    """Remove what the run created: the SQLite file and media, or the PostgreSQL database."""
    shutil.rmtree(target.var_dir, ignore_errors=True)
    if target.admin_url:
        import psycopg
        from psycopg import sql

        name = urlsplit(target.url).path.lstrip("/")
        with psycopg.connect(target.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


# --- report -------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: the same measurement on each database, against one budget."""

    label: str
    unit: str
    values: dict[str, float | None]
    budget: float | None = None

    def ratio_between(self) -> float | None:
        a, b = self.values.get("sqlite"), self.values.get("postgresql")
        return b / a if a and b is not None else None

    def ratios_to_budget(self) -> dict[str, float]:
        if not self.budget:
            return {}
        return {k: v / self.budget for k, v in self.values.items() if v is not None}

    def verdict(self) -> str:
        ratios = self.ratios_to_budget()
        if not ratios:
            return ""
        return "over" if max(ratios.values()) > 1 else "pass"

    def as_dict(self) -> dict[str, Any]:
        return {
            "measurement": self.label,
            "unit": self.unit,
            **self.values,
            "postgresql_to_sqlite": _round(self.ratio_between()),
            "budget": self.budget,
            "ratio_to_budget": {k: round(v, 3) for k, v in self.ratios_to_budget().items()},
            "verdict": self.verdict() or None,
        }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def build_rows(targets: dict[str, Target]) -> list[Row]:
    """Table rows from the figures of every measured database (a skipped one shows as —)."""

    def value(key: str, *path: str) -> float | None:
        figures: Any = targets[key].figures if key in targets else {}
        for part in path:
            if not isinstance(figures, dict) or part not in figures:
                return None
            figures = figures[part]
        return figures

    def row(label: str, unit: str, budget: float | None, *path: str) -> Row:
        return Row(label, unit, {k: value(k, *path) for k in ("sqlite", "postgresql")}, budget)

    rows = [
        row("national import, first run", "s", IMPORT_BUDGET_S, "import_first", "seconds"),
        row("national import, re-run (nothing new)", "s", IMPORT_BUDGET_S, "import_again", "seconds"),
    ]
    for key, label in PAGES.items():
        rows += [
            row(f"{label}: median", "ms", None, "pages", key, "median_ms"),
            row(f"{label}: p95", "ms", None, "pages", key, "p95_ms"),
            row(f"{label}: SQL queries", "", QUERY_BUDGET, "pages", key, "queries"),
        ]
    return rows


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "":
        return f"{value:.0f}"
    return f"{value:.1f} {unit}"


def render_table(rows: list[Row]) -> str:
    """A fixed-width table; ratio to budget shows SQLite · PostgreSQL."""
    header = ["measurement", "SQLite", "PostgreSQL", "PG/SQLite", "budget", "÷ budget", "verdict"]
    lines = [header]
    for r in rows:
        between = r.ratio_between()
        ratios = r.ratios_to_budget()
        lines.append(
            [
                r.label,
                _fmt(r.values["sqlite"], r.unit),
                _fmt(r.values["postgresql"], r.unit),
                f"{between:.2f}" if between is not None else "—",
                _fmt(r.budget, r.unit) if r.budget else "—",
                " · ".join(f"{ratios[k]:.2f}" if k in ratios else "—" for k in ("sqlite", "postgresql"))
                if r.budget
                else "—",
                r.verdict() or "—",
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Measure the national division import and the village page on SQLite and PostgreSQL.",
        epilog="Run from the repository with `make bench BENCH_ARGS='...'`. See bench/README.md.",
    )
    parser.add_argument(
        "--data",
        help="folder of national division files (default: $DIVISIONS_DATA or ../shared/data/divisions)",
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="measure one database only")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first (default 20)")
    parser.add_argument(
        "--pg-database",
        default=BENCH_DATABASE,
        help=f"PostgreSQL database to re-create (default {BENCH_DATABASE})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench databases for inspection")
    parser.add_argument("--json", type=Path, default=CACHE / "latest.json", help="where to write the figures")
    args = parser.parse_args(argv)

    data = locate_data(args.data)
    started = dt.datetime.now(dt.UTC)
    targets: dict[str, Target] = {}
    skipped: dict[str, str] = {}
    failures: list[str] = []
    if args.only != "postgresql":
        targets["sqlite"] = sqlite_target()
    if args.only != "sqlite":
        pg, reason = postgres_target(args.pg_database)
        if pg:
            targets["postgresql"] = pg
        else:
            skipped["postgresql"] = reason
            print(f"[PostgreSQL] skipped: {reason}", flush=True)

    for target in targets.values():
        try:
            measure(target, data, args.requests, args.warmup)
        except BenchError as exc:
            failures.append(str(exc))
            print(f"[{target.label}] FAILED: {exc}", file=sys.stderr, flush=True)
        finally:
            if args.keep:
                print(f"[{target.label}] kept: DATABASE_URL={target.url} PORTAL_VAR_DIR={target.var_dir}")
            else:
                drop(target)

    rows = build_rows(targets)
    command = "make bench" + (f" BENCH_ARGS={shlex.quote(' '.join(argv))}" if argv else "")
    versions = "".join(f", {t.label} {t.version}" for t in targets.values())
    print(f"\n{command} — {os.cpu_count()} CPUs, Python {platform.python_version()}{versions}")
    print(render_table(rows))
    for key, reason in skipped.items():
        print(f"{LABELS[key]}: skipped: {reason}")
    report = {
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "seconds_total": round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "data": str(data),
        "databases": {key: {"version": t.version, **t.figures} for key, t in targets.items()}
        | {key: {"skipped": reason} for key, reason in skipped.items()},
        "rows": [r.as_dict() for r in rows],
        "failures": failures,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shown = args.json.resolve()
    print(f"figures written to {shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown}")
    over = [r.label for r in rows if r.verdict() == "over"]
    if over:
        print("over budget: " + "; ".join(over))
    return 1 if failures or over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
