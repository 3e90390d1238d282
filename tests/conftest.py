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
