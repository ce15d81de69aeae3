"""Every create, change and delete of the programme's records is in Wagtail's log, with what changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from advisers.models import ServiceContract
from backoffice.models import ProgrammeLogEntry
from tests.conftest import BUZHAI, village_codes

from .conftest import CHENGXI, MINGXIANG

PREFIX = {
    "firm": "firms",
    "adviser": "advisers",
    "contract": "contracts",
    "liaison": "liaison_officers",
    "room": "service_rooms",
    "recusal": "recusals",
    "bureau": "county_bureaus",
}


def post_data(form) -> dict:
    """The POST a browser would send for this (unbound) admin form, inline formsets included."""
    data = {}

    def add(bound, name):
        value = bound.value()
        widget = bound.field.widget
        if value is None:
            return
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            return
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
            return
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        if getattr(widget, "input_type", "") == "file":
            return
        data[name] = getattr(value, "pk", value)

    for field in form:
        add(field, field.html_name)
    for formset in getattr(form, "formsets", {}).values():
        for field in formset.management_form:
            data[field.html_name] = field.value()
        for sub in formset.forms:
            for field in sub:
                add(field, field.html_name)
    return data


def edit_form(client, kind, obj):
    response = client.get(reverse(f"{PREFIX[kind]}:edit", args=[obj.pk]))
    assert response.status_code == 200
    return response.context["form"]


CHANGES = {
    "firm": ("address", "江州区新民路 8 号", "地址"),
    "adviser": ("office_phone", "0771-7831234", "办公电话"),
    "contract": ("note", "续聘前评议通过", "备注"),
    "liaison": ("title", "村委会主任", "职务"),
    "room": ("opening_hours", "每周三 9:00–12:00", "开放时间"),
    "recusal": ("reason", "两村交界山林权属争议，顾问同时服务两村", "利益冲突情形"),
    "bureau": ("phone", "0771-7830348", "联系电话"),
}


def objects(world, kind):
    return {
        "firm": world.firms,
        "adviser": world.advisers,
        "contract": world.contracts,
        "liaison": world.liaisons,
        "room": world.rooms,
        "recusal": world.recusals,
    }.get(kind)


@pytest.mark.parametrize("kind", list(CHANGES))
def test_edit_is_logged_with_who_and_what_changed_and_shown_in_history(client, world, accounts, kind):
    user = accounts["county"]
    client.force_login(user)
    obj = world.bureaus["451402"] if kind == "bureau" else objects(world, kind)[BUZHAI]
    field, value, label = CHANGES[kind]
    data = post_data(edit_form(client, kind, obj))
    old = data.get(field, "")
    data[field] = value
    response = client.post(reverse(f"{PREFIX[kind]}:edit", args=[obj.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    entry = ProgrammeLogEntry.objects.filter(object_id=str(obj.pk), action="wagtail.edit").latest("timestamp")
    assert entry.user == user
    assert entry.place_code == (
        "451402" if kind == "bureau" else BUZHAI if kind not in ("firm", "adviser") else "451402"
    )
    assert {"field": field, "label": label, "old": old or "—", "new": value} in entry.data["changes"]
    history = client.get(reverse(f"{PREFIX[kind]}:history", args=[obj.pk])).content.decode()
    assert label in history and value in history and user.username in history


@pytest.mark.parametrize("kind", ["firm", "liaison", "room", "recusal", "contract"])
def test_create_and_delete_are_logged(client, world, accounts, kind):
    user = accounts["county"]
    client.force_login(user)
    obj = objects(world, kind)[CHENGXI]
    data = post_data(edit_form(client, kind, obj))
    model = type(obj)
    if kind == "firm":
        data["name"] = "新登记律师事务所"
    elif kind in ("liaison", "recusal"):
        data["village"] = village_codes("451402002", 3)[2]
    elif kind == "room":
        data["village"] = village_codes("451402002", 3)[2]
    elif kind == "contract":
        data["village"] = village_codes("451402002", 3)[2]
        data["status"] = ServiceContract.Status.DRAFT
    response = client.post(reverse(f"{PREFIX[kind]}:add"), data)
    assert response.status_code == 302, response.context["form"].errors
    created = model.objects.order_by("-pk").first()
    entry = ProgrammeLogEntry.objects.get(
        object_id=str(created.pk), action="wagtail.create", content_type__model=model._meta.model_name
    )
    assert entry.user == user and entry.data["changes"]

    response = client.post(reverse(f"{PREFIX[kind]}:delete", args=[created.pk]))
    assert response.status_code == 302
    assert not model.objects.filter(pk=created.pk).exists()
    entry = ProgrammeLogEntry.objects.get(object_id=str(created.pk), action="wagtail.delete")
    assert entry.user == user and entry.deleted
    # The deleted record's content stays in the log.
    assert any(change["old"] not in ("", "—") for change in entry.data["changes"])


def test_contract_edit_records_dates_and_on_site_hours(client, world, accounts):
    client.force_login(accounts["county"])
    contract = world.contracts[BUZHAI]
    data = post_data(edit_form(client, "contract", contract))
    old_end = contract.end_date
    new_end = old_end + dt.timedelta(days=30)
    data["end_date"] = new_end.isoformat()
    data.update(
        {
            "schedules-TOTAL_FORMS": "1",
            "schedules-0-frequency": "weekly",
            "schedules-0-weekdays": "3",
            "schedules-0-start_time": "09:00",
            "schedules-0-end_time": "12:00",
            "schedules-0-place": "村委会法律服务室",
        }
    )
    response = client.post(reverse("contracts:edit", args=[contract.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    entry = ProgrammeLogEntry.objects.filter(object_id=str(contract.pk), action="wagtail.edit").latest(
        "timestamp"
    )
    changes = {c["label"]: c for c in entry.data["changes"]}
    assert (
        changes["结束日期"]["old"] == old_end.isoformat()
        and changes["结束日期"]["new"] == new_end.isoformat()
    )
    assert "每周三" in changes["驻点时间"]["new"]


def test_personal_numbers_are_masked_in_the_log(client, world, accounts):
    client.force_login(accounts["county"])
    adviser = world.advisers[BUZHAI]
    data = post_data(edit_form(client, "adviser", adviser))
    data["mobile"] = "13977712345"
    client.post(reverse("advisers:edit", args=[adviser.pk]), data)
    entry = ProgrammeLogEntry.objects.filter(object_id=str(adviser.pk), action="wagtail.edit").latest(
        "timestamp"
    )
    change = next(c for c in entry.data["changes"] if c["field"] == "mobile")
    assert change["new"] == "139****2345"


def test_a_refused_change_is_not_logged_and_says_which_villages(client, world, accounts, make_contract):
    """The 5-village rule answers in Chinese through the admin form and nothing is logged."""
    client.force_login(accounts["county"])
    adviser = world.advisers[BUZHAI]
    free = [
        c for c in village_codes("451402001", 11) if not ServiceContract.objects.filter(village_id=c).exists()
    ]
    for code in free[:4]:
        make_contract(adviser, code)
    assert ServiceContract.objects.in_force().filter(adviser=adviser).count() == 5
    target = free[4]
    data = post_data(edit_form(client, "contract", world.contracts[CHENGXI]))
    data.update({"village": target, "adviser": adviser.pk, "status": "active"})
    before = ProgrammeLogEntry.objects.count()
    response = client.post(reverse("contracts:add"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["adviser"])
    assert "已担任 5 个村(社区)" in errors and "卜寨村委会" in errors
    assert ProgrammeLogEntry.objects.count() == before


def test_site_history_report_is_scoped(client, world, accounts):
    client.force_login(accounts["city"])
    for place in (BUZHAI, MINGXIANG):
        liaison = world.liaisons[place]
        data = post_data(edit_form(client, "liaison", liaison))
        data["title"] = "新职务"
        client.post(reverse("liaison_officers:edit", args=[liaison.pk]), data)
    county = Client()  # a fresh browser: no flash messages left over from the city's edits
    county.force_login(accounts["county"])
    report = county.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert "联络员-卜寨" in report
    assert "联络员-明祥" not in report
