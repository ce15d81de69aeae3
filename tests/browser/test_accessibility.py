"""WCAG 2.1 A/AA checks with axe-core on every kind of public page, at phone size.

Only serious and critical violations fail the test: those stop someone from using the page
(unreadable contrast, unnamed controls, missing document language).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.conftest import BUZHAI, JIANGZHOU, TAIPING

from .conftest import UNCOVERED

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


# Finite CSS transitions and animations still running (Wagtail fades its messages in by animating
# the opacity of their list). Measured mid-fade, text is blended with the page behind it and axe
# reports a contrast the settled page does not have. Endless animations (spinners) are ignored.
SETTLING = """() => document.getAnimations().every(
    a => a.playState !== 'running' || a.effect.getComputedTiming().endTime === Infinity)"""


def axe_violations(page: Page, axe_js) -> list[dict]:
    """Serious and critical violations once the page has settled."""
    page.wait_for_function(SETTLING)
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"{v['id']} [{v['impact']}] {v['help']}: {'; '.join(targets)}{more}")
        lines += [
            f"  {node.get('failureSummary', '')} {node.get('html', '')[:200]}" for node in v["nodes"][:3]
        ]
    return "\n".join(lines)


def assert_accessible(page: Page, axe_js, path: str, expected_status: int = 200) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == expected_status, f"{path} answered {response.status}"
    violations = axe_violations(page, axe_js)
    assert not violations, f"axe found on {path}:\n{describe(violations)}"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="home"),
        pytest.param("/?q=卜寨", id="home-results"),
        pytest.param("/?q=村委会", id="home-many-results"),
        pytest.param("/?q=不存在的村", id="home-no-results"),
        pytest.param("/directory/", id="directory"),
        pytest.param(f"/directory/{JIANGZHOU}/", id="county"),
        pytest.param(f"/directory/{TAIPING}/", id="township"),
        pytest.param(f"/directory/{BUZHAI}/", id="covered-village"),
        pytest.param(f"/directory/{UNCOVERED}/", id="uncovered-village"),
    ],
)
def test_public_page_has_no_serious_violations(page: Page, axe_js, buzhai_adviser, path):
    assert_accessible(page, axe_js, path)


def test_adviser_page_has_no_serious_violations(page: Page, axe_js, buzhai_adviser):
    assert_accessible(page, axe_js, f"/advisers/{buzhai_adviser.pk}/")


def test_not_found_page_has_no_serious_violations(page: Page, axe_js, portal):
    assert_accessible(page, axe_js, "/directory/451402999999/", expected_status=404)


def test_axe_check_reports_what_it_finds(page: Page, axe_js):
    """The harness itself: a page with known faults must fail, with rule ids and targets."""
    page.set_content('<html><body><img src="x.png"><p style="color:#bbb">浅色文字</p></body></html>')
    report = describe(axe_violations(page, axe_js))
    assert "image-alt [critical]" in report
    assert "color-contrast [serious]" in report
    assert "html-has-lang [serious]" in report
