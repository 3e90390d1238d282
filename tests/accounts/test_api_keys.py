import datetime as dt

import pytest
from django.db import connection

from accounts import models, operations, queries, tokens
from kernel import crypto
from tests.accounts.factories import EPOCH, UserFactory

LATER = EPOCH + dt.timedelta(days=1)


def all_column_text() -> str:
    """Every column of every API key row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(k)::text FROM accounts_apikey k")
        return " ".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
class TestRegenerateAPIKey:
    def test_issues_a_live_key_its_owner_can_read_back(self):
        user = UserFactory()

        raw = operations.regenerate_api_key(user=user, now=EPOCH)

        assert raw.startswith("sk_live_") and len(raw) == len("sk_live_") + 32 and raw[8:].isalnum()
        assert queries.live_api_key(user=user) == raw
        assert queries.user_of_api_key(api_key=raw) == user

    def test_keeps_no_usable_key_in_the_database(self):
        user = UserFactory()

        raw = operations.regenerate_api_key(user=user, now=EPOCH)

        stored = models.APIKey.objects.get(user=user)
        assert raw not in all_column_text()
        assert stored.key_hash == crypto.hash_secret(raw)
        assert crypto.decrypt(stored.encrypted_key, purpose=models.APIKey.ENCRYPTION_PURPOSE) == raw

    def test_revokes_the_previous_key(self):
        user = UserFactory()
        old = operations.regenerate_api_key(user=user, now=EPOCH)

        new = operations.regenerate_api_key(user=user, now=LATER)

        assert new != old
        assert queries.user_of_api_key(api_key=old) is None
        assert queries.live_api_key(user=user) == new
        assert models.APIKey.objects.get(key_hash=crypto.hash_secret(old)).revoked_at == LATER

    def test_leaves_an_audit_row_naming_who_asked(self):
        user, staff = UserFactory(), UserFactory(is_staff=True)
        operations.regenerate_api_key(user=user, now=EPOCH)

        operations.regenerate_api_key(user=user, now=LATER, actor=staff)

        audit = models.AuditEntry.objects.filter(action="api_key.regenerated").order_by("occurred_at")
        assert [entry.actor for entry in audit] == [user, staff]
        assert len(audit[1].data["revoked_key_ids"]) == 1

    def test_the_database_refuses_two_live_keys_for_one_user(self):
        from django.db import IntegrityError, transaction

        user = UserFactory()
        operations.regenerate_api_key(user=user, now=EPOCH)

        with pytest.raises(IntegrityError), transaction.atomic():
            models.APIKey.objects.create(user=user, prefix="sk_live_x", key_hash="x" * 64, created_at=EPOCH)


@pytest.mark.django_db
class TestRevokeAPIKey:
    def test_a_revoked_key_no_longer_identifies_anyone(self):
        user = UserFactory()
        raw = operations.regenerate_api_key(user=user, now=EPOCH)
        key = models.APIKey.objects.get(user=user)

        operations.revoke_api_key(api_key=key, now=LATER)

        assert queries.user_of_api_key(api_key=raw) is None
        assert queries.live_api_key(user=user) is None

    def test_revoking_twice_raises(self):
        operations.regenerate_api_key(user=UserFactory(), now=EPOCH)
        key = models.APIKey.objects.get()
        operations.revoke_api_key(api_key=key, now=LATER)

        with pytest.raises(operations.APIKeyAlreadyRevoked):
            operations.revoke_api_key(api_key=key, now=LATER)


@pytest.mark.django_db
class TestAPIKeyQueries:
    def test_an_inactive_user_s_key_identifies_no_one(self):
        user = UserFactory()
        raw = operations.regenerate_api_key(user=user, now=EPOCH)
        user.is_active = False
        user.save(update_fields=["is_active"])

        assert queries.user_of_api_key(api_key=raw) is None

    def test_a_key_kept_only_hashed_cannot_be_shown(self):
        user = UserFactory()
        models.APIKey.objects.create(user=user, prefix="sk_live_old", key_hash="a" * 64, created_at=EPOCH)

        assert queries.live_api_key(user=user) is None

    def test_a_key_encrypted_under_a_retired_secret_cannot_be_shown(self, settings):
        user = UserFactory()
        settings.FIELD_ENCRYPTION_KEYS = ["retired"]
        raw = operations.regenerate_api_key(user=user, now=EPOCH)
        settings.FIELD_ENCRYPTION_KEYS = ["current"]

        assert queries.live_api_key(user=user) is None
        assert queries.user_of_api_key(api_key=raw) == user

    def test_the_key_logs_in_through_obtain_token(self):
        user = UserFactory()
        raw = operations.regenerate_api_key(user=user, now=EPOCH)

        issued = tokens.obtain_token_with_api_key(api_key=raw, now=EPOCH)

        assert tokens.decode_access_token(token=issued.token, now=EPOCH) == user
