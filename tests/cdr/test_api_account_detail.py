import datetime as dt
from decimal import Decimal

import pytest

from accounts import models as accounts_models
from billing import models as billing_models
from cdr import error_codes
from tests.accounts.factories import AccountUserRoleFactory, PaymentMethodFactory, UserFactory
from tests.billing.factories import ProductFactory, TariffFactory, TariffRateFactory
from tests.cdr import factories
from tests.cdr.conftest import assert_error, assert_valid

pytestmark = pytest.mark.django_db
VERSIONS = ["2", "3", "4"]


def url(account_id: str) -> str:
    return f"/cds-au/v1/energy/accounts/{account_id}"


def account_id_of(cds, token: str) -> str:
    return cds(token).get("/cds-au/v1/energy/accounts").json()["data"]["accounts"][0]["accountId"]


@pytest.fixture
def rich_account(customer):
    """Several plans and every optional field we emit: a flat electricity plan on a fixed green
    product, a time-of-use plan (an all-day STANDARD band around NIGHT and PEAK windows), a gas plan,
    a direct debit and a second person on the account."""
    account = factories.au_account(customer=customer, plans=0, billing_name="Matilda Jones")
    PaymentMethodFactory(account=account, method_type=accounts_models.PaymentMethodType.DIRECT_DEBIT)
    AccountUserRoleFactory(account=account, user=UserFactory(first_name="", last_name="Nguyen"))
    AccountUserRoleFactory(account=account, user=UserFactory(first_name="No", last_name=""))

    green = TariffFactory(
        product=ProductFactory(display_name="Green Fixed", is_variable=False, is_green=True),
        currency="AUD",
        standing_charge=Decimal("110.5000"),
    )
    TariffRateFactory(tariff=green, unit_rate=Decimal("30.1234"))
    TariffRateFactory(  # superseded: not shown
        tariff=green,
        unit_rate=Decimal("20.0000"),
        active_from=dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
        active_to=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    factories.au_agreement(account=account, tariff=green)

    time_of_use = TariffFactory(
        product=ProductFactory(display_name="Night Saver"), currency="AUD", standing_charge=Decimal("100")
    )
    TariffRateFactory(tariff=time_of_use, band=billing_models.RateBand.STANDARD, unit_rate=Decimal("25"))
    TariffRateFactory(
        tariff=time_of_use,
        band=billing_models.RateBand.NIGHT,
        unit_rate=Decimal("12.5"),
        start_time=dt.time(23, 0),
        end_time=dt.time(6, 0),
    )
    TariffRateFactory(
        tariff=time_of_use,
        band=billing_models.RateBand.PEAK,
        unit_rate=Decimal("41"),
        start_time=dt.time(16, 0),
        end_time=dt.time(20, 0),
    )
    factories.au_agreement(
        account=account, tariff=time_of_use, active_to=dt.datetime(2026, 6, 30, 14, tzinfo=dt.UTC)
    )

    factories.au_agreement(account=account, utility_type="GAS")
    return account


class TestGetEnergyAccountDetail:
    @pytest.mark.parametrize("version", VERSIONS)
    def test_serves_several_plans_with_every_optional_field_valid_against_each_versions_schema(
        self, cds, customer, rich_account, version
    ):
        token = factories.token_for(factories.grant(customer=customer, accounts=[rich_account]))
        account_id = account_id_of(cds, token)

        response = cds(token).get(url(account_id), version=version)

        assert response.status_code == 200
        assert response["x-v"] == version
        body = assert_valid(response, schema=int(version))
        data = body["data"]
        assert data["accountId"] == account_id
        assert data["accountNumber"] == rich_account.number
        assert data["displayName"] == "Matilda Jones"
        assert body["links"] == {"self": f"http://testserver{url(account_id)}"}
        assert body["meta"] == {}
        flat, time_of_use, gas = data["plans"]
        for plan in data["plans"]:
            assert plan["authorisedContacts"] == [{"lastName": "Nguyen"}]
        assert time_of_use["planOverview"]["endDate"] == "2026-06-30"
        assert gas["planDetail"]["fuelType"] == "GAS"
        assert gas["planDetail"]["gasContract"]["pricingModel"] == "SINGLE_RATE"
        contract = flat["planDetail"]["electricityContract"]
        assert contract["isFixed"] is True
        assert "variation" not in contract
        assert contract["intrinsicGreenPower"] == {"greenPercentage": "1.00"}
        assert contract["paymentOption"] == ["DIRECT_DEBIT"]
        (period,) = contract["tariffPeriod"]
        assert period["singleRate"]["rates"] == [{"unitPrice": "0.301234", "measureUnit": "KWH"}]
        assert time_of_use["planDetail"]["electricityContract"]["variation"]

    def test_differs_between_versions_only_in_the_supply_charge_and_time_fields(
        self, cds, customer, rich_account
    ):
        token = factories.token_for(factories.grant(customer=customer, accounts=[rich_account]))
        account_id = account_id_of(cds, token)

        bodies = {version: cds(token).get(url(account_id), version=version).json() for version in VERSIONS}

        periods = {
            version: body["data"]["plans"][1]["planDetail"]["electricityContract"]["tariffPeriod"][0]
            for version, body in bodies.items()
        }
        assert periods["2"]["dailySupplyCharges"] == periods["3"]["dailySupplyCharges"] == "1.00"
        assert "dailySupplyChargeType" not in periods["3"]
        assert periods["4"]["dailySupplyChargeType"] == "SINGLE"
        assert periods["4"]["dailySupplyCharge"] == "1.00"
        assert "dailySupplyCharges" not in periods["4"]
        windows = {
            version: [
                (rate["type"], rate["rates"][0]["unitPrice"], window["startTime"], window["endTime"])
                for rate in period["timeOfUseRates"]
                for window in rate["timeOfUse"]
            ]
            for version, period in periods.items()
        }
        # The all-day STANDARD band covers what NIGHT and PEAK leave: 06:00-16:00 and 20:00-23:00.
        assert sorted(windows["3"]) == [
            ("OFF_PEAK", "0.125", "23:00:00", "06:00:00"),
            ("PEAK", "0.41", "16:00:00", "20:00:00"),
            ("SHOULDER", "0.25", "06:00:00", "16:00:00"),
            ("SHOULDER", "0.25", "20:00:00", "23:00:00"),
        ]
        assert windows["4"] == windows["3"]
        # v2 TimeStrings carry the UTC offset: Sydney is on AEST (+10:00) in June.
        assert sorted(windows["2"])[0] == ("OFF_PEAK", "0.125", "23:00:00+10:00", "06:00:00+10:00")
        for body in bodies.values():
            for plan in body["data"]["plans"]:
                for contract in (
                    plan["planDetail"].get(key) for key in ("electricityContract", "gasContract")
                ):
                    for period in contract["tariffPeriod"] if contract else ():
                        for field in ("dailySupplyCharges", "dailySupplyChargeType", "dailySupplyCharge"):
                            period.pop(field, None)
                        for rate in period.get("timeOfUseRates", ()):
                            for window in rate["timeOfUse"]:
                                window["startTime"] = window["startTime"][:8]
                                window["endTime"] = window["endTime"][:8]
        assert bodies["2"] == bodies["3"] == bodies["4"]

    @pytest.mark.parametrize("version", VERSIONS)
    def test_serves_a_minimal_closed_account_with_no_optional_fields(self, cds, customer, version):
        account = factories.au_account(
            customer=customer, plans=0, billing_name="", status=accounts_models.AccountStatus.WITHDRAWN
        )
        token = factories.token_for(factories.grant(customer=customer, accounts=[account]))
        account_id = account_id_of(cds, token)

        body = assert_valid(cds(token).get(url(account_id), version=version), schema=int(version))

        assert body["data"] == {
            "accountId": account_id,
            "accountNumber": account.number,
            "openStatus": "CLOSED",
            "creationDate": "2025-06-15",
            "plans": [],
        }

    @pytest.mark.parametrize("version", VERSIONS)
    def test_serves_one_flat_plan_without_contacts_or_payment_method(self, cds, customer, version):
        account = factories.au_account(customer=customer, plans=1)
        token = factories.token_for(factories.grant(customer=customer, accounts=[account]))

        body = assert_valid(
            cds(token).get(url(account_id_of(cds, token)), version=version), schema=int(version)
        )

        (plan,) = body["data"]["plans"]
        assert "authorisedContacts" not in plan
        contract = plan["planDetail"]["electricityContract"]
        assert contract["paymentOption"] == ["OTHER"]
        assert contract["pricingModel"] == "SINGLE_RATE"
        assert "intrinsicGreenPower" not in contract


class TestGetEnergyAccountDetailErrors:
    def test_answers_an_unknown_account_id_with_invalid_energy_account(self, cds, customer):
        token = factories.token_for(
            factories.grant(customer=customer, accounts=[factories.au_account(customer=customer)])
        )

        error = assert_error(
            cds(token).get(url("no-such-account")), status=404, code=error_codes.INVALID_ENERGY_ACCOUNT
        )

        assert error == {
            "code": error_codes.INVALID_ENERGY_ACCOUNT,
            "title": "Invalid Energy Account",
            "detail": "no-such-account",
        }

    def test_does_not_accept_the_account_number_or_primary_key(self, cds, customer):
        account = factories.au_account(customer=customer)
        token = factories.token_for(factories.grant(customer=customer, accounts=[account]))

        for guess in (account.number, str(account.pk)):
            assert_error(cds(token).get(url(guess)), status=404, code=error_codes.INVALID_ENERGY_ACCOUNT)

    def test_does_not_accept_another_recipients_account_id(self, cds, customer):
        account = factories.au_account(customer=customer)
        theirs = factories.token_for(factories.grant(customer=customer, accounts=[account]))
        ours = factories.token_for(factories.grant(customer=customer, accounts=[account]))

        assert_error(
            cds(ours).get(url(account_id_of(cds, theirs))),
            status=404,
            code=error_codes.INVALID_ENERGY_ACCOUNT,
        )

    def test_does_not_serve_an_account_left_out_of_the_consent(self, cds, customer):
        shared, kept = factories.au_account(customer=customer), factories.au_account(customer=customer)
        recipient = factories.DataRecipientFactory()
        earlier = factories.token_for(
            factories.grant(customer=customer, accounts=[kept], recipient=recipient)
        )
        kept_id = account_id_of(cds, earlier)
        later = factories.token_for(
            factories.grant(customer=customer, accounts=[shared], recipient=recipient)
        )

        assert cds(earlier).get(url(kept_id)).status_code == 200
        assert_error(cds(later).get(url(kept_id)), status=404, code=error_codes.INVALID_ENERGY_ACCOUNT)

    def test_answers_a_void_account_as_permanently_invalid(self, cds, customer):
        account = factories.au_account(customer=customer)
        token = factories.token_for(factories.grant(customer=customer, accounts=[account]))
        account_id = account_id_of(cds, token)
        accounts_models.Account.objects.filter(pk=account.pk).update(
            status=accounts_models.AccountStatus.VOID
        )

        assert_error(cds(token).get(url(account_id)), status=404, code=error_codes.INVALID_ENERGY_ACCOUNT)

    def test_answers_a_pending_account_as_temporarily_unavailable(self, cds, customer):
        account = factories.au_account(customer=customer)
        token = factories.token_for(factories.grant(customer=customer, accounts=[account]))
        account_id = account_id_of(cds, token)
        accounts_models.Account.objects.filter(pk=account.pk).update(
            status=accounts_models.AccountStatus.ENROLMENT_ERROR
        )

        error = assert_error(
            cds(token).get(url(account_id)), status=404, code=error_codes.UNAVAILABLE_ENERGY_ACCOUNT
        )

        assert error["detail"] == account_id

    def test_keeps_the_account_id_stable_across_consents_of_the_same_recipient(self, cds, customer):
        account = factories.au_account(customer=customer)
        recipient = factories.DataRecipientFactory()
        first = factories.token_for(
            factories.grant(customer=customer, accounts=[account], recipient=recipient)
        )
        second = factories.token_for(
            factories.grant(customer=customer, accounts=[account], recipient=recipient)
        )

        assert account_id_of(cds, first) == account_id_of(cds, second)

    def test_runs_a_constant_number_of_queries_for_many_plans(
        self, cds, customer, django_assert_max_num_queries
    ):
        account = factories.au_account(customer=customer, plans=8)
        token = factories.token_for(factories.grant(customer=customer, accounts=[account]))
        account_id = account_id_of(cds, token)

        with django_assert_max_num_queries(7):
            response = cds(token).get(url(account_id), version="4")

        assert len(response.json()["data"]["plans"]) == 8
