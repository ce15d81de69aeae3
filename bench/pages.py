"""Server time and SQL queries of the public directory pages, measured in-process.

`run.py` starts this script once per database, in a subprocess, because Django can be set up only
once per process and each database needs its own settings. It needs a migrated database holding
the divisions and the demo people (`manage.py load_demo`), and writes its figures as JSON to the
file named by `--out`.

Requests go through Django's test Client: the whole middleware stack, the view, the queries and
the template rendering, without a network or a server process in the way. Timed requests are
interleaved page by page, so that a burst of noise on this shared machine spreads over every
page instead of landing on one. Queries are counted in separate, untimed requests, because
recording them (`CaptureQueriesContext`) costs time that production does not spend.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COVERED_VILLAGE = "451402001201"  # 卜寨村委会: demo.loader always covers it (BUZHAI)
TOWNSHIP = "451402001"  # 太平街道, the township listing that holds it
UNCOVERED_AREA = "4514"  # the demo leaves about 5% of 崇左市's villages uncovered on purpose


def _setup_django() -> None:
    """Set Django up the way manage.py does (the project package lives in site/)."""
    sys.path.insert(0, str(ROOT / "site"))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    # Production serves with DEBUG off; with it on, every request would also keep a query log
    # and template debug information, which is not what a villager's request costs.
    settings.DEBUG = False


def _pick_pages() -> dict[str, str]:
    """The three pages to measure: a covered village, an uncovered one, a township listing."""
    from advisers.models import ServiceContract
    from places import codes
    from places.models import Division

    covered = set(ServiceContract.objects.in_force().values_list("village_id", flat=True))
    if COVERED_VILLAGE not in covered:
        raise SystemExit(f"{COVERED_VILLAGE} has no contract in force: was `manage.py load_demo` run?")
    uncovered = (
        Division.objects.villages()
        .within(UNCOVERED_AREA)
        .exclude(code__in=covered)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if uncovered is None:
        raise SystemExit(f"no uncovered village under {UNCOVERED_AREA}: was `manage.py load_demo` run?")
    if not Division.objects.filter(code=TOWNSHIP, level=codes.TOWNSHIP).exists():
        raise SystemExit(f"township {TOWNSHIP} is missing: were the divisions imported?")
    return {
        "village_covered": f"/directory/{COVERED_VILLAGE}/",
        "village_uncovered": f"/directory/{uncovered}/",
        "township": f"/directory/{TOWNSHIP}/",
    }


def _percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was actually observed, no interpolation."""
    ordered = sorted(samples)
    rank = max(1, round(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def measure(requests: int, warmup: int) -> dict[str, Any]:
    """Warm every page up, count its queries, then time `requests` interleaved rounds."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages = _pick_pages()
    # dev settings allow localhost; the test Client's default host ("testserver") would be a 400.
    client = Client(HTTP_HOST="localhost")

    def get(url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}, expected 200")

    results: dict[str, Any] = {}
    for name, url in pages.items():
        counts = []
        for _ in range(max(warmup, 2)):
            with CaptureQueriesContext(connection) as captured:
                get(url)
            counts.append(len(captured.captured_queries))
        # The first request of a process fills caches (Wagtail's site list, coverage); the
        # steady state is what every later visitor pays.
        steady = counts[1:]
        results[name] = {
            "url": url,
            "queries": max(steady),
            "queries_first_request": counts[0],
            "queries_vary": len(set(steady)) > 1,
        }

    timings: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(requests):
        for name, url in pages.items():
            started = time.perf_counter_ns()
            get(url)
            timings[name].append((time.perf_counter_ns() - started) / 1e6)
    for name, samples in timings.items():
        results[name].update(
            {
                "requests": len(samples),
                "median_ms": round(statistics.median(samples), 2),
                "p95_ms": round(_percentile(samples, 0.95), 2),
                "min_ms": round(min(samples), 2),
            }
        )
    return {"vendor": connection.vendor, "pages": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--out", type=Path, required=True, help="file to write the JSON figures to")
    args = parser.parse_args(argv)
    _setup_django()
    figures = measure(args.requests, args.warmup)
    args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
