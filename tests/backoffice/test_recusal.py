"""Conflict-of-interest recusals (崇政办发〔2017〕101号 二(一)4) and their rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from advisers.models import Adviser, Recusal, ServiceContract
from tests.conftest import BUZHAI, JIANGZHOU
from tests.factories import AdviserFactory, FirmFactory

OTHER = "451402001202"  # 公益村委会, also in 太平街道


@pytest.fixture
def conflicted(world, make_contract):
    """卜寨's adviser also serves 公益: a land dispute between the two villages."""
    adviser = world.advisers[BUZHAI]
    make_contract(adviser, OTHER)
    return adviser


def test_substitute_cannot_be_the_conflicted_adviser_or_one_serving_either_village(
    world, conflicted, make_contract
):
    recusal = Recusal(
        adviser=conflicted, village_id=BUZHAI, other_village_id=OTHER, matter="两村山林权属纠纷"
    )
    recusal.substitute = conflicted
    with pytest.raises(ValidationError, match="不能是需要回避的顾问本人"):
        recusal.full_clean()
    recusal.substitute = AdviserFactory(firm=FirmFactory(county_id=JIANGZHOU))
    recusal.full_clean()
    recusal.save()
    assert recusal.status == Recusal.Status.ASSIGNED and recusal.assigned_on is not None


def test_substitute_serving_the_other_village_is_refused(world, conflicted, make_contract):
    serving_other = AdviserFactory(name="对方顾问", firm=FirmFactory(county_id=JIANGZHOU))
    recusal = Recusal(
        adviser=conflicted,
        village_id=BUZHAI,
        other_village_id=OTHER,
        matter="两村山林权属纠纷",
        substitute=serving_other,
    )
    # The other village's contract now belongs to the proposed substitute.
    ServiceContract.objects.filter(village_id=OTHER).update(adviser=serving_other)
    with pytest.raises(ValidationError, match="同样存在利益冲突"):
        recusal.full_clean()


def test_assigned_needs_a_substitute(world, conflicted):
    recusal = Recusal(adviser=conflicted, village_id=BUZHAI, matter="纠纷", status=Recusal.Status.ASSIGNED)
    with pytest.raises(ValidationError, match="请选择指派的法律顾问"):
        recusal.full_clean()


def test_bureau_records_a_recusal_in_the_admin_and_the_village_page_shows_it(
    client, world, accounts, conflicted
):
    client.force_login(accounts["county"])
    substitute = AdviserFactory(name="代理顾问", firm=FirmFactory(county_id=JIANGZHOU))
    response = client.post(
        reverse("recusals:add"),
        {
            "matter": "卜寨与公益两村交界山林权属纠纷调解",
            "adviser": conflicted.pk,
            "village": BUZHAI,
            "other_village": OTHER,
            "reason": "同一顾问同时担任两村法律顾问",
            "substitute": substitute.pk,
            "status": "assigned",
            "raised_on": "2026-01-05",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    recusal = Recusal.objects.get(matter__startswith="卜寨与公益")
    assert recusal.substitute == substitute
    page = client.get(reverse("villages:inspect", args=[OTHER])).content.decode()
    assert "卜寨与公益两村交界山林权属纠纷调解" in page and "代理顾问" in page


def test_deleting_an_adviser_with_contracts_is_refused_with_a_reason(client, world, accounts):
    client.force_login(accounts["county"])
    adviser = world.advisers[BUZHAI]
    response = client.post(reverse("advisers:delete", args=[adviser.pk]), follow=True)
    assert "不能删除" in response.content.decode()
    assert Adviser.objects.filter(pk=adviser.pk).exists()
