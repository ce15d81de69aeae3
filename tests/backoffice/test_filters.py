"""Listings filter by county, township and status, with choices limited to the user's scope."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from advisers.models import ServiceContract
from tests.conftest import BUZHAI

from .conftest import CHENGXI, MINGXIANG


def cells(response) -> str:
    return response.content.decode()


def listed(html: str, text: str) -> bool:
    return re.search(rf">\s*{re.escape(text)}\s*<", html) is not None


def test_contracts_filter_by_county_and_township(client, world, accounts):
    client.force_login(accounts["city"])
    html = cells(client.get(reverse("contracts:index"), {"county": "451402"}))
    assert listed(html, "顾问-卜寨") and listed(html, "顾问-城西") and not listed(html, "顾问-明祥")
    html = cells(client.get(reverse("contracts:index"), {"county": "451402", "township": "451402001"}))
    assert listed(html, "顾问-卜寨") and not listed(html, "顾问-城西")


def test_county_choices_stop_at_the_scope(client, world, accounts):
    client.force_login(accounts["county"])
    response = client.get(reverse("contracts:index"))
    filters = response.context["filters"]
    assert "county" not in filters.form.fields  # a county bureau has one county
    townships = dict(filters.form.fields["township"].choices)
    assert "451402001" in townships and "451422100" not in townships
    # A forged county outside the scope filters nothing in: the base queryset is already scoped.
    html = cells(client.get(reverse("contracts:index"), {"county": "451422"}))
    assert not listed(html, "顾问-明祥")


def test_contracts_filter_by_status_and_period(client, world, accounts, today):
    client.force_login(accounts["county"])
    ending = world.contracts[CHENGXI]
    ServiceContract.objects.filter(pk=ending.pk).update(end_date=today + dt.timedelta(days=20))
    html = cells(client.get(reverse("contracts:index"), {"period": "ending"}))
    assert listed(html, "顾问-城西") and not listed(html, "顾问-卜寨")
    ServiceContract.objects.filter(pk=world.contracts[BUZHAI].pk).update(status="terminated")
    html = cells(client.get(reverse("contracts:index"), {"status": "terminated"}))
    assert listed(html, "顾问-卜寨") and not listed(html, "顾问-城西")


def test_villages_filter_by_coverage(client, world, accounts):
    client.force_login(accounts["township"])
    covered = cells(client.get(reverse("villages:index"), {"coverage": "covered"}))
    uncovered = cells(client.get(reverse("villages:index"), {"coverage": "uncovered"}))
    assert listed(covered, "卜寨村委会") and not listed(uncovered, "卜寨村委会")
    assert listed(uncovered, "公益村委会")


def test_advisers_filter_and_search(client, world, accounts):
    client.force_login(accounts["city"])
    html = cells(client.get(reverse("advisers:index"), {"county": "451422"}))
    assert listed(html, "顾问-明祥") and not listed(html, "顾问-卜寨")
    html = cells(client.get(reverse("advisers:index"), {"q": world.advisers[MINGXIANG].licence_no}))
    assert listed(html, "顾问-明祥") and not listed(html, "顾问-城西")
    world.advisers[CHENGXI].is_active = False
    world.advisers[CHENGXI].save()
    html = cells(client.get(reverse("advisers:index"), {"is_active": "false"}))
    assert listed(html, "顾问-城西") and not listed(html, "顾问-卜寨")
