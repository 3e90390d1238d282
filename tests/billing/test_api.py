import pytest

from billing import models
from tests.accounts.factories import AccountUserRoleFactory, UserFactory
from tests.billing.factories import billable_account

PERIOD = {"period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z"}


def _url(account_number: str) -> str:
    return f"/v1/billing/accounts/{account_number}/bill-preview/"


@pytest.mark.django_db
class TestBillPreviewEndpoint:
    def test_returns_the_bill_to_the_penny_and_writes_nothing(
        self, staff_client, django_assert_max_num_queries
    ):
        account = billable_account()

        with django_assert_max_num_queries(9):
            response = staff_client.get(_url(account.number), PERIOD)

        assert response.status_code == 200
        body = response.json()
        assert (body["subtotal"], body["tax"], body["total"]) == (8990, 450, 9440)
        assert [line["kind"] for line in body["lines"]] == ["STANDING_CHARGE", "CONSUMPTION", "TAX"]
        assert sum(line["amount"] for line in body["lines"]) == body["total"]
        assert not models.Bill.objects.filter(account=account).exists()

    def test_lets_a_customer_preview_only_their_own_account(self, client):
        mine, theirs = billable_account(), billable_account()
        role = AccountUserRoleFactory(account=mine, user=UserFactory())
        client.force_login(role.user)

        own = client.get(_url(mine.number), PERIOD)
        other = client.get(_url(theirs.number), PERIOD)

        assert own.status_code == 200
        assert (other.status_code, other.json()["code"]) == (404, "ACCOUNT_NOT_FOUND")

    def test_refuses_an_anonymous_caller(self, client):
        account = billable_account()

        response = client.get(_url(account.number), PERIOD)

        assert response.status_code in (401, 403)

    def test_explains_an_invalid_period(self, staff_client):
        account = billable_account()

        response = staff_client.get(
            _url(account.number), {"period_start": "2024-02-01", "period_end": "2024-01-01"}
        )

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "INVALID_PERIOD"
        assert body["errors"][0]["attr"] == "period_end"

    def test_explains_why_there_is_nothing_to_bill(self, staff_client):
        account = billable_account()

        response = staff_client.get(
            _url(account.number), {"period_start": "2023-01-01", "period_end": "2023-02-01"}
        )

        assert (response.status_code, response.json()["code"]) == (422, "NOTHING_TO_BILL")
