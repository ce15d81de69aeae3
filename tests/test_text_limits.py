"""Free text that reaches public pages has a length limit that every entry point holds.

The admin form says so in Chinese, `full_clean()` (imports) refuses, and the database refuses a
write that skips validation (the shell, bulk updates): a 1 MB bio can no longer become a 1 MB
adviser page.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from advisers.models import Adviser
from backoffice import roles
from content.models import ArticlePage, HomePage, Lecture
from sites.models import JurisdictionSettings
from tests.backoffice.conftest import make_staff
from tests.backoffice.test_audit import post_data
from tests.backoffice.test_import import ADVISER_HEADINGS, csv_bytes, latest_batch, upload
from tests.conftest import BUZHAI, JIANGZHOU
from tests.content_helpers import make_lecture
from tests.factories import AdviserFactory, FirmFactory

MEGABYTE = "法" * (1024 * 1024 // 3)


def field_errors(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict.get(field, []))


@pytest.mark.django_db
def test_full_clean_refuses_an_over_long_bio_and_reputation(divisions):
    adviser = AdviserFactory()
    adviser.bio = "简" * 2000
    adviser.full_clean()  # exactly at the limit is fine
    adviser.bio = "简" * 2001
    adviser.reputation = "誉" * 2001
    with pytest.raises(ValidationError) as caught:
        adviser.full_clean()
    assert "2000" in field_errors(caught.value, "bio") and "2001" in field_errors(caught.value, "bio")
    assert "2000" in field_errors(caught.value, "reputation")


@pytest.mark.django_db
def test_the_database_refuses_what_skips_validation(divisions):
    adviser = AdviserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Adviser.objects.filter(pk=adviser.pk).update(bio=MEGABYTE)
    with pytest.raises(IntegrityError), transaction.atomic():
        adviser.bio = MEGABYTE
        adviser.save()
    adviser.refresh_from_db()
    assert len(adviser.bio) <= 2000


@pytest.mark.django_db
def test_the_admin_form_shows_the_limit_in_chinese(client, divisions):
    adviser = AdviserFactory(firm=FirmFactory(county_id=JIANGZHOU))
    client.force_login(make_staff("limits_bureau", roles.COUNTY_BUREAU, JIANGZHOU))
    # An adviser of the county: registered with one of its firms.
    form = client.get(reverse("advisers:edit", args=[adviser.pk])).context["form"]
    data = post_data(form)
    data["bio"] = MEGABYTE
    response = client.post(reverse("advisers:edit", args=[adviser.pk]), data)
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["bio"])
    assert "2000" in message and "确保" in message
    adviser.refresh_from_db()
    assert adviser.bio == ""


@pytest.mark.django_db
def test_an_import_row_with_an_over_long_bio_is_listed_and_nothing_saved(client, divisions):
    firm = FirmFactory(name="广西明德律师事务所", county_id=JIANGZHOU)
    values = {"姓名": "李新", "执业证号": "14514201810000101", "所在机构": firm.name, "个人简介": "简" * 2001}
    row = [values.get(h, "") for h in ADVISER_HEADINGS]
    client.force_login(make_staff("limits_bureau", roles.COUNTY_BUREAU, JIANGZHOU))
    upload(client, "advisers", "advisers.csv", csv_bytes(ADVISER_HEADINGS, [row]))
    batch = latest_batch()
    assert [e["line"] for e in batch.errors] == [2]
    assert "个人简介" in batch.errors[0]["message"] and "2000" in batch.errors[0]["message"]
    assert not Adviser.objects.filter(licence_no="14514201810000101").exists()


@pytest.mark.django_db
def test_page_settings_and_lecture_texts_have_limits(divisions):
    home = HomePage.objects.first() or HomePage(title="首页", slug="home-limits")
    home.intro = "简" * 501
    with pytest.raises(ValidationError) as caught:
        home.full_clean()
    assert "500" in field_errors(caught.value, "intro")

    article = ArticlePage(title="长导语", slug="long-intro", intro="导" * 301)
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert "300" in field_errors(caught.value, "intro")

    settings_row = JurisdictionSettings(footer_text="页" * 501)
    with pytest.raises(ValidationError) as caught:
        settings_row.full_clean(exclude=["site"])
    assert "500" in field_errors(caught.value, "footer_text")

    lecture: Lecture = make_lecture(BUZHAI, days=3)
    lecture.description = "讲" * 1001
    lecture.summary = "记" * 2001
    with pytest.raises(ValidationError) as caught:
        lecture.full_clean()
    assert "1000" in field_errors(caught.value, "description")
    assert "2000" in field_errors(caught.value, "summary")
    with pytest.raises(IntegrityError), transaction.atomic():
        Lecture.objects.filter(pk=lecture.pk).update(description=MEGABYTE)
