import pytest

from cdr import demo
from tests.cdr import factories
from tests.cdr.conftest import assert_valid

pytestmark = pytest.mark.django_db


class TestLoad:
    def test_loads_accounts_callable_with_the_printed_token_and_only_once(self, cds):
        first = demo.load(now=factories.NOW)
        second = demo.load(now=factories.NOW)

        body = assert_valid(cds(first.token).get("/cds-au/v1/energy/accounts"), schema="list")
        detail = cds(first.token).get(
            f"/cds-au/v1/energy/accounts/{body['data']['accounts'][1]['accountId']}", version="4"
        )

        assert (first.created, second.created) == (True, False)
        assert body["meta"]["totalRecords"] == 2
        assert (
            assert_valid(detail, schema=4)["data"]["plans"][0]["planDetail"]["electricityContract"][
                "pricingModel"
            ]
            == "TIME_OF_USE"
        )
