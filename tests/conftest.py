"""Shared fixtures: the demo divisions in the test database, and small factories."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from places.importer import import_divisions
from places.models import Division

DEMO_DIVISIONS = Path(__file__).resolve().parents[1] / "demo" / "divisions"
IN_CI = os.environ.get("CI") == "true"

BUZHAI = "451402001201"  # 江州区太平街道卜寨村委会
TAIPING = "451402001"  # 江州区太平街道 (30+ villages)
JIANGZHOU = "451402"


def ensure_demo_divisions() -> None:
    """Load the 崇左/城北 slice unless it is there (transactional tests flush it)."""
    if not Division.objects.filter(code=BUZHAI).exists():
        import_divisions([DEMO_DIVISIONS])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_demo_divisions()


@pytest.fixture(autouse=True)
def _empty_local_caches():
    """Each test starts with empty in-process caches: what one test's pages cached (coverage
    counts, Wagtail's site root paths) must not answer for another test's data."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    for cache in caches.all(initialized_only=True):
        if isinstance(cache, LocMemCache):
            cache.clear()
    yield


@pytest.fixture
def divisions(db):
    ensure_demo_divisions()
    return Division.objects


@pytest.fixture
def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def require_redis(url: str) -> None:
    """Skip outside CI when Redis does not answer at `url`; in CI that is a failure."""
    message = f"needs Redis and the redis package: start redis-server or set CACHE_URL=redis://… ({url})"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def require_postgres() -> None:
    """Skip outside CI when the database is not PostgreSQL; in CI that is a failure."""
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL: run .ci/postgres-up and set DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def make_contract(divisions, today):
    """Create a contract through the model (so the rules run), with sensible defaults."""
    from advisers.models import ServiceContract

    def make(adviser, village_code: str, **kwargs) -> ServiceContract:
        values = {
            "start_date": today - dt.timedelta(days=30),
            "end_date": today + dt.timedelta(days=335),
            "annual_fee": Decimal("3000"),
            "status": ServiceContract.Status.ACTIVE,
        }
        values.update(kwargs)
        contract = ServiceContract(adviser=adviser, village_id=village_code, **values)
        contract.save()
        return contract

    return make


def village_codes(prefix: str, count: int) -> list[str]:
    return list(
        Division.objects.villages().within(prefix).order_by("code").values_list("code", flat=True)[:count]
    )


@pytest.fixture
def people(divisions, make_contract, today):
    """The demo's roles as accounts, built as the back office builds them (tests/workflows/people.py)."""
    from tests.workflows.people import make_people

    return make_people(make_contract, today)


@pytest.fixture
def contract(people):
    """The 卜寨村 adviser's contract in force (one fixture per concept: contract, entry, filing)."""
    from advisers.models import ServiceContract

    return ServiceContract.objects.get(adviser=people.adviser, village_id=BUZHAI)


@pytest.fixture
def ledger_entry(people):
    """An hour of off-site work the 卜寨村 adviser recorded yesterday (tests/factories.py)."""
    from tests.factories import LedgerEntryFactory

    return LedgerEntryFactory(adviser=people.adviser, village_id=BUZHAI, created_by=people.adviser_user)


@pytest.fixture
def fee_filing(people):
    """A waiver the 卜寨村 adviser filed through the engine, waiting in the county's review queue."""
    from tests.factories import FeeFilingFactory

    return FeeFilingFactory(user=people.adviser_user)


def pytest_collection_modifyitems(config, items) -> None:
    """Refuse a Playwright test outside tests/browser/.

    pytest-playwright parametrizes every test whose arguments reach its fixtures (an argument
    merely named `page` does), and pytest then runs such tests among the live-server tests,
    after the flushes that empty the database: a database test there finds no site.
    """
    strays = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(getattr(item, "callspec", None), "params", {})
        and not item.nodeid.startswith("tests/browser/")
    ]
    if strays:
        raise pytest.UsageError(
            "Playwright fixtures outside tests/browser/ (rename the argument or move the test): "
            + ", ".join(strays[:5])
        )
