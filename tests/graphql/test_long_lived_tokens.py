import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts import models, tokens
from tests.accounts.factories import AccountUserRoleFactory, UserFactory
from tests.graphql.conftest import error_code, token_for

OBTAIN = """mutation($t: String!) { obtainLongLivedRefreshToken(input: {krakenToken: $t}) {
  refreshToken refreshExpiresIn } }"""
REFRESH = """mutation($r: String!) { obtainKrakenToken(input: {refreshToken: $r}) { token } }"""


@pytest.fixture
def integration(gql, db):
    """A third party's own login, allowed to issue long-lived refresh tokens."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="issue_long_lived_refresh_token"))
    gql.token = token_for(user)
    return gql


class TestObtainLongLivedRefreshToken:
    def test_gives_a_90_day_refresh_token_for_the_account_user(self, integration, viewer, account):
        before = timezone.now()

        data = integration.ok(OBTAIN, {"t": token_for(viewer)})["obtainLongLivedRefreshToken"]

        expires = dt.datetime.fromtimestamp(data["refreshExpiresIn"], tz=dt.UTC)
        assert before + dt.timedelta(days=90) - dt.timedelta(seconds=5) <= expires
        assert expires <= timezone.now() + dt.timedelta(days=90)
        grant = models.LongLivedRefreshTokenGrant.objects.select_related("refresh_token").get()
        assert grant.refresh_token.user == viewer
        refreshed = integration.ok(REFRESH, {"r": data["refreshToken"]}, token="")
        user = tokens.decode_access_token(token=refreshed["obtainKrakenToken"]["token"], now=timezone.now())
        assert user == viewer

    def test_is_refused_to_a_viewer_without_the_permission_with_kt_ct_1132(self, authed, viewer, account):
        other = AccountUserRoleFactory().user

        _, body = authed(OBTAIN, {"t": token_for(other)})

        assert error_code(body) == "KT-CT-1132"
        assert not models.LongLivedRefreshTokenGrant.objects.exists()

    def test_refuses_an_expired_kraken_token_with_kt_ct_1120(self, integration, viewer, account):
        old = token_for(viewer, now=timezone.now() - dt.timedelta(hours=2))

        _, body = integration(OBTAIN, {"t": old})

        assert error_code(body) == "KT-CT-1120"

    @pytest.mark.parametrize("offered", ["not-a-token", "refresh"])
    def test_refuses_anything_but_a_kraken_token_with_kt_ct_1121(self, integration, viewer, account, offered):
        if offered == "refresh":
            offered = tokens.obtain_token_with_password(
                email=viewer.email, password="correct-horse-battery", now=timezone.now()
            ).refresh_token

        _, body = integration(OBTAIN, {"t": offered})

        assert error_code(body) == "KT-CT-1121"

    def test_refuses_a_user_without_accounts_with_kt_ct_1122(self, integration):
        _, body = integration(OBTAIN, {"t": token_for(UserFactory())})

        assert error_code(body) == "KT-CT-1122"

    def test_tokens_die_with_forced_reauthentication(self, integration, viewer, account):
        data = integration.ok(OBTAIN, {"t": token_for(viewer)})["obtainLongLivedRefreshToken"]

        tokens.force_reauthentication(user=viewer, now=timezone.now())

        _, body = integration(REFRESH, {"r": data["refreshToken"]}, token="")
        assert error_code(body) == "KT-CT-1143"
