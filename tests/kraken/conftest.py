import pytest
from django.contrib.auth.models import Group
from django.test import Client

from kraken import staff
from tests.accounts.factories import UserFactory
from tests.staff_groups import ensure_staff_groups


def _member_of(group_name: str) -> Client:
    ensure_staff_groups()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def agent_client(db):
    """A logged-in member of the Ops agent group."""
    return _member_of(staff.OPS_AGENT)


@pytest.fixture
def lead_client(db):
    """A logged-in member of the Ops lead group (approves adjustments, runs billing)."""
    return _member_of(staff.OPS_LEAD)


@pytest.fixture
def second_lead_client(db):
    return _member_of(staff.OPS_LEAD)
