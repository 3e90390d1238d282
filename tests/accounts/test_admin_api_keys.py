import pytest
from django.urls import reverse

from accounts import models, operations, queries
from tests.accounts.factories import EPOCH, UserFactory


def changelist_action(client, action, keys, **data):
    return client.post(
        reverse("admin:accounts_apikey_changelist"),
        {"action": action, "_selected_action": [key.pk for key in keys], **data},
    )


@pytest.mark.django_db
class TestAPIKeyAdmin:
    def test_adding_issues_the_user_a_key_without_showing_it(self, staff_client):
        user = UserFactory()
        old = operations.regenerate_api_key(user=user, now=EPOCH)

        response = staff_client.post(reverse("admin:accounts_apikey_add"), {"user": user.pk}, follow=True)

        assert response.status_code == 200
        new = queries.live_api_key(user=user)
        assert new not in (None, old)
        assert new.encode() not in response.content
        assert queries.user_of_api_key(api_key=old) is None
        audit = models.AuditEntry.objects.filter(action="api_key.regenerated").latest("occurred_at")
        assert audit.actor == staff_client.user

    def test_the_revoke_action_confirms_then_revokes(self, staff_client):
        user = UserFactory()
        raw = operations.regenerate_api_key(user=user, now=EPOCH)
        key = models.APIKey.objects.get(user=user)

        asked = changelist_action(staff_client, "_revoke_api_keys", [key])
        done = changelist_action(staff_client, "_revoke_api_keys", [key], confirmed="yes")

        assert asked.status_code == 200 and b"Confirm" in asked.content
        assert done.status_code == 302
        assert queries.user_of_api_key(api_key=raw) is None
        assert models.AuditEntry.objects.filter(action="api_key.revoked", actor=staff_client.user).exists()

    def test_the_issue_action_gives_each_user_a_new_key(self, staff_client):
        users = [UserFactory(), UserFactory()]
        old = {user.pk: operations.regenerate_api_key(user=user, now=EPOCH) for user in users}

        changelist_action(staff_client, "_regenerate_api_keys", models.APIKey.objects.all(), confirmed="yes")

        for user in users:
            assert queries.live_api_key(user=user) not in (None, old[user.pk])

    def test_keys_cannot_be_deleted_or_edited(self, staff_client):
        operations.regenerate_api_key(user=UserFactory(), now=EPOCH)
        key = models.APIKey.objects.get()

        page = staff_client.get(reverse("admin:accounts_apikey_change", args=[key.pk]))

        assert page.status_code == 200
        assert b'name="revoked_at"' not in page.content
        assert staff_client.get(reverse("admin:accounts_apikey_delete", args=[key.pk])).status_code == 403
