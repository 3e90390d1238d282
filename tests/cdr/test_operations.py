import datetime as dt

import pytest

from accounts import models as accounts_models
from cdr import models, operations
from tests.accounts.factories import UserFactory
from tests.cdr import factories

pytestmark = pytest.mark.django_db


class TestGrantConsent:
    def test_gives_each_account_an_opaque_account_id_for_the_recipient_and_customer(self, customer):
        accounts = [factories.au_account(customer=customer, plans=0) for _ in range(2)]

        consent = factories.grant(customer=customer, accounts=accounts)

        identifiers = models.AccountIdentifier.objects.filter(recipient=consent.recipient, customer=customer)
        assert {identifier.account_id for identifier in identifiers} == {account.pk for account in accounts}
        for identifier in identifiers:
            assert len(identifier.cdr_account_id) == 32
            assert identifier.cdr_account_id not in (str(identifier.account_id), identifier.account.number)
        assert set(consent.accounts.all()) == set(accounts)

    def test_reuses_the_account_id_for_a_later_consent_of_the_same_recipient(self, customer):
        account = factories.au_account(customer=customer, plans=0)
        recipient = factories.DataRecipientFactory()

        factories.grant(customer=customer, accounts=[account], recipient=recipient)
        factories.grant(customer=customer, accounts=[account], recipient=recipient)

        assert models.AccountIdentifier.objects.filter(account=account).count() == 1

    def test_gives_another_recipient_another_account_id(self, customer):
        account = factories.au_account(customer=customer, plans=0)

        factories.grant(customer=customer, accounts=[account])
        factories.grant(customer=customer, accounts=[account])

        ids = models.AccountIdentifier.objects.filter(account=account).values_list(
            "cdr_account_id", flat=True
        )
        assert len(set(ids)) == 2

    def test_refuses_an_account_the_customer_has_no_role_on_and_writes_nothing(self, customer):
        someone_elses = factories.au_account(customer=UserFactory(), plans=0)

        with pytest.raises(operations.AccountNotOwnedByCustomer):
            factories.grant(customer=customer, accounts=[someone_elses])

        assert not models.Consent.objects.filter(customer=customer).exists()
        assert not models.AccountIdentifier.objects.filter(account=someone_elses).exists()

    @pytest.mark.parametrize("scopes", [[], ["energy:billing:read"]])
    def test_refuses_unknown_or_no_scopes(self, customer, scopes):
        with pytest.raises(operations.InvalidScopes):
            factories.grant(customer=customer, accounts=[], scopes=scopes)

    def test_refuses_an_inactive_recipient(self, customer):
        recipient = factories.DataRecipientFactory(status=models.DataRecipientStatus.REMOVED)

        with pytest.raises(operations.RecipientNotActive):
            factories.grant(customer=customer, accounts=[], recipient=recipient)

    def test_leaves_an_audit_row(self, customer):
        consent = factories.grant(
            customer=customer, accounts=[factories.au_account(customer=customer, plans=0)]
        )

        entry = accounts_models.AuditEntry.objects.get(
            action="CDR_CONSENT_GRANTED", object_id=str(consent.pk)
        )
        assert entry.data["scopes"] == sorted(factories.ALL_SCOPES)


class TestRevokeConsents:
    def test_revokes_all_or_none(self, customer):
        active = factories.grant(customer=customer, accounts=[])
        revoked = factories.grant(customer=customer, accounts=[])
        operations.revoke_consents(consents=[revoked], revoked_at=factories.NOW)

        with pytest.raises(operations.ConsentNotActive):
            operations.revoke_consents(consents=[active, revoked], revoked_at=factories.NOW)

        active.refresh_from_db()
        assert active.status == models.ConsentStatus.ACTIVE

    def test_records_when_and_leaves_an_audit_row(self, customer):
        consent = factories.grant(customer=customer, accounts=[])

        operations.revoke_consents(consents=[consent], revoked_at=factories.NOW)

        consent.refresh_from_db()
        assert (consent.status, consent.revoked_at) == (models.ConsentStatus.REVOKED, factories.NOW)
        assert accounts_models.AuditEntry.objects.filter(
            action="CDR_CONSENT_REVOKED", object_id=str(consent.pk)
        ).exists()


class TestIssueAccessToken:
    def test_returns_the_raw_token_once_and_stores_its_hash(self, customer):
        consent = factories.grant(customer=customer, accounts=[])

        issued = operations.issue_access_token(
            consent=consent, issued_at=factories.NOW, expires_at=factories.NOW + dt.timedelta(hours=1)
        )

        stored = models.AccessToken.objects.get(pk=issued.access_token.pk)
        assert stored.token_hash == models.hash_token(issued.raw)
        assert issued.raw not in (stored.token_hash, stored.prefix)

    def test_refuses_a_revoked_consent(self, customer):
        consent = factories.grant(customer=customer, accounts=[])
        operations.revoke_consents(consents=[consent], revoked_at=factories.NOW)

        with pytest.raises(operations.ConsentNotActive):
            operations.issue_access_token(
                consent=consent, issued_at=factories.NOW, expires_at=factories.NOW + dt.timedelta(hours=1)
            )
