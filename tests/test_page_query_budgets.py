"""Query budgets of the four pages the load benchmark measures uncached (issue 9).

Rendered in full here (the test settings switch the page cache and its fragments off, and look the
site and its settings up on every request), so each budget is what a page costs on a cold miss:
a fixed number of queries whatever the number of villages, lectures, articles or images. The
budgets are today's counts, so a change that adds a query per page fails here first.
"""

from __future__ import annotations

import pytest

from tests.conftest import BUZHAI, TAIPING
from tests.content_helpers import make_article, make_image, make_lecture
from tests.factories import AdviserFactory, LiaisonFactory, RoomFactory

BUDGETS = {"village": 9, "township": 5, "article": 14, "home": 11}


@pytest.fixture
def shown(divisions, make_contract):
    """A covered village with a photo, a liaison, a room and lectures; articles with pictures."""
    photo = make_image("顾问照片", size=(480, 640))
    for code in (BUZHAI, "451402001202", "451402001203"):
        make_contract(AdviserFactory(photo=photo, mobile_consent=True), code)
    LiaisonFactory(village_id=BUZHAI)
    RoomFactory(village_id=BUZHAI)
    for days in (2, 5, 9):
        make_lecture(BUZHAI, days=days)
        make_lecture(TAIPING, days=days + 1)
    figure = make_image("插图")
    body = [
        ("paragraph", "<p>第一段。</p>"),
        ("image", {"image": {"image": figure, "decorative": False, "alt_text": "插图"}, "caption": "图"}),
    ]
    articles = [make_article(cover_image=make_image(f"封面{n}"), body=body) for n in range(5)]
    return {
        "village": f"/directory/{BUZHAI}/",
        "township": f"/directory/{TAIPING}/",
        "article": articles[0].url,
        "home": "/",
    }


# Not called `page`: that is pytest-playwright's fixture, and the name alone would make these
# browser tests, reordered among the flushing live-server tests.
@pytest.mark.parametrize("which", sorted(BUDGETS))
def test_each_page_stays_within_its_query_budget(client, shown, which, django_assert_max_num_queries):
    url = shown[which]
    assert client.get(url).status_code == 200  # process-wide lookups (URL patterns, content types)
    with django_assert_max_num_queries(BUDGETS[which]):
        response = client.get(url)
    assert response.status_code == 200
