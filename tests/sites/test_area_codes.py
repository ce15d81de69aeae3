"""A site's 服务区域代码: a bad code is refused wherever it comes in, and never widens a site.

`45l4` once made a site cover the whole country (the malformed part was dropped, leaving no
prefix, which means "everywhere"). Each entry point is called directly here, not only the form.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import Site

from demo.content import _ensure_settings
from places.models import Division
from sites import areas
from sites.models import JurisdictionSettings, area_prefixes
from tests.conftest import BUZHAI

BAD_VALUES = ["45l4", "４５１４", "4514,abc", "45140", ",", " ， ", "4514;630105"]


@pytest.fixture
def jurisdiction(divisions):
    return JurisdictionSettings.for_site(Site.objects.get(is_default_site=True))


@pytest.mark.parametrize("value", BAD_VALUES)
def test_the_validator_refuses_anything_but_division_codes(value):
    with pytest.raises(ValidationError):
        areas.validate_area_codes(value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [("", ""), ("4514", "4514"), (" 4514，630105 ", "4514,630105"), ("4514,", "4514"), ("4514,4514", "4514")],
)
def test_good_values_pass_and_are_stored_plainly(jurisdiction, value, stored):
    areas.validate_area_codes(value)
    jurisdiction.area_codes = value
    jurisdiction.full_clean()
    jurisdiction.save()
    jurisdiction.refresh_from_db()
    assert jurisdiction.area_codes == stored


def test_full_clean_names_the_bad_code(jurisdiction):
    jurisdiction.area_codes = "45l4"
    with pytest.raises(ValidationError) as caught:
        jurisdiction.full_clean()
    assert "45l4" in " ".join(caught.value.message_dict["area_codes"])


@pytest.mark.parametrize("value", BAD_VALUES)
def test_save_from_the_shell_refuses_a_bad_code(jurisdiction, value):
    jurisdiction.area_codes = value
    with pytest.raises(ValidationError):
        jurisdiction.save()
    assert JurisdictionSettings.objects.get(pk=jurisdiction.pk).area_codes == ""


def test_the_demo_loader_refuses_a_bad_code(jurisdiction):
    with pytest.raises(ValidationError):
        _ensure_settings(jurisdiction.site, {"area_codes": "45l4"})
    assert JurisdictionSettings.objects.get(pk=jurisdiction.pk).area_codes == ""


def test_the_admin_form_shows_the_error_and_keeps_the_old_value(client, jurisdiction):
    jurisdiction.area_codes = "4514"
    jurisdiction.save()
    admin = get_user_model().objects.create_superuser("areaadmin", "a@example.org", "x-Very-long-pass-1")
    client.force_login(admin)
    url = reverse("wagtailsettings:edit", args=["sites", "jurisdictionsettings", jurisdiction.site_id])
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(url, {"area_codes": "45l4", "hotline": "12348", "theme": "default"})
    assert response.status_code == 200  # the form again, not a redirect
    assert "不是行政区划代码" in response.content.decode()
    assert JurisdictionSettings.objects.get(pk=jurisdiction.pk).area_codes == "4514"


def test_blank_is_the_whole_country_on_purpose(jurisdiction):
    assert jurisdiction.area_codes == ""
    assert jurisdiction.area_prefixes == [] and jurisdiction.covers(BUZHAI)


@pytest.mark.parametrize("value", ["45l4", ",", "4514,abc"])
def test_a_bad_stored_value_covers_nothing_and_tells_the_operator(jurisdiction, value, caplog):
    """A row written around save() (an update, an old row) fails closed, with one log line."""
    areas._report_bad_value.cache_clear()
    JurisdictionSettings.objects.filter(pk=jurisdiction.pk).update(area_codes=value)
    request = RequestFactory().get("/")
    with caplog.at_level(logging.ERROR, logger="sites.areas"):
        prefixes = area_prefixes(request)
        JurisdictionSettings.objects.get(pk=jurisdiction.pk).area_prefixes  # noqa: B018 -- logs once
    assert prefixes == [areas.NOWHERE]
    stored = JurisdictionSettings.objects.get(pk=jurisdiction.pk)
    assert not any(stored.covers(code) for code in Division.objects.values_list("code", flat=True))
    messages = [r.getMessage() for r in caplog.records if r.name == "sites.areas"]
    assert len(messages) == 1 and repr(value) in messages[0] and "辖区设置" in messages[0]


def test_the_public_pages_of_a_misconfigured_site_show_no_places(client, jurisdiction):
    jurisdiction.area_codes = "4514"
    jurisdiction.save()
    before = client.get("/directory/").content.decode()
    assert "崇左市" in before and "江州区" in before

    JurisdictionSettings.objects.filter(pk=jurisdiction.pk).update(area_codes="45l4")
    listing = client.get("/directory/")
    html = listing.content.decode()
    assert listing.status_code == 200 and "崇左市" not in html and "江州区" not in html


def test_the_settings_old_admin_address_leads_to_the_new_one(client, jurisdiction):
    admin = get_user_model().objects.create_superuser("movedadmin", "m@example.org", "x-Very-long-pass-1")
    client.force_login(admin)
    site_pk = jurisdiction.site_id
    new = reverse("wagtailsettings:edit", args=["sites", "jurisdictionsettings", site_pk])
    response = client.get(f"/admin/settings/content/jurisdictionsettings/{site_pk}/")
    assert response.status_code == 301 and response["Location"] == new
    assert client.get(response["Location"]).status_code == 200
