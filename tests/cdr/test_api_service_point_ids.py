"""`servicePointIds` follow the CDR ID-permanence rules, like `accountId`: opaque, stable for the
recipient, different for every recipient, and never the NMI."""

import pytest

from accounts import models as accounts_models
from cdr import error_codes, models
from metering import models as metering_models
from tests.cdr import factories
from tests.cdr.conftest import assert_error, assert_valid

pytestmark = pytest.mark.django_db
LIST = "/cds-au/v1/energy/accounts"


def detail(account_id: str) -> str:
    return f"{LIST}/{account_id}"


def nmis_of(account) -> set[str]:
    return set(
        metering_models.MeterPoint.objects.filter(agreements__account=account).values_list(
            "identifier", flat=True
        )
    )


def service_point_ids(body: dict) -> list[str]:
    accounts = body["data"]["accounts"] if "accounts" in body["data"] else [body["data"]]
    return [
        service_point_id
        for account in accounts
        for plan in account["plans"]
        for service_point_id in plan["servicePointIds"]
    ]


@pytest.fixture
def account(customer):
    """Three plans on four NMIs: two electricity meter points on one tariff, one more, and gas."""
    account = factories.au_account(customer=customer, plans=2)
    shared_tariff = account.agreements.order_by("pk").first().tariff
    factories.au_agreement(account=account, tariff=shared_tariff)
    factories.au_agreement(account=account, utility_type="GAS")
    return account


class TestServicePointIds:
    @pytest.mark.parametrize(
        ("path", "version"), [("list", "2"), ("detail", "2"), ("detail", "3"), ("detail", "4")]
    )
    def test_never_show_an_nmi_in_any_version(self, cds, customer, account, path, version):
        client = cds(factories.token_for(factories.grant(customer=customer, accounts=[account])))
        account_id = client.get(LIST).json()["data"]["accounts"][0]["accountId"]

        response = client.get(LIST if path == "list" else detail(account_id), version=version)

        body = assert_valid(response, schema="list" if path == "list" else int(version))
        assert len(service_point_ids(body)) == 4
        assert len(nmis_of(account)) == 4
        for nmi in nmis_of(account):
            assert nmi not in response.content.decode()

    def test_give_one_service_point_the_same_id_across_requests_and_consents_of_a_recipient(
        self, cds, customer, account
    ):
        recipient = factories.DataRecipientFactory()
        first = cds(
            factories.token_for(factories.grant(customer=customer, accounts=[account], recipient=recipient))
        )
        second = cds(
            factories.token_for(factories.grant(customer=customer, accounts=[account], recipient=recipient))
        )
        account_id = first.get(LIST).json()["data"]["accounts"][0]["accountId"]

        seen = [
            service_point_ids(first.get(LIST).json()),
            service_point_ids(first.get(LIST).json()),
            service_point_ids(second.get(LIST).json()),
            service_point_ids(first.get(detail(account_id), version="4").json()),
            service_point_ids(second.get(detail(account_id), version="2").json()),
        ]

        assert all(ids == seen[0] for ids in seen), seen
        assert len(set(seen[0])) == 4

    def test_give_each_recipient_different_ids_for_the_same_service_points(self, cds, customer, account):
        ours = cds(factories.token_for(factories.grant(customer=customer, accounts=[account])))
        theirs = cds(factories.token_for(factories.grant(customer=customer, accounts=[account])))

        our_ids = set(service_point_ids(ours.get(LIST).json()))
        their_ids = set(service_point_ids(theirs.get(LIST).json()))

        assert len(our_ids) == len(their_ids) == 4
        assert not our_ids & their_ids

    def test_mean_nothing_to_another_recipient_or_as_an_account_id(self, cds, customer, account):
        ours = cds(factories.token_for(factories.grant(customer=customer, accounts=[account])))
        theirs = cds(factories.token_for(factories.grant(customer=customer, accounts=[account])))
        our_id = service_point_ids(ours.get(LIST).json())[0]
        their_account_id = theirs.get(LIST).json()["data"]["accounts"][0]["accountId"]

        their_detail = theirs.get(detail(their_account_id), version="4")

        assert our_id not in their_detail.content.decode()
        for client in (theirs, ours):
            assert_error(
                client.get(detail(our_id), version="4"), status=404, code=error_codes.INVALID_ENERGY_ACCOUNT
            )

    def test_give_a_meter_point_added_to_a_consented_account_later_an_id_when_first_read(self, cds, customer):
        account = factories.au_account(customer=customer, plans=1)
        consent = factories.grant(customer=customer, accounts=[account])
        client = cds(factories.token_for(consent))
        before = service_point_ids(client.get(LIST).json())
        added = factories.au_agreement(account=account)

        first = client.get(LIST)
        again = client.get(LIST)

        assert service_point_ids(assert_valid(first, schema="list")) == service_point_ids(again.json())
        new_id = factories.service_point_id(consent, added.meter_point)
        assert sorted(service_point_ids(first.json())) == sorted([*before, new_id])
        assert added.meter_point.identifier not in first.content.decode()
        assert (
            accounts_models.AuditEntry.objects.filter(
                action="CDR_SERVICE_POINT_IDS_ASSIGNED", object_id=str(consent.pk)
            ).count()
            == 1
        )

    def test_are_not_made_for_accounts_outside_the_consent(self, cds, customer):
        shared = factories.au_account(customer=customer, plans=1)
        private = factories.au_account(customer=customer, plans=1)
        client = cds(factories.token_for(factories.grant(customer=customer, accounts=[shared])))

        response = client.get(LIST)

        assert response.status_code == 200
        assert not models.ServicePointIdentifier.objects.filter(
            meter_point__agreements__account=private
        ).exists()
