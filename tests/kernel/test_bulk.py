import pytest
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

        assert "= ANY(%s)" in sql
        assert ids in params
