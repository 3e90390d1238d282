import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import F

from accounts import models
from kernel import bulk
from tests.accounts.factories import AccountFactory


@pytest.mark.django_db
class TestAnyOf:
    def test_finds_the_rows_in_does_through_a_join(self):
        accounts = AccountFactory.create_batch(4)
        wanted = [accounts[0].pk, accounts[2].pk, -1]

        found = models.Ledger.objects.filter(bulk.AnyOf(F("account__id"), wanted))

        expected = models.Ledger.objects.filter(account__id__in=wanted)
        assert sorted(found.values_list("id", flat=True)) == sorted(expected.values_list("id", flat=True))
        assert {ledger.account_id for ledger in found} == {accounts[0].pk, accounts[2].pk}

    def test_an_empty_list_matches_nothing_without_a_query(self, django_assert_num_queries):
        AccountFactory()

        with django_assert_num_queries(0):
            assert list(models.Account.objects.filter(bulk.AnyOf(F("id"), []))) == []

    def test_sends_the_values_as_one_array_parameter(self):
        ids = list(range(1, 1001))

        sql, params = models.Account.objects.filter(bulk.AnyOf(F("id"), ids)).query.sql_with_params()

        assert "= ANY(%s::bigint[])" in sql
        assert "{" + ",".join(map(str, ids)) + "}" in params

    def test_sends_other_values_as_one_list(self):
        emails = ["a@example.com", "b@example.com"]

        sql, params = models.User.objects.filter(bulk.AnyOf(F("email"), emails)).query.sql_with_params()

        assert "= ANY(%s)" in sql
        assert emails in params


@pytest.mark.django_db
class TestArrayParam:
    @pytest.mark.parametrize(
        ("values", "array_type"),
        [
            (['a"b', "c\\d", None, "NULL", "", "{x,y}", " padded ", "é\t\n"], "text[]"),
            ([1, None, -(2**63), 2**63 - 1], "bigint[]"),
            (
                [
                    dt.datetime(2024, 3, 31, 1, 30, 0, 123456, tzinfo=dt.UTC),
                    None,
                    # The second 01:30 of a clock change: its offset is what places it.
                    dt.datetime(2024, 10, 27, 1, 30, fold=1, tzinfo=ZoneInfo("Europe/London")),
                ],
                "timestamptz[]",
            ),
        ],
    )
    def test_reads_back_as_the_values_sent(self, values, array_type):
        param = bulk.array_param(values)

        assert isinstance(param, str)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT %s::{array_type}", [param])
            found = cursor.fetchone()[0]
        assert found == [v.astimezone(dt.UTC) if isinstance(v, dt.datetime) else v for v in values]

    def test_other_values_stay_a_list(self):
        assert bulk.array_param([Decimal("1.5"), None]) == [Decimal("1.5"), None]
        assert bulk.array_param([True, 1]) == [True, 1]
        assert bulk.array_param([dt.datetime(2024, 1, 1)]) == [dt.datetime(2024, 1, 1)]
