"""Every admin menu entry of every demo role, in Chinese and without a 500 (issue 11).

The walk logs in as each account that demo/accounts.py creates, follows every sidebar menu item the
role sees (submenus included), and on each listing opens the first add, edit and inspect page it
links to. Each page must answer below 500 and show no Latin word outside ALLOWED: a word the admin
shows in English is a msgid that neither Wagtail's nor Django's zh_Hans catalog translates, and it
belongs in locale/zh_Hans/upstream.po (scripts/update_catalog.sh merges it into our catalog).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from wagtail.admin.menu import SubmenuMenuItem, admin_menu

from demo.accounts import load_demo_accounts
from ledger.models import LedgerEntry
from tests.conftest import BUZHAI
from tests.content_helpers import make_article, make_image

# Latin words that are right in a Chinese admin: names of formats, units, brands and codes.
ALLOWED = {
    "PDF", "XLSX", "CSV", "JSON", "URL", "ID", "Wagtail", "HTML", "API", "QR", "GB", "MB", "KB",
    "px", "PNG", "JPG", "JPEG", "GIF", "WEBP", "SVG", "AVIF", "HEIC", "SEO", "RSS", "TOTP", "OK", "Email",
    "email", "http", "https", "www", "admin", "Tab", "Enter", "Esc", "Shift", "Ctrl", "Alt", "Cmd",
    "alt", "Markdown", "DOCX", "ICO", "Twitter", "WeChat", "Elasticsearch", "Redis", "PostgreSQL",
    "SQLite", "UTC", "GMT", "CST", "AM", "PM", "Excel", "Word", "WPS",
}  # fmt: skip
# Identifiers and addresses are data, not interface text: usernames, e-mail addresses, file names.
DATA = re.compile(
    r"\S*(?:[_@/\\]|\.[a-z]{2,4}\b)\S*|\b[a-z0-9]+(?:-[a-z0-9]+)+\b|\b[a-z]+\.[a-z]+\b|\b\d+\.\d+\.\d+\b"
)
WORD = re.compile(r"[A-Za-z]{2,}")
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-w-tooltip-content-value")
SKIP_LINK = re.compile(r"logout|/delete/|/unpublish/|/copy/|/move/|/export|\.csv|\.xlsx|\.pdf|format=|/2fa/")
FOLLOW = re.compile(r"/(?:add|new|create)/$|/edit/\d+/$|/\d+/edit/$|/inspect/\d+/$|/pages/\d+/edit/$")


class VisibleText(HTMLParser):
    """Text a user reads: text nodes outside scripts and styles, and the attributes that show."""

    HIDDEN = {"script", "style", "template", "noscript", "svg"}

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.open: list[tuple[str, bool]] = []  # (tag, hides its content) of the open elements
        self.chunks: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        hides = tag in self.HIDDEN or "hidden" in attributes
        if tag not in self.VOID:
            self.open.append((tag, hides))
            self.depth += hides
        if self.depth or hides:
            return
        for name in ATTRIBUTES:
            if attributes.get(name):
                self.chunks.append(attributes[name])
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.chunks.append(attributes["value"])

    def handle_endtag(self, tag):
        # Close up to the matching open element (browsers forgive a missing end tag).
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                self.depth -= sum(hides for _tag, hides in self.open[index:])
                del self.open[index:]
                break

    def handle_data(self, data):
        if not self.depth and data.strip():
            self.chunks.append(" ".join(data.split()))


def latin_words(text: str, data: frozenset[str] = frozenset()) -> list[str]:
    """The Latin words of `text` that are interface text rather than data or allowed names."""
    return [
        w
        for w in WORD.findall(DATA.sub(" ", text))
        if w not in ALLOWED and w.upper() not in ALLOWED and w not in data
    ]


def untranslated(html: str, data: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """(visible chunks with an English word, links) of a page; `data` are words the records hold."""
    parser = VisibleText()
    parser.feed(html)
    bad = sorted({chunk for chunk in parser.chunks if latin_words(chunk, data)})
    return bad, parser.links


def record_words() -> frozenset[str]:
    """Latin words that records hold (usernames, slugs, host names): data, not interface text."""
    from wagtail.models import Site

    from content.models import ArticleCategory

    values = list(get_user_model().objects.values_list("username", flat=True))
    values += list(ArticleCategory.objects.values_list("slug", flat=True))
    values += list(Site.objects.values_list("hostname", flat=True))
    return frozenset(w for value in values for w in WORD.findall(value))


def menu_urls(user) -> list[tuple[str, str]]:
    """(label, url) of every sidebar entry `user` sees, submenus flattened."""
    request = RequestFactory().get("/admin/")
    request.user = user
    found: list[tuple[str, str]] = []

    def walk(items):
        for item in items:
            if isinstance(item, SubmenuMenuItem):
                walk(item.menu.menu_items_for_request(request))
            elif item.url and item.url.startswith("/admin/"):
                found.append((str(item.label), item.url))

    walk(admin_menu.menu_items_for_request(request))
    return found


@pytest.fixture
def demo_admin(world, today):
    """The world's records, an article and an image, a ledger entry, and the demo accounts."""
    list(load_demo_accounts())
    make_image("卜寨村普法讲座")
    make_article()
    entry = LedgerEntry(
        adviser=world.advisers[BUZHAI],
        village_id=BUZHAI,
        date=today - dt.timedelta(days=2),
        kind=LedgerEntry.Kind.ON_DUTY,
        hours=Decimal("3"),
        summary="驻点值班。",
    )
    entry.full_clean()
    entry.save()
    return get_user_model().objects.order_by("username")


def walk_role(user, data: frozenset[str]) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Open each menu entry of `user` and the first add/edit/inspect page of each; return the
    untranslated text per URL and the URLs that answered 500 or more."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    problems: dict[str, list[str]] = {}
    errors: dict[str, int] = {}
    seen: set[str] = set()

    def visit(url: str, follow_links: bool) -> None:
        if url in seen:
            return
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500:
            errors[url] = response.status_code
            return
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return
        bad, links = untranslated(response.content.decode(), data)
        if bad:
            problems[url] = bad
        if not follow_links:
            return
        kinds: set[str] = set()
        for link in links:
            path = link.split("?")[0].split("#")[0]
            if not path.startswith("/admin/") or SKIP_LINK.search(link) or not FOLLOW.search(path):
                continue
            kind = FOLLOW.search(path).group(0).split("/")[1] if "/edit/" not in path else "edit"
            kind = re.sub(r"\d+", "", kind) or "edit"
            if kind in kinds:
                continue
            kinds.add(kind)
            visit(path, follow_links=False)

    visit("/admin/", follow_links=False)
    for _label, url in menu_urls(user):
        visit(url, follow_links=True)
    return problems, errors


def walk_report(users) -> list[str]:
    data = record_words()
    report: list[str] = []
    for user in users:
        problems, errors = walk_role(user, data)
        report += [f"{user.username} {url}: HTTP {status}" for url, status in errors.items()]
        report += [
            f"{user.username} {url}: {chunk!r}" for url, chunks in problems.items() for chunk in chunks
        ]
    return report


@pytest.mark.django_db
def test_every_menu_entry_of_every_demo_role_is_in_chinese_and_opens(demo_admin):
    users = list(demo_admin)
    assert {"admin", "city_bureau", "jiangzhou_bureau", "buzhai_committee", "editor", "reviewer"} <= {
        u.username for u in users
    }
    report = walk_report(users)
    assert not report, "\n".join(report)


def test_the_check_finds_english_and_leaves_data_alone():
    bad, _links = untranslated(
        '<p>New: 回避记录</p><input placeholder="Search all pages…"><p>jiangzhou_bureau</p>'
        "<p>导出 XLSX、PDF</p><p>a@example.invalid</p><script>var x = 'English';</script>"
        '<p>content.homepage</p><p>editor</p><td title="True"></td><div hidden><b>None</b></div>',
        frozenset({"editor"}),
    )
    assert bad == ["New: 回避记录", "Search all pages…", "True"]


@pytest.mark.django_db
def test_the_walk_fails_without_our_catalog(demo_admin, settings):
    """Proof that the walk can fail: with Wagtail's zh_Hans catalog alone (LOCALE_PATHS empty),
    the admin shows Wagtail's untranslated msgids, "New: 法律顾问" among them."""
    settings.LOCALE_PATHS = []
    report = walk_report([demo_admin.get(username="city_bureau")])
    assert any("New: 法律顾问" in line for line in report), report
