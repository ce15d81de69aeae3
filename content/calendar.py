"""iCalendar (RFC 5545) files of lectures: the feed `/lectures/calendar.ics` and one event each.

Times carry the Asia/Shanghai zone with its VTIMEZONE, so calendars abroad and at home show the
hour the village expects. UIDs are stable per lecture and host, so a subscribed calendar updates
a moved or cancelled lecture instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Lecture

PRODID = "-//village-legal-adviser//lectures 1.0//ZH"


def lecture_event(lecture: Lecture, request: HttpRequest) -> Event:
    event = Event()
    event.add("uid", f"lecture-{lecture.pk}@{request.get_host().split(':')[0]}")
    event.add("dtstamp", lecture.updated_at or timezone.now())
    event.add("dtstart", timezone.localtime(lecture.starts_at))
    event.add("dtend", timezone.localtime(lecture.ends_at))
    summary = _("法制讲座：%(topic)s") % {"topic": lecture.topic}
    if lecture.is_cancelled:
        summary += _("（已取消）")
    event.add("summary", summary)
    event.add("location", f"{lecture.place_label()} {lecture.venue}".strip())
    lines = []
    if lecture.speaker_name:
        lines.append(_("主讲：%(name)s") % {"name": lecture.speaker_name})
    if lecture.audience:
        lines.append(_("面向：%(audience)s") % {"audience": lecture.audience})
    if lecture.description:
        lines.append(lecture.description)
    if lecture.registration_note:
        lines.append(_("报名须知：%(note)s") % {"note": lecture.registration_note})
    if lecture.is_cancelled and lecture.cancellation_reason:
        lines.append(_("取消原因：%(reason)s") % {"reason": lecture.cancellation_reason})
    url = request.build_absolute_uri(lecture.get_absolute_url())
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("status", "CANCELLED" if lecture.is_cancelled else "CONFIRMED")
    if lecture.category_id:
        event.add("categories", [lecture.category.name])
    return event


def lectures_calendar(lectures: Iterable[Lecture], request: HttpRequest, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
    for lecture in lectures:
        calendar.add_component(lecture_event(lecture, request))
    calendar.add_missing_timezones()
    return calendar.to_ical()
