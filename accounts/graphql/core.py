"""GraphQL primitives every app's `graphql/` package uses: Kraken-shaped errors, the request
context (viewer, clock, dataloaders), opaque node ids and batched Relay pagination.

They live in the lowest app because the layers let every app import `accounts` but no app import
`kraken`; the schema, view and limits that only the project root needs are in `kraken/graphql/`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from graphql import GraphQLError
from graphql_sync_dataloaders import SyncDataLoader, SyncFuture

from accounts import models, tokens
from accounts.graphql import error_codes

# --- errors -----------------------------------------------------------------------------------


class KrakenError(GraphQLError):
    """A GraphQL error in Kraken's shape: `extensions` {errorType, errorClass, errorCode,
    errorDescription[, validationErrors]}."""

    def __init__(
        self,
        code: error_codes.ErrorCode,
        *,
        description: str | None = None,
        validation_errors: list[dict] | None = None,
    ):
        extensions: dict[str, Any] = {
            "errorType": code.error_type,
            "errorClass": code.error_type,
            "errorCode": code.code,
            "errorDescription": description or code.description,
        }
        if validation_errors is not None:
            extensions["validationErrors"] = validation_errors
        super().__init__(code.message, extensions=extensions)
        self.code = code.code


# --- request context --------------------------------------------------------------------------

AUTH_SCHEMES = ("JWT ", "Bearer ")


class Context:
    """One per request: the raw Authorization header, the clock reading of the request, the
    lazily authenticated viewer and the request's dataloaders."""

    def __init__(self, *, authorization: str, now: datetime, request: Any = None):
        self.authorization = authorization.strip()
        self.now = now
        self.request = request
        self._viewer: models.User | None = None
        self._viewer_error: KrakenError | None = None
        self._loaders: dict[Hashable, SyncDataLoader] = {}
        self._account_ids: set[int] | None = None
        self.memo: dict[str, Any] = {}

    def viewer(self) -> models.User:
        """The authenticated user. Raises KrakenError (KT-CT-1112, 1124 or 1111)."""
        if self._viewer is not None:
            return self._viewer
        if self._viewer_error is not None:
            raise self._viewer_error
        token = self.authorization
        for scheme in AUTH_SCHEMES:
            if token[: len(scheme)].lower() == scheme.lower():
                token = token[len(scheme) :].strip()
                break
        try:
            if not token:
                raise KrakenError(error_codes.AUTHORIZATION_HEADER_MISSING)
            try:
                self._viewer = tokens.decode_access_token(token=token, now=self.now)
            except tokens.ExpiredToken as exc:
                raise KrakenError(error_codes.TOKEN_EXPIRED) from exc
            except tokens.InvalidToken as exc:
                raise KrakenError(error_codes.UNAUTHORIZED, description="Invalid token.") from exc
        except KrakenError as exc:
            self._viewer_error = exc
            raise
        return self._viewer

    def viewer_account_ids(self) -> set[int]:
        """Ids of the accounts the viewer holds a role on (one query per request)."""
        if self._account_ids is None:
            self._account_ids = set(
                models.AccountUserRole.objects.filter(user=self.viewer()).values_list("account_id", flat=True)
            )
        return self._account_ids

    def loader(self, key: Hashable, batch: Callable[[list], Sequence]) -> SyncDataLoader:
        """The request's dataloader for `key`, created on first use with `batch`."""
        if key not in self._loaders:
            self._loaders[key] = SyncDataLoader(batch)
        return self._loaders[key]


def context(info) -> Context:
    return info.context


def viewer_account(info, number: str) -> models.Account:
    """The viewer's account with this number. Raises KrakenError KT-CT-4177 for an account that is
    not the viewer's or does not exist (indistinguishably)."""
    ctx = context(info)
    viewer = ctx.viewer()
    accounts = models.Account.objects.filter(number=number)
    if ctx._account_ids is not None:
        account = accounts.filter(pk__in=ctx._account_ids).first()
    else:  # one query: the account and the viewer's role on it
        account = accounts.filter(user_roles__user=viewer).first()
    if account is None:
        raise KrakenError(error_codes.ACCOUNT_NOT_VISIBLE)
    return account


def check_account_visible(info, account_id: int) -> None:
    """Raises KrakenError KT-CT-1111 when the object's account is not the viewer's."""
    if account_id not in context(info).viewer_account_ids():
        raise KrakenError(error_codes.UNAUTHORIZED)


# --- futures ----------------------------------------------------------------------------------


def then(value, fn: Callable[[Any], Any]):
    """Apply `fn` to a value or to the result of a dataloader future when it resolves."""
    if not isinstance(value, SyncFuture):
        return fn(value)
    if value.done():
        return fn(value.result())
    out = SyncFuture()
    out.deferred_callback = value.deferred_callback

    def done():
        try:
            out.set_result(fn(value.result()))
        except Exception as exc:  # noqa: BLE001 - handed to GraphQL as the field's error
            out.set_exception(exc)

    value.add_done_callback(done)
    return out


# --- node ids ---------------------------------------------------------------------------------

_MODULUS = (1 << 61) - 1  # a prime: multiplying by a unit permutes [1, modulus)
_MULTIPLIER = 0x5DEECE66D1A3B


def _scramble(pk: int) -> int:
    return (pk * _MULTIPLIER) % _MODULUS


def _unscramble(value: int) -> int:
    return (value * pow(_MULTIPLIER, -1, _MODULUS)) % _MODULUS


def encode_pk(pk: int) -> str:
    """A stable public form of a primary key: not the key, not sequential."""
    return format(_scramble(pk), "x")


def decode_pk(value: str) -> int | None:
    try:
        number = int(value, 16)
    except ValueError:
        return None
    if not 0 < number < _MODULUS:
        return None
    return _unscramble(number)


def global_id(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def parse_global_id(value: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(value.encode(), validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, sep, key = decoded.partition(":")
    return (type_name, key) if sep and type_name and key else None


def model_id(type_name: str, pk: int) -> str:
    return global_id(type_name, encode_pk(pk))


def parse_model_id(value: str, *type_names: str) -> int | None:
    """The primary key behind a node id of one of `type_names`, or None."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] not in type_names:
        return None
    return decode_pk(parsed[1])


# --- pagination -------------------------------------------------------------------------------

CURSOR_PREFIX = "arrayconnection:"


def max_page_size() -> int:
    return getattr(settings, "GRAPHQL_MAX_PAGE_SIZE", 100)


@dataclasses.dataclass(frozen=True)
class PageArgs:
    """Validated Relay arguments: rows `[lower, upper)` of the ordered set, then first/last."""

    after: int | None
    before: int | None
    first: int | None
    last: int | None
    offset: int = 0

    @property
    def key(self) -> tuple:
        return (self.after, self.before, self.first, self.last, self.offset)


def _cursor(index: int) -> str:
    return base64.b64encode(f"{CURSOR_PREFIX}{index}".encode()).decode()


def _cursor_index(cursor: str, name: str) -> int:
    try:
        decoded = base64.b64decode(cursor.encode(), validate=True).decode()
        if decoded.startswith(CURSOR_PREFIX):
            index = int(decoded[len(CURSOR_PREFIX) :])
            if index >= 0:
                return index
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise KrakenError(
        error_codes.INVALID_PAGINATION,
        description=f"Invalid cursor for '{name}'.",
        validation_errors=[{"message": "Invalid cursor.", "inputPath": [name]}],
    )


def page_args(
    *,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
    after: str | None = None,
    offset: int | None = None,
    **_ignored,
) -> PageArgs:
    """Validate Relay arguments. Raises KrakenError for negative or over-cap page sizes and bad
    cursors."""
    cap = max_page_size()
    for name, value in (("first", first), ("last", last), ("offset", offset)):
        if value is not None and value < 0:
            raise KrakenError(
                error_codes.INVALID_PAGINATION,
                description=f"'{name}' must not be negative.",
                validation_errors=[{"message": "Must not be negative.", "inputPath": [name]}],
            )
        if name != "offset" and value is not None and value > cap:
            raise KrakenError(
                error_codes.INVALID_PAGINATION,
                description=f"'{name}' must be at most {cap}.",
                validation_errors=[{"message": f"At most {cap}.", "inputPath": [name]}],
            )
    return PageArgs(
        after=_cursor_index(after, "after") if after else None,
        before=_cursor_index(before, "before") if before else None,
        first=first,
        last=last,
        offset=offset or 0,
    )


def _window(args: PageArgs, total: int) -> tuple[int, int]:
    """The half-open index range `[start, end)` of the page, in the whole ordered set."""
    start = args.offset + (args.after + 1 if args.after is not None else 0)
    end = total if args.before is None else min(args.before, total)
    start = min(start, end)
    if args.first is not None:
        end = min(end, start + args.first)
    if args.last is not None:
        start = max(start, end - args.last)
    if args.first is None and args.last is None:
        end = min(end, start + max_page_size())
    return start, end


def connection(nodes: list, *, start: int, total: int) -> dict:
    """A Kraken connection value: pageInfo, edges, totalCount and edgeCount."""
    edges = [{"node": node, "cursor": _cursor(start + i)} for i, node in enumerate(nodes)]
    return {
        "pageInfo": {
            "hasPreviousPage": start > 0,
            "hasNextPage": start + len(nodes) < total,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "edges": edges,
        "totalCount": total,
        "edgeCount": len(edges),
    }


def paginate_by_parent(
    queryset: QuerySet,
    *,
    parent_field: str,
    parent_ids: Iterable[int],
    order_by: Sequence[str],
    args: PageArgs,
) -> dict[int, dict]:
    """One page per parent in two queries whatever the number of parents: row numbers per
    parent (window function) select the page, a grouped count gives totalCount."""
    parent_ids = list(parent_ids)
    if args.last is None and args.before is None:
        return _paginate_forwards(
            queryset, parent_field=parent_field, parent_ids=parent_ids, order_by=order_by, args=args
        )
    totals = dict(
        queryset.filter(**{f"{parent_field}__in": parent_ids})
        .order_by()
        .values_list(parent_field)
        .annotate(n=Count("pk"))
        .values_list(parent_field, "n")
    )
    windows = {pid: _window(args, totals.get(pid, 0)) for pid in parent_ids}
    lowest = min((w[0] for w in windows.values()), default=0)
    highest = max((w[1] for w in windows.values()), default=0)
    rows: dict[int, list] = defaultdict(list)
    if highest > lowest:
        numbered = queryset.filter(**{f"{parent_field}__in": parent_ids}).annotate(
            _parent=F(parent_field),
            _row=Window(RowNumber(), partition_by=[F(parent_field)], order_by=[_order(o) for o in order_by]),
        )
        for obj in numbered.filter(_row__gt=lowest, _row__lte=highest).order_by("_parent", "_row"):
            pid = obj._parent
            start, end = windows[pid]
            if start < obj._row <= end:
                rows[pid].append(obj)
    return {pid: connection(rows[pid], start=windows[pid][0], total=totals.get(pid, 0)) for pid in parent_ids}


def _paginate_forwards(
    queryset: QuerySet, *, parent_field: str, parent_ids: list[int], order_by: Sequence[str], args: PageArgs
) -> dict[int, dict]:
    """`first`/`after` pages (the common case) in one query: the page's rows are known without the
    totals, which come from a count window over the same partition. Only a parent whose page is
    empty needs a second, grouped count (its total may still be above the cursor)."""
    start = args.offset + (args.after + 1 if args.after is not None else 0)
    size = args.first if args.first is not None else max_page_size()
    rows: dict[int, list] = defaultdict(list)
    totals: dict[int, int] = {}
    if size > 0:
        numbered = queryset.filter(**{f"{parent_field}__in": parent_ids}).annotate(
            _parent=F(parent_field),
            _row=Window(RowNumber(), partition_by=[F(parent_field)], order_by=[_order(o) for o in order_by]),
            _total=Window(Count("pk"), partition_by=[F(parent_field)]),
        )
        for obj in numbered.filter(_row__gt=start, _row__lte=start + size).order_by("_parent", "_row"):
            rows[obj._parent].append(obj)
            totals[obj._parent] = obj._total
    missing = [pid for pid in parent_ids if pid not in totals]
    if missing and (start > 0 or size == 0):
        totals.update(
            queryset.filter(**{f"{parent_field}__in": missing})
            .order_by()
            .values_list(parent_field)
            .annotate(n=Count("pk"))
            .values_list(parent_field, "n")
        )
    return {
        pid: connection(rows[pid], start=min(start, totals.get(pid, 0)), total=totals.get(pid, 0))
        for pid in parent_ids
    }


def _order(field: str):
    return F(field[1:]).desc() if field.startswith("-") else F(field).asc()


def paginate(queryset: QuerySet, *, args: PageArgs) -> dict:
    """One page of a single ordered queryset (count + slice)."""
    total = queryset.count()
    start, end = _window(args, total)
    nodes = list(queryset[start:end]) if end > start else []
    return connection(nodes, start=start, total=total)


def paginate_list(rows: Sequence, *, args: PageArgs) -> dict:
    """One page of a list computed in memory (already ordered)."""
    start, end = _window(args, len(rows))
    return connection(list(rows[start:end]), start=start, total=len(rows))


def paged_loader(info, name: str, args: PageArgs, batch: Callable[[list[int], PageArgs], dict[int, dict]]):
    """A dataloader of connections keyed by parent id, one per distinct argument set."""
    return context(info).loader((name, args.key), lambda ids: _ordered(ids, batch, args))


def _ordered(ids: list[int], batch, args: PageArgs) -> list[dict]:
    pages = batch(ids, args)
    return [pages[i] for i in ids]


def grouped(objects: Iterable, key: Callable[[Any], Hashable], keys: list) -> list[list]:
    """Group `objects` by `key` in the order of `keys` (for to-many dataloaders)."""
    groups: dict[Hashable, list] = defaultdict(list)
    for obj in objects:
        groups[key(obj)].append(obj)
    return [groups.get(k, []) for k in keys]


def by_key(objects: Iterable, key: Callable[[Any], Hashable], keys: list) -> list:
    """Pick one object per key in the order of `keys` (None when missing)."""
    found = {key(obj): obj for obj in objects}
    return [found.get(k) for k in keys]
