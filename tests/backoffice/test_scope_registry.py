"""The scope registry: the platform knows no app's models; apps register theirs, fail closed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from backoffice import roles, scope
from backoffice.models import StaffProfile
from tests.conftest import BUZHAI, JIANGZHOU
from tests.factories import AdviserFactory

from .conftest import make_staff


def test_an_unregistered_model_is_refused_not_shown(db):
    """A query on a model nobody registered is an error for a scoped account, never everything."""
    user = make_staff("jiangzhou_bureau", roles.COUNTY_BUREAU, JIANGZHOU)
    with pytest.raises(LookupError, match="Group has no scope rule"):
        scope.scoped(Group.objects.all(), user)


def test_each_app_registers_its_own_models():
    from advisers.models import Adviser, Firm, ServiceContract
    from ledger.models import LedgerEntry

    for model in (Adviser, Firm, ServiceContract, LedgerEntry, StaffProfile):
        assert model in scope._place_fields, model
    assert scope.has_manage_rule(Firm)


def test_a_staff_profile_answers_before_an_adviser_record(divisions):
    """Resolvers run in order: the platform's staff profile (0), then the programme's accounts."""
    user = make_staff("both", roles.COUNTY_BUREAU, JIANGZHOU)
    AdviserFactory(user=user)
    assert scope.compute_scope(user).prefixes == (JIANGZHOU,)
    StaffProfile.objects.filter(user=user).delete()
    found = scope.compute_scope(user)
    assert found.is_adviser and found.prefixes == ()


def test_an_account_no_resolver_knows_sees_nothing(divisions):
    user = make_staff("nobody", roles.COUNTY_BUREAU)
    assert scope.compute_scope(user) is scope.NOWHERE


def test_a_liaison_account_sees_its_village(divisions):
    from tests.factories import LiaisonFactory

    user = make_staff("liaison", roles.VILLAGE_COMMITTEE)
    LiaisonFactory(village_id=BUZHAI, user=user)
    assert scope.compute_scope(user).prefixes == (BUZHAI,)
