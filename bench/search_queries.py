"""Latency of `/search/` on Elasticsearch and on the database fallback, side by side.

`search_bench.py` runs this in a subprocess against the national bench database once both
indexes are built. The 200 queries are drawn from the data with a fixed seed (the same data
gives the same queries) in the proportions people search: full village names, the first
characters of a name, its pinyin and initials, adviser names and their pinyin, legal topics, and
division codes. Each query goes through Django's test Client as `GET /search/?q=…&format=json`:
middleware, view, search backend, ranking, facets and JSON, without network. Every query is
asked of both backends in turn (Elasticsearch and the fallback with ELASTICSEARCH_URL unset,
interleaved query by query, the order swapped every round), after one untimed warm-up round, so
that noise on a shared machine falls on both alike. Each round's p50/p95/max is reported per
backend: a busy moment shows as one bad round rather than vanishing into an average, and the
budget is checked against the worst round (search_bench.py).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import _setup_django  # noqa: E402 -- the bench scripts share Django's set-up

SEED = 12348
TOPICS = [
    "劳动",
    "彩礼",
    "宅基地",
    "土地承包",
    "工伤",
    "讨薪",
    "离婚",
    "赡养",
    "交通事故",
    "征地补偿",
    "继承",
    "借款",
    "合同纠纷",
    "医疗纠纷",
    "低保",
    "换届选举",
    "劳动仲裁",
    "法律援助",
    "环境污染",
    "养老保险",
]
MIX = {  # kind of query: how many of the 200
    "village name": 40,
    "village name, first characters": 40,
    "village pinyin": 30,
    "village initials": 20,
    "adviser name": 30,
    "adviser pinyin": 10,
    "legal topic": 20,
    "division code": 10,
}


def build_queries() -> list[tuple[str, str]]:
    from advisers.models import Adviser
    from places.models import Division
    from search import text

    rng = random.Random(SEED)
    all_codes = list(Division.objects.villages().order_by("code").values_list("code", flat=True))
    picked = rng.sample(all_codes, 140)
    names = dict(Division.objects.filter(code__in=picked).values_list("code", "name"))
    villages = [(code, names[code]) for code in picked]
    adviser_ids = list(Adviser.objects.order_by("pk").values_list("pk", flat=True))
    advisers = list(Adviser.objects.filter(pk__in=rng.sample(adviser_ids, 40)).values_list("name", flat=True))
    queries: list[tuple[str, str]] = []
    take = iter(villages)
    for _ in range(MIX["village name"]):
        queries.append(("village name", next(take)[1]))
    for _ in range(MIX["village name, first characters"]):
        queries.append(("village name, first characters", text.core_name(next(take)[1])[:2]))
    for _ in range(MIX["village pinyin"]):
        queries.append(("village pinyin", text.name_pinyin(text.core_name(next(take)[1])).full[0]))
    for _ in range(MIX["village initials"]):
        initials = text.name_pinyin(next(take)[1]).initials[0]
        queries.append(("village initials", initials[: max(2, len(text.core_name(initials)))][:4]))
    for name in advisers[: MIX["adviser name"]]:
        queries.append(("adviser name", name))
    for name in advisers[MIX["adviser name"] : MIX["adviser name"] + MIX["adviser pinyin"]]:
        queries.append(("adviser pinyin", text.name_pinyin(name).full[0]))
    queries += [("legal topic", t) for t in TOPICS[: MIX["legal topic"]]]
    codes = [c for c, _ in villages[:10]]
    for n, code in enumerate(codes[: MIX["division code"]]):
        queries.append(("division code", code[: (6, 9, 12)[n % 3]]))
    assert len(queries) == sum(MIX.values()), len(queries)
    return queries


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over the 200 queries")
    args = parser.parse_args()
    _setup_django()
    from django.conf import settings
    from django.test import Client, override_settings

    from search import service

    if not settings.ELASTICSEARCH_URL:
        raise SystemExit("ELASTICSEARCH_URL is not set")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The bench asks 1,600 searches from one address in a few minutes: the per-client rate limit
    # (60 a minute) is switched off for this process only, since what is measured is the search.
    settings.RATELIMIT_ENABLE = False
    # Nor is the anonymous page cache what is measured: each backend must answer every query.
    settings.PAGECACHE_ENABLED = False
    from sites.models import JurisdictionSettings

    # A national deployment: the demo's sites are limited to 崇左 and 城北; search them all.
    JurisdictionSettings.objects.update(area_codes="")
    queries = build_queries()
    client = Client()
    backends = {"elasticsearch": settings.ELASTICSEARCH_URL, "database": ""}
    timings: dict[str, list[float]] = {b: [] for b in backends}
    per_round: list[dict[str, list[float]]] = []
    slowest: dict[str, dict[str, float]] = {b: {} for b in backends}
    by_kind: dict[str, dict[str, list[float]]] = {b: {} for b in backends}
    found: dict[str, int] = dict.fromkeys(backends, 0)
    same_top = 0

    def ask(backend: str, query: str) -> tuple[float, dict]:
        with override_settings(ELASTICSEARCH_URL=backends[backend]):
            service.reset()
            started = time.perf_counter()
            response = client.get("/search/", {"q": query, "format": "json"})
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{backend}: {query!r} answered {response.status_code}")
        data = response.json()
        if data["backend"] != backend:
            raise SystemExit(f"{query!r} was answered by {data['backend']}, not {backend}")
        return elapsed, data

    for _, query in queries:  # warm-up: caches, connections, JIT of the cluster
        for backend in backends:
            ask(backend, query)
    for round_ in range(args.rounds):
        this_round: dict[str, list[float]] = {b: [] for b in backends}
        per_round.append(this_round)
        for kind, query in queries:
            tops = {}
            for backend in backends if round_ % 2 == 0 else list(backends)[::-1]:
                elapsed, data = ask(backend, query)
                timings[backend].append(elapsed)
                this_round[backend].append(elapsed)
                slowest[backend][query] = max(slowest[backend].get(query, 0.0), elapsed)
                by_kind[backend].setdefault(kind, []).append(elapsed)
                if round_ == 0:
                    found[backend] += bool(data["results"])
                    tops[backend] = data["results"][0]["title"] if data["results"] else None
            if round_ == 0 and tops["elasticsearch"] == tops["database"]:
                same_top += 1

    def stats(values: list[float]) -> dict:
        return {
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "max_ms": round(max(values), 1),
        }

    result = {
        "queries": len(queries),
        "rounds": args.rounds,
        "mix": MIX,
        "backends": {b: stats(v) for b, v in timings.items()},
        "per_round": [{b: stats(v) for b, v in r.items()} for r in per_round],
        "slowest": {
            b: [
                {"query": q, "max_ms": round(ms, 1)}
                for q, ms in sorted(v.items(), key=lambda qm: -qm[1])[:10]
            ]
            for b, v in slowest.items()
        },
        "by_kind": {b: {k: stats(v) for k, v in kinds.items()} for b, kinds in by_kind.items()},
        "queries_with_results": found,
        "same_top_result": same_top,
        "sample": [q for _, q in queries[::20]],
    }
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
