import pytest
from django.db import IntegrityError

from accounts import models
from tests.accounts.factories import AccountUserRoleFactory
from tests.graphql.conftest import error_code, queries_for
from tests.graphql.factories import LoyaltyPointEntryFactory

LEDGER = """{ loyaltyPointLedgers { value balanceBroughtForward balanceCarriedForward reasonCode accountNumber } }"""
REDEEM = """mutation($n: String!, $points: Int!) {
  redeemLoyaltyPointsForAccountCredit(input: {accountNumber: $n, points: $points}) { pointsRedeemed } }"""
FORECAST = """query($n: String!) { balanceForecast(accountNumber: $n) { isAvailable } }"""


class TestLoyaltyPointLedgers:
    def test_lists_the_viewers_entries_newest_first_with_running_balances(self, authed, viewer, account):
        LoyaltyPointEntryFactory(user=viewer, account=account, points=800)
        LoyaltyPointEntryFactory(user=viewer, account=account, points=240)
        LoyaltyPointEntryFactory(points=5000)

        data = authed.ok(LEDGER)

        assert data["loyaltyPointLedgers"] == [
            {
                "value": "240",
                "balanceBroughtForward": "800",
                "balanceCarriedForward": "1040",
                "reasonCode": "SAVING_SESSION_REWARD",
                "accountNumber": account.number,
            },
            {
                "value": "800",
                "balanceBroughtForward": "0",
                "balanceCarriedForward": "800",
                "reasonCode": "SAVING_SESSION_REWARD",
                "accountNumber": account.number,
            },
        ]

    def test_costs_the_same_for_1_and_40_entries(self, authed, viewer, account):
        LoyaltyPointEntryFactory(user=viewer, account=account)
        one, _ = queries_for(authed, LEDGER)
        LoyaltyPointEntryFactory.create_batch(39, user=viewer, account=account)

        forty, data = queries_for(authed, LEDGER)

        assert len(data["loyaltyPointLedgers"]) == 40
        assert one == forty

    def test_entries_are_append_only_in_the_database(self, viewer):
        entry = LoyaltyPointEntryFactory(user=viewer)

        with pytest.raises(IntegrityError):
            models.LoyaltyPointLedgerEntry.objects.filter(pk=entry.pk)._raw_delete(using="default")


class TestRedeemLoyaltyPoints:
    def test_turns_points_into_a_credit_on_the_energy_ledger(self, authed, viewer, account):
        LoyaltyPointEntryFactory(user=viewer, points=1000)

        data = authed.ok(REDEEM, {"n": account.number, "points": 800})

        assert data["redeemLoyaltyPointsForAccountCredit"] == {"pointsRedeemed": 800}
        credit = models.LedgerEntry.objects.get(ledger__account=account)
        assert (credit.kind, credit.amount) == (models.LedgerEntryKind.CREDIT, 100)  # 8 points = 1p
        assert models.LoyaltyPointLedgerEntry.objects.filter(user=viewer).balance() == 200

    @pytest.mark.parametrize(
        ("points", "code"), [(0, "KT-CT-9204"), (12, "KT-CT-9206"), (1600, "KT-CT-9205")]
    )
    def test_refuses_bad_amounts_and_moves_nothing(self, authed, viewer, account, points, code):
        LoyaltyPointEntryFactory(user=viewer, points=1000)

        _, body = authed(REDEEM, {"n": account.number, "points": points})

        assert error_code(body) == code
        assert not models.LedgerEntry.objects.filter(ledger__account=account).exists()
        assert models.LoyaltyPointLedgerEntry.objects.filter(user=viewer).count() == 1

    def test_a_viewer_without_points_gets_kt_ct_9201(self, authed, account):
        _, body = authed(REDEEM, {"n": account.number, "points": 8})

        assert error_code(body) == "KT-CT-9201"

    def test_cannot_credit_another_users_account(self, authed, viewer):
        LoyaltyPointEntryFactory(user=viewer, points=1000)
        other = AccountUserRoleFactory().account

        _, body = authed(REDEEM, {"n": other.number, "points": 8})

        assert error_code(body) == "KT-CT-4177"
        assert not models.LedgerEntry.objects.filter(ledger__account=other).exists()


class TestBalanceForecast:
    def test_says_no_forecast_is_available(self, authed, account):
        assert authed.ok(FORECAST, {"n": account.number}) == {"balanceForecast": {"isAvailable": False}}

    def test_refuses_another_users_account(self, authed):
        _, body = authed(FORECAST, {"n": AccountUserRoleFactory().account.number})

        assert error_code(body) == "KT-CT-4177"
