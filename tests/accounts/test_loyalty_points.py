"""Octopoints are worth an eighth of a penny: redeeming them credits the energy ledger exactly that,
in whole pence, and never spends points the user does not hold."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import models, operations, queries
from tests.accounts.factories import EPOCH, AccountUserRoleFactory

# A user's history: awards (positive) and redemption requests (negative), in order.
steps = st.lists(
    st.one_of(
        st.integers(min_value=1, max_value=50_000).map(lambda n: ("award", n)),
        st.integers(min_value=-10, max_value=20_000).map(lambda n: ("redeem", n)),
    ),
    min_size=1,
    max_size=20,
)


@pytest.mark.django_db
class TestLoyaltyPointsValue:
    @pytest.mark.parametrize(("points", "pence"), [(8, 1), (800, 100), (16, 2), (8_000, 1_000)])
    def test_is_a_penny_for_8_points(self, points, pence):
        assert operations.loyalty_points_value(points=points) == pence

    @pytest.mark.parametrize("points", [1, 7, 9, 801])
    def test_refuses_points_that_are_not_whole_pence(self, points):
        with pytest.raises(operations.IndivisiblePoints):
            operations.loyalty_points_value(points=points)


@pytest.mark.django_db
class TestRedeemLoyaltyPoints:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(history=steps)
    def test_credits_exactly_an_eighth_of_a_penny_a_point_and_never_overspends(self, history):
        role = AccountUserRoleFactory()
        user, account = role.user, role.account
        held = redeemed = 0

        for index, (action, points) in enumerate(history):
            at = EPOCH + dt.timedelta(minutes=index)
            if action == "award":
                operations.award_loyalty_points(
                    user=user,
                    account=account,
                    points=points,
                    reason="ADJUSTMENT",
                    reference=f"r{index}",
                    posted_at=at,
                )
                held += points
                continue
            try:
                credit = operations.redeem_loyalty_points(user=user, account=account, points=points, now=at)
            except (
                operations.NonPositivePoints,
                operations.IndivisiblePoints,
                operations.InsufficientPoints,
                operations.NoLoyaltyPoints,
            ):
                assert points <= 0 or points % 8 or points > held or held == 0
                continue
            assert points > 0 and points % 8 == 0 and points <= held
            assert (credit.kind, credit.amount, credit.currency) == (
                models.LedgerEntryKind.CREDIT,
                points // 8,
                "GBP",
            )
            held -= points
            redeemed += points

        assert queries.loyalty_point_balance(user=user) == held >= 0
        assert queries.account_balance(account=account) == redeemed // 8
        assert redeemed % 8 == 0
