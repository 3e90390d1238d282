import pytest

from billing import queries
from tests.accounts.factories import AccountFactory
from tests.billing.factories import BillFactory, TariffFactory, TariffRateFactory

pytestmark = pytest.mark.django_db


class TestTariffSummaries:
    def test_give_each_tariff_with_its_product_and_rate_bands_in_two_queries(self, django_assert_num_queries):
        tariff = TariffFactory()
        TariffRateFactory(tariff=tariff, band="DAY")
        TariffRateFactory(tariff=tariff, band="NIGHT")
        bare = TariffFactory()

        with django_assert_num_queries(2):
            summaries = {summary.code: summary for summary in queries.tariff_summaries()}

        assert summaries[tariff.code].product_code == tariff.product.code
        assert (summaries[tariff.code].rate_bands, summaries[tariff.code].rate_count) == (
            frozenset({"DAY", "NIGHT"}),
            2,
        )
        assert (summaries[bare.code].rate_bands, summaries[bare.code].rate_count) == (frozenset(), 0)


class TestHistoricalStatementIds:
    def test_are_the_statement_ids_the_account_has_already(self):
        account = AccountFactory()
        BillFactory(account=account, external_identifier="S-1")

        assert queries.historical_statement_ids(account=account, statement_ids=["S-1", "S-2"]) == {"S-1"}
