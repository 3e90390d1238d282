"""Who the GraphQL viewer is and which accounts they may see: the business half of the request
context (`kernel.graphql.Context` takes `authenticate` and `account_ids_of` from here)."""

from __future__ import annotations

from datetime import datetime

from accounts import models, queries, tokens
from kernel import graphql as gql
from kernel.graphql import error_codes


def authenticate(token: str, now: datetime) -> models.User:
    """The user a Kraken access token was issued to. Raises KrakenError KT-CT-1124 (expired) or
    KT-CT-1111 (any other invalid token)."""
    try:
        return tokens.decode_access_token(token=token, now=now)
    except tokens.ExpiredToken as exc:
        raise gql.KrakenError(error_codes.TOKEN_EXPIRED) from exc
    except tokens.InvalidToken as exc:
        raise gql.KrakenError(error_codes.UNAUTHORIZED, description="Invalid token.") from exc


def account_ids_of(user: models.User) -> set[int]:
    return queries.account_ids_of_user(user=user)


def viewer_account(info, number: str) -> models.Account:
    """The viewer's account with this number. Raises KrakenError KT-CT-4177 for an account that is
    not the viewer's or does not exist (indistinguishably)."""
    ctx = gql.context(info)
    account = queries.account_of_user(
        number=number, user=ctx.viewer(), known_account_ids=ctx.known_account_ids
    )
    if account is None:
        raise gql.KrakenError(error_codes.ACCOUNT_NOT_VISIBLE)
    return account


def check_account_visible(info, account_id: int) -> None:
    """Raises KrakenError KT-CT-1111 when the object's account is not the viewer's."""
    if account_id not in gql.context(info).viewer_account_ids():
        raise gql.KrakenError(error_codes.UNAUTHORIZED)
