"""Fixtures: the accounts of the issue's roles (see tests/workflows/people.py)."""

import pytest

from tests.workflows.people import People, make_people


@pytest.fixture
def people(divisions, make_contract, today) -> People:
    return make_people(make_contract, today)
