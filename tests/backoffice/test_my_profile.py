"""An adviser keeps their own contact details and gives or withdraws consent to publish the mobile."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from advisers.models import Adviser, Specialty
from backoffice.models import ProgrammeLogEntry
from tests.conftest import BUZHAI

from .conftest import PASSWORD

URL = "/admin/my-profile/"
MOBILE = "13977112345"


@pytest.fixture
def adviser(world, accounts) -> Adviser:
    return world.advisers[BUZHAI]


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def form_data(adviser: Adviser, **changes) -> dict:
    data = {
        "office_phone": adviser.office_phone,
        "mobile": adviser.mobile,
        "bio": adviser.bio,
        "specialties": [s.pk for s in adviser.specialties.all()],
    }
    if adviser.mobile_consent:
        data["mobile_consent"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_adviser_reaches_the_page_from_the_admin_home(accounts, adviser):
    client = client_for(accounts["adviser"])
    home = client.get("/admin/").content.decode()
    assert "修改我的联系方式和公开设置" in home  # the button on the adviser's home panel
    assert '"my-profile"' in home  # the menu item (the sidebar's menu is JSON in the page)
    page = client.get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert adviser.name in body and adviser.licence_no in body and adviser.firm.name in body
    assert reverse("directory:adviser", args=[adviser.pk]) in body


def test_consent_publishes_the_mobile_and_withdrawal_removes_it_at_once(accounts, adviser):
    client = client_for(accounts["adviser"])
    public = Client()
    assert MOBILE not in public.get(f"/directory/{BUZHAI}/").content.decode()

    response = client.post(URL, form_data(adviser, mobile=MOBILE, mobile_consent="on"))
    assert response.status_code == 302
    adviser.refresh_from_db()
    assert adviser.mobile == MOBILE and adviser.mobile_consent and adviser.mobile_consent_at is not None
    assert f'href="tel:{MOBILE}"' in public.get(f"/directory/{BUZHAI}/").content.decode()
    assert MOBILE in public.get(f"/advisers/{adviser.pk}/").content.decode()
    assert public.get(f"/api/directory/{BUZHAI}").json()["adviser"]["mobile"] == MOBILE

    response = client.post(URL, form_data(adviser, mobile_consent=None) | {"mobile": MOBILE})
    assert response.status_code == 302
    adviser.refresh_from_db()
    assert not adviser.mobile_consent and adviser.mobile_consent_at is None
    assert MOBILE not in public.get(f"/directory/{BUZHAI}/").content.decode()
    assert MOBILE not in public.get(f"/advisers/{adviser.pk}/").content.decode()
    assert public.get(f"/api/directory/{BUZHAI}").json()["adviser"]["mobile"] is None


def test_each_change_is_in_the_audit_log_with_the_mobile_masked(accounts, adviser):
    client = client_for(accounts["adviser"])
    specialty, _ = Specialty.objects.get_or_create(name="婚姻家庭")
    client.post(
        URL,
        form_data(
            adviser,
            mobile=MOBILE,
            mobile_consent="on",
            bio="擅长婚姻家庭纠纷调解。",
            specialties=[specialty.pk],
        ),
    )
    entry = ProgrammeLogEntry.objects.filter(object_id=str(adviser.pk), action="wagtail.edit").get()
    assert entry.user == accounts["adviser"]
    changes = {c["field"]: c for c in entry.data["changes"]}
    assert set(changes) == {"mobile", "mobile_consent", "bio", "specialties"}
    assert changes["mobile"]["new"] == "139****2345"
    assert MOBILE not in str(entry.data)
    assert changes["specialties"]["new"] == "婚姻家庭"
    assert entry.place_code  # the bureau of the adviser's county sees it in its history

    # Saving the same values again changes nothing and logs nothing.
    adviser.refresh_from_db()
    response = client.post(URL, form_data(adviser), follow=True)
    assert "没有需要保存的修改" in response.content.decode()
    assert ProgrammeLogEntry.objects.filter(object_id=str(adviser.pk), action="wagtail.edit").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mobile": "", "mobile_consent": "on"}, "请填写手机号码"),
        ({"mobile": "12345"}, "请输入11位手机号码"),
        ({"mobile": "0771-1234567", "mobile_consent": "on"}, "请输入11位手机号码"),
        ({"office_phone": "电话0771"}, "请输入有效的电话号码"),
    ],
)
def test_bad_input_is_explained_in_chinese_and_saves_nothing(accounts, adviser, changes, message):
    client = client_for(accounts["adviser"])
    before = Adviser.objects.filter(pk=adviser.pk).values().get()
    response = client.post(URL, form_data(adviser, **changes))
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-message" in body or "help-critical" in body
    assert message in body
    assert Adviser.objects.filter(pk=adviser.pk).values().get() == before
    assert not ProgrammeLogEntry.objects.filter(object_id=str(adviser.pk), action="wagtail.edit").exists()


def test_identity_and_practice_details_stay_with_the_bureau(accounts, adviser, world):
    client = client_for(accounts["adviser"])
    other_firm = world.firms["630105001001"]
    client.post(
        URL,
        form_data(adviser, name="冒名", licence_no="99999999", firm=other_firm.pk, reputation="自评优秀"),
    )
    adviser.refresh_from_db()
    assert adviser.name == "顾问-卜寨"
    assert adviser.licence_no != "99999999"
    assert adviser.firm_id != other_firm.pk
    assert adviser.reputation != "自评优秀"


@pytest.mark.parametrize("role", ["city", "county", "township", "committee", "editor"])
def test_accounts_without_an_adviser_record_are_refused(accounts, role):
    client = client_for(accounts[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"mobile": MOBILE}).status_code == 403
    home = client.get("/admin/").content.decode()
    assert URL not in home and '"my-profile"' not in home


def test_anonymous_visitors_are_sent_to_log_in(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
