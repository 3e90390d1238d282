import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accounts import tokens
from cdr import models
from tests.cdr import factories

pytestmark = pytest.mark.django_db


class TestConsent:
    @pytest.mark.parametrize("scopes", [[], ["bank:accounts.basic:read"]])
    def test_cannot_be_stored_without_known_scopes(self, customer, scopes):
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.ConsentFactory(customer=customer, scopes=scopes)

    def test_cannot_expire_before_it_is_granted(self, customer):
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.ConsentFactory(customer=customer, expires_at=factories.NOW - dt.timedelta(days=2))

    def test_cannot_be_revoked_without_a_revocation_time(self, customer):
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.ConsentFactory(customer=customer, status=models.ConsentStatus.REVOKED)


class TestAccountIdentifier:
    def test_is_unique_per_recipient_customer_and_account(self):
        identifier = factories.AccountIdentifierFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            factories.AccountIdentifierFactory(
                recipient=identifier.recipient, customer=identifier.customer, account=identifier.account
            )


class TestServicePointIdentifier:
    def test_is_unique_per_recipient_customer_and_meter_point(self):
        identifier = factories.ServicePointIdentifierFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            factories.ServicePointIdentifierFactory(
                recipient=identifier.recipient,
                customer=identifier.customer,
                meter_point=identifier.meter_point,
            )


class TestAccessToken:
    def test_stores_only_the_hash_of_the_raw_token(self):
        token = factories.AccessTokenFactory(raw="cdr_known-raw-token")

        assert token.token_hash == tokens.hash_secret("cdr_known-raw-token")
        assert "cdr_known-raw-token" not in {token.token_hash, token.prefix}
