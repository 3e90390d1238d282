import datetime as dt

import jwt
from django.utils import timezone

from accounts import models, tokens
from tests.graphql.conftest import PASSWORD, error_code, token_for

OBTAIN = """mutation($input: ObtainJSONWebTokenInput!) {
  obtainKrakenToken(input: $input) { token payload refreshToken refreshExpiresIn }
}"""
VIEWER = "{ viewer { email } }"
FORCE = "mutation { forceReauthentication(input: {includeThirdParties: false}) { tokensInvalidated effectiveAt } }"


class TestObtainKrakenToken:
    def test_with_email_and_password_returns_a_working_token_and_refresh_token(self, gql, viewer):
        before = int(timezone.now().timestamp())

        data = gql.ok(OBTAIN, {"input": {"email": viewer.email, "password": PASSWORD}})["obtainKrakenToken"]

        payload = data["payload"]
        assert payload["sub"] == f"kraken|account-user:{viewer.pk}"
        assert payload["exp"] - payload["iat"] == 3600
        assert payload["origIat"] >= before and payload["iss"]
        assert before + 7 * 86400 <= data["refreshExpiresIn"] <= before + 7 * 86400 + 5
        assert gql.ok(VIEWER, token=data["token"])["viewer"]["email"] == viewer.email

    def test_with_a_wrong_password_fails_with_kt_ct_1138(self, gql, viewer):
        status, body = gql(OBTAIN, {"input": {"email": viewer.email, "password": "nope"}})

        assert status == 200
        assert body["data"] == {"obtainKrakenToken": None}
        assert error_code(body) == "KT-CT-1138"
        assert body["errors"][0]["extensions"]["errorType"] == "VALIDATION"
        assert body["errors"][0]["extensions"]["errorDescription"]

    def test_with_an_unknown_email_fails_the_same_way(self, gql, db):
        status, body = gql(OBTAIN, {"input": {"email": "nobody@example.com", "password": PASSWORD}})

        assert error_code(body) == "KT-CT-1138"

    def test_with_an_api_key_returns_a_token(self, gql, viewer):
        key = tokens.create_api_key(user=viewer, now=timezone.now())

        data = gql.ok(OBTAIN, {"input": {"APIKey": key}})["obtainKrakenToken"]

        assert gql.ok(VIEWER, token=data["token"])["viewer"]["email"] == viewer.email

    def test_with_a_bad_api_key_fails_with_kt_ct_1139(self, gql, db):
        status, body = gql(OBTAIN, {"input": {"APIKey": "sk_live_nope"}})

        assert error_code(body) == "KT-CT-1139"
        assert body["errors"][0]["extensions"]["errorDescription"] == "Authentication failed."

    def test_with_a_refresh_token_returns_a_new_token_without_extending_the_refresh_token(self, gql, viewer):
        first = gql.ok(OBTAIN, {"input": {"email": viewer.email, "password": PASSWORD}})["obtainKrakenToken"]

        again = gql.ok(OBTAIN, {"input": {"refreshToken": first["refreshToken"]}})["obtainKrakenToken"]

        assert again["refreshToken"] == first["refreshToken"]
        assert again["refreshExpiresIn"] == first["refreshExpiresIn"]
        assert again["payload"]["origIat"] == first["payload"]["origIat"]
        assert gql.ok(VIEWER, token=again["token"])["viewer"]["email"] == viewer.email

    def test_with_an_expired_refresh_token_fails_with_kt_ct_1143(self, gql, viewer):
        old = tokens.obtain_token_with_password(
            email=viewer.email, password=PASSWORD, now=timezone.now() - dt.timedelta(days=8)
        )

        status, body = gql(OBTAIN, {"input": {"refreshToken": old.refresh_token}})

        assert error_code(body) == "KT-CT-1143"

    def test_with_mixed_or_missing_credentials_fails_with_kt_ct_1134(self, gql, viewer):
        mixed = {"email": viewer.email, "password": PASSWORD, "APIKey": "sk_live_x"}

        codes = [
            error_code(gql(OBTAIN, {"input": given})[1]) for given in (mixed, {}, {"email": viewer.email})
        ]

        assert codes == ["KT-CT-1134"] * 3


class TestAuthorizationHeader:
    def test_accepts_the_raw_token_and_jwt_and_bearer_prefixes(self, gql, viewer):
        token = token_for(viewer)

        emails = [
            gql.ok(VIEWER, token=f"{prefix}{token}")["viewer"]["email"] for prefix in ("", "JWT ", "Bearer ")
        ]

        assert emails == [viewer.email] * 3

    def test_missing_header_fails_with_kt_ct_1112(self, gql, db):
        status, body = gql(VIEWER)

        assert status == 200
        assert body["data"] == {"viewer": None}
        assert error_code(body) == "KT-CT-1112"
        assert body["errors"][0]["extensions"]["errorType"] == "AUTHORIZATION"
        assert body["errors"][0]["path"] == ["viewer"]

    def test_expired_token_fails_with_kt_ct_1124(self, gql, viewer):
        token = token_for(viewer, now=timezone.now() - dt.timedelta(minutes=61))

        status, body = gql(VIEWER, token=token)

        assert error_code(body) == "KT-CT-1124"
        assert body["errors"][0]["message"] == "Signature of the JWT has expired."

    def test_token_still_valid_just_before_60_minutes(self, gql, viewer):
        token = token_for(viewer, now=timezone.now() - dt.timedelta(minutes=59))

        assert gql.ok(VIEWER, token=token)["viewer"]["email"] == viewer.email

    def test_forged_or_garbage_token_fails_with_kt_ct_1111(self, gql, viewer):
        forged = jwt.encode(
            {"sub": f"kraken|account-user:{viewer.pk}", "exp": 9999999999, "iss": tokens.ISSUER, "gen": 0},
            "another-secret-that-is-long-enough-for-hs256!",
            algorithm="HS256",
        )

        codes = [error_code(gql(VIEWER, token=t)[1]) for t in (forged, "garbage")]

        assert codes == ["KT-CT-1111", "KT-CT-1111"]

    def test_krakenversion_needs_no_token(self, gql, db):
        assert gql.ok("{ krakenVersion { number } }")["krakenVersion"]["number"]


class TestForceReauthentication:
    def test_invalidates_earlier_tokens_and_refresh_tokens(self, gql, viewer):
        issued = tokens.obtain_token_with_password(email=viewer.email, password=PASSWORD, now=timezone.now())

        data = gql.ok(FORCE, token=issued.token)["forceReauthentication"]

        assert data["tokensInvalidated"] is True and data["effectiveAt"]
        assert error_code(gql(VIEWER, token=issued.token)[1]) == "KT-CT-1111"
        assert error_code(gql(OBTAIN, {"input": {"refreshToken": issued.refresh_token}})[1]) == "KT-CT-1143"
        fresh = token_for(viewer)
        assert gql.ok(VIEWER, token=fresh)["viewer"]["email"] == viewer.email

    def test_needs_a_token(self, gql, db):
        assert error_code(gql(FORCE)[1]) == "KT-CT-1112"


class TestInvalidateRefreshToken:
    def test_revokes_that_refresh_token_only(self, gql, viewer):
        kept = tokens.obtain_token_with_password(email=viewer.email, password=PASSWORD, now=timezone.now())
        revoked = tokens.obtain_token_with_password(email=viewer.email, password=PASSWORD, now=timezone.now())

        gql.ok(
            "mutation($t: String!) { invalidateRefreshToken(input: {refreshToken: $t}) { possibleErrors { code } } }",
            {"t": revoked.refresh_token},
            token=kept.token,
        )

        assert error_code(gql(OBTAIN, {"input": {"refreshToken": revoked.refresh_token}})[1]) == "KT-CT-1143"
        gql.ok(OBTAIN, {"input": {"refreshToken": kept.refresh_token}})
        assert models.RefreshToken.objects.filter(user=viewer, revoked_at__isnull=False).count() == 1


class TestDecodeAccessToken:
    def test_returns_the_user_and_rejects_after_expiry(self, viewer):
        now = timezone.now()
        token = token_for(viewer, now=now)

        assert tokens.decode_access_token(token=token, now=now + dt.timedelta(minutes=59)) == viewer
        try:
            tokens.decode_access_token(token=token, now=now + dt.timedelta(minutes=60))
        except tokens.ExpiredToken:
            pass
        else:
            raise AssertionError("expired token accepted")
