"""County settings: the fee standard never below 3,000 yuan; the cap above 5 only by the city (or a
superuser) with a recorded reason (崇政办发〔2017〕101号 二(一)2, 五(二)). Held by the model and the
rules for every entry point, and by the admin form for each role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from advisers import rules
from advisers.models import CountyBureau, ServiceContract
from backoffice.roles import CITY_BUREAU
from tests.conftest import JIANGZHOU
from tests.factories import AdviserFactory
from tests.workflows.people import staff_user


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def bureau(divisions) -> CountyBureau:
    return CountyBureau.objects.create(county_id=JIANGZHOU, name="江州区司法局")


def form_data(bureau, **overrides) -> dict[str, str]:
    data = {
        "county": bureau.county_id,
        "name": bureau.name,
        "phone": "",
        "address": "",
        "adviser_cap": "5",
        "fee_standard": "3000",
        "cap_reason": "",
    }
    data.update(overrides)
    return data


def test_a_fee_standard_below_3000_is_refused_on_the_model(bureau):
    bureau.fee_standard = Decimal("1000")
    with pytest.raises(ValidationError) as caught:
        bureau.full_clean()
    assert "不得低于每村每年3000元" in str(caught.value.message_dict["fee_standard"])


def test_a_cap_above_5_needs_a_reason_on_the_model(bureau):
    bureau.adviser_cap = 8
    with pytest.raises(ValidationError) as caught:
        bureau.full_clean()
    assert "请说明理由" in str(caught.value.message_dict["cap_reason"])
    bureau.cap_reason = "山区村(社区)规模小，律师不足"
    bureau.full_clean()


def test_only_the_city_or_a_superuser_may_raise_the_cap(bureau):
    bureau.adviser_cap = 6
    with pytest.raises(ValidationError):
        rules.check_bureau_settings(bureau, previous_cap=5, is_superuser=False, prefixes=(JIANGZHOU,))
    rules.check_bureau_settings(bureau, previous_cap=5, is_superuser=False, prefixes=("4514",))
    rules.check_bureau_settings(bureau, previous_cap=5, is_superuser=True, prefixes=())
    # Lowering is the county's own choice; keeping a cap the city set is no raise.
    bureau.adviser_cap = 4
    rules.check_bureau_settings(bureau, previous_cap=5, is_superuser=False, prefixes=(JIANGZHOU,))
    bureau.adviser_cap = 6
    rules.check_bureau_settings(bureau, previous_cap=6, is_superuser=False, prefixes=(JIANGZHOU,))


def test_the_county_bureau_cannot_lower_its_fee_or_raise_its_cap_in_the_admin(people, bureau):
    client = as_user(people.bureau)
    url = f"/admin/county_bureaus/edit/{bureau.pk}/"
    page = client.post(url, form_data(bureau, fee_standard="1000", adviser_cap="8", cap_reason="想多签"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "不得低于每村每年3000元" in body and "只能把上限调低" in body
    bureau.refresh_from_db()
    assert bureau.adviser_cap == 5 and bureau.fee_standard == Decimal("3000")
    # What a county may do: a lower cap, a higher fee.
    done = client.post(url, form_data(bureau, fee_standard="3600", adviser_cap="4"))
    assert done.status_code == 302, done.content.decode()[:2000]
    bureau.refresh_from_db()
    assert bureau.adviser_cap == 4 and bureau.fee_standard == Decimal("3600")


def test_the_city_raises_a_cap_with_a_reason_and_the_contract_fee_follows_the_floor(people, bureau, today):
    city = staff_user("city_bureau", CITY_BUREAU, scope="4514")
    client = as_user(city)
    url = f"/admin/county_bureaus/edit/{bureau.pk}/"
    missing = client.post(url, form_data(bureau, adviser_cap="6"))
    assert missing.status_code == 200 and "请说明理由" in missing.content.decode()
    done = client.post(url, form_data(bureau, adviser_cap="6", cap_reason="山区村(社区)规模小，律师不足"))
    assert done.status_code == 302, done.content.decode()[:2000]
    bureau.refresh_from_db()
    assert bureau.adviser_cap == 6
    # A contract below the (never lower than 3,000) standard is refused.
    contract = ServiceContract(
        adviser=AdviserFactory(),
        village_id="451402001202",
        start_date=today,
        end_date=today + dt.timedelta(days=364),
        annual_fee=Decimal("1500"),
        status=ServiceContract.Status.ACTIVE,
    )
    with pytest.raises(ValidationError) as caught:
        contract.full_clean()
    assert "annual_fee" in caught.value.message_dict
