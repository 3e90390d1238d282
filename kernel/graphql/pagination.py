"""Relay pagination in Kraken's connection shape (pageInfo, edges, totalCount, edgeCount), batched:
one page per parent for any number of parents in a constant number of queries."""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence

from django.conf import settings
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from kernel import prepared
from kernel.graphql import error_codes
from kernel.graphql.context import context
from kernel.graphql.errors import KrakenError

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


def page_window(args: PageArgs, total: int) -> tuple[int, int]:
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
    args: PageArgs,
    order_by: Sequence[str] | None = None,
    shape: Hashable | None = None,
) -> dict[int, dict]:
    """One page per parent in two queries whatever the number of parents: row numbers per
    parent (window function) select the page, a grouped count gives totalCount. The rows are
    ordered by `order_by`, else by the queryset's own ordering. `shape` names the queryset
    (everything about it but the parent): with it, a single parent's first page has its SQL
    compiled once per process (`kernel.prepared`)."""
    parent_ids = list(parent_ids)
    if order_by is None:
        order_by = queryset.query.order_by
    if not order_by:
        raise ValueError("Pages of an unordered queryset")
    if args.last is None and args.before is None:
        return _paginate_forwards(
            queryset,
            parent_field=parent_field,
            parent_ids=parent_ids,
            order_by=order_by,
            args=args,
            shape=shape,
        )
    totals = dict(
        queryset.filter(**{f"{parent_field}__in": parent_ids})
        .order_by()
        .values_list(parent_field)
        .annotate(n=Count("pk"))
        .values_list(parent_field, "n")
    )
    windows = {pid: page_window(args, totals.get(pid, 0)) for pid in parent_ids}
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
    queryset: QuerySet,
    *,
    parent_field: str,
    parent_ids: list[int],
    order_by: Sequence[str],
    args: PageArgs,
    shape: Hashable | None,
) -> dict[int, dict]:
    """`first`/`after` pages (the common case) in one query: the page's rows are known without the
    totals, which come from a count window over the same partition. Only a parent whose page is
    empty needs a second, grouped count (its total may still be above the cursor)."""
    start = args.offset + (args.after + 1 if args.after is not None else 0)
    size = args.first if args.first is not None else max_page_size()
    rows: dict[int, list] = defaultdict(list)
    totals: dict[int, int] = {}
    if size > 0 and len(parent_ids) == 1:
        # One parent (an account's bills): a plain slice, no row numbers to compute and filter on
        # in a subquery; the count window still gives the total in the same query.
        (pid,) = parent_ids

        def page(parent_id):
            return (
                queryset.filter(**{parent_field: parent_id})
                .annotate(_total=Window(Count("pk")))
                .order_by(*order_by)[start : start + size]
            )

        if shape is not None and type(pid) is int:
            key = ("page_of_parent", shape, parent_field, tuple(order_by), start, size)
            found = prepared.rows(key, page, pid)
        else:
            found = page(pid)
        for obj in found:
            rows[pid].append(obj)
            totals[pid] = obj._total
    elif size > 0:
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
    start, end = page_window(args, total)
    nodes = list(queryset[start:end]) if end > start else []
    return connection(nodes, start=start, total=total)


def map_nodes(page: dict, function: Callable) -> dict:
    """The connection `page` with each node replaced by `function(node)`, leaving out the edges for
    which it returns None (cursors and totalCount stay those of the whole set)."""
    edges = []
    for edge in page["edges"]:
        node = function(edge["node"])
        if node is not None:
            edges.append({**edge, "node": node})
    return {**page, "edges": edges, "edgeCount": len(edges)}


def paginate_list(rows: Sequence, *, args: PageArgs) -> dict:
    """One page of a list computed in memory (already ordered)."""
    start, end = page_window(args, len(rows))
    return connection(list(rows[start:end]), start=start, total=len(rows))


def paged_loader(info, name: str, args: PageArgs, batch: Callable[[list[int], PageArgs], dict[int, dict]]):
    """A dataloader of connections keyed by parent id, one per distinct argument set."""
    return context(info).loader((name, args.key), lambda ids: _ordered(ids, batch, args))


def _ordered(ids: list[int], batch, args: PageArgs) -> list[dict]:
    pages = batch(ids, args)
    return [pages[i] for i in ids]
