"""The Content-Security-Policy in a real browser: public pages break no rule, their script runs.

The other browser tests bypass the CSP (axe-core is injected as a script). These open a context
that enforces it and collect every violation twice: from the `securitypolicyviolation` events the
page fires (an init script, which the policy does not govern) and from Chromium's console
("Refused to load / execute / apply ...").
"""

from __future__ import annotations

import re
from itertools import chain

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.conftest import BUZHAI, TAIPING

from .test_articles_lectures import content  # noqa: F401 -- the articles-and-lectures fixture

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
"""


@pytest.fixture
def csp_page(browser, browser_context_args):
    """A page whose context enforces the CSP, with the violations it records and logs."""
    context = browser.new_context(**{**browser_context_args, "bypass_csp": False})
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    page.csp_console = console  # type: ignore[attr-defined]
    yield page
    context.close()


def violations(page: Page) -> list[str]:
    recorded = page.evaluate("window.__cspViolations || []")
    return [*recorded, *page.csp_console]  # type: ignore[attr-defined]


def build_search_index() -> None:
    from search import dbindex, documents

    dbindex.rebuild(chain(documents.all_village_docs(), documents.all_docs_except_villages()))


def test_public_pages_break_no_rule_of_the_policy(csp_page: Page, content):  # noqa: F811 -- the fixture
    build_search_index()
    article, lecture = content["article"], content["lecture"]
    paths = [
        "/",
        "/?q=卜寨",
        "/directory/",
        f"/directory/{TAIPING}/",
        f"/directory/{BUZHAI}/",
        f"/advisers/{content['lecture'].speaker_id}/",
        "/articles/",
        article.url,
        "/lectures/",
        f"/lectures/{lecture.pk}/",
        "/search/?q=卜寨",
        "/directory/999999999999/",
    ]
    found = {}
    for path in paths:
        response = csp_page.goto(path)
        assert response is not None and response.status < 500, path
        assert "script-src 'self'" in (response.header_value("content-security-policy") or ""), path
        csp_page.wait_for_load_state("load")
        if problems := violations(csp_page):
            found[path] = problems
        csp_page.csp_console.clear()  # type: ignore[attr-defined]
    assert not found, found
    # The images of the article (renditions from the media path) did load under the policy.
    csp_page.goto(article.url)
    loaded = csp_page.locator(".article-body picture img").evaluate(
        "img => img.complete && img.naturalWidth > 0"
    )
    assert loaded


def test_the_search_suggestions_script_runs_under_the_policy(csp_page: Page, buzhai_adviser):
    build_search_index()
    csp_page.goto("/search/")
    box = csp_page.get_by_role("combobox")
    box.press_sequentially("卜寨", delay=50)
    listbox = csp_page.get_by_role("listbox", name="搜索建议")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option").filter(has_text="卜寨村委会").first).to_be_visible()
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-expanded", "true")
    assert not violations(csp_page)


def test_a_breach_of_the_policy_would_be_seen(csp_page: Page, portal):
    """The check can fail: an inline script on a public page is blocked and recorded."""
    csp_page.goto("/directory/")
    csp_page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    csp_page.wait_for_function("window.__cspViolations.length > 0")
    assert csp_page.evaluate("window.ran") is None
    assert any("script-src" in v for v in violations(csp_page))


def test_the_back_office_works_under_its_own_policy(csp_page: Page, buzhai_adviser):
    """The admin's policy allows Wagtail's inline scripts: its pages run without a violation."""
    get_user_model().objects.create_superuser("csp_admin", "csp@example.cn", "Csp-admin-12348")
    csp_page.goto("/admin/login/")
    csp_page.get_by_label("用户名").fill("csp_admin")
    csp_page.get_by_label("密码").fill("Csp-admin-12348")
    csp_page.get_by_role("button", name=re.compile("登录")).click()
    expect(csp_page).to_have_url(re.compile(r"/admin/$"))
    found = {}
    for path in [
        "/admin/",
        "/admin/pages/",
        "/admin/images/",
        "/admin/users/",
        "/admin/workflows/",
        "/admin/coverage/",
    ]:
        response = csp_page.goto(path)
        assert response is not None and response.status < 500, path
        csp_page.wait_for_load_state("load")
        if problems := violations(csp_page):
            found[path] = problems
        csp_page.csp_console.clear()  # type: ignore[attr-defined]
    assert not found, found
