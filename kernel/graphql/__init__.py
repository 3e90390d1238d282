"""The GraphQL base every app's `graphql/` package builds on: Kraken-shaped errors, the request
context, opaque node ids, batched Relay pagination and dataloader helpers.

Apps import it as `from kernel import graphql as gql` and call `gql.context(info)`,
`gql.KrakenError(...)`, `gql.page_args(...)`, `gql.view("TypeName", field=...)`,
`gql.plain(lambda root, info: ...)`; the schema, view and cost limits that only the project root
needs live in `kraken/graphql/`.
"""

from kernel.graphql import binding, error_codes
from kernel.graphql.binding import context_only, enum_name, plain, view, without_info
from kernel.graphql.context import AUTH_SCHEMES, Context, bearer_token, context
from kernel.graphql.errors import KrakenError, invalid_input
from kernel.graphql.ids import (
    decode_int,
    decode_pk,
    encode_int,
    encode_pk,
    global_id,
    model_id,
    parse_global_id,
    parse_model_id,
)
from kernel.graphql.loaders import by_key, grouped, then
from kernel.graphql.pagination import (
    PageArgs,
    connection,
    map_nodes,
    max_page_size,
    page_args,
    page_window,
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
    "binding",
    "by_key",
    "connection",
    "context",
    "context_only",
    "decode_int",
    "decode_pk",
    "encode_int",
    "encode_pk",
    "enum_name",
    "error_codes",
    "global_id",
    "grouped",
    "invalid_input",
    "map_nodes",
    "max_page_size",
    "model_id",
    "page_args",
    "page_window",
    "paged_loader",
    "paginate",
    "paginate_by_parent",
    "paginate_list",
    "parse_global_id",
    "parse_model_id",
    "plain",
    "then",
    "view",
    "without_info",
]
