"""Dataloader helpers: results in key order for batch functions, and `then` to chain work on a
value that may still be a dataloader future."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from graphql_sync_dataloaders import SyncFuture


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
