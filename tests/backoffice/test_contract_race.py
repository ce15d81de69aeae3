"""The loser of a race for an adviser's 6th contract gets the rule's Chinese message, never a 500.

The form's validation and the locked re-check at save time (advisers.rules.save_contract) can
disagree when another contract is saved in between: the form was valid, the save is refused. The
admin add/edit views and the import commit turn that refusal into an error on the page.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from advisers import importers, rules
from advisers.models import ServiceContract
from backoffice import roles
from backoffice.models import ImportBatch
from tests.conftest import JIANGZHOU, TAIPING, ensure_demo_divisions, require_postgres, village_codes
from tests.factories import AdviserFactory, FirmFactory

from .conftest import make_staff

CAP_MESSAGE = "上限 5 个"


def contract_post(adviser, village: str) -> dict:
    today = dt.date.today()
    return {
        "village": village,
        "adviser": adviser.pk,
        "selection": "two_way",
        "status": "active",
        "start_date": (today - dt.timedelta(days=10)).isoformat(),
        "end_date": (today + dt.timedelta(days=355)).isoformat(),
        "annual_fee": "3000",
        "note": "",
        "schedules-TOTAL_FORMS": "0",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "1000",
    }


def sign(adviser, village: str) -> ServiceContract:
    today = dt.date.today()
    contract = ServiceContract(
        adviser=adviser,
        village_id=village,
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=355),
        annual_fee=Decimal("3000"),
    )
    contract.save()
    return contract


def adviser_with_four(villages: list[str]):
    adviser = AdviserFactory(firm=FirmFactory(county_id=JIANGZHOU))
    for code in villages[:4]:
        sign(adviser, code)
    return adviser


def form_errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(m) for errors in form.errors.values() for m in errors)


@pytest.mark.django_db
def test_a_rule_broken_between_validation_and_save_is_a_form_error(client, divisions, monkeypatch):
    """A colleague's 5th contract lands after this form validated: the save-time check refuses."""
    villages = village_codes(TAIPING, 6)
    adviser = adviser_with_four(villages)
    original = rules.check_contract
    calls = {"n": 0}

    def colleague_signs_meanwhile(contract, pending=()):
        calls["n"] += 1
        original(contract, pending)
        if calls["n"] == 1:  # the form's validation has passed; the colleague saves now
            monkeypatch.setattr(rules, "check_contract", original)
            sign(adviser, villages[5])

    monkeypatch.setattr(rules, "check_contract", colleague_signs_meanwhile)
    client.force_login(make_staff("race_bureau", roles.COUNTY_BUREAU, JIANGZHOU))
    response = client.post(reverse("contracts:add"), contract_post(adviser, villages[4]))

    assert response.status_code == 200
    assert CAP_MESSAGE in form_errors(response)
    assert CAP_MESSAGE in response.content.decode()
    assert ServiceContract.objects.filter(adviser=adviser).count() == 5
    assert not ServiceContract.objects.filter(village_id=villages[4]).exists()


@pytest.mark.django_db
def test_an_edit_refused_at_save_time_is_a_form_error(client, divisions, monkeypatch):
    """The same on the edit view: a draft made active while a colleague fills the 5th place."""
    villages = village_codes(TAIPING, 6)
    adviser = adviser_with_four(villages)
    draft = sign(adviser, villages[4])
    draft.status = ServiceContract.Status.DRAFT
    draft.save()
    original = rules.check_contract
    calls = {"n": 0}

    def colleague_signs_meanwhile(contract, pending=()):
        calls["n"] += 1
        original(contract, pending)
        if calls["n"] == 1:
            monkeypatch.setattr(rules, "check_contract", original)
            sign(adviser, villages[5])

    monkeypatch.setattr(rules, "check_contract", colleague_signs_meanwhile)
    client.force_login(make_staff("race_bureau", roles.COUNTY_BUREAU, JIANGZHOU))
    response = client.post(reverse("contracts:edit", args=[draft.pk]), contract_post(adviser, villages[4]))

    assert response.status_code == 200
    assert CAP_MESSAGE in form_errors(response)
    draft.refresh_from_db()
    assert draft.status == ServiceContract.Status.DRAFT


def race(monkeypatch, actions) -> list:
    """Run the actions in threads at once; widen the window between the rules' check and write."""
    original = rules.check_contract

    def slow_check(contract, pending=()):
        original(contract, pending)
        time.sleep(0.3)  # every thread has passed its check if nothing serialises them

    monkeypatch.setattr(rules, "check_contract", slow_check)
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index: int, action) -> None:
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as exc:  # a 500 in the view surfaces here as the view's exception
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_a_6th_contract_one_saved_one_told_why(monkeypatch):
    require_postgres()
    ensure_demo_divisions()
    villages = village_codes(TAIPING, 6)
    adviser = adviser_with_four(villages)
    user = make_staff("race_bureau", roles.COUNTY_BUREAU, JIANGZHOU)
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(user)

    def post(c: Client, village: str):
        return lambda: c.post(reverse("contracts:add"), contract_post(adviser, village))

    responses = race(monkeypatch, [post(clients[0], villages[4]), post(clients[1], villages[5])])

    assert not any(isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 302]
    loser = next(r for r in responses if r.status_code == 200)
    assert CAP_MESSAGE in form_errors(loser)
    assert ServiceContract.objects.filter(adviser=adviser, status="active").count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_import_commit_racing_an_admin_save_fails_cleanly(monkeypatch):
    """An import's 5th contract and an admin's 5th contract at once: one wins, the other is told."""
    require_postgres()
    ensure_demo_divisions()
    villages = village_codes(TAIPING, 6)
    adviser = adviser_with_four(villages)
    user = make_staff("race_bureau", roles.COUNTY_BUREAU, JIANGZHOU)
    today = dt.date.today()
    row = {
        "line": 2,
        "values": {
            "village_code": villages[4],
            "licence_no": adviser.licence_no,
            "start_date": (today - dt.timedelta(days=10)).isoformat(),
            "end_date": (today + dt.timedelta(days=355)).isoformat(),
            "annual_fee": "3000",
        },
    }
    batch = ImportBatch.objects.create(kind="contracts", file_name="x.csv", created_by=user, rows=[row])
    web = Client()
    web.force_login(user)

    def commit():
        try:
            return importers.commit(ImportBatch.objects.get(pk=batch.pk), user)
        except importers.CommitFailed as exc:
            return exc

    def post():
        return web.post(reverse("contracts:add"), contract_post(adviser, villages[5]))

    imported, response = race(monkeypatch, [commit, post])

    assert not isinstance(response, Exception), response
    assert ServiceContract.objects.filter(adviser=adviser, status="active").count() == 5
    if isinstance(imported, importers.CommitFailed):
        assert response.status_code == 302
        assert any(CAP_MESSAGE in p["message"] for p in imported.problems), imported.problems
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.FAILED
    else:
        assert imported == {"created": 1, "updated": 0}, imported
        assert response.status_code == 200 and CAP_MESSAGE in form_errors(response)
