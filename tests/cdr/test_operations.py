import datetime as dt

import pytest

from accounts import models as accounts_models
from accounts import tokens
from cdr import models, operations
from tests.accounts.factories import PropertyFactory, UserFactory
from tests.billing.factories import AgreementFactory
from tests.cdr import factories
from tests.metering.factories import MeterPointFactory

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

    def test_gives_each_au_meter_point_an_opaque_service_point_id_for_the_recipient_and_customer(
        self, customer
    ):
        account = factories.au_account(customer=customer, plans=2)
        gb_meter_point = MeterPointFactory(property=PropertyFactory(account=account))
        AgreementFactory(account=account, meter_point=gb_meter_point)

        consent = factories.grant(customer=customer, accounts=[account])

        identifiers = models.ServicePointIdentifier.objects.filter(
            recipient=consent.recipient, customer=customer
        ).select_related("meter_point")
        assert {identifier.meter_point.market for identifier in identifiers} == {"AU"}
        assert len(identifiers) == 2
        for identifier in identifiers:
            assert len(identifier.cdr_service_point_id) == 32
            assert identifier.meter_point.identifier not in identifier.cdr_service_point_id
            assert identifier.cdr_service_point_id != str(identifier.meter_point_id)

    def test_reuses_service_point_ids_for_a_later_consent_of_the_same_recipient(self, customer):
        account = factories.au_account(customer=customer, plans=1)
        recipient = factories.DataRecipientFactory()
        first = factories.grant(customer=customer, accounts=[account], recipient=recipient)
        before = list(models.ServicePointIdentifier.objects.filter(recipient=recipient))

        second = factories.grant(customer=customer, accounts=[account], recipient=recipient)

        meter_point = account.agreements.get().meter_point
        assert list(models.ServicePointIdentifier.objects.filter(recipient=recipient)) == before
        assert factories.service_point_id(first, meter_point) == factories.service_point_id(
            second, meter_point
        )

    def test_gives_another_recipient_other_service_point_ids(self, customer):
        account = factories.au_account(customer=customer, plans=1)
        meter_point = account.agreements.get().meter_point

        ours = factories.grant(customer=customer, accounts=[account])
        theirs = factories.grant(customer=customer, accounts=[account])

        assert factories.service_point_id(ours, meter_point) != factories.service_point_id(
            theirs, meter_point
        )

    def test_refuses_an_account_the_customer_has_no_role_on_and_writes_nothing(self, customer):
        someone_elses = factories.au_account(customer=UserFactory(), plans=0)

        with pytest.raises(operations.AccountNotOwnedByCustomer):
            factories.grant(customer=customer, accounts=[someone_elses])

        assert not models.Consent.objects.filter(customer=customer).exists()
        assert not models.AccountIdentifier.objects.filter(account=someone_elses).exists()
        assert not models.ServicePointIdentifier.objects.filter(
            meter_point__agreements__account=someone_elses
        ).exists()

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


class TestAssignServicePointIds:
    def test_does_nothing_in_one_query_when_every_meter_point_has_its_id(
        self, customer, django_assert_num_queries
    ):
        accounts = [factories.au_account(customer=customer, plans=2) for _ in range(3)]
        consent = factories.grant(customer=customer, accounts=accounts)
        before = set(models.ServicePointIdentifier.objects.filter(recipient=consent.recipient))

        with django_assert_num_queries(1):
            created = operations.assign_service_point_ids(consent=consent, assigned_at=factories.NOW)

        assert created == 0
        assert set(models.ServicePointIdentifier.objects.filter(recipient=consent.recipient)) == before

    def test_gives_only_meter_points_added_since_the_grant_an_id_and_leaves_an_audit_row(self, customer):
        account = factories.au_account(customer=customer, plans=1)
        consent = factories.grant(customer=customer, accounts=[account])
        existing = models.ServicePointIdentifier.objects.get(recipient=consent.recipient)
        added = factories.au_agreement(account=account).meter_point

        created = operations.assign_service_point_ids(consent=consent, assigned_at=factories.NOW)

        assert created == 1
        identifier = models.ServicePointIdentifier.objects.get(
            recipient=consent.recipient, customer=customer, meter_point=added
        )
        assert (len(identifier.cdr_service_point_id), identifier.created_at) == (32, factories.NOW)
        existing_now = models.ServicePointIdentifier.objects.get(pk=existing.pk)
        assert existing_now.cdr_service_point_id == existing.cdr_service_point_id
        entry = accounts_models.AuditEntry.objects.get(
            action="CDR_SERVICE_POINT_IDS_ASSIGNED", object_id=str(consent.pk)
        )
        assert entry.data["meter_points"] == [added.identifier]

    def test_leaves_accounts_outside_the_consent_alone(self, customer):
        shared = factories.au_account(customer=customer, plans=0)
        private = factories.au_account(customer=customer, plans=0)
        consent = factories.grant(customer=customer, accounts=[shared])
        factories.au_agreement(account=private)

        created = operations.assign_service_point_ids(consent=consent, assigned_at=factories.NOW)

        assert created == 0
        assert not models.ServicePointIdentifier.objects.filter(recipient=consent.recipient).exists()


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
        assert stored.token_hash == tokens.hash_secret(issued.raw)
        assert issued.raw not in (stored.token_hash, stored.prefix)

    def test_refuses_a_revoked_consent(self, customer):
        consent = factories.grant(customer=customer, accounts=[])
        operations.revoke_consents(consents=[consent], revoked_at=factories.NOW)

        with pytest.raises(operations.ConsentNotActive):
            operations.issue_access_token(
                consent=consent, issued_at=factories.NOW, expires_at=factories.NOW + dt.timedelta(hours=1)
            )
