"""A form that creates a record, posted twice, creates it once (backoffice/idempotency.py).

The page a user opens carries a one-time token; the first post consumes it with the record it
creates, a second post of the same page is sent to the first one's result with a message, a post
the form refuses leaves the token usable, and a forged token is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.test import Client

from advisers.models import ServiceContract
from backoffice.idempotency import FIELD
from backoffice.models import UsedFormToken
from ledger.models import LedgerEntry
from tests.conftest import BUZHAI

UNCOVERED = "451402001202"  # a 太平 village without a contract in the world fixture
TOKEN = re.compile(rf'<input type="hidden" name="{FIELD}" value="([^"]+)">')


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_of(page) -> str:
    found = TOKEN.findall(page.content.decode())
    assert found, "the form page carries no one-time token"
    return found[0]


def entry_data(day: dt.date, token: str) -> dict:
    return {
        "village": BUZHAI,
        "date": day.isoformat(),
        "kind": LedgerEntry.Kind.ON_DUTY,
        "on_site": "on",
        "hours": "3",
        "people_served": "6",
        "summary": "驻点值班，解答土地承包咨询。",
        FIELD: token,
    }


def test_a_double_posted_ledger_entry_is_saved_once(people, today):
    client = as_user(people.adviser_user)
    token = token_of(client.get("/admin/ledger/new/"))
    first = client.post("/admin/ledger/new/", entry_data(today, token))
    assert first.status_code == 302, first.content.decode()[:2000]
    second = client.post("/admin/ledger/new/", entry_data(today, token), follow=True)
    assert LedgerEntry.objects.count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "这张表单已经提交过" in second.content.decode()
    assert UsedFormToken.objects.get().result_url == first["Location"]


def test_a_refused_post_keeps_the_token_usable(people, today):
    client = as_user(people.adviser_user)
    token = token_of(client.get("/admin/ledger/new/"))
    refused = client.post("/admin/ledger/new/", {**entry_data(today, token), "hours": "-1"})
    assert refused.status_code == 200 and token_of(refused) == token
    assert not UsedFormToken.objects.exists() and not LedgerEntry.objects.exists()
    assert client.post("/admin/ledger/new/", entry_data(today, token)).status_code == 302
    assert LedgerEntry.objects.count() == 1


def test_a_forged_or_foreign_token_is_refused(people, today):
    client = as_user(people.adviser_user)
    response = client.post("/admin/ledger/new/", entry_data(today, "forged"), follow=True)
    assert "表单已过期或无效" in response.content.decode()
    # A token issued to another account does not work for this one.
    other = as_user(people.bureau)
    token = token_of(other.get("/admin/ledger/trainings/new/"))
    response = client.post("/admin/ledger/new/", entry_data(today, token), follow=True)
    assert "表单已过期或无效" in response.content.decode()
    assert not LedgerEntry.objects.exists()


def test_a_double_posted_contract_is_created_once(world, staff, today):
    from backoffice import roles

    county = staff("county_clerk", roles.COUNTY_BUREAU, "451402")
    client = as_user(county)
    token = token_of(client.get("/admin/contracts/new/"))
    data = {
        "village": UNCOVERED,
        "adviser": world.advisers[BUZHAI].pk,
        "selection": ServiceContract.Selection.TWO_WAY,
        "status": ServiceContract.Status.ACTIVE,
        "start_date": today.isoformat(),
        "end_date": (today + dt.timedelta(days=364)).isoformat(),
        "signed_on": today.isoformat(),
        "annual_fee": "3000",
        "schedules-TOTAL_FORMS": "0",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "1000",
        FIELD: token,
    }
    first = client.post("/admin/contracts/new/", data)
    assert first.status_code == 302, [str(m) for m in first.context["messages"]]
    second = client.post("/admin/contracts/new/", data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    contracts = ServiceContract.objects.filter(village_id=UNCOVERED)
    assert contracts.count() == 1 and contracts.get().annual_fee == Decimal("3000")


def test_a_double_posted_fee_filing_and_decision_are_made_once(people, today):
    from tests.workflows.people import filing_data
    from workflows.fee_filing.flow import open_review_task
    from workflows.fee_filing.models import FeeFiling

    adviser = as_user(people.adviser_user)
    new = "/admin/workflows/fee-filings/new/"
    token = token_of(adviser.get(new))
    first = adviser.post(new, {**filing_data(today), FIELD: token})
    assert first.status_code == 302, first.content.decode()[:2000]
    second = adviser.post(new, {**filing_data(today), FIELD: token})
    assert second.status_code == 302 and second["Location"] == first["Location"]
    filing = FeeFiling.objects.get()

    bureau = as_user(people.bureau)
    task = open_review_task(filing)
    assert bureau.post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 302
    token = token_of(bureau.get(f"/admin/workflows/tasks/{task.pk}/"))
    decision = {"decision": "approve", "reason": "", FIELD: token}
    assert bureau.post(f"/admin/workflows/tasks/{task.pk}/", decision).status_code == 302
    again = bureau.post(f"/admin/workflows/tasks/{task.pk}/", decision, follow=True)
    assert again.status_code == 200 and "这张表单已经提交过" in again.content.decode()
    assert FeeFiling.objects.count() == 1


def test_the_token_goes_into_post_forms_only_and_keeps_their_markup():
    from django.http import HttpResponse

    from backoffice.idempotency import add_to_forms

    page = (
        '<form method="post" action="/admin/contracts/new/" data-action="beforeunload@window->w-unsaved#confirm">'
        '<input name="a"></form><form method="get" action="/admin/search/"><input name="q"></form>'
    )
    html = add_to_forms(HttpResponse(page), "TOKEN").content.decode()
    assert html.count(f'name="{FIELD}"') == 1
    assert f'data-action="beforeunload@window->w-unsaved#confirm"><input type="hidden" name="{FIELD}"' in html
