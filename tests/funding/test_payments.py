"""Paying the firms: refused until the village committee's opinion of the year is on record, then
recorded through the admin as the county bureau, in the audit trail, scoped (another county's
payment is a 404), and summed on the funding page and its XLSX export.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from openpyxl import load_workbook

from backoffice.models import ProgrammeLogEntry
from funding import assessments, rules
from funding.models import CountyBudget, CountyFundingRule, Payment
from tests.conftest import BUZHAI, JIANGZHOU
from tests.factories import AdviserFactory
from tests.workflows.people import FUSUI, committee_user, ensure_groups, staff_user
from workflows import engine
from workflows.renewal import grades, services
from workflows.renewal.flow import RenewalFlow, open_task

pytestmark = pytest.mark.django_db

ADD = "/admin/funding_payments/new/"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def funding(divisions, make_contract, today):
    from backoffice.roles import CITY_BUREAU, COUNTY_BUREAU

    ensure_groups()
    year = today.year
    adviser = AdviserFactory(name="韦付款")
    contract = make_contract(
        adviser,
        BUZHAI,
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 12, 31),
        annual_fee=Decimal("3650"),
    )
    return {
        "year": year,
        "contract": contract,
        "committee": committee_user("buzhai_committee", BUZHAI),
        "bureau": staff_user("jiangzhou_bureau", COUNTY_BUREAU, scope=JIANGZHOU),
        "city": staff_user("city_bureau", CITY_BUREAU, scope="4514"),
        "other": staff_user("fusui_bureau", COUNTY_BUREAU, scope=FUSUI),
    }


def payment_data(funding, **overrides) -> dict[str, str]:
    data = {
        "contract": str(funding["contract"].pk),
        "year": str(funding["year"]),
        "amount": "3650.00",
        "paid_on": dt.date(funding["year"], 12, 1).isoformat(),
        "voucher_no": "JZ-2026-0001",
        "note": "",
    }
    data.update(overrides)
    return data


def committee_heard(funding) -> None:
    """The committee gives its opinion in the contract's renewal (ending within 60 days)."""
    renewal = services.start_for(funding["contract"])
    task = open_task(renewal, RenewalFlow.committee)
    engine.execute(funding["committee"], task.pk, agrees=True, reasons="服务到位，同意续聘。")


def test_the_committee_opinion_query(funding):
    contract, year = funding["contract"], funding["year"]
    assert not assessments.committee_opinion_on_record(contract, year)
    committee_heard(funding)
    assert assessments.committee_opinion_on_record(contract, year)
    assert not assessments.committee_opinion_on_record(contract, year - 1)


def test_payment_refused_before_the_committee_opinion_then_recorded(funding, today):
    client = as_user(funding["bureau"])
    refused = client.post(ADD, payment_data(funding))
    assert refused.status_code == 200
    assert "须充分征求村(居)委会意见后才能支付" in refused.content.decode()
    assert not Payment.objects.exists()

    committee_heard(funding)
    too_much = client.post(ADD, payment_data(funding, amount="3651"))
    assert too_much.status_code == 200 and "支付金额超过应付金额 3650.00 元" in too_much.content.decode()
    future = client.post(ADD, payment_data(funding, paid_on=(today + dt.timedelta(days=1)).isoformat()))
    assert future.status_code == 200 and "支付日期不能是将来的日期" in future.content.decode()

    response = client.post(ADD, payment_data(funding))
    assert response.status_code == 302, response.content.decode()[:3000]
    payment = Payment.objects.get()
    assert payment.recorded_by == funding["bureau"] and payment.standard == Decimal("3650.00")
    assert payment.payable == Decimal("3650.00") and payment.voucher_no == "JZ-2026-0001"
    # Every payment is in the audit trail, with its place.
    entry = ProgrammeLogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Payment), object_id=str(payment.pk)
    )
    assert entry.action == "wagtail.create" and entry.user == funding["bureau"] and entry.place_code == BUZHAI
    # Once per contract and year.
    again = client.post(ADD, payment_data(funding, voucher_no="JZ-2026-0002"))
    assert again.status_code == 200 and "已登记支付" in again.content.decode()


def test_another_countys_payments_and_funding_are_404(funding):
    committee_heard(funding)
    payment = Payment(
        contract=funding["contract"],
        year=funding["year"],
        amount=Decimal("1000"),
        paid_on=dt.date(funding["year"], 6, 30),
        voucher_no="JZ-1",
    )
    payment.save()
    outsider = as_user(funding["other"])
    assert outsider.get(f"/admin/funding_payments/edit/{payment.pk}/").status_code == 404
    assert outsider.get(f"/admin/funding_payments/history/{payment.pk}/").status_code == 404
    assert "JZ-1" not in outsider.get("/admin/funding_payments/").content.decode()
    assert outsider.get(f"/admin/funding/?county={JIANGZHOU}&year={funding['year']}").status_code == 404
    assert outsider.get(f"/admin/funding/export.xlsx?county={JIANGZHOU}").status_code == 404
    # Its own page opens on its own county; malformed input is a 404, not a 500.
    assert "扶绥县" in outsider.get("/admin/funding/").content.decode()
    assert outsider.get("/admin/funding/?county=abc").status_code == 404
    assert outsider.get(f"/admin/funding/?county={FUSUI}&year=19x").status_code == 404
    # A contract of another county is not offered on the payment form.
    form = outsider.get(ADD).content.decode()
    assert f'value="{funding["contract"].pk}"' not in form
    # The city bureau sees its counties.
    assert as_user(funding["city"]).get(f"/admin/funding/?county={JIANGZHOU}").status_code == 200
    # A village committee has no funding page.
    assert as_user(funding["committee"]).get("/admin/funding/").status_code == 403


def test_funding_page_and_export(funding, make_contract):
    year = funding["year"]
    CountyBudget.objects.create(county_id=JIANGZHOU, year=year, budget=Decimal("100000"))
    # A contract covering half the year owes half the annual fee (181 of 365 days).
    half = make_contract(
        AdviserFactory(),
        "451402001202",
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 6, 30),
        annual_fee=Decimal("3650"),
    )
    assert rules.fee_for_year(half, year) == Decimal("1810.00")
    committee_heard(funding)
    Payment(
        contract=funding["contract"],
        year=year,
        amount=Decimal("3650"),
        paid_on=dt.date(year, 12, 1),
        voucher_no="V1",
    ).save()

    client = as_user(funding["bureau"])
    page = client.get(f"/admin/funding/?county={JIANGZHOU}&year={year}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "江州区" in html and "太平街道" in html and "5460.00" in html  # payable: 3650 + 1810
    assert "1810.00" in html and "100000" in html and "登记支付" not in html  # paid, or no opinion yet
    assert "待征求村(居)委会意见" in html

    export = client.get(f"/admin/funding/export.xlsx?county={JIANGZHOU}&year={year}")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content), read_only=True)
    assert book.sheetnames == ["按乡镇汇总", "按合同"]
    summary = [list(row) for row in book["按乡镇汇总"].iter_rows(values_only=True)]
    total = next(row for row in summary if row[1] == JIANGZHOU)
    assert total[6] == 5460 and total[9] == 3650 and total[10] == 1810
    contracts = [list(row) for row in book["按合同"].iter_rows(values_only=True)]
    assert contracts[1][0] == "卜寨村委会" and contracts[1][-1] == "已记录"


def test_assessment_adjusts_what_is_payable(funding):
    """以案定补 adds the reward; 不合格 withholds the county's share of the year's fee."""
    contract, year = funding["contract"], funding["year"]
    CountyFundingRule.objects.create(county_id=JIANGZHOU, withheld_percent_failed=Decimal("40"))
    failed = grades.Result(grade="不合格", failed=True)
    amounts = rules.compute_amounts(contract, year, failed, rules.withheld_percent(contract.village_id))
    assert (amounts.standard, amounts.withheld, amounts.payable) == (
        Decimal("3650.00"),
        Decimal("1460.00"),
        Decimal("2190.00"),
    )
    rewarded = grades.Result(grade="优秀", failed=False, reward=Decimal("500"))
    assert rules.compute_amounts(contract, year, rewarded, Decimal("40")).payable == Decimal("4150.00")
    assert rules.withheld_percent(FUSUI + "100001") == Decimal("30")  # the default share


def test_who_may_open_which_funding_page(funding):
    bureau, city = as_user(funding["bureau"]), as_user(funding["city"])
    for url in (
        "/admin/funding/",
        "/admin/funding_payments/",
        ADD,
        "/admin/funding_budgets/new/",
        "/admin/funding_rules/new/",
    ):
        assert bureau.get(url).status_code == 200, url
    assert city.get("/admin/funding_payments/").status_code == 200
    for url in (ADD, "/admin/funding_budgets/new/", "/admin/funding_rules/new/"):
        assert city.get(url).status_code == 403, url  # the city oversees; the county pays
    # The menu (Wagtail's sidebar, as JSON) has the funding section with its pages.
    menu = bureau.get("/admin/").content.decode()
    assert "/admin/funding/" in menu and "/admin/funding_payments/" in menu


def test_a_terminated_contract_owes_its_fee_up_to_the_termination(funding):
    contract, year = funding["contract"], funding["year"]
    contract.status = contract.Status.TERMINATED
    contract.terminated_on = dt.date(year, 3, 31)  # 90 days of 365
    assert rules.fee_for_year(contract, year) == Decimal("900.00")
