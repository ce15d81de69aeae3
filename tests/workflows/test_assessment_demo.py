"""The demo assessment: 江州区's 2025 campaign walked through the flow and published; 2026 ready."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from viewflow.workflow.status import PROCESS

from demo import assessment as demo_assessment
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING, village_codes
from tests.factories import AdviserFactory
from tests.workflows.assessment_helpers import as_user, township_user
from tests.workflows.people import adviser_user, committee_user, ensure_groups, staff_user
from workflows.assessment.models import Assessment, Campaign


def test_the_demo_campaign_is_published_and_the_next_is_ready(divisions, make_contract, client):
    from backoffice.roles import COUNTY_BUREAU

    ensure_groups()
    start = dt.date(2024, 9, 1)
    buzhai = AdviserFactory(name="韦卜寨", is_demo=True)
    make_contract(buzhai, BUZHAI, start_date=start, end_date=dt.date(2026, 8, 31))
    adviser = AdviserFactory(is_demo=True)
    for code in [c for c in village_codes(TAIPING, 4) if c != BUZHAI][:3]:
        make_contract(adviser, code, start_date=start, end_date=dt.date(2026, 8, 31))
    adviser_user("buzhai_adviser", buzhai)
    staff_user("jiangzhou_bureau", COUNTY_BUREAU, scope=JIANGZHOU)
    committee_user("buzhai_committee", BUZHAI)
    township_user()
    get_user_model().objects.create_superuser("admin", password="x")  # noqa: S106 -- test account

    messages = list(demo_assessment.load_assessment_demo())
    assert any("published" in m for m in messages), messages
    campaign = Campaign.objects.get(year=2025, county_id=JIANGZHOU)
    assert campaign.state == Campaign.State.PUBLISHED and campaign.is_demo
    assessments = Assessment.objects.filter(campaign=campaign)
    assert assessments.count() == 4
    assert all(a.status == PROCESS.DONE and a.grade and a.recommendation for a in assessments)
    assert Campaign.objects.get(year=2026, county_id=JIANGZHOU).state == Campaign.State.DRAFT

    page = client.get(f"/directory/{JIANGZHOU}/assessment/2025/")
    assert page.status_code == 200 and "韦卜寨" in page.content.decode()
    # The bureau's dashboard shows it; loading again changes nothing.
    bureau = get_user_model().objects.get(username="jiangzhou_bureau")
    assert as_user(bureau).get(f"/admin/workflows/assessment/{campaign.pk}/").status_code == 200
    assert any("already" in m for m in demo_assessment.load_assessment_demo())
    assert Assessment.objects.count() == 4
