"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live server.

Everything here runs on a phone-sized viewport (390×844) in Chinese. The live server needs a
transactional database, which is flushed after every test: each test builds what it needs
(divisions, the Wagtail home page and default site, advisers) so that the tests pass in any order.

Outside CI a missing Chromium or axe-core skips the tests with the command that installs it; in
CI (CI=true) that is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.conftest import BUZHAI, IN_CI, JIANGZHOU, ensure_demo_divisions

# Playwright's sync API runs an event loop in this thread, so Django refuses ORM calls from the
# test unless told that this is deliberate. The live server runs in its own thread regardless.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / ".cache" / "screenshots"
VIEWPORT = {"width": 390, "height": 844}

# Without the networking flags Chromium calls home (updates, sync, QUIC probes) and fails noisily
# on machines without internet access.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The live server shares two cores with PostgreSQL, Elasticsearch and Chromium; on a busy CI
# machine a back-office page may take longer than Playwright's default 5 s wait to settle.
# Waiting longer changes no expectation, only how long a failure takes to be reported.
expect.set_options(timeout=15_000)

ADVISER_NAME = "韦卜寨"
ADVISER_MOBILE = "138 0771 2345"
ADVISER_MOBILE_DIALLED = "13807712345"
UNCOVERED = "451402001202"  # 江州区太平街道公益村委会: nobody is ever contracted for it here


def missing(message: str) -> None:
    """Skip when a tool is not installed; in CI that is a failure."""
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} not found: apt-get install chromium fonts-wqy-microhei")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "zh-CN", "bypass_csp": True}


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Relative URLs in page.goto() go to the live server."""
    return live_server.url


@pytest.fixture(scope="session")
def axe_js() -> Path:
    if not AXE_JS.exists():
        missing(f"{AXE_JS.relative_to(ROOT)} not found: run `npm ci` (or `make browser-deps`)")
    return AXE_JS


def ensure_home_site() -> None:
    """The Wagtail root page, home page and default site, as the migrations create them.

    A transactional test flushes every table, including the pages and site created by
    content/migrations/0002_home_page.py, so a later test would find `/` gone.
    """
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page, Site

    from content.models import HomePage

    if Site.objects.filter(is_default_site=True, root_page__content_type__model="homepage").exists():
        return
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(
            instance=HomePage(
                title="一村(社区)一法律顾问",
                slug="home",
                heading="找到您村(社区)的法律顾问",
                intro="每个村(社区)都有一名律师或基层法律服务工作者担任法律顾问，为村(居)民解答法律问题、参与调解、开展普法。",
            )
        )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": "一村(社区)一法律顾问",
        },
    )


def ensure_chongzuo_bureaus() -> None:
    """The site as 崇左市司法局 runs it: its name, its area, and 江州区司法局's contact."""
    from wagtail.models import Site

    from advisers.models import CountyBureau
    from sites.models import JurisdictionSettings

    jurisdiction = JurisdictionSettings.for_site(Site.objects.get(is_default_site=True))
    jurisdiction.bureau_name = "崇左市司法局"
    jurisdiction.area_codes = "4514"
    jurisdiction.save()
    CountyBureau.objects.update_or_create(
        county_id=JIANGZHOU,
        defaults={"name": "江州区司法局", "phone": "0771-7830348", "address": "江州区石景林路8号"},
    )


@pytest.fixture
def portal(live_server, transactional_db):
    """The public site with the demo divisions, ready for a browser; returns the live server."""
    ensure_demo_divisions()
    ensure_home_site()
    ensure_chongzuo_bureaus()
    # Cached coverage figures and Wagtail's site root paths may describe an earlier test's rows.
    cache.clear()
    return live_server


@pytest.fixture
def buzhai_adviser(portal, make_contract):
    """卜寨村委会 with an adviser who consented to publish her mobile, a schedule and a liaison."""
    from tests.factories import AdviserFactory, LiaisonFactory, RoomFactory, ScheduleFactory

    adviser = AdviserFactory(
        name=ADVISER_NAME,
        mobile=ADVISER_MOBILE,
        mobile_consent=True,
        firm__name="广西崇左法顺律师事务所",
    )
    contract = make_contract(adviser, BUZHAI)
    ScheduleFactory(contract=contract)
    LiaisonFactory(village_id=BUZHAI, name="黄联络", phone="139 0771 0000", phone_consent=True)
    RoomFactory(village_id=BUZHAI, address="卜寨屯村委会办公楼一楼", opening_hours="工作日 9:00–17:00")
    cache.clear()
    return adviser


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
