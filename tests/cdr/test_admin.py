import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import tokens
from cdr import models
from tests.accounts.factories import UserFactory
from tests.cdr import factories

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:cdr_consent_changelist")


def consent_form(*, recipient, customer, accounts, scopes=None):
    return {
        "recipient": recipient.pk,
        "customer": customer.pk,
        "accounts": [account.pk for account in accounts],
        "scopes": scopes or list(factories.ALL_SCOPES),
        "granted_at_0": "2025-06-14",
        "granted_at_1": "10:00:00",
        "expires_at_0": "2026-06-14",
        "expires_at_1": "10:00:00",
    }


class TestDataRecipientAdmin:
    def test_adds_a_data_recipient(self, staff_client):
        response = staff_client.post(
            reverse("admin:cdr_datarecipient_add"),
            {"software_product_id": "sp-1", "brand_id": "brand-1", "name": "Budget App", "status": "ACTIVE"},
        )

        assert response.status_code == 302
        assert models.DataRecipient.objects.filter(software_product_id="sp-1").exists()


class TestConsentAdmin:
    def test_renders_the_grant_form(self, staff_client):
        response = staff_client.get(reverse("admin:cdr_consent_add"))

        assert response.status_code == 200
        assert 'name="accounts"' in response.content.decode()

    def test_grants_a_consent_with_account_ids(self, staff_client, customer):
        recipient = factories.DataRecipientFactory()
        account = factories.au_account(customer=customer, plans=0)

        response = staff_client.post(
            reverse("admin:cdr_consent_add"),
            consent_form(recipient=recipient, customer=customer, accounts=[account]),
        )

        assert response.status_code == 302, response.context["adminform"].form.errors
        consent = models.Consent.objects.get(customer=customer)
        assert list(consent.accounts.all()) == [account]
        assert models.AccountIdentifier.objects.filter(recipient=recipient, account=account).exists()

    def test_shows_a_form_error_and_writes_nothing_for_someone_elses_account(self, staff_client, customer):
        recipient = factories.DataRecipientFactory()
        foreign = factories.au_account(customer=UserFactory(), plans=0)

        response = staff_client.post(
            reverse("admin:cdr_consent_add"),
            consent_form(recipient=recipient, customer=customer, accounts=[foreign]),
        )

        assert response.status_code == 200
        assert "has no role on" in str(response.context["adminform"].form.non_field_errors())
        assert not models.Consent.objects.filter(customer=customer).exists()
        assert not models.AccountIdentifier.objects.filter(account=foreign).exists()

    def test_revokes_after_confirmation(self, staff_client, customer):
        consent = factories.grant(customer=customer, accounts=[])
        action = {"action": "revoke", "_selected_action": [consent.pk]}

        confirmation = staff_client.post(CHANGELIST, action)
        consent.refresh_from_db()
        assert confirmation.status_code == 200
        assert consent.status == models.ConsentStatus.ACTIVE

        response = staff_client.post(CHANGELIST, {**action, "confirmed": "yes"})

        consent.refresh_from_db()
        assert response.status_code == 302
        assert consent.status == models.ConsentStatus.REVOKED

    def test_refuses_to_revoke_twice_with_a_form_error(self, staff_client, customer):
        consent = factories.grant(customer=customer, accounts=[])
        staff_client.post(
            CHANGELIST, {"action": "revoke", "_selected_action": [consent.pk], "confirmed": "yes"}
        )

        response = staff_client.post(
            CHANGELIST, {"action": "revoke", "_selected_action": [consent.pk], "confirmed": "yes"}
        )

        assert response.status_code == 200
        assert "nothing was revoked" in str(response.context["form"].non_field_errors())

    def test_issues_a_token_shown_once_and_stored_hashed(self, staff_client, cds, customer):
        consent = factories.grant(customer=customer, accounts=[factories.au_account(customer=customer)])

        response = staff_client.post(
            CHANGELIST,
            {
                "action": "issue_token",
                "_selected_action": [consent.pk],
                "confirmed": "yes",
                "lifetime_minutes": "30",
            },
        )

        (message,) = [str(message) for message in get_messages(response.wsgi_request)]
        raw = re.search(r"(cdr_[\w-]+)", message).group(1)
        stored = models.AccessToken.objects.get(consent=consent)
        assert stored.token_hash == tokens.hash_secret(raw)
        assert raw in staff_client.get(CHANGELIST).content.decode()  # the message, shown once
        assert (
            raw
            not in staff_client.get(
                reverse("admin:cdr_accesstoken_change", args=[stored.pk])
            ).content.decode()
        )
        assert cds(raw).get("/cds-au/v1/energy/accounts").status_code == 200

    def test_shows_a_granted_consent_read_only(self, staff_client, customer):
        consent = factories.grant(
            customer=customer, accounts=[factories.au_account(customer=customer, plans=0)]
        )

        response = staff_client.get(reverse("admin:cdr_consent_change", args=[consent.pk]))

        assert response.status_code == 200
        assert str(consent.cdr_arrangement_id) in response.content.decode()


class TestAccessTokenAdmin:
    def test_lists_tokens_by_prefix_only(self, staff_client):
        token = factories.AccessTokenFactory(raw="cdr_visible-prefix-secret-part")

        content = staff_client.get(reverse("admin:cdr_accesstoken_changelist")).content.decode()

        assert token.prefix in content
        assert "secret-part" not in content


class TestServicePointIdentifierAdmin:
    def test_finds_the_ids_recipients_see_for_an_nmi_read_only(self, staff_client, customer):
        account = factories.au_account(customer=customer, plans=1)
        meter_point = account.agreements.get().meter_point
        ours = factories.grant(customer=customer, accounts=[account])
        theirs = factories.grant(customer=customer, accounts=[account])

        response = staff_client.get(
            reverse("admin:cdr_servicepointidentifier_changelist"), {"q": meter_point.identifier}
        )

        assert response.status_code == 200
        content = response.content.decode()
        for consent in (ours, theirs):
            assert factories.service_point_id(consent, meter_point) in content
        assert staff_client.get(reverse("admin:cdr_servicepointidentifier_add")).status_code == 403
