"""The customer graph: the generated contract types with the apps' hand-written resolvers bound
to them. `schema` is what `/v1/graphql/` serves and what `schema.graphql` prints.

Each app's `graphql/` package resolves its part: `types.py` the fields of its object types,
`queries.py` its `Query` roots, `mutations.py` its `Mutation` fields (and `dataloaders.py` the
request-scoped batch reads they share). `RESOLVER_MODULES` lists them; binding fails at start-up
for a resolver naming a type or field the contract does not have.
"""

from __future__ import annotations

import graphene
from django.conf import settings

from accounts.graphql import mutations as accounts_mutations
from accounts.graphql import queries as accounts_queries
from accounts.graphql import types as accounts_types
from billing.graphql import queries as billing_queries
from billing.graphql import types as billing_types
from devices.graphql import mutations as devices_mutations
from devices.graphql import queries as devices_queries
from devices.graphql import types as devices_types
from kernel.graphql import binding
from kraken.graphql import queries as kraken_queries
from kraken.graphql.generated import types as generated
from metering.graphql import mutations as metering_mutations
from metering.graphql import queries as metering_queries
from metering.graphql import types as metering_types

RESOLVER_MODULES = [
    accounts_types,
    accounts_queries,
    accounts_mutations,
    metering_types,
    metering_queries,
    metering_mutations,
    devices_types,
    devices_queries,
    devices_mutations,
    billing_types,
    billing_queries,
    kraken_queries,
]

binding.bind(
    generated=generated,
    resolver_modules=RESOLVER_MODULES,
    check_views=getattr(settings, "GRAPHQL_CHECK_VIEWS", False),
)
for _module in RESOLVER_MODULES:
    binding.TYPE_RESOLVERS.update(getattr(_module, "TYPE_RESOLVERS", {}))

schema = graphene.Schema(
    query=generated.Query,
    mutation=generated.Mutation,
    types=generated.OBJECT_TYPES,
    auto_camelcase=False,
)


def print_schema() -> str:
    """The SDL committed as `schema.graphql`."""
    return str(schema).rstrip("\n") + "\n"
