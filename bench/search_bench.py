"""`make bench-search`: the public search at national scale, Elasticsearch beside PostgreSQL.

Budgets from the issue: building the Elasticsearch index of 620,573 villages plus their advisers
within 3 minutes, and over a fixed set of 200 mixed queries a p95 latency of 50 ms on
Elasticsearch and 300 ms on the PostgreSQL fallback, measured side by side in one run.

Steps, each the real entry point in a subprocess against a database created for the run
(`portal_search_bench` on the PostgreSQL server of $DATABASE_URL, or the local default):
`migrate`, `import_divisions` (national data), `load_demo`, bench/search_people.py (fictional
advisers for every other village), then the two timed builds — `search_rebuild --only
elasticsearch` (bulk indexing into a new index and the alias swap) and `search_rebuild --only
database` (the fallback's entries and tokens) — and bench/search_queries.py for the latencies.
Elasticsearch is $ELASTICSEARCH_URL, or the local test node that scripts/elasticsearch_node.py
starts (heap 512 MB). Figures are printed as a table and written to
.cache/bench/search-latest.json. Exit status 0 when everything is within budget.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as base  # noqa: E402 -- bench/run.py: database targets and subprocess helpers

ROOT = base.ROOT
BENCH_DATABASE = "portal_search_bench"
INDEX_PREFIX = "bench"
BUILD_BUDGET_S = 180.0
P95_BUDGET_MS = {"elasticsearch": 50.0, "database": 300.0}


def elasticsearch_url() -> str:
    """$ELASTICSEARCH_URL, else the local test node (started when needed)."""
    if os.environ.get("ELASTICSEARCH_URL"):
        return os.environ["ELASTICSEARCH_URL"]
    sys.path.insert(0, str(ROOT / "scripts"))
    import elasticsearch_node as nodes

    try:
        return nodes.start(int(os.environ.get("ELASTICSEARCH_PORT", "9200")), nodes.DEFAULT_VERSION)
    except nodes.NodeError as exc:
        raise SystemExit(f"bench: Elasticsearch is needed and could not be started: {exc}") from exc


def elasticsearch_version(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{url}/_nodes/_local?filter_path=nodes.*.version", timeout=5) as r:  # noqa: S310 -- the configured node
        nodes = json.loads(r.read().decode()).get("nodes", {})
    return next((n.get("version", "") for n in nodes.values()), "")


def _rebuilt(out: str) -> float:
    for line in out.splitlines():
        if " in " in line and line.rstrip().endswith(("swapped.", "s.")):
            marker = line.rsplit(" in ", 1)[1]
            return float(marker.split("s", 1)[0])
    raise base.BenchError(f"unexpected search_rebuild output:\n{base._tail(out)}")


def measure(target: base.Target, data: Path, rounds: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    label = target.label
    print(f"[{label}] migrate", flush=True)
    base._run(target, ["manage.py", "migrate", "--noinput"], "migrate")
    print(f"[{label}] import national divisions", flush=True)
    figures["import"] = base._import(target, data, "import")
    print(f"[{label}] load demo people", flush=True)
    base._run(target, ["manage.py", "load_demo"], "load_demo")
    print(f"[{label}] fictional advisers for every other village", flush=True)
    people_file = target.var_dir / "people.json"
    base._run(target, ["bench/search_people.py", f"--out={people_file}"], "search_people")
    figures["people"] = json.loads(people_file.read_text(encoding="utf-8"))
    print(f"[{label}]   {figures['people']}", flush=True)
    if target.admin_url:
        import psycopg

        with psycopg.connect(target.url, autocommit=True) as conn:
            conn.execute("ANALYZE")
    print(f"[{label}] build the Elasticsearch index (timed)", flush=True)
    elapsed, out = base._run(
        target,
        ["manage.py", "search_rebuild", "--only", "elasticsearch", "--no-progress"],
        "search_rebuild es",
    )
    figures["elasticsearch_build"] = {"seconds": round(elapsed, 1), "command_reported_seconds": _rebuilt(out)}
    figures["documents"] = int(out.split("Elasticsearch: ", 1)[1].split(" ", 1)[0])
    print(f"[{label}]   {elapsed:.1f} s, {figures['documents']:,} documents", flush=True)
    print(f"[{label}] build the database fallback (timed)", flush=True)
    elapsed, out = base._run(
        target, ["manage.py", "search_rebuild", "--only", "database", "--no-progress"], "search_rebuild db"
    )
    figures["database_build"] = {"seconds": round(elapsed, 1), "command_reported_seconds": _rebuilt(out)}
    print(f"[{label}]   {elapsed:.1f} s", flush=True)
    if target.admin_url:
        import psycopg

        with psycopg.connect(target.url, autocommit=True) as conn:
            conn.execute("ANALYZE")
    print(f"[{label}] 200 queries on each backend (timed)", flush=True)
    out_file = target.var_dir / "queries.json"
    base._run(
        target, ["bench/search_queries.py", f"--out={out_file}", f"--rounds={rounds}"], "search_queries"
    )
    figures["queries"] = json.loads(out_file.read_text(encoding="utf-8"))
    return figures


def render(figures: dict[str, Any], fallback_label: str) -> tuple[str, list[str]]:
    """The table and the list of measurements over budget."""
    q = figures["queries"]["backends"]
    es_q, db_q = q["elasticsearch"], q["database"]
    rows = [
        (
            "index build (Elasticsearch)",
            f"{figures['elasticsearch_build']['seconds']:.1f} s",
            "—",
            BUILD_BUDGET_S,
            figures["elasticsearch_build"]["seconds"],
            "s",
        ),
        (
            "index build (database fallback)",
            "—",
            f"{figures['database_build']['seconds']:.1f} s",
            None,
            None,
            "s",
        ),
        ("query latency p50", f"{es_q['p50_ms']:.1f} ms", f"{db_q['p50_ms']:.1f} ms", None, None, "ms"),
        ("query latency p95", f"{es_q['p95_ms']:.1f} ms", f"{db_q['p95_ms']:.1f} ms", None, None, "ms"),
        ("query latency max", f"{es_q['max_ms']:.1f} ms", f"{db_q['max_ms']:.1f} ms", None, None, "ms"),
    ]
    over = []
    header = ["measurement", "Elasticsearch", fallback_label, "fallback/ES", "budget", "verdict"]
    lines = [header]
    for label, es_value, db_value, budget, value, unit in rows:
        ratio = "—"
        verdict = "—"
        budget_text = "—"
        if label.startswith("query latency p"):
            key = "p50_ms" if "p50" in label else "p95_ms"
            ratio = f"{db_q[key] / es_q[key]:.1f}×" if es_q[key] else "—"
            if key == "p95_ms":
                budget_text = f"{P95_BUDGET_MS['elasticsearch']:.0f} · {P95_BUDGET_MS['database']:.0f} ms"
                ok_es = es_q[key] <= P95_BUDGET_MS["elasticsearch"]
                ok_db = db_q[key] <= P95_BUDGET_MS["database"]
                verdict = "pass" if ok_es and ok_db else "over"
                if not ok_es:
                    over.append(f"Elasticsearch p95 {es_q[key]} ms")
                if not ok_db:
                    over.append(f"fallback p95 {db_q[key]} ms")
        elif budget:
            budget_text = f"{budget:.0f} {unit}"
            verdict = "pass" if value <= budget else "over"
            if value > budget:
                over.append(f"{label} {value} {unit}")
        lines.append([label, es_value, db_value, ratio, budget_text, verdict])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append(
            "  ".join(
                [str(line[0]).ljust(widths[0])]
                + [str(c).rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)]
            ).rstrip()
        )
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out), over


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="folder of national division files (default ../shared/data/divisions)")
    parser.add_argument("--rounds", type=int, default=1, help="timed rounds over the 200 queries (default 1)")
    parser.add_argument(
        "--pg-database", default=BENCH_DATABASE, help=f"database to re-create (default {BENCH_DATABASE})"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database and index")
    parser.add_argument("--json", type=Path, default=base.CACHE / "search-latest.json")
    args = parser.parse_args(argv)

    data = base.locate_data(args.data)
    started = dt.datetime.now(dt.UTC)
    url = elasticsearch_url()
    os.environ["ELASTICSEARCH_URL"] = url
    os.environ["ELASTICSEARCH_INDEX_PREFIX"] = INDEX_PREFIX
    target, reason = base.postgres_target(args.pg_database)
    if target is None:
        print(f"bench: PostgreSQL is needed for the search benchmark: {reason}", file=sys.stderr)
        return 2
    try:
        figures = measure(target, data, args.rounds)
    except base.BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(
                f"kept: DATABASE_URL={target.url} ELASTICSEARCH_URL={url} ELASTICSEARCH_INDEX_PREFIX={INDEX_PREFIX}"
            )
        else:
            base.drop(target)
    es_version = elasticsearch_version(url)
    fallback = f"PostgreSQL {target.version}"
    table, over = render(figures, fallback)
    q = figures["queries"]
    print(
        f"\nmake bench-search — {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Elasticsearch {es_version} (heap 512 MB), {fallback}; {figures['documents']:,} documents "
        f"({figures['people']['advisers']:,} generated advisers)"
    )
    print(table)
    print(
        f"queries with results: Elasticsearch {q['queries_with_results']['elasticsearch']}/{q['queries']}, "
        f"fallback {q['queries_with_results']['database']}/{q['queries']}; same first result: {q['same_top_result']}/{q['queries']}"
    )
    report = {
        "command": "make bench-search",
        "started": started.isoformat(timespec="seconds"),
        "seconds_total": round((dt.datetime.now(dt.UTC) - started).total_seconds(), 1),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "elasticsearch": es_version,
        "postgresql": target.version,
        "figures": figures,
        "over_budget": over,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {args.json}")
    if over:
        print("over budget: " + "; ".join(over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
