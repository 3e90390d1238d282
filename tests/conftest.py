import uuid

import pytest


@pytest.fixture
def staff_client(client, django_user_model):
    """A logged-in superuser session for the admin."""
    user = django_user_model.objects.create_superuser(
        username="ops", email="ops@example.com", password="ops-password-123"
    )
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture(autouse=True)
def fresh_rest_rate_limits(settings):
    """Each test counts REST API requests from zero (every test client is 127.0.0.1, and user ids
    repeat across test databases while the counters live in Redis for a minute)."""
    settings.REST_API_RATE_LIMIT_KEY_PREFIX = f"test-rest-{uuid.uuid4().hex}"


@pytest.fixture
def customer(db):
    """An account user with one account and a live secret API key (`customer.auth` to send it)."""
    from tests.rest import Customer

    return Customer()
