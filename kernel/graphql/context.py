"""The request context every resolver reaches through `context(info)`: the raw Authorization
header, the request's clock reading, the lazily authenticated viewer and the request's dataloaders.

Who the viewer is and which accounts they hold are business questions, answered by the functions
the door passes in (`authenticate`, `account_ids_of`), so the kernel knows no app.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import Any

from graphql_sync_dataloaders import SyncDataLoader

from kernel.graphql import error_codes
from kernel.graphql.errors import KrakenError

AUTH_SCHEMES = ("JWT ", "Bearer ")


def bearer_token(authorization: str) -> str:
    """The token of an Authorization header: raw, or after a `JWT `/`Bearer ` scheme (any case)."""
    token = authorization.strip()
    for scheme in AUTH_SCHEMES:
        if token[: len(scheme)].lower() == scheme.lower():
            return token[len(scheme) :].strip()
    return token


class Context:
    """One per request. `authenticate(token, now)` returns the viewer or raises KrakenError;
    `account_ids_of(viewer)` returns the ids of the accounts the viewer may see."""

    def __init__(
        self,
        *,
        authorization: str,
        now: datetime,
        authenticate: Callable[[str, datetime], Any],
        account_ids_of: Callable[[Any], set[int]],
        request: Any = None,
    ):
        self.authorization = authorization.strip()
        self.now = now
        self.request = request
        self._authenticate = authenticate
        self._account_ids_of = account_ids_of
        self._viewer: Any = None
        self._viewer_error: KrakenError | None = None
        self._loaders: dict[Hashable, SyncDataLoader] = {}
        self._account_ids: set[int] | None = None
        self.memo: dict[Hashable, Any] = {}

    def viewer(self) -> Any:
        """The authenticated user. Raises KrakenError (KT-CT-1112 without a token, or whatever
        `authenticate` raises)."""
        if self._viewer is not None:
            return self._viewer
        if self._viewer_error is not None:
            raise self._viewer_error
        token = bearer_token(self.authorization)
        try:
            if not token:
                raise KrakenError(error_codes.AUTHORIZATION_HEADER_MISSING)
            self._viewer = self._authenticate(token, self.now)
        except KrakenError as exc:
            self._viewer_error = exc
            raise
        return self._viewer

    def viewer_account_ids(self) -> set[int]:
        """Ids of the accounts the viewer holds a role on (looked up once per request)."""
        if self._account_ids is None:
            self._account_ids = set(self._account_ids_of(self.viewer()))
        return self._account_ids

    @property
    def known_account_ids(self) -> set[int] | None:
        """The viewer's account ids if already looked up this request, else None."""
        return self._account_ids

    def remembered(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """`compute()` once per request and `key` (kept in `memo`; `memo.pop(key)` forgets it)."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def loader(self, key: Hashable, batch: Callable[[list], Sequence]) -> SyncDataLoader:
        """The request's dataloader for `key`, created on first use with `batch`."""
        if key not in self._loaders:
            self._loaders[key] = SyncDataLoader(batch)
        return self._loaders[key]


def context(info) -> Context:
    return info.context
