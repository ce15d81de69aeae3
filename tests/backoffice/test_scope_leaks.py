"""Scope leaks a county officer found (issue 11): add-form prefills and firms of another county.

Each test acts as a demo role would: `jiangzhou_bureau` follows a link with another county's
village and adviser in it; `ningming_bureau` opens a firm registered in 江州区 whose adviser also
serves one of its villages.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from advisers.models import Firm
from backoffice import roles
from tests.conftest import BUZHAI, village_codes

from .conftest import CHAOYANG, MINGXIANG, make_staff


def test_contract_prefill_out_of_scope_is_ignored(client, world, accounts):
    client.force_login(accounts["county"])
    outside = world.advisers[CHAOYANG]
    response = client.get(reverse("contracts:add"), {"village": MINGXIANG, "adviser": outside.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert "village" not in form.initial and "adviser" not in form.initial
    html = response.content.decode()
    assert "明祥社区" not in html and outside.name not in html
    assert "不在您的管辖范围内" in html


def test_contract_prefill_in_scope_is_kept(client, world, accounts):
    client.force_login(accounts["county"])
    inside = world.advisers[BUZHAI]
    response = client.get(reverse("contracts:add"), {"village": "451402001202", "adviser": inside.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["village"] == "451402001202" and str(form.initial["adviser"]) == str(inside.pk)
    assert "不在您的管辖范围内" not in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "99999999", "4514", "\u0000"])
def test_contract_prefill_nonsense_is_ignored(client, world, accounts, value):
    client.force_login(accounts["county"])
    response = client.get(reverse("contracts:add"), {"village": value, "adviser": value})
    assert response.status_code == 200
    assert "village" not in response.context["form"].initial


@pytest.fixture
def ningming(world, make_contract):
    """ningming_bureau, and 江州区's firm whose adviser also serves a 宁明 village."""
    firm = world.firms[BUZHAI]
    other_village = next(code for code in village_codes("451422", 5) if code != MINGXIANG)
    make_contract(world.advisers[BUZHAI], other_village)
    return make_staff("ningming_bureau", roles.COUNTY_BUREAU, "451422"), firm


def test_firm_of_another_county_is_seen_not_managed(client, world, ningming):
    user, firm = ningming
    client.force_login(user)
    assert client.get(reverse("firms:inspect", args=[firm.pk])).status_code == 200
    assert client.get(reverse("firms:edit", args=[firm.pk])).status_code == 403
    assert client.get(reverse("firms:delete", args=[firm.pk])).status_code == 403
    response = client.post(reverse("firms:edit", args=[firm.pk]), {"name": "改名", "kind": "law_firm"})
    assert response.status_code == 403
    response = client.post(reverse("firms:delete", args=[firm.pk]))
    assert response.status_code == 403
    firm.refresh_from_db()
    assert firm.name == "机构-卜寨"
    # The listing shows it without edit or delete links; the inspect page offers neither.
    listing = client.get(reverse("firms:index")).content.decode()
    assert "机构-卜寨" in listing and reverse("firms:edit", args=[firm.pk]) not in listing
    inspect = client.get(reverse("firms:inspect", args=[firm.pk])).content.decode()
    assert reverse("firms:edit", args=[firm.pk]) not in inspect
    assert reverse("firms:delete", args=[firm.pk]) not in inspect


def test_firm_is_managed_by_its_own_county(client, world, ningming, accounts):
    _user, firm = ningming
    client.force_login(accounts["county"])
    assert client.get(reverse("firms:edit", args=[firm.pk])).status_code == 200
    client.force_login(accounts["city"])
    assert client.get(reverse("firms:edit", args=[firm.pk])).status_code == 200


def test_firm_county_select_offers_only_counties_in_scope(client, world, ningming):
    user, _firm = ningming
    client.force_login(user)
    response = client.get(reverse("firms:add"))
    assert response.status_code == 200
    counties = {str(county.pk) for county in response.context["form"].fields["county"].queryset}
    assert counties == {"451422"}
    # A forged POST with 江州区 is refused and creates nothing.
    before = Firm.objects.count()
    response = client.post(reverse("firms:add"), {"name": "伪造所", "kind": "law_firm", "county": "451402"})
    assert response.status_code == 200 and "county" in response.context["form"].errors
    assert Firm.objects.count() == before
