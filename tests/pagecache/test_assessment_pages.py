"""Publishing an assessment reaches the cached adviser page and the publication at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.conftest import JIANGZHOU
from workflows.assessment import services
from workflows.assessment.models import Assessment, Campaign

pytestmark = pytest.mark.usefixtures("pagecache_on")


def fetch(client, url: str) -> tuple[str, str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), response.get("X-Page-Cache", "")


def test_publishing_refreshes_the_adviser_page_and_the_results(client, people, today, committed):
    campaign = services.launch(people.bureau, [JIANGZHOU], today.year)[0]
    Assessment.objects.filter(campaign=campaign).update(
        stage=Assessment.Stage.DONE, grade="excellent", recommendation="continue"
    )
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.CLOSED)
    adviser_url = f"/advisers/{people.adviser.pk}/"
    fetch(client, adviser_url)
    html, state = fetch(client, adviser_url)
    assert state == "hit" and "年度考评" not in html
    with committed():
        services.publish(people.bureau, Campaign.objects.get(pk=campaign.pk))
    html, state = fetch(client, adviser_url)
    assert state != "hit" and f"{today.year}年度考评：优秀" in html
    public = f"/directory/{JIANGZHOU}/assessment/{today.year}/"
    fetch(client, public)
    html, state = fetch(client, public)
    assert state == "hit" and "优秀" in html
    # A change of an adviser's public details reaches the publication too.
    with committed():
        people.adviser.name = "韦新名"
        people.adviser.save()
    html, state = fetch(client, public)
    assert state != "hit" and "韦新名" in html
    cache.clear()
