"""Lectures: the schedule, the area filter, iCalendar, the village page, recording attendance."""

from __future__ import annotations

import datetime as dt
import io

import icalendar
import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.models import Site

from content.home import VILLAGE_COOKIE
from content.models import Lecture, LecturePhoto
from sites.models import JurisdictionSettings
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING
from tests.content_helpers import at, make_lecture
from tests.factories import AdviserFactory

NEIGHBOUR = "451402001202"  # another village of 太平街道
NINGMING = "451422100001"  # a village of 宁明县


@pytest.fixture
def chongzuo(divisions):
    """The default site serves 崇左市 (area 4514), as the demo sets it up."""
    jurisdiction = JurisdictionSettings.for_site(Site.objects.get(is_default_site=True))
    jurisdiction.bureau_name = "崇左市司法局"
    jurisdiction.area_codes = "4514"
    jurisdiction.save()
    return jurisdiction


@pytest.fixture
def chengbei_village(divisions):
    from places.models import Division

    return Division.objects.villages().within("630105").order_by("code").first().code


# --- the model ---------------------------------------------------------------------------------


def test_lecture_needs_a_village_or_township(divisions):
    with pytest.raises(ValidationError) as error:
        make_lecture(JIANGZHOU)
    assert "请选择村(社区)或乡镇(街道)" in str(error.value)
    assert make_lecture(TAIPING).place_id == TAIPING


def test_lecture_needs_a_speaker(divisions):
    with pytest.raises(ValidationError) as error:
        make_lecture(BUZHAI, guest_speaker="")
    assert "主讲" in str(error.value)


def test_a_future_lecture_cannot_be_held(divisions):
    with pytest.raises(ValidationError):
        make_lecture(BUZHAI, days=2, status=Lecture.Status.HELD, attendance=30)


def test_held_needs_attendance_and_cancelled_a_reason(divisions):
    with pytest.raises(ValidationError) as error:
        make_lecture(BUZHAI, days=-2, status=Lecture.Status.HELD)
    assert "到场人数" in str(error.value)
    with pytest.raises(ValidationError) as error:
        make_lecture(BUZHAI, days=2, status=Lecture.Status.CANCELLED)
    assert "取消原因" in str(error.value)


# --- /lectures/ --------------------------------------------------------------------------------


def test_list_shows_upcoming_and_past_separately(client, chongzuo):
    make_lecture(BUZHAI, days=5, topic="下周的讲座")
    make_lecture(BUZHAI, days=0, topic="今天晚上的讲座")
    make_lecture(BUZHAI, days=-10, topic="上个月的讲座", status=Lecture.Status.HELD, attendance=40)
    upcoming = client.get("/lectures/").content.decode()
    assert "下周的讲座" in upcoming and "今天晚上的讲座" in upcoming and "上个月的讲座" not in upcoming
    assert upcoming.index("今天晚上的讲座") < upcoming.index("下周的讲座")  # soonest first
    past = client.get("/lectures/", {"when": "past"}).content.decode()
    assert "上个月的讲座" in past and "下周的讲座" not in past and "已举办" in past


def test_area_filter_narrows_to_a_township_or_village(client, chongzuo, chengbei_village):
    make_lecture(BUZHAI, topic="卜寨的讲座")
    make_lecture(TAIPING, topic="太平街道的讲座")
    make_lecture(NINGMING, topic="别的县的讲座")  # 宁明县
    html = client.get("/lectures/", {"area": TAIPING}).content.decode()
    assert "卜寨的讲座" in html and "太平街道的讲座" in html and "别的县的讲座" not in html
    html = client.get("/lectures/", {"area": BUZHAI}).content.decode()
    assert "卜寨的讲座" in html and "太平街道的讲座" not in html


def test_site_shows_only_its_own_area(client, chongzuo, chengbei_village):
    make_lecture(BUZHAI, topic="崇左的讲座")
    make_lecture(chengbei_village, topic="城北的讲座")
    html = client.get("/lectures/").content.decode()
    assert "崇左的讲座" in html and "城北的讲座" not in html
    # A wider area than the site serves (the province) is the site's own part of it.
    html = client.get("/lectures/", {"area": "45"}).content.decode()
    assert "崇左的讲座" in html


@pytest.mark.parametrize("area", ["abc", "4514020", "45140200120x", "%00", "１２", "-1", "4" * 13])
def test_malformed_area_is_400_with_a_chinese_message(client, chongzuo, area):
    for url in ("/lectures/", "/lectures/calendar.ics"):
        response = client.get(url, {"area": area})
        assert response.status_code == 400, url
        assert "地区代码格式不正确" in response.content.decode()


@pytest.mark.parametrize("area", ["999999", "451402999999"])
def test_unknown_area_is_404(client, chongzuo, area):
    assert client.get("/lectures/", {"area": area}).status_code == 404
    assert client.get("/lectures/calendar.ics", {"area": area}).status_code == 404


def test_area_outside_the_site_is_404(client, chongzuo):
    assert client.get("/lectures/", {"area": "630105"}).status_code == 404


@pytest.mark.parametrize("number", ["99", "abc"])
def test_bad_page_is_404(client, chongzuo, number):
    assert client.get("/lectures/", {"page": number}).status_code == 404


def test_lecture_detail_and_its_calendar_file(client, chongzuo):
    adviser = AdviserFactory(name="韦明")
    lecture = make_lecture(BUZHAI, speaker=adviser, guest_speaker="", topic="土地承包与宅基地")
    html = client.get(lecture.get_absolute_url()).content.decode()
    assert "土地承包与宅基地" in html and "韦明" in html and "太平街道卜寨村委会" in html
    assert f'href="/lectures/{lecture.pk}/calendar.ics"' in html
    response = client.get(f"/lectures/{lecture.pk}/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="lecture-{lecture.pk}.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "法制讲座：土地承包与宅基地"
    assert event.decoded("DTSTART") == lecture.starts_at
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert str(event["DTSTART"].params["TZID"]) == "Asia/Shanghai"
    assert calendar.walk("VTIMEZONE"), "the zone the times refer to is included"
    assert "卜寨村委会" in str(event["LOCATION"])
    assert "主讲：韦明" in str(event["DESCRIPTION"])


def test_lecture_outside_the_site_is_404(client, chongzuo, chengbei_village):
    lecture = make_lecture(chengbei_village)
    assert client.get(lecture.get_absolute_url()).status_code == 404
    assert client.get(f"/lectures/{lecture.pk}/calendar.ics").status_code == 404


def test_calendar_feed_parses_and_filters(client, chongzuo, chengbei_village):
    kept = make_lecture(BUZHAI, topic="卜寨的讲座", days=4)
    cancelled = make_lecture(
        TAIPING, topic="取消的讲座", days=8, status=Lecture.Status.CANCELLED, cancellation_reason="暴雨"
    )
    make_lecture(BUZHAI, topic="去年的讲座", days=-400, status=Lecture.Status.HELD, attendance=10)
    make_lecture(NINGMING, topic="宁明的讲座")
    make_lecture(chengbei_village, topic="城北的讲座")
    response = client.get("/lectures/calendar.ics", {"area": TAIPING})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"lecture-{kept.pk}@testserver", f"lecture-{cancelled.pk}@testserver"}
    assert str(events[f"lecture-{cancelled.pk}@testserver"]["STATUS"]) == "CANCELLED"
    assert "（已取消）" in str(events[f"lecture-{cancelled.pk}@testserver"]["SUMMARY"])
    whole_site = icalendar.Calendar.from_ical(client.get("/lectures/calendar.ics").content)
    topics = {str(e["SUMMARY"]) for e in whole_site.walk("VEVENT")}
    assert "法制讲座：宁明的讲座" in topics and "法制讲座：城北的讲座" not in topics


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_lecture_list_query_count_does_not_grow(client, chongzuo):
    for days in range(1, 4):
        make_lecture(BUZHAI, days=days, speaker=AdviserFactory(), guest_speaker="")
    few = _queries(client, f"/lectures/?area={TAIPING}")
    few_ics = _queries(client, f"/lectures/calendar.ics?area={TAIPING}")
    for days in range(4, 20):
        make_lecture(
            TAIPING if days % 2 else NEIGHBOUR, days=days, speaker=AdviserFactory(), guest_speaker=""
        )
    many = _queries(client, f"/lectures/?area={TAIPING}")
    assert many == few, f"{few} queries for 3 lectures, {many} for 19"
    assert _queries(client, f"/lectures/calendar.ics?area={TAIPING}") == few_ics


# --- the village page and the home page -------------------------------------------------------


def test_village_page_lists_its_next_lectures_within_budget(client, chongzuo, django_assert_max_num_queries):
    make_lecture(BUZHAI, days=3, topic="本村的讲座")
    make_lecture(TAIPING, days=9, topic="全街道的讲座")
    make_lecture(NEIGHBOUR, days=2, topic="邻村的讲座")
    make_lecture(BUZHAI, days=-3, topic="已经讲过的", status=Lecture.Status.HELD, attendance=20)
    for days in range(10, 16):
        make_lecture(BUZHAI, days=days, topic=f"以后的讲座{days}", speaker=AdviserFactory(), guest_speaker="")
    with django_assert_max_num_queries(12):
        response = client.get(f"/directory/{BUZHAI}/")
    html = response.content.decode()
    assert "本村的讲座" in html and "全街道的讲座" in html
    assert "邻村的讲座" not in html and "已经讲过的" not in html
    assert html.index("本村的讲座") < html.index("全街道的讲座")
    assert html.count('class="lecture-card"') == 5
    assert f'href="/lectures/?area={TAIPING}"' in html


def test_choosing_a_village_shows_lectures_near_it_on_the_home_page(client, chongzuo):
    make_lecture(NEIGHBOUR, days=2, topic="邻村的讲座")
    make_lecture(BUZHAI, days=3, topic="本村的讲座")
    make_lecture(NINGMING, days=1, topic="宁明县的讲座")
    html = client.get("/").content.decode()
    assert "近期法制讲座" in html and "宁明县的讲座" in html and "我的村(社区)" not in html
    response = client.get("/my-village/", {"code": BUZHAI})
    assert response.status_code == 302 and response["Location"] == "/#my-village"
    assert response.cookies[VILLAGE_COOKIE].value == BUZHAI
    response = client.get("/")
    assert "Cookie" in response["Vary"]
    html = response.content.decode()
    start = html.index('id="my-village"')
    mine = html[start : html.index("</section>", start)]
    assert "我的村(社区)：卜寨村委会" in mine
    assert "本村的讲座" in mine and "邻村的讲座" in mine and "宁明县的讲座" not in mine
    client.get("/my-village/", {"clear": "1"})
    assert 'id="my-village"' not in client.get("/").content.decode()


@pytest.mark.parametrize(
    "code,status", [("abc", 400), (TAIPING, 400), ("451402999999", 404), ("630105001001", 404)]
)
def test_choosing_a_bad_village_is_refused(client, chongzuo, code, status):
    response = client.get("/my-village/", {"code": code})
    assert response.status_code == status
    assert VILLAGE_COOKIE not in response.cookies


def test_a_stale_cookie_is_ignored(client, chongzuo):
    client.cookies[VILLAGE_COOKIE] = "not-a-code"
    assert client.get("/").status_code == 200


# --- recording a lecture afterwards ------------------------------------------------------------


def _photo(name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (800, 600), (120, 160, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def adviser_user(divisions):
    user = User.objects.create_user("weiming", password="x-Pass-12345")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    adviser = AdviserFactory(name="韦明", user=user)
    return user, adviser


def test_the_speaking_adviser_records_attendance_and_photos(client, adviser_user):
    user, adviser = adviser_user
    lecture = make_lecture(BUZHAI, days=-1, speaker=adviser, guest_speaker="")
    client.force_login(user)
    mine = client.get(reverse("content_my_lectures"))
    assert mine.status_code == 200 and "待记录" in mine.content.decode()
    url = reverse("content_record_lecture", args=[lecture.pk])
    response = client.post(
        url,
        {
            "held": "1",
            "attendance": "58",
            "summary": "讲了土地承包，群众提问12个。",
            "photos": [_photo("a.jpg"), _photo("b.jpg")],
            "caption": "讲座现场",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.HELD and lecture.attendance == 58
    assert lecture.recorded_by == user and lecture.recorded_at is not None
    assert LecturePhoto.objects.filter(lecture=lecture).count() == 2
    client.logout()
    html = client.get(lecture.get_absolute_url()).content.decode()
    assert "到场 58 人" in html and "讲了土地承包" in html
    assert html.count("<picture>") == 2 and 'type="image/webp"' in html


def test_recording_needs_attendance_or_a_reason(client, adviser_user):
    user, adviser = adviser_user
    lecture = make_lecture(BUZHAI, days=-1, speaker=adviser, guest_speaker="")
    client.force_login(user)
    url = reverse("content_record_lecture", args=[lecture.pk])
    response = client.post(url, {"held": "1", "attendance": ""})
    assert response.status_code == 200 and "请填写到场人数" in response.content.decode()
    response = client.post(url, {"held": "0", "reason": ""})
    assert "请说明没有举办的原因" in response.content.decode()
    response = client.post(url, {"held": "0", "reason": "村里办丧事，改期"})
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.CANCELLED and lecture.cancellation_reason == "村里办丧事，改期"


def test_a_lecture_not_yet_started_cannot_be_recorded(client, adviser_user):
    user, adviser = adviser_user
    lecture = make_lecture(BUZHAI, days=2, speaker=adviser, guest_speaker="")
    client.force_login(user)
    response = client.post(
        reverse("content_record_lecture", args=[lecture.pk]), {"held": "1", "attendance": "10"}
    )
    assert "讲座还没有开始" in response.content.decode()
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.SCHEDULED


def test_another_adviser_cannot_record_it(client, adviser_user):
    _user, adviser = adviser_user
    lecture = make_lecture(BUZHAI, days=-1, speaker=adviser, guest_speaker="")
    other = User.objects.create_user("other", password="x-Pass-12345")
    other.user_permissions.add(Permission.objects.get(codename="access_admin"))
    AdviserFactory(user=other)
    client.force_login(other)
    response = client.post(
        reverse("content_record_lecture", args=[lecture.pk]), {"held": "1", "attendance": "5"}
    )
    assert response.status_code in (302, 403)
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.SCHEDULED


def _county_officer(username: str, county: str) -> User:
    """A county bureau account (the back office's role), scoped to its county."""
    from backoffice.models import StaffProfile
    from backoffice.roles import COUNTY_BUREAU, ensure_roles

    ensure_roles()
    user = User.objects.create_user(username, password="x-Pass-12345")
    user.groups.add(Group.objects.get(name=COUNTY_BUREAU))
    StaffProfile.objects.create(user=user, scope_id=county)
    return user


def test_county_staff_record_lectures_in_their_county_only(client, divisions):
    officer = _county_officer("jiangzhou", JIANGZHOU)
    ours = make_lecture(BUZHAI, days=-1)
    theirs = make_lecture(NINGMING, days=-1)
    client.force_login(officer)
    response = client.post(
        reverse("content_record_lecture", args=[ours.pk]), {"held": "1", "attendance": "33"}
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.attendance == 33 and ours.recorded_by == officer
    response = client.post(
        reverse("content_record_lecture", args=[theirs.pk]), {"held": "1", "attendance": "5"}
    )
    # Wagtail answers a refusal inside the admin with a redirect to the dashboard and a message.
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"
    theirs.refresh_from_db()
    assert theirs.status == Lecture.Status.SCHEDULED


def test_county_staff_see_and_edit_only_their_lectures_in_the_admin(client, divisions):
    officer = _county_officer("jiangzhou", JIANGZHOU)
    ours = make_lecture(BUZHAI, topic="江州区的讲座")
    theirs = make_lecture(NINGMING, topic="宁明县的讲座")
    client.force_login(officer)
    listing = client.get(reverse("lecture_admin:index")).content.decode()
    assert "江州区的讲座" in listing and "宁明县的讲座" not in listing
    assert client.get(reverse("lecture_admin:edit", args=[ours.pk])).status_code == 200
    assert client.get(reverse("lecture_admin:edit", args=[theirs.pk])).status_code == 404


def lecture_form(place: str, speaker, starts, **overrides) -> dict:
    data = {
        "topic": "借钱、担保与合同风险",
        "description": "",
        "category": "",
        "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
        "duration_minutes": "90",
        "place": place,
        "venue": "卜寨村委会二楼会议室",
        "speaker": str(speaker.pk) if speaker else "",
        "guest_speaker": "",
        "audience": "全体村(居)民",
        "registration_note": "无需报名",
        "status": "scheduled",
        "cancellation_reason": "",
        "summary": "",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "12",
    }
    data.update(overrides)
    return data


def test_staff_schedule_a_lecture_in_the_admin(client, divisions):
    officer = _county_officer("jiangzhou", JIANGZHOU)
    client.force_login(officer)
    adviser = AdviserFactory(name="韦明", firm__county_id=JIANGZHOU)  # a firm of the county: in scope
    starts = timezone.localtime(at(7))
    response = client.post(reverse("lecture_admin:add"), lecture_form(BUZHAI, adviser, starts))
    assert response.status_code == 302, response.content.decode()[:3000]
    lecture = Lecture.objects.get(topic="借钱、担保与合同风险")
    assert lecture.speaker == adviser and lecture.place_id == BUZHAI and lecture.starts_at == starts
    assert "借钱、担保与合同风险" in client.get(reverse("lecture_admin:index")).content.decode()
    # A place of another county is refused, whatever the form sends.
    client.post(reverse("lecture_admin:add"), lecture_form(NINGMING, adviser, starts, topic="越界的讲座"))
    assert not Lecture.objects.filter(topic="越界的讲座").exists()


def test_place_chooser_lists_villages_and_townships_in_scope(client, divisions):
    officer = _county_officer("jiangzhou", JIANGZHOU)
    client.force_login(officer)
    response = client.get(reverse("lecture_place_chooser:choose_results"), {"q": "太平"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "太平街道" in html and TAIPING in html
    response = client.get(reverse("lecture_place_chooser:choose_results"), {"q": NINGMING})
    assert "明祥社区居委会" not in response.content.decode()  # the 宁明县 village of that code
    response = client.get(reverse("lecture_place_chooser:choose_results"), {"q": "明祥"})
    assert "明祥社区居委会" not in response.content.decode()


def test_area_select_drills_down_one_level_per_choice(client, divisions):
    """A national site (no area set) starts from provinces or counties and offers each level below."""
    html = client.get("/lectures/", {"area": "4514"}).content.decode()
    assert '<option value="451402"' in html and '<option value="4514" selected' in html
    html = client.get("/lectures/", {"area": "451402"}).content.decode()
    assert f'<option value="{TAIPING}"' in html and '<option value="451402" selected' in html
    html = client.get("/lectures/", {"area": BUZHAI}).content.decode()
    assert f'<option value="{BUZHAI}" selected' in html and f'<option value="{TAIPING}"' in html
