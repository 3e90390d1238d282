import datetime as dt
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import models as accounts_models
from cdr import error_codes
from tests.cdr import factories
from tests.cdr.conftest import assert_error, assert_valid

URL = "/cds-au/v1/energy/accounts"
pytestmark = pytest.mark.django_db


@pytest.fixture
def many_accounts(customer):
    """250 consented accounts, most with one plan; created cheaply (one plan on every tenth)."""
    accounts = [
        factories.au_account(customer=customer, plans=1 if index % 10 == 0 else 0) for index in range(250)
    ]
    consent = factories.grant(customer=customer, accounts=accounts)
    return accounts, factories.token_for(consent)


class TestGetEnergyAccounts:
    def test_lists_the_consented_accounts_with_their_plans_as_the_v2_schema_says(self, cds, customer):
        several = factories.au_account(customer=customer, plans=2, billing_name="Matilda Jones")
        single = factories.au_account(customer=customer, plans=1, billing_name="")
        factories.au_account(customer=customer, plans=1)  # not in the consent
        consent = factories.grant(customer=customer, accounts=[several, single])

        response = cds(factories.token_for(consent)).get(URL)

        assert response.status_code == 200
        assert response["x-v"] == "2"
        body = assert_valid(response, schema="list")
        accounts = body["data"]["accounts"]
        assert [account["accountNumber"] for account in accounts] == [several.number, single.number]
        assert [len(account["plans"]) for account in accounts] == [2, 1]
        assert accounts[0]["displayName"] == "Matilda Jones"
        assert "displayName" not in accounts[1]
        assert accounts[0]["openStatus"] == "OPEN"
        assert accounts[0]["creationDate"] == "2025-06-15"
        plan = accounts[0]["plans"][0]
        meter_point = several.agreements.order_by("pk").first().meter_point
        assert plan["servicePointIds"] == [factories.service_point_id(consent, meter_point)]
        assert plan["planOverview"] == {"displayName": "Flexible", "startDate": "2024-01-01"}
        assert "planDetail" not in plan
        assert body["meta"] == {"totalRecords": 2, "totalPages": 1}
        assert body["links"] == {"self": f"http://testserver{URL}"}

    def test_groups_service_points_on_one_tariff_into_one_plan_and_gives_an_end_date(self, cds, customer):
        account = factories.au_account(customer=customer, plans=0)
        first = factories.au_agreement(
            account=account, active_to=dt.datetime(2025, 12, 31, 13, tzinfo=dt.UTC)
        )
        second = factories.au_agreement(
            account=account, tariff=first.tariff, active_to=dt.datetime(2025, 9, 30, 14, tzinfo=dt.UTC)
        )
        factories.au_agreement(account=account, active_to=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))  # ended
        consent = factories.grant(customer=customer, accounts=[account])

        body = assert_valid(cds(factories.token_for(consent)).get(URL), schema="list")

        (plan,) = body["data"]["accounts"][0]["plans"]
        assert plan["servicePointIds"] == sorted(
            factories.service_point_id(consent, agreement.meter_point) for agreement in (first, second)
        )
        # Ends at midnight Sydney time on 1 January (exclusive), so the last day is 31 December.
        assert plan["planOverview"]["endDate"] == "2025-12-31"

    def test_filters_by_open_status(self, cds, customer):
        open_account = factories.au_account(customer=customer)
        closed_account = factories.au_account(customer=customer, status=accounts_models.AccountStatus.DORMANT)
        hidden = [
            factories.au_account(customer=customer, status=accounts_models.AccountStatus.VOID),
            factories.au_account(customer=customer, status=accounts_models.AccountStatus.PENDING),
        ]
        consent = factories.grant(customer=customer, accounts=[open_account, closed_account, *hidden])
        client = cds(factories.token_for(consent))

        numbers = {
            status: [
                account["accountNumber"]
                for account in assert_valid(client.get(URL, data={"open-status": status}), schema="list")[
                    "data"
                ]["accounts"]
            ]
            for status in ("OPEN", "CLOSED", "ALL")
        }

        assert numbers == {
            "OPEN": [open_account.number],
            "CLOSED": [closed_account.number],
            "ALL": [open_account.number, closed_account.number],
        }

    def test_shows_the_consented_accounts_only_under_this_recipients_account_ids(self, cds, customer):
        account = factories.au_account(customer=customer)
        ours = factories.grant(customer=customer, accounts=[account])
        theirs = factories.grant(customer=customer, accounts=[account])

        our_id = cds(factories.token_for(ours)).get(URL).json()["data"]["accounts"][0]["accountId"]
        their_id = cds(factories.token_for(theirs)).get(URL).json()["data"]["accounts"][0]["accountId"]

        assert our_id != their_id
        assert our_id not in (str(account.pk), account.number)

    def test_returns_an_empty_page_when_nothing_matches(self, cds, customer):
        consent = factories.grant(customer=customer, accounts=[factories.au_account(customer=customer)])

        response = cds(factories.token_for(consent)).get(URL, data={"open-status": "CLOSED"})

        body = assert_valid(response, schema="list")
        assert body["data"]["accounts"] == []
        assert body["meta"] == {"totalRecords": 0, "totalPages": 0}


class TestGetEnergyAccountsPagination:
    def test_pages_through_250_accounts_with_links_and_meta(self, cds, many_accounts):
        accounts, token = many_accounts
        client = cds(token)

        first = assert_valid(client.get(URL, data={"page-size": "100", "open-status": "ALL"}), schema="list")
        middle = assert_valid(
            client.get(URL, data={"page": "2", "page-size": "100", "open-status": "ALL"}), schema="list"
        )
        last = assert_valid(
            client.get(URL, data={"page": "3", "page-size": "100", "open-status": "ALL"}), schema="list"
        )

        assert [len(page["data"]["accounts"]) for page in (first, middle, last)] == [100, 100, 50]
        assert {page["meta"]["totalRecords"] for page in (first, middle, last)} == {250}
        assert {page["meta"]["totalPages"] for page in (first, middle, last)} == {3}
        seen = [
            account["accountNumber"] for page in (first, middle, last) for account in page["data"]["accounts"]
        ]
        assert seen == [account.number for account in accounts]
        base = "http://testserver/cds-au/v1/energy/accounts?page-size=100&open-status=ALL&page="
        assert first["links"] == {
            "self": "http://testserver/cds-au/v1/energy/accounts?page-size=100&open-status=ALL",
            "next": base + "2",
            "last": base + "3",
        }
        assert middle["links"] == {
            "self": "http://testserver/cds-au/v1/energy/accounts?page=2&page-size=100&open-status=ALL",
            "first": base + "1",
            "prev": base + "1",
            "next": base + "3",
            "last": base + "3",
        }
        assert set(last["links"]) == {"self", "first", "prev"}
        assert last["links"]["prev"] == base + "2"

    def test_defaults_to_pages_of_25(self, cds, many_accounts):
        _, token = many_accounts

        body = assert_valid(cds(token).get(URL), schema="list")

        assert len(body["data"]["accounts"]) == 25
        assert body["meta"] == {"totalRecords": 250, "totalPages": math.ceil(250 / 25)}
        assert body["links"]["last"].endswith("?page=10")

    def test_refuses_a_page_beyond_the_last_with_422(self, cds, many_accounts):
        _, token = many_accounts

        error = assert_error(
            cds(token).get(URL, data={"page": "4", "page-size": "100"}),
            status=422,
            code=error_codes.FIELD_INVALID_PAGE,
        )

        assert error["detail"] == "3"

    def test_refuses_a_page_size_over_1000(self, cds, many_accounts):
        _, token = many_accounts

        error = assert_error(
            cds(token).get(URL, data={"page-size": "1001"}),
            status=400,
            code=error_codes.FIELD_INVALID_PAGE_SIZE,
        )

        assert error["title"] == "Invalid Page Size"

    @pytest.mark.parametrize(
        "params",
        [{"page": "0"}, {"page": "two"}, {"page-size": "-5"}, {"page-size": "1.5"}, {"open-status": "SHUT"}],
    )
    def test_refuses_an_invalid_query_value_with_field_invalid(self, cds, customer, params):
        consent = factories.grant(customer=customer, accounts=[factories.au_account(customer=customer)])

        error = assert_error(
            cds(factories.token_for(consent)).get(URL, data=params),
            status=400,
            code=error_codes.FIELD_INVALID,
        )

        assert next(iter(params)) in error["detail"]

    def test_runs_a_constant_number_of_queries_whatever_the_page_size(self, cds, many_accounts):
        _, token = many_accounts
        client = cds(token)
        counts = {}

        for page_size in (1, 10, 250):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(URL, data={"page-size": str(page_size)})
            assert response.status_code == 200
            assert len(response.json()["data"]["accounts"]) == page_size
            counts[page_size] = len(queries)

        assert len(set(counts.values())) == 1, counts
        assert counts[1] <= 5  # token, servicePointId check, count, page, agreements


class TestGetEnergyAccountsQueryCount:
    def test_stays_within_five_queries_for_a_full_page_of_accounts_with_plans(
        self, cds, customer, django_assert_max_num_queries
    ):
        accounts = [factories.au_account(customer=customer, plans=2) for _ in range(30)]
        token = factories.token_for(factories.grant(customer=customer, accounts=accounts))
        client = cds(token)

        with django_assert_max_num_queries(5):
            response = client.get(URL, data={"page-size": "30"})

        assert sum(len(account["plans"]) for account in response.json()["data"]["accounts"]) == 60
