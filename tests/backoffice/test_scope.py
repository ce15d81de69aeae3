"""The scope machinery other apps build on (the ledger, the workflows)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group

from advisers.models import Adviser, LiaisonOfficer, ServiceContract
from backoffice import roles
from backoffice.scope import EVERYWHERE, NOWHERE, Scope, place_code_of, scope_filter, scope_for, scoped
from places.models import Division
from tests.conftest import BUZHAI

from .conftest import CHAOYANG, CHENGXI, MINGXIANG, make_staff


def test_prefix_scopes(world):
    city = make_staff("c", roles.CITY_BUREAU, "4514")
    assert scope_for(city) == Scope(prefixes=("4514",))
    codes = set(scope_filter(ServiceContract.objects.all(), city).values_list("village_id", flat=True))
    assert codes == {BUZHAI, CHENGXI, MINGXIANG}
    township = make_staff("t", roles.TOWNSHIP_OFFICE, "451402001")
    assert set(scope_filter(LiaisonOfficer.objects.all(), township).values_list("village_id", flat=True)) == {
        BUZHAI
    }


def test_adviser_scope_is_its_own_record_and_current_villages(world, make_contract, today):
    adviser = world.advisers[BUZHAI]
    user = make_staff("a", roles.ADVISER)
    adviser.user = user
    adviser.save()
    ended = make_contract(
        adviser,
        "451402001202",
        start_date=today.replace(year=today.year - 3),
        end_date=today.replace(year=today.year - 2),
    )
    scope = scope_for(user)
    assert scope.adviser_id == adviser.pk and scope.prefixes == (BUZHAI,)
    # Its contracts, the ended one included; its villages, only those it serves now.
    assert set(scoped(ServiceContract.objects.all(), user)) == {world.contracts[BUZHAI], ended}
    assert set(scoped(Division.objects.villages(), user).values_list("code", flat=True)) == {BUZHAI}


def test_liaison_account_without_profile_gets_its_village(world):
    user = make_staff("l", roles.VILLAGE_COMMITTEE)
    LiaisonOfficer.objects.filter(pk=world.liaisons[CHAOYANG].pk).update(user=user)
    assert scope_for(user) == Scope(prefixes=(CHAOYANG,))


def test_fail_closed(world):
    assert scope_for(AnonymousUser()) == NOWHERE
    assert scope_for(make_staff("x", None)) == NOWHERE
    assert not scoped(ServiceContract.objects.all(), make_staff("y", roles.COUNTY_BUREAU)).exists()
    superuser = make_staff("root", None, is_superuser=True)
    assert scope_for(superuser) == EVERYWHERE


def test_county_bureau_sees_advisers_registered_or_serving_in_its_county(world, make_contract):
    county = make_staff("jz", roles.COUNTY_BUREAU, "451402")

    visible = set(scoped(Adviser.objects.all(), county).values_list("name", flat=True))
    assert visible == {"顾问-卜寨", "顾问-城西"}
    # 宁明's adviser starts serving a 江州 village: now visible to 江州区司法局 too.
    make_contract(world.advisers[MINGXIANG], "451402001202")
    assert "顾问-明祥" in set(scoped(Adviser.objects.all(), county).values_list("name", flat=True))


def test_place_of_records_for_the_log(world):
    assert place_code_of(world.contracts[BUZHAI]) == BUZHAI
    assert place_code_of(world.advisers[MINGXIANG]) == "451422"
    assert place_code_of(world.bureaus["630105"]) == "630105"


def test_roles_are_idempotent(db):
    roles.ensure_roles()
    roles.ensure_roles()
    assert Group.objects.filter(name__in=roles.ALL_ROLES).count() == len(roles.ALL_ROLES)
    county = Group.objects.get(name=roles.COUNTY_BUREAU)
    assert county.permissions.filter(codename="add_servicecontract").exists()
    assert (
        not Group.objects.get(name=roles.TOWNSHIP_OFFICE)
        .permissions.filter(codename="change_servicecontract")
        .exists()
    )
