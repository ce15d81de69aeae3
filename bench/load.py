"""`make bench-load`: the production configuration under wrk, cached and uncached, against a ceiling.

What it starts, and stops again on the way out (also on errors and Ctrl-C):

- gunicorn with 2 sync workers on 127.0.0.1 (`--port`, default 8201), settings
  `bench.load_settings` (production plus the trivial view, a cache bypass header, no rate limits),
  on PostgreSQL (`--database`, default `portal_bench_load`) and Redis (`--cache-url`, default
  `redis://127.0.0.1:6379/4`, flushed at the start: use a database number of its own).

The demo is loaded into that database once (`migrate`, `load_demo`, `search_rebuild`) and reused
by later runs; `--fresh` drops and reloads it. Every request carries `Host: 127.0.0.1` (an
allowed host, the default site) and `X-Forwarded-Proto: https`, as behind the documented proxy.

Targets: the trivial 5 KB view (the ceiling), a village page, a township listing, an article, the
home page, a search and the directory API — each cached (anonymous, warm: checked to be a hit
first) and uncached (`X-Bench-No-Cache: 1`, which only the bench settings honour). Each round
runs every target once with `wrk -t1 -c<connections> -d<duration>s --latency`, the order shifted
by one each round, and every page's throughput is a ratio of the trivial view's in the same round.
Budgets (issue 9), on the median round: every cached page >= 70 % of the trivial view; uncached
village and township >= 12 %, uncached article and home >= 8 %; and no errors (socket errors or
non-2xx answers) at all — the issue's figure is for 50 connections over 30 s, the defaults.
Exit status 0 when every budget holds, 1 otherwise or when a step failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "bench-load"
PYTHON = sys.executable
VILLAGE = "451402001201"  # 卜寨村委会, covered in the demo
TOWNSHIP = "451402001"  # 太平街道
SEARCH = "/search/?q=" + quote("卜寨")
HOST = "127.0.0.1"
HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https"}
BYPASS = {"X-Bench-No-Cache": "1"}
CACHED_BUDGET = 0.70
UNCACHED_BUDGETS = {"village": 0.12, "township": 0.12, "article": 0.08, "home": 0.08}


class BenchError(Exception):
    """A step failed; the message says which."""


@dataclass
class Target:
    key: str  # "trivial", or "<page> cached"/"<page> uncached"
    page: str
    path: str
    cached: bool

    @property
    def label(self) -> str:
        if self.page == "trivial":
            return "trivial 5 KB view"
        return f"{self.page}, {'cached' if self.cached else 'uncached'}"

    @property
    def headers(self) -> dict[str, str]:
        return HEADERS if self.cached else {**HEADERS, **BYPASS}


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


@dataclass
class Row:
    target: Target
    results: list[Result] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)


# --- environment and processes ------------------------------------------------------------------


def environment(args) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.load_settings",
            "SECRET_KEY": "bench-load-only-not-secret",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.database}",
            "CACHE_URL": args.cache_url,
            "PORTAL_VAR_DIR": str(CACHE_DIR / "var"),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "site"), str(ROOT)]),
            "ELASTICSEARCH_URL": "",
            "PORTAL_RATE_LIMITS": "0",
        }
    )
    return env


def run(cmd: list[str], env: dict[str, str], what: str) -> str:
    print(f"  {what} …", flush=True)
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603 -- our own commands
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
        raise BenchError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def manage(args_: list[str], env: dict[str, str], what: str) -> str:
    return run([PYTHON, str(ROOT / "manage.py"), *args_], env, what)


def postgres(args, sql: str, database: str = "postgres") -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{args.postgres.rstrip('/')}/{database}", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def prepare_database(args, env: dict[str, str]) -> None:
    """Create the demo database once; reuse it when a previous run finished loading it."""
    marker = CACHE_DIR / f"{args.database}.loaded"
    exists = bool(postgres(args, f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'"))  # noqa: S608 -- our own name
    if exists and marker.exists() and not args.fresh:
        print(f"  reusing database {args.database} with the demo")
        manage(["migrate", "--noinput"], env, "migrate (new migrations only)")
        return
    marker.unlink(missing_ok=True)
    if exists:
        postgres(args, f'DROP DATABASE "{args.database}"')
    shutil.rmtree(CACHE_DIR / "var", ignore_errors=True)
    postgres(args, f'CREATE DATABASE "{args.database}"')
    manage(["migrate", "--noinput"], env, "migrate")
    # The demo loader refuses production settings; the data is the same under the dev settings.
    manage(["load_demo"], {**env, "DJANGO_SETTINGS_MODULE": "portal.settings.dev"}, "load_demo")
    manage(["search_rebuild"], env, "search_rebuild (database fallback)")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    marker.write_text(time.strftime("%Y-%m-%d %H:%M:%S"))


def flush_cache(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def start_gunicorn(args, env: dict[str, str], workdir: Path) -> subprocess.Popen:
    log = (workdir / "gunicorn.log").open("w")
    cmd = [
        str(Path(PYTHON).with_name("gunicorn")),
        "--pythonpath",
        f"{ROOT / 'site'},{ROOT}",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--control-socket",
        str(workdir / "gunicorn.ctl"),
        "--pid",
        str(workdir / "gunicorn.pid"),
        "portal.wsgi",
    ]
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited ({process.returncode}); see {workdir / 'gunicorn.log'}")
        try:
            if fetch(args, "/healthz", HEADERS)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    stop(process)
    raise BenchError("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- requests and wrk ---------------------------------------------------------------------------


def fetch(args, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{args.port}{path}", headers=headers)  # noqa: S310 -- local
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 -- local
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def article_path(args) -> str:
    status, _headers, body = fetch(args, "/articles/", HEADERS)
    found = re.search(rb'href="(/articles/(?!feed/)[^"?#]+/)"', body)
    if status != 200 or not found:
        raise BenchError(f"/articles/ answered {status} without an article link")
    return found.group(1).decode()


def check(args, target: Target) -> None:
    """The target answers 200; cached targets are warm hits, uncached ones bypass the cache."""
    for _ in range(3):
        status, headers, _body = fetch(args, target.path, target.headers)
    if status != 200:
        raise BenchError(f"{target.label}: {target.path} answered {status}")
    state = headers.get("X-Page-Cache", "")
    if target.page == "trivial":
        return
    if target.cached and state != "hit":
        raise BenchError(f"{target.label}: {target.path} is not served from the page cache ({state!r})")
    if not target.cached and state:
        raise BenchError(f"{target.label}: {target.path} did not bypass the page cache ({state!r})")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if not found:
        raise BenchError(f"unreadable wrk latency {text!r}")
    return float(found.group(1)) * UNITS[found.group(2)]


def parse_wrk(output: str) -> Result:
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    requests = re.search(r"(\d+) requests in", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not (rps and requests and p50 and p99):
        raise BenchError(f"unreadable wrk output:\n{output}")
    errors = 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    return Result(float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)), errors, int(requests.group(1)))


def wrk(args, target: Target) -> Result:
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "--timeout", "10s"]
    for name, value in target.headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{args.port}{target.path}")
    done = subprocess.run(cmd, capture_output=True, text=True)  # noqa: S603 -- wrk from PATH
    if done.returncode != 0:
        raise BenchError(f"wrk failed for {target.label}: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


# --- the run ------------------------------------------------------------------------------------


def targets(article: str) -> list[Target]:
    pages = {
        "village": f"/directory/{VILLAGE}/",
        "township": f"/directory/{TOWNSHIP}/",
        "article": article,
        "home": "/",
        "search": SEARCH,
        "api": f"/api/directory/{VILLAGE}",
    }
    found = [Target("trivial", "trivial", "/bench/trivial/", True)]
    for page, path in pages.items():
        found.append(Target(f"{page} cached", page, path, True))
        found.append(Target(f"{page} uncached", page, path, False))
    return found


def measure(args, all_targets: list[Target]) -> list[Row]:
    rows = {t.key: Row(t) for t in all_targets}
    trivial, pages = all_targets[0], all_targets[1:]
    for number in range(args.rounds):
        shift = number % len(pages)
        order = [trivial, *pages[shift:], *pages[:shift]]
        print(f"round {number + 1} of {args.rounds}", flush=True)
        got: dict[str, Result] = {}
        for target in order:
            check(args, target)
            got[target.key] = wrk(args, target)
            result = got[target.key]
            print(
                f"  {target.label:<22} {result.rps:9.1f} req/s  p50 {result.p50_ms:7.1f} ms"
                f"  p99 {result.p99_ms:7.1f} ms  errors {result.errors}",
                flush=True,
            )
        ceiling = got["trivial"].rps or 1.0
        for key, result in got.items():
            rows[key].results.append(result)
            rows[key].ratios.append(result.rps / ceiling)
    return list(rows.values())


def budget(row: Row) -> float | None:
    if row.target.page == "trivial":
        return None
    if row.target.cached:
        return CACHED_BUDGET
    return UNCACHED_BUDGETS.get(row.target.page)


def report(args, rows: list[Row]) -> tuple[str, bool]:
    """The Markdown table (README, bench/README.md) and whether every budget held."""
    ok = True
    lines = [
        f"| target | req/s (median of {args.rounds}) | p50 ms | p99 ms | errors | share of trivial, per round | budget |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        rps = statistics.median(r.rps for r in row.results)
        p50 = statistics.median(r.p50_ms for r in row.results)
        p99 = statistics.median(r.p99_ms for r in row.results)
        errors = sum(r.errors for r in row.results)
        ratio = statistics.median(row.ratios)
        wanted = budget(row)
        verdict = "—"
        if wanted is not None:
            passed = ratio >= wanted
            ok = ok and passed
            verdict = f"≥ {wanted:.0%}: {'PASS' if passed else 'FAIL'}"
        per_round = " / ".join(f"{r:.1%}" for r in row.ratios)
        lines.append(
            f"| {row.target.label} | {rps:.0f} | {p50:.1f} | {p99:.1f} | {errors} | {per_round} | {verdict} |"
        )
    errors = sum(r.errors for row in rows for r in row.results)
    ok = ok and errors == 0
    full = args.connections >= 50 and args.duration >= 30
    scale = "" if full else " (shorter or lighter than the budget's 50 connections × 30 s)"
    lines.append("")
    lines.append(
        f"Errors: {errors} over every run at {args.connections} connections × {args.duration} s{scale}: "
        f"{'PASS' if errors == 0 else 'FAIL'}."
    )
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per wrk run (default 30)")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (default 50)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every target (default 3)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_LOAD_PORT", "8201")))
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_LOAD_POSTGRES", "postgres://portal:portal@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name",
    )
    parser.add_argument("--database", default=os.environ.get("BENCH_LOAD_DATABASE", "portal_bench_load"))
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_LOAD_CACHE_URL", "redis://127.0.0.1:6379/4"),
        help="Redis database for the shared cache; flushed at the start",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and reload the demo database")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 1
    env = environment(args)
    process = None
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        print("preparing", flush=True)
        prepare_database(args, env)
        manage(["collectstatic", "--noinput"], env, "collectstatic")
        flush_cache(args.cache_url)
        process = start_gunicorn(args, env, workdir)
        print(f"  gunicorn (2 sync workers) on 127.0.0.1:{args.port}", flush=True)
        rows = measure(args, targets(article_path(args)))
    except BenchError as error:
        print(f"bench-load: {error}", file=sys.stderr)
        return 1
    finally:
        stop(process)
        if process is not None:
            print("  gunicorn stopped", flush=True)
    table, ok = report(args, rows)
    print()
    print(table)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    (CACHE_DIR / "latest.md").write_text(table + "\n", encoding="utf-8")
    (CACHE_DIR / "latest.json").write_text(
        json.dumps(
            {
                "duration": args.duration,
                "connections": args.connections,
                "rounds": args.rounds,
                "rows": [
                    {"target": r.target.label, "results": [vars(x) for x in r.results], "ratios": r.ratios}
                    for r in rows
                ],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{'PASS' if ok else 'FAIL'}: table in {CACHE_DIR / 'latest.md'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
