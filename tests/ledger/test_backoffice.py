"""The work ledger in the back office: advisers record, committees confirm, bureaus see their area.

Compliance shown on the dashboard matches hand-computed values; trainings and attendance; scope
(another county gets 404, never the records).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from backoffice.models import ProgrammeLogEntry
from ledger.models import LedgerEntry, Training, TrainingAttendance
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING
from tests.factories import AdviserFactory

GONGYI = "451402001202"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def entry_data(day: dt.date, **overrides) -> dict:
    data = {
        "village": BUZHAI,
        "date": day.isoformat(),
        "kind": "on_duty",
        "on_site": "on",
        "hours": "3",
        "people_served": "6",
        "summary": "驻点值班，解答土地承包咨询。",
    }
    data.update(overrides)
    return data


def make_entry(people, day, hours="3", **kw) -> LedgerEntry:
    values = {
        "adviser": people.adviser,
        "village_id": BUZHAI,
        "date": day,
        "kind": LedgerEntry.Kind.ON_DUTY,
        "hours": Decimal(hours),
        "summary": "驻点值班。",
    }
    values.update(kw)
    entry = LedgerEntry(**values)
    entry.full_clean()
    entry.save()
    return entry


def test_adviser_records_work_and_the_committee_confirms_it(people, today):
    adviser = as_user(people.adviser_user)
    form = adviser.get("/admin/ledger/new/")
    assert form.status_code == 200 and "卜寨" in form.content.decode()
    data = entry_data(today)
    data["files"] = [SimpleUploadedFile("签到表.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")]
    response = adviser.post("/admin/ledger/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LedgerEntry.objects.get()
    assert entry.adviser == people.adviser and entry.created_by == people.adviser_user
    assert entry.confirmation == LedgerEntry.Confirmation.PENDING and entry.attachments.count() == 1

    committee = as_user(people.committee)
    waiting = committee.get("/admin/ledger/confirm/").content.decode()
    assert f"/admin/ledger/{entry.pk}/" in waiting
    assert committee.post(f"/admin/ledger/{entry.pk}/confirm/", {"action": "confirm"}).status_code == 302
    entry.refresh_from_db()
    assert entry.confirmation == LedgerEntry.Confirmation.CONFIRMED and entry.confirmed_by == people.committee
    logged = ProgrammeLogEntry.objects.filter(object_id=str(entry.pk), place_code=BUZHAI)
    assert set(logged.values_list("action", flat=True)) == {"wagtail.create", "ledger.confirm"}
    # Confirmed work is locked for the adviser.
    assert adviser.get(f"/admin/ledger/{entry.pk}/edit/").status_code == 403
    assert adviser.post(f"/admin/ledger/{entry.pk}/delete/").status_code == 403
    # The file is served to those who may see the entry, not to another village's committee.
    item = entry.attachments.get()
    assert committee.get(f"/admin/ledger/{entry.pk}/files/{item.pk}/").status_code == 200
    assert (
        as_user(people.other_committee).get(f"/admin/ledger/{entry.pk}/files/{item.pk}/").status_code == 404
    )
    item.file.delete(save=False)


def test_dispute_needs_a_reason_and_a_correction_goes_back_for_confirmation(people, today):
    entry = make_entry(people, today)
    committee = as_user(people.committee)
    committee.post(f"/admin/ledger/{entry.pk}/confirm/", {"action": "dispute", "reason": ""})
    entry.refresh_from_db()
    assert entry.confirmation == LedgerEntry.Confirmation.PENDING
    committee.post(
        f"/admin/ledger/{entry.pk}/confirm/", {"action": "dispute", "reason": "当天只到村两小时。"}
    )
    entry.refresh_from_db()
    assert (
        entry.confirmation == LedgerEntry.Confirmation.DISPUTED
        and entry.dispute_reason == "当天只到村两小时。"
    )

    adviser = as_user(people.adviser_user)
    page = adviser.get(f"/admin/ledger/{entry.pk}/edit/").content.decode()
    assert "当天只到村两小时。" in page
    response = adviser.post(f"/admin/ledger/{entry.pk}/edit/", entry_data(today, hours="2"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.hours == Decimal("2") and entry.confirmation == LedgerEntry.Confirmation.PENDING


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"village": GONGYI}, "village", "选择一个有效的选项"),
        ({"date": "2099-01-01"}, "date", "将来"),
        ({"hours": "13"}, "hours", "12"),
        ({"hours": "1.3"}, "hours", "半小时"),
        ({"kind": "lecture"}, "kind", "选择一个有效的选项"),
        ({"summary": ""}, "summary", "必需"),
    ],
)
def test_bad_entries_are_refused_with_a_clear_error(people, today, overrides, field, message):
    response = as_user(people.adviser_user).post("/admin/ledger/new/", entry_data(today, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not LedgerEntry.objects.exists()


def test_work_before_the_contract_is_refused(people, today):
    response = as_user(people.adviser_user).post(
        "/admin/ledger/new/", entry_data(today - dt.timedelta(days=400))
    )
    assert "没有有效的聘用合同" in " ".join(response.context["form"].errors["village"])


def test_only_advisers_record_and_only_committees_confirm(people, today):
    entry = make_entry(people, today)
    assert as_user(people.bureau).get("/admin/ledger/new/").status_code == 403
    assert as_user(people.committee).get("/admin/ledger/new/").status_code == 403
    assert (
        as_user(people.adviser_user)
        .post(f"/admin/ledger/{entry.pk}/confirm/", {"action": "confirm"})
        .status_code
        == 403
    )
    assert (
        as_user(people.bureau).post(f"/admin/ledger/{entry.pk}/confirm/", {"action": "confirm"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.confirmation == LedgerEntry.Confirmation.PENDING


def test_another_county_never_sees_the_entries(people, today):
    entry = make_entry(people, today)
    assert f"/admin/ledger/{entry.pk}/" in as_user(people.bureau).get("/admin/ledger/").content.decode()
    for outsider in (people.other_bureau, people.other_committee, people.other_adviser_user):
        client = as_user(outsider)
        assert f"/admin/ledger/{entry.pk}/" not in client.get("/admin/ledger/").content.decode()
        assert client.get(f"/admin/ledger/{entry.pk}/").status_code == 404
        assert client.post(f"/admin/ledger/{entry.pk}/confirm/", {"action": "confirm"}).status_code == 404
        export = b"".join(client.get("/admin/ledger/?export=csv").streaming_content).decode("utf-8-sig")
        assert "驻点值班。" not in export
    mine = as_user(people.bureau).get("/admin/ledger/?export=csv")
    assert "驻点值班。" in b"".join(mine.streaming_content).decode("utf-8-sig")


# --- compliance on the dashboard ----------------------------------------------------------------


def month_start(day: dt.date, back: int = 0) -> dt.date:
    year, month = day.year, day.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


@pytest.fixture
def last_month(people, today):
    """Last month at 卜寨: 3 confirmed + 1.5 pending hours (short by 2); 农 village has nothing."""
    first = month_start(today, 1)
    make_entry(people, first + dt.timedelta(days=2), "3", confirmation="confirmed")
    make_entry(people, first + dt.timedelta(days=9), "1.5")
    make_entry(people, first + dt.timedelta(days=10), "4", on_site=False, kind=LedgerEntry.Kind.DOCUMENTS)
    return first


def test_dashboard_figures_match_hand_computed_values(people, today, last_month):
    month = last_month.strftime("%Y-%m")
    page = as_user(people.bureau).get(f"/admin/ledger/compliance/?month={month}")
    assert page.status_code == 200
    board = page.context["board"]
    buzhai = next(r for r in board.this_month if r.code == BUZHAI)
    assert buzhai.required == Decimal("5.0") and buzhai.confirmed_hours == Decimal("3")
    assert buzhai.pending_hours == Decimal("1.5") and buzhai.shortfall == Decimal("2") and not buzhai.meets
    # Only 卜寨 has a contract in 江州区 here: 0 of 1 villages met the bar.
    assert (board.this_rate.applicable, board.this_rate.meeting) == (1, 0)
    # Groups are 江州区's townships; the chart shows 太平街道 at 0%.
    taiping = next(g for g in board.groups if g.code == TAIPING)
    assert taiping.this_month.percent == 0.0 and taiping.hours == Decimal("3")
    html = page.content.decode()
    assert "<svg" in html and "驻点未达标的村(社区)（1 个）" in html and "卜寨村委会" in html

    rows = {r.code: r for r in board.lectures}
    assert rows[BUZHAI].lectures == 0 and not rows[BUZHAI].meets
    assert [a.name for a in board.without_training] == ["韦卜寨"]


def test_change_of_adviser_mid_month_and_a_month_without_entries(people, today, make_contract):
    """卜寨 changes adviser on the 16th of last month: both advisers' hours count together."""
    first = month_start(today, 1)
    village = "451402001203"
    before, after = AdviserFactory(name="甲顾问"), AdviserFactory(name="乙顾问")
    make_contract(
        before, village, start_date=first - dt.timedelta(days=60), end_date=first + dt.timedelta(days=14)
    )
    make_contract(
        after, village, start_date=first + dt.timedelta(days=15), end_date=today + dt.timedelta(days=300)
    )
    for adviser, day, hours in ((before, 3, "2.5"), (after, 20, "2.5")):
        make_entry(
            people,
            first + dt.timedelta(days=day),
            hours,
            adviser=adviser,
            village_id=village,
            confirmation="confirmed",
        )
    board = as_user(people.bureau).get(f"/admin/ledger/compliance/?month={first:%Y-%m}").context["board"]
    row = next(r for r in board.this_month if r.code == village)
    assert row.required == Decimal("5.0") and row.confirmed_hours == Decimal("5.0") and row.meets
    assert row.advisers == ["甲顾问", "乙顾问"]
    # The month before had no entries at all: both villages under contract then fall short.
    earlier = month_start(today, 2)
    board = as_user(people.bureau).get(f"/admin/ledger/compliance/?month={earlier:%Y-%m}").context["board"]
    for row in board.this_month:
        if row.applicable:
            assert row.confirmed_hours == 0 and not row.meets and row.shortfall == row.required


def test_adviser_and_committee_see_their_villages_only(people, today, last_month):
    month = last_month.strftime("%Y-%m")
    for user in (people.adviser_user, people.committee):
        page = as_user(user).get(f"/admin/ledger/compliance/?month={month}")
        assert page.status_code == 200
        board = page.context["board"]
        assert [r.code for r in board.this_month] == [BUZHAI]
        assert board.this_month[0].confirmed_hours == Decimal("3")
    other = (
        as_user(people.other_adviser_user).get(f"/admin/ledger/compliance/?month={month}").context["board"]
    )
    assert BUZHAI not in [r.code for r in other.this_month]


def test_a_bureau_cannot_look_at_another_county(people):
    assert as_user(people.other_bureau).get(f"/admin/ledger/compliance/?area={JIANGZHOU}").status_code == 404
    assert as_user(people.bureau).get(f"/admin/ledger/compliance/?area={TAIPING}").status_code == 200
    assert as_user(people.bureau).get("/admin/ledger/compliance/?area=4514").status_code == 404


def test_compliance_exports(people, today, last_month):
    month = last_month.strftime("%Y-%m")
    client = as_user(people.bureau)
    csv = client.get(f"/admin/ledger/compliance/export.csv?month={month}")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "卜寨村委会" in text and "未达标" in text
    xlsx = client.get(f"/admin/ledger/compliance/export.xlsx?month={month}")
    book = load_workbook(io.BytesIO(xlsx.content))
    first = book.worksheets[0]
    rows = list(first.iter_rows(values_only=True))
    assert rows[0][0] == "区划代码" and (BUZHAI, "卜寨村委会") == rows[1][:2]
    assert rows[1][4] == 3.0 and rows[1][7] == "未达标"
    assert len(book.worksheets) == 4
    assert (
        as_user(people.other_bureau).get(f"/admin/ledger/compliance/export.csv?area={JIANGZHOU}").status_code
        == 404
    )


# --- trainings -----------------------------------------------------------------------------------


def test_bureau_records_a_training_and_who_attended(people, today):
    bureau = as_user(people.bureau)
    form = bureau.get("/admin/ledger/trainings/new/").content.decode()
    assert "韦卜寨" in form and "黄扶绥" not in form  # only advisers serving in 江州区
    response = bureau.post(
        "/admin/ledger/trainings/new/",
        {
            "title": "村(社区)法律顾问业务培训",
            "date": today.isoformat(),
            "hours": "3",
            "place": "江州区司法局会议室",
            "organiser": JIANGZHOU,
            "attendees": [people.adviser.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    training = Training.objects.get()
    assert list(training.attendees.all()) == [people.adviser]
    board = bureau.get(f"/admin/ledger/compliance/?month={today:%Y-%m}").context["board"]
    assert [(a.name, a.trainings, a.meets) for a in board.trainings] == [("韦卜寨", 1, True)]
    # The adviser sees it; another county can neither see nor change it.
    assert (
        "村(社区)法律顾问业务培训"
        in as_user(people.adviser_user).get("/admin/ledger/trainings/").content.decode()
    )
    other = as_user(people.other_bureau)
    assert "村(社区)法律顾问业务培训" not in other.get("/admin/ledger/trainings/").content.decode()
    assert other.get(f"/admin/ledger/trainings/{training.pk}/edit/").status_code == 404
    assert as_user(people.adviser_user).get("/admin/ledger/trainings/new/").status_code == 403


def test_training_organiser_outside_scope_is_refused(people, today):
    response = as_user(people.bureau).post(
        "/admin/ledger/trainings/new/",
        {"title": "培训", "date": today.isoformat(), "hours": "3", "organiser": "451421", "attendees": []},
    )
    assert response.status_code == 200 and "organiser" in response.context["form"].errors
    assert not Training.objects.exists() and not TrainingAttendance.objects.exists()


def test_home_panel_shows_this_months_figures(people, today):
    make_entry(people, today, "5", confirmation="confirmed")
    page = as_user(people.adviser_user).get("/admin/").content.decode()
    assert 'id="ledger-compliance' in page and "卜寨村委会：已确认 5" in page
