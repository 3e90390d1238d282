from kernel import graphql as gql
from tests.accounts.factories import AccountFactory, AccountUserRoleFactory, PropertyFactory
from tests.devices.factories import DeviceFactory
from tests.graphql.conftest import error_code
from tests.metering.factories import MeterFactory, MeterPointFactory

ACCOUNT = "query($n: String!) { account(accountNumber: $n) { number billingName } }"


class TestAccountRoot:
    def test_returns_the_viewers_account(self, authed, account):
        assert authed.ok(ACCOUNT, {"n": account.number})["account"]["number"] == account.number

    def test_refuses_another_users_account_with_kt_ct_4177_and_no_data(self, authed):
        other = AccountUserRoleFactory().account

        status, body = authed(ACCOUNT, {"n": other.number})

        assert status == 200
        assert body["data"] == {"account": None}
        assert error_code(body) == "KT-CT-4177"
        assert other.billing_name not in str(body)

    def test_answers_an_unknown_number_exactly_like_someone_elses(self, authed):
        other = AccountUserRoleFactory().account

        _, theirs = authed(ACCOUNT, {"n": other.number})
        _, unknown = authed(ACCOUNT, {"n": "A-00000000"})

        assert theirs == unknown


class TestObjectsOfOtherAccounts:
    def test_property_by_id_is_refused(self, authed):
        prop = PropertyFactory(account=AccountFactory())

        _, body = authed("query($id: ID!) { property(id: $id) { postcode } }", {"id": str(prop.public_id)})

        assert body["data"] == {"property": None}
        assert error_code(body) == "KT-CT-1111"

    def test_own_property_by_id_is_returned(self, authed, account):
        prop = PropertyFactory(account=account)

        data = authed.ok("query($id: ID!) { property(id: $id) { id postcode } }", {"id": str(prop.public_id)})

        assert data["property"] == {"id": str(prop.public_id), "postcode": prop.address.postcode}

    def test_property_by_primary_key_is_not_found(self, authed, account):
        prop = PropertyFactory(account=account)

        _, body = authed("query($id: ID!) { property(id: $id) { postcode } }", {"id": gql.encode_pk(prop.pk)})

        assert error_code(body) == "KT-CT-1111"

    def test_meter_by_node_id_is_refused_for_others_and_returned_for_own(self, authed, account):
        theirs = MeterFactory()
        mine = MeterFactory(meter_point__property__account=account)
        query = "query($id: ID!) { node(id: $id) { id ... on ElectricityMeterType { serialNumber } } }"

        _, refused = authed(query, {"id": gql.model_id("ElectricityMeterType", theirs.pk)})
        own = authed.ok(query, {"id": gql.model_id("ElectricityMeterType", mine.pk)})

        assert refused["data"] == {"node": None} and error_code(refused) == "KT-CT-1111"
        assert own["node"]["serialNumber"] == mine.serial_number

    def test_meter_point_by_mpan_is_refused(self, authed):
        mp = MeterPointFactory()

        _, body = authed("query($m: ID) { meterPoints(mpan: $m) { status } }", {"m": mp.identifier})

        assert error_code(body) == "KT-CT-1111"

    def test_devices_and_dispatches_of_another_account_are_refused(self, authed):
        other = DeviceFactory().account

        codes = [
            error_code(
                authed(
                    f"query($n: String!) {{ {root}(accountNumber: $n) {{ __typename }} }}",
                    {"n": other.number},
                )[1]
            )
            for root in ("devices", "plannedDispatches", "completedDispatches", "properties")
        ]

        assert codes == ["KT-CT-4177"] * 4


class TestViewerAccounts:
    def test_lists_only_the_viewers_accounts(self, authed, viewer, account):
        AccountUserRoleFactory()
        second = AccountUserRoleFactory(user=viewer).account

        data = authed.ok("{ viewer { accounts { ... on AccountType { number } } } }")

        assert sorted(a["number"] for a in data["viewer"]["accounts"]) == sorted(
            [account.number, second.number]
        )
