"""Account, user, meter point and product details in the customer graph: what the platform holds or
derives, null only where it holds nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.accounts.factories import AccountUserRoleFactory, AddressFactory
from tests.billing.factories import AgreementFactory, ProductFactory, TariffFactory
from tests.billing.test_statements import FEB_ISSUED, _two_months
from tests.graphql.conftest import token_for
from tests.metering.factories import RegisterFactory

ACCOUNT = """query($n: String!) { account(accountNumber: $n) {
  brand billingSubName billingAddressLine5 billingDeliveryPointIdentifier overdueBalance canRenewTariff
  users { title pronouns }
  electricityAgreements { meterPoint { currentSupplierMpid statusUpdatedAt
    meters { registers { eac timePatternRegime } } } }
} }"""


@pytest.fixture
def detailed(authed, viewer, account):
    viewer.title, viewer.pronouns = "Dr", "SHE_HER_HERS"
    viewer.save()
    account.billing_sub_name = "c/o Ann"
    account.billing_address = AddressFactory(
        line_1="Flat 2",
        line_2="1 High Street",
        line_3="Thorpe Hamlet",
        locality="Norwich",
        administrative_area="Norfolk",
        delivery_point_identifier="50000001",
    )
    account.save()
    return account


@pytest.mark.django_db
class TestAccountDetails:
    def test_are_what_the_import_kept(self, authed, detailed):
        agreement = AgreementFactory(account=detailed, tariff__product__brand="OCTOPUS_ENERGY")
        meter_point = agreement.meter_point
        meter_point.supplier_mpid = "TENT"
        meter_point.save()
        RegisterFactory(
            meter__meter_point=meter_point,
            time_pattern_regime="00001",
            estimated_annual_consumption=Decimal(1550),
        )

        data = authed.ok(ACCOUNT, {"n": detailed.number})["account"]

        assert data["billingSubName"] == "c/o Ann"
        assert data["billingAddressLine5"] == "Norfolk"
        assert data["billingDeliveryPointIdentifier"] == "50000001"
        assert data["users"] == [{"title": "Dr", "pronouns": "She/Her/Hers"}]
        # The account keeps no brand of its own: the brand of the products it is supplied on.
        assert data["brand"] == "OCTOPUS_ENERGY"
        point = data["electricityAgreements"][0]["meterPoint"]
        assert point["currentSupplierMpid"] == "TENT" and point["statusUpdatedAt"]
        assert point["meters"][0]["registers"] == [{"eac": "1550.00", "timePatternRegime": "00001"}]

    def test_can_renew_a_fixed_tariff_only_within_the_renewal_window(self, authed, detailed, time_machine):
        now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        time_machine.move_to(now, tick=False)
        fixed = TariffFactory(product=ProductFactory(is_variable=False, term=12))
        AgreementFactory(
            account=detailed,
            tariff=fixed,
            active_from=now - dt.timedelta(days=300),
            active_to=now + dt.timedelta(days=60),
        )
        query = """query($n: String!) { account(accountNumber: $n) { canRenewTariff } }"""

        assert authed.ok(query, {"n": detailed.number})["account"]["canRenewTariff"] is False
        time_machine.move_to(now + dt.timedelta(days=12), tick=False)
        assert authed.ok(query, {"n": detailed.number})["account"]["canRenewTariff"] is True


@pytest.mark.django_db
class TestMoneyDetails:
    @pytest.fixture
    def statements(self, authed, viewer, localpay):
        account, january, february = _two_months(localpay)
        AccountUserRoleFactory(user=viewer, account=account)
        authed.token = token_for(viewer)
        return account, january, february

    def test_overdue_is_what_is_owed_past_its_due_date(self, authed, statements, time_machine):
        account, _, february = statements
        query = """query($n: String!) { account(accountNumber: $n) { balance overdueBalance } }"""

        time_machine.move_to(FEB_ISSUED + dt.timedelta(days=1), tick=False)
        before = authed.ok(query, {"n": account.number})["account"]
        time_machine.move_to(FEB_ISSUED + dt.timedelta(days=20), tick=False)
        after = authed.ok(query, {"n": account.number})["account"]

        assert before == {"balance": -february.total, "overdueBalance": 0}
        assert after == {"balance": -february.total, "overdueBalance": february.total}

    def test_a_payment_names_the_statement_it_is_on(self, authed, statements):
        account, january, february = statements
        query = """query($n: String!) { account(accountNumber: $n) {
          bills(first: 1) { edges { node { id ... on StatementType { userId } } } }
          transactions(first: 5) { edges { node { __typename statementId billingDocumentIdentifier hasStatement } } }
        } }"""

        data = authed.ok(query, {"n": account.number})["account"]

        newest = data["bills"]["edges"][0]["node"]
        assert isinstance(newest["userId"], int)
        payment = next(
            e["node"] for e in data["transactions"]["edges"] if e["node"]["__typename"] == "Payment"
        )
        # Paid after January's statement, the payment is on February's.
        assert payment["statementId"] == newest["id"]
        february.refresh_from_db()
        assert payment["billingDocumentIdentifier"] == february.number
        assert payment["hasStatement"] is True


@pytest.mark.django_db
def test_a_variable_product_has_no_exit_fee(authed):
    variable = ProductFactory(is_variable=True)
    fixed = ProductFactory(is_variable=False, term=12)
    query = """query($c: String!) { energyProduct(code: $c) { exitFees exitFeesType } }"""

    assert authed.ok(query, {"c": variable.code})["energyProduct"] == {"exitFees": 0, "exitFeesType": "NONE"}
    assert authed.ok(query, {"c": fixed.code})["energyProduct"] == {"exitFees": None, "exitFeesType": None}
