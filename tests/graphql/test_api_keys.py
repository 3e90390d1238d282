from django.utils import timezone

from accounts import operations, queries
from tests.accounts.factories import AccountUserRoleFactory, UserFactory, api_key_for
from tests.graphql.conftest import error_code, token_for
from tests.rest import basic

LIVE_KEY = "{ viewer { email liveSecretKey } }"
REGENERATE = "mutation { regenerateSecretKey { viewer { email liveSecretKey } } }"
OBTAIN = "mutation($key: String!) { obtainKrakenToken(input: {APIKey: $key}) { token } }"
ACCOUNT_USERS = """query($n: String!) { account(accountNumber: $n) { users { email liveSecretKey } } }"""


class TestLiveSecretKey:
    def test_shows_the_viewer_their_key(self, authed, viewer):
        key = api_key_for(viewer)

        assert authed.ok(LIVE_KEY)["viewer"] == {"email": viewer.email, "liveSecretKey": key}

    def test_is_null_without_a_key(self, authed):
        assert authed.ok(LIVE_KEY)["viewer"]["liveSecretKey"] is None

    def test_is_never_shown_to_another_user_of_the_account(self, authed, viewer, account):
        other = AccountUserRoleFactory(account=account).user
        api_key_for(other)

        users = authed.ok(ACCOUNT_USERS, {"n": account.number})["account"]["users"]

        assert {u["email"]: u["liveSecretKey"] for u in users}[other.email] is None

    def test_is_read_once_however_many_paths_reach_the_viewer(
        self, authed, viewer, account, django_assert_max_num_queries
    ):
        key = api_key_for(viewer)
        for _ in range(3):
            AccountUserRoleFactory(account=account)
        paths = """query($n: String!) {
          viewer { liveSecretKey accounts { ... on AccountType { users { liveSecretKey } } } }
          account(accountNumber: $n) { users { email liveSecretKey } } }"""

        with django_assert_max_num_queries(8) as captured:
            data = authed.ok(paths, {"n": account.number})

        assert data["viewer"]["liveSecretKey"] == key
        assert [u["liveSecretKey"] for u in data["viewer"]["accounts"][0]["users"]].count(key) == 1
        assert {u["email"]: u["liveSecretKey"] for u in data["account"]["users"]}[viewer.email] == key
        assert sum("accounts_apikey" in q["sql"] for q in captured.captured_queries) == 1


class TestRegenerateSecretKey:
    def test_issues_a_new_key_and_revokes_the_old_one(self, authed, viewer, client, account):
        old = api_key_for(viewer)

        data = authed.ok(REGENERATE)["regenerateSecretKey"]["viewer"]

        new = data["liveSecretKey"]
        assert new.startswith("sk_live_") and new != old
        assert queries.user_of_api_key(api_key=old) is None
        assert client.get(f"/v1/accounts/{account.number}/", **basic(old)).status_code == 401
        assert client.get(f"/v1/accounts/{account.number}/", **basic(new)).status_code == 200

    def test_the_new_key_obtains_a_kraken_token_and_the_old_one_does_not(self, authed, viewer, gql):
        old = api_key_for(viewer)
        new = authed.ok(REGENERATE)["regenerateSecretKey"]["viewer"]["liveSecretKey"]

        assert gql.ok(OBTAIN, {"key": new}, token="")["obtainKrakenToken"]["token"]
        status, body = gql(OBTAIN, {"key": old}, token="")
        assert error_code(body) == "KT-CT-1139"

    def test_each_regeneration_in_a_document_shows_its_own_key(self, authed, viewer):
        twice = """mutation { first: regenerateSecretKey { viewer { liveSecretKey } }
          second: regenerateSecretKey { viewer { liveSecretKey } } }"""

        data = authed.ok(twice)

        first, second = data["first"]["viewer"]["liveSecretKey"], data["second"]["viewer"]["liveSecretKey"]
        assert first != second
        assert queries.live_api_key(user=viewer) == second
        assert queries.user_of_api_key(api_key=first) is None

    def test_needs_a_viewer(self, gql, db):
        status, body = gql(REGENERATE)

        assert error_code(body) == "KT-CT-1112"

    def test_a_token_issued_with_the_key_works_like_any_other(self, gql, db):
        user = UserFactory()
        key = operations.regenerate_api_key(user=user, now=timezone.now())
        token = gql.ok(OBTAIN, {"key": key})["obtainKrakenToken"]["token"]

        data = gql.ok(LIVE_KEY, token=token)

        assert data["viewer"] == {"email": user.email, "liveSecretKey": key}
        assert token != token_for(user)
