from tests.accounts.factories import AccountUserRoleFactory
from tests.graphql.conftest import error_code, token_for

RATE_LIMIT = (
    """{ rateLimitInfo { pointsAllowanceRateLimit { limit remainingPoints usedPoints ttl isBlocked } } }"""
)
# complexity 2: account (1) + properties (1)
ACCOUNT = """query($n: String!) { account(accountNumber: $n) { number properties { postcode } } }"""


class TestRateLimitInfo:
    def test_reports_the_points_spent_this_hour_including_this_request(self, authed, account, settings):
        settings.GRAPHQL_RATE_LIMIT_POINTS_PER_HOUR = 100
        authed.ok(ACCOUNT, {"n": account.number})

        info = authed.ok(RATE_LIMIT)["rateLimitInfo"]["pointsAllowanceRateLimit"]

        # 2 points for the account query, 2 for this one (rateLimitInfo + pointsAllowanceRateLimit)
        assert {k: info[k] for k in ("limit", "usedPoints", "remainingPoints", "isBlocked")} == {
            "limit": 100,
            "usedPoints": 4,
            "remainingPoints": 96,
            "isBlocked": False,
        }
        assert 0 < info["ttl"] <= 3600

    def test_needs_a_token(self, gql):
        _, body = gql(RATE_LIMIT)

        assert body["data"] == {"rateLimitInfo": None}
        assert error_code(body) == "KT-CT-1112"


class TestPointsAllowance:
    def test_refuses_a_request_that_would_exceed_it_with_kt_ct_1199_and_charges_nothing(
        self, authed, account, settings
    ):
        settings.GRAPHQL_RATE_LIMIT_POINTS_PER_HOUR = 5
        authed.ok(ACCOUNT, {"n": account.number})
        authed.ok(ACCOUNT, {"n": account.number})

        status, body = authed(ACCOUNT, {"n": account.number})

        assert status == 200
        assert body["data"] is None
        assert error_code(body) == "KT-CT-1199"
        assert body["errors"][0]["extensions"]["errorType"] == "RATE_LIMIT"
        # the refused request cost nothing: a one-point request still fits (4 + 1 = 5)
        authed.ok("""{ viewer { email } }""")

    def test_is_counted_per_viewer(self, authed, account, gql, settings):
        settings.GRAPHQL_RATE_LIMIT_POINTS_PER_HOUR = 4
        authed.ok(ACCOUNT, {"n": account.number})
        authed.ok(ACCOUNT, {"n": account.number})
        other = AccountUserRoleFactory()

        data = gql.ok(ACCOUNT, {"n": other.account.number}, token=token_for(other.user))

        assert data["account"]["number"] == other.account.number
        assert error_code(authed(ACCOUNT, {"n": account.number})[1]) == "KT-CT-1199"

    def test_does_not_count_logins(self, gql, viewer, settings):
        settings.GRAPHQL_RATE_LIMIT_POINTS_PER_HOUR = 1
        login = """mutation($e: String!, $p: String!) { obtainKrakenToken(input: {email: $e, password: $p}) { token } }"""

        for _ in range(3):
            gql.ok(login, {"e": viewer.email, "p": "correct-horse-battery"})
