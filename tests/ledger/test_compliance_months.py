"""Which month the compliance report shows and how it judges it (issue 11).

The report opens on the last finished month, says so plainly when asked for a month that has not
begun, marks a running month 进行中 in its exports instead of 未达标, and does not count a lecture as
missing for a village contracted late in the year (ledger/compliance.py, `owes_lecture`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from ledger import compliance, dashboard
from tests.conftest import BUZHAI, TAIPING
from tests.factories import AdviserFactory

from .test_backoffice import make_entry

LATE = "451402001202"  # another 太平 village, contracted from 10 December


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_report_opens_on_the_last_finished_month():
    assert dashboard.parse_month("", dt.date(2026, 12, 2)) == (2026, 11, "")
    assert dashboard.parse_month(None, dt.date(2027, 1, 5)) == (2026, 12, "")
    assert dashboard.parse_month("2026-12", dt.date(2026, 12, 2)) == (2026, 12, "")


def test_a_future_or_unreadable_month_is_refused_with_a_message():
    year, month, problem = dashboard.parse_month("2027-03", dt.date(2026, 12, 2))
    assert (year, month) == (2026, 11)
    assert "2027年3月尚未开始" in problem and "2026年11月" in problem
    year, month, problem = dashboard.parse_month("2026-13", dt.date(2026, 12, 2))
    assert (year, month) == (2026, 11) and "无法识别" in problem


def test_the_page_opens_on_last_month_and_warns_about_a_future_one(people, today):
    bureau = as_user(people.bureau)
    board = bureau.get("/admin/ledger/compliance/").context["board"]
    assert (board.year, board.month) == compliance.last_finished_month(today)
    future = dt.date(today.year + 1, today.month, 1)
    page = bureau.get(f"/admin/ledger/compliance/?month={future:%Y-%m}")
    assert page.status_code == 200
    assert f"{future.year}年{future.month}月尚未开始" in page.content.decode()
    assert (page.context["board"].year, page.context["board"].month) == compliance.last_finished_month(today)


def test_a_running_month_is_in_progress_in_the_csv(people, today):
    make_entry(people, today, "1", confirmation="confirmed")
    response = as_user(people.bureau).get(f"/admin/ledger/compliance/export.csv?month={today:%Y-%m}")
    assert response.status_code == 200
    rows = csv_rows(response)
    results = {row[0]: row[-1] for row in rows[1:]}
    assert results[BUZHAI] == "进行中"
    assert "未达标" not in results.values() and "达标" not in results.values()


def test_a_finished_month_is_judged_in_the_csv(people, today):
    year, month = compliance.last_finished_month(today)
    response = as_user(people.bureau).get(f"/admin/ledger/compliance/export.csv?month={year}-{month:02d}")
    rows = csv_rows(response)
    assert {row[0]: row[-1] for row in rows[1:]}[BUZHAI] in {"达标", "未达标"}


@pytest.mark.parametrize(
    ("start", "judged"),
    [(dt.date(2025, 12, 10), False), (dt.date(2025, 7, 2), True), (dt.date(2025, 7, 3), False)],
)
def test_a_village_contracted_late_in_the_year_owes_no_lecture(divisions, make_contract, start, judged):
    adviser = AdviserFactory(name="农晚")
    make_contract(adviser, LATE, start_date=start, end_date=dt.date(2026, 12, 31))
    rows = {row.code: row for row in compliance.yearly_lectures(TAIPING, 2025)}
    assert rows[LATE].applicable is judged
    assert rows[LATE].meets is not judged
