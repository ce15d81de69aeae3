"""A village committee's admin home: its adviser and village, never the 404 of an area dashboard."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from advisers.protection import deleting_history
from tests.conftest import BUZHAI


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_committee_logs_in_to_its_village_and_adviser(people):
    home = as_user(people.committee).get("/admin/")
    assert home.status_code == 200
    page = home.content.decode()
    assert "卜寨" in page and people.adviser.name in page
    assert BUZHAI in page
    # The ledger's and the workflows' panels follow on the same page.
    assert "待确认" in page or "履职" in page


def test_the_area_dashboard_is_not_offered_to_a_village(people):
    committee = as_user(people.committee)
    assert committee.get(reverse("backoffice_coverage")).status_code == 403
    home = committee.get("/admin/").content.decode()
    assert reverse("backoffice_coverage") not in home


def test_a_village_without_an_adviser_says_so(people, today):
    from advisers.models import ServiceContract

    with deleting_history():
        ServiceContract.objects.filter(village_id=BUZHAI).delete()
    page = as_user(people.committee).get("/admin/").content.decode()
    assert "没有生效中的法律顾问聘用合同" in page


def test_the_bureau_still_gets_its_coverage_dashboard(people):
    home = as_user(people.bureau).get("/admin/")
    assert home.status_code == 200 and reverse("backoffice_coverage") in home.content.decode()
