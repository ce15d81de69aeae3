"""Scope, launching once, all-or-nothing bulk start, the city's launch, and the public page's 404s."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from viewflow.workflow.models import Task

from backoffice.models import ProgrammeLogEntry
from backoffice.roles import CITY_BUREAU
from tests.conftest import JIANGZHOU
from tests.factories import AdviserFactory
from tests.workflows.assessment_helpers import (
    as_user,
    claim,
    indicator_pk,
    launch,
    submit,
    task_of,
    township_user,
)
from tests.workflows.people import FUSUI, staff_user
from workflows.assessment import services
from workflows.assessment.flow import AssessmentFlow
from workflows.assessment.models import Assessment, Campaign, EvidenceFile
from workflows.models import ScopedProcess, StepRecord

NINGMING = "451422"


@pytest.fixture
def year(today) -> int:
    return today.year


def test_another_countys_processes_are_404_at_every_step(people, year):
    from django.core.files.uploadedfile import SimpleUploadedFile

    township = township_user()
    other_township = township_user("fusui_office", scope=FUSUI + "100")
    bureau = as_user(people.bureau)
    launch(bureau, year)
    assessment = Assessment.objects.get()
    campaign = assessment.campaign
    strangers = [
        as_user(people.other_bureau),
        as_user(people.other_adviser_user),
        as_user(people.other_committee),
        as_user(other_township),
    ]

    def refused_everywhere():
        task = task_of(assessment)
        for client in strangers:
            assert client.get(f"/admin/workflows/tasks/{task.pk}/").status_code == 404
            assert client.post(f"/admin/workflows/tasks/{task.pk}/", {"opinion": "x"}).status_code == 404
            assert client.post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 404
            assert client.get(f"/admin/workflows/processes/{assessment.pk}/").status_code == 404
            queue = client.get("/admin/workflows/").content.decode()
            assert f"/admin/workflows/tasks/{task.pk}/" not in queue
        return task

    adviser = as_user(people.adviser_user)
    task = refused_everywhere()
    submit(
        adviser,
        task,
        {"summary": "述职。", f"score_{indicator_pk(campaign, 'self_report')}": "5"},
        {"files": SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")},
    )
    evidence = EvidenceFile.objects.get()
    url = f"/admin/workflows/assessment/processes/{assessment.pk}/evidence/{evidence.pk}/"
    assert as_user(people.bureau).get(url).status_code == 200
    for client in strangers:
        assert client.get(url).status_code == 404
    committee = as_user(people.committee)
    task = refused_everywhere()
    claim(committee, task)
    submit(
        committee,
        task,
        {
            "opinion": "好。",
            f"score_{indicator_pk(campaign, 'committee_opinion')}": "15",
            f"score_{indicator_pk(campaign, 'responsiveness')}": "10",
            "questionnaires": "10",
            "satisfied": "10",
            "basically": "0",
            "not_satisfied": "0",
        },
    )
    task = refused_everywhere()
    claim(as_user(township), task)
    submit(
        as_user(township), task, {"opinion": "同意。", f"score_{indicator_pk(campaign, 'notice_board')}": "5"}
    )
    task = refused_everywhere()
    # The campaign's pages too.
    other = as_user(people.other_bureau)
    for path in ("", "close/", "publish/", "export.xlsx"):
        method = other.get if path in ("", "export.xlsx") else other.post
        assert method(f"/admin/workflows/assessment/{campaign.pk}/{path}").status_code == 404
    # The committee cannot do the bureau's scoring, even though it sees its village's process.
    assert as_user(people.committee).post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 403
    task.refresh_from_db()
    assert task.owner_id is None


def test_launching_twice_for_a_county_and_year_is_refused(people, year):
    bureau = as_user(people.bureau)
    assert launch(bureau, year).status_code == 302
    response = launch(bureau, year)
    assert response.status_code == 302 and response["Location"] == "/admin/workflows/assessment/"
    follow = bureau.get(response["Location"]).content.decode()
    assert "不能重复发起" in follow
    assert Campaign.objects.count() == 1 and Assessment.objects.count() == 1
    with pytest.raises(ValidationError):
        services.launch(people.bureau, [JIANGZHOU], year)
    assert Assessment.objects.count() == 1


def test_a_bureau_cannot_launch_another_county(people, year):
    with pytest.raises(PermissionError):
        services.launch(people.other_bureau, [JIANGZHOU], year)
    response = launch(as_user(people.other_bureau), year, county=JIANGZHOU)
    assert response.status_code == 302
    assert not Campaign.objects.exists()


def test_a_failure_during_the_bulk_start_leaves_nothing(people, make_contract, year, monkeypatch):
    for index, code in enumerate(["451402001202", "451402001203", "451402001204"]):
        make_contract(AdviserFactory(name=f"顾问{index}"), code)
    original = AssessmentFlow.prepare
    calls = []

    def failing(self, activation, user, **row):
        calls.append(row["contract"].pk)
        if len(calls) == 3:
            raise ValidationError("database said no")
        return original(self, activation, user, **row)

    monkeypatch.setattr(AssessmentFlow, "prepare", failing)
    before = (Task.objects.count(), StepRecord.objects.count(), ProgrammeLogEntry.objects.count())
    with pytest.raises(ValidationError):
        services.launch(people.bureau, [JIANGZHOU], year)
    assert len(calls) == 3
    assert not Campaign.objects.exists()
    assert not Assessment.objects.exists() and not ScopedProcess.objects.exists()
    assert (Task.objects.count(), StepRecord.objects.count(), ProgrammeLogEntry.objects.count()) == before
    # Once the cause is gone the launch goes through, every contract once.
    monkeypatch.setattr(AssessmentFlow, "prepare", original)
    services.launch(people.bureau, [JIANGZHOU], year)
    assert Assessment.objects.count() == 4


def test_the_city_launches_several_counties_at_once_all_or_nothing(people, make_contract, year):
    city = staff_user("city_bureau", CITY_BUREAU, scope="4514")
    make_contract(AdviserFactory(name="宁明顾问"), "451422100001")
    # 扶绥 has a contract too (people.other_adviser); 江州 already launched refuses the whole lot.
    services.launch(people.bureau, [JIANGZHOU], year)
    with pytest.raises(ValidationError):
        services.launch(city, [JIANGZHOU, NINGMING, FUSUI], year)
    assert Campaign.objects.count() == 1
    campaigns = services.launch(city, [NINGMING, FUSUI], year)
    assert {c.county_id for c in campaigns} == {NINGMING, FUSUI}
    assert Assessment.objects.filter(campaign__county_id=FUSUI).count() == 1
    # The city sees the report of its counties.
    page = as_user(city).get(f"/admin/workflows/assessment/report/?year={year}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "江州区" in html and "宁明县" in html and "扶绥县" in html


@pytest.mark.parametrize(
    "path",
    [
        "/directory/451402/assessment/2025/",
        "/directory/4514/assessment/2025/",
        "/directory/451402/assessment/abcd/",
        "/directory/451402/assessment/20251/",
        "/directory/xyz/assessment/2025/",
        "/directory/999999/assessment/2025/",
    ],
)
def test_the_public_page_is_404_without_a_published_campaign(client, divisions, path):
    response = client.get(path)
    assert response.status_code == 404


def test_a_launched_campaign_is_not_public(client, people, year):
    services.launch(people.bureau, [JIANGZHOU], year)
    assert client.get(f"/directory/{JIANGZHOU}/assessment/{year}/").status_code == 404
    campaign = Campaign.objects.get()
    with pytest.raises(ValidationError):
        services.publish(people.bureau, campaign)
    with pytest.raises(ValidationError):
        services.close(people.bureau, campaign)  # the assessment is still open
    assert client.get(f"/directory/{JIANGZHOU}/assessment/{year}/").status_code == 404


def test_a_future_year_is_refused(people, year):
    with pytest.raises(ValidationError):
        services.launch(people.bureau, [JIANGZHOU], year + 1)


def test_another_sites_area_does_not_publish_it(client, people, year):
    from django.utils import timezone
    from wagtail.models import Site

    from sites.models import JurisdictionSettings

    campaign = services.launch(people.bureau, [JIANGZHOU], year)[0]
    Assessment.objects.filter(campaign=campaign).update(stage=Assessment.Stage.DONE, grade="qualified")
    Campaign.objects.filter(pk=campaign.pk).update(
        state=Campaign.State.PUBLISHED, published_at=timezone.now()
    )
    url = f"/directory/{JIANGZHOU}/assessment/{year}/"
    assert client.get(url).status_code == 200
    jurisdiction = JurisdictionSettings.for_site(Site.objects.get(is_default_site=True))
    JurisdictionSettings.objects.filter(pk=jurisdiction.pk).update(area_codes="630105")
    assert client.get(url).status_code == 404
    JurisdictionSettings.objects.filter(pk=jurisdiction.pk).update(area_codes="4514")
    assert client.get(url).status_code == 200
