"""The GraphQL base every app's `graphql/` package builds on: Kraken-shaped errors, the request
context, opaque node ids, batched Relay pagination and dataloader helpers.

Apps import it as `from kernel import graphql as gql` and call `gql.context(info)`,
`gql.KrakenError(...)`, `gql.page_args(...)`; the schema, view and cost limits that only the
project root needs live in `kraken/graphql/`.
"""

from kernel.graphql import error_codes
from kernel.graphql.context import AUTH_SCHEMES, Context, bearer_token, context
from kernel.graphql.errors import KrakenError
from kernel.graphql.ids import decode_pk, encode_pk, global_id, model_id, parse_global_id, parse_model_id
from kernel.graphql.loaders import by_key, grouped, then
from kernel.graphql.pagination import (
    PageArgs,
    connection,
    max_page_size,
    page_args,
    paged_loader,
    paginate,
    paginate_by_parent,
    paginate_list,
)

__all__ = [
    "AUTH_SCHEMES",
    "Context",
    "KrakenError",
    "PageArgs",
    "bearer_token",
    "by_key",
    "connection",
    "context",
    "decode_pk",
    "encode_pk",
    "error_codes",
    "global_id",
    "grouped",
    "max_page_size",
    "model_id",
    "page_args",
    "paged_loader",
    "paginate",
    "paginate_by_parent",
    "paginate_list",
    "parse_global_id",
    "parse_model_id",
    "then",
]
