"""Query limits, checked after validation and before execution, with the request's variables:

- complexity: every field returning an object, interface or union costs 1, scalars and enums 0,
  and everything under a connection costs its page size (`first`/`last`, else the page cap) times
  more, as Kraken scores requests (KT-CT-1188 above `GRAPHQL_MAX_COMPLEXITY`, default 200);
- node count: the number of objects the query can return at most (KT-CT-1189 above
  `GRAPHQL_MAX_NODES`, default 10,000);
- depth: the deepest field nesting (KT-CT-1188 above `GRAPHQL_MAX_DEPTH`, default 15).

Introspection fields (`__schema`, `__type`) are free so GraphiQL and clients can introspect.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
)
from graphql.type.definition import GraphQLInterfaceType, GraphQLObjectType

from kernel import graphql as gql
from kernel.graphql import error_codes


@dataclasses.dataclass
class Score:
    complexity: int = 0
    nodes: int = 0
    depth: int = 0


def max_complexity() -> int:
    return getattr(settings, "GRAPHQL_MAX_COMPLEXITY", 200)


def max_nodes() -> int:
    return getattr(settings, "GRAPHQL_MAX_NODES", 10_000)


def max_depth() -> int:
    return getattr(settings, "GRAPHQL_MAX_DEPTH", 15)


def measure(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: dict | None
) -> Score:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    score = Score()
    if not chosen:
        return score
    operation = chosen[0]
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    _walk(schema, root, operation.selection_set, 1, 1, score, fragments, variables or {}, set())
    return score


def _page_size(field: FieldNode, variables: dict) -> int:
    sizes = []
    for arg in field.arguments:
        if arg.name.value in ("first", "last"):
            value = value_from_ast_untyped(arg.value, variables)
            if isinstance(value, int):
                # Out-of-range sizes are refused by the connection itself with a clearer error.
                sizes.append(min(max(value, 0), gql.max_page_size()))
    return min(sizes) if sizes else gql.max_page_size()


def _walk(schema, parent_type, selection_set, multiplier, depth, score, fragments, variables, seen):
    if selection_set is None or parent_type is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__"):
                continue
            score.depth = max(score.depth, depth)
            fields = (
                parent_type.fields
                if isinstance(parent_type, GraphQLObjectType | GraphQLInterfaceType)
                else {}
            )
            field_def = fields.get(name)
            if field_def is None:
                continue
            named = get_named_type(field_def.type)
            if not is_composite_type(named):
                continue
            score.complexity += multiplier
            score.nodes += multiplier
            inner = multiplier
            if named.name.endswith("Connection"):
                inner = multiplier * max(_page_size(selection, variables), 1)
            _walk(schema, named, selection.selection_set, inner, depth + 1, score, fragments, variables, seen)
        elif isinstance(selection, InlineFragmentNode):
            target = (
                schema.get_type(selection.type_condition.name.value)
                if selection.type_condition
                else parent_type
            )
            _walk(
                schema, target, selection.selection_set, multiplier, depth, score, fragments, variables, seen
            )
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None or fragment.name.value in seen:
                continue
            target = schema.get_type(fragment.type_condition.name.value)
            _walk(
                schema,
                target,
                fragment.selection_set,
                multiplier,
                depth,
                score,
                fragments,
                variables,
                seen | {fragment.name.value},
            )


def check(score: Score) -> None:
    """Raises gql.KrakenError when a limit is exceeded."""
    if score.depth > max_depth():
        raise gql.KrakenError(
            error_codes.DEPTH_LIMIT,
            description=f"Query depth {score.depth} exceeds the maximum of {max_depth()}.",
        )
    if score.complexity > max_complexity():
        raise gql.KrakenError(
            error_codes.COMPLEXITY_LIMIT,
            description=f"Query complexity {score.complexity} exceeds the maximum of {max_complexity()}.",
        )
    if score.nodes > max_nodes():
        raise gql.KrakenError(
            error_codes.NODE_LIMIT,
            description=f"Query may return {score.nodes} nodes, more than the maximum of {max_nodes()}.",
        )
