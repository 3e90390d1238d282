"""Query limits: what a request may ask for, measured from the document before it is validated or run.

The model
---------

Real clients ask for a few objects and for pages of up to 100 rows (consumption, line items,
transactions, products), sometimes a page inside a page (the transactions of the last 20 bills).
The executor reads every hop of a query in one batch whatever the number of parents (dataloaders),
so what a request costs the database is the number of hops and the pages they read, while what it
costs to build and send the answer is the number of objects in it. Two scores, two limits:

- **complexity** (KT-CT-1188 above `GRAPHQL_MAX_COMPLEXITY`, default 200): each field returning an
  object, interface or union is one batched read and costs 1, wherever it sits; a connection's
  wrappers (`pageInfo`, `edges`, `node`) are part of its page and cost nothing; a connection field
  also costs the pages of 100 rows it may read: its page size (`first`/`last`, else the cap of 100)
  times the number of parents it is read for, over 100. Scalars and enums cost 0. Aliases are
  separate reads, so an alias costs what the field costs. This is Kraken's scoring (objects 1,
  scalars 0, a connection's cost multiplying by its page size) counted per batched read, the way
  this executor reads.
- **nodes** (KT-CT-1189 above `GRAPHQL_MAX_NODES`, default 10,000): the most objects the answer can
  hold. A field returning objects counts one per parent; under a connection's `edges` the parents
  multiply by the page size. A plain list (properties, meters, devices, dispatches) holds the
  parent's own rows and counts as one (its size is the data's, not the client's to choose).
- **depth** (KT-CT-1188 above `GRAPHQL_MAX_DEPTH`, default 15): the deepest nesting of fields.

Fragments are walked where they are spread, so a fragment used twice costs twice; each fragment is
measured once and scaled (a document that spreads fragments into each other exponentially is scored
without being expanded), and a fragment that spreads itself, directly or not, is refused outright.
Introspection (`__schema`, `__type`) costs nothing and has a depth limit of its own
(INTROSPECTION_MAX_DEPTH), deep enough for GraphiQL's and graphql-core's introspection queries.

What it accepts and refuses (tests/graphql/test_limits.py holds both sides): the operations public
Kraken clients send (tests/graphql/client_operations.py) with their page sizes, and the crawl of
every field, are accepted; a connection of 100 nested in a connection of 100 (10,000 edges and as
many nodes), a heavy field repeated under 200 aliases, and fragment cycles are refused before
anything runs.
"""

from __future__ import annotations

import dataclasses
import functools
import math

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
    VariableNode,
    Visitor,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
    visit,
)
from graphql.type.definition import GraphQLInterfaceType, GraphQLObjectType

from kernel import graphql as gql
from kernel.graphql import error_codes

ROWS_PER_READ = 100
INTROSPECTION_MAX_DEPTH = 30
CONNECTION_WRAPPERS = {"pageInfo", "edges", "node"}


@dataclasses.dataclass
class Score:
    complexity: int = 0
    nodes: int = 0
    depth: int = 0
    introspection_depth: int = 0


@dataclasses.dataclass(frozen=True)
class _Cost:
    """What a selection costs under one parent: `reads` whatever the number of parents, plus the
    page `rows` its connections may read and the `nodes` it may answer per parent, and its `depth`
    below the parent."""

    reads: int = 0
    rows: int = 0
    nodes: int = 0
    depth: int = 0

    def __add__(self, other: _Cost) -> _Cost:
        return _Cost(
            self.reads + other.reads,
            self.rows + other.rows,
            self.nodes + other.nodes,
            max(self.depth, other.depth),
        )

    def times(self, parents: int) -> _Cost:
        """The cost under `parents` parents (reads are batched across them)."""
        return _Cost(self.reads, self.rows * parents, self.nodes * parents, self.depth)

    def deeper(self) -> _Cost:
        return dataclasses.replace(self, depth=self.depth + 1)


class FragmentCycle(Exception):
    """A fragment spreads itself, directly or through others."""


def max_complexity() -> int:
    return getattr(settings, "GRAPHQL_MAX_COMPLEXITY", 200)


def max_nodes() -> int:
    return getattr(settings, "GRAPHQL_MAX_NODES", 10_000)


def max_depth() -> int:
    return getattr(settings, "GRAPHQL_MAX_DEPTH", 15)


def measure(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: dict | None
) -> Score:
    """The scores of the operation the request runs (of the costliest one when it names none).
    The document need not be valid: unknown fields and fragments cost nothing.

    Raises FragmentCycle.
    """
    walker = _Walker(schema, document, variables or {})
    roots = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }
    scores = [
        walker.score(roots[operation.operation], operation.selection_set)
        for operation in document.definitions
        if isinstance(operation, OperationDefinitionNode)
        and (operation_name is None or (operation.name and operation.name.value == operation_name))
    ]
    if walker.fragments:
        for fragment in walker.fragments.values():  # unused fragments may hide cycles too
            walker.fragment(fragment)
    return max(scores, key=lambda s: (s.complexity, s.nodes, s.depth), default=Score())


class _PageVariables(Visitor):
    """The variables a document passes as `first` or `last`: all a score depends on besides the
    document itself."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def enter_argument(self, node, *_):
        if node.name.value in ("first", "last") and isinstance(node.value, VariableNode):
            self.names.add(node.value.name.value)


@functools.lru_cache(maxsize=512)
def _page_variables(document: DocumentNode) -> tuple[str, ...]:
    found = _PageVariables()
    visit(document, found)
    return tuple(sorted(found.names))


@functools.lru_cache(maxsize=1024)
def _measured(schema, document, operation_name, pages: tuple) -> Score:
    return measure(schema, document, operation_name, dict(pages))


def measure_once(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: dict | None
) -> Score:
    """`measure`, remembered per document (the view parses each query once), operation and page
    sizes: clients send the same few documents over and over. Raises FragmentCycle."""
    variables = variables or {}
    pages = tuple(
        (name, value if isinstance(value, int) else None)
        for name in _page_variables(document)
        for value in (variables.get(name),)
    )
    return _measured(schema, document, operation_name, pages)


def check(score: Score) -> None:
    """Raises gql.KrakenError when a limit is exceeded."""
    if score.introspection_depth > INTROSPECTION_MAX_DEPTH:
        raise gql.KrakenError(
            error_codes.DEPTH_LIMIT,
            description=f"Introspection depth {score.introspection_depth} exceeds the maximum of "
            f"{INTROSPECTION_MAX_DEPTH}.",
        )
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


def refuse_cycle(exc: FragmentCycle) -> gql.KrakenError:
    return gql.KrakenError(
        error_codes.COMPLEXITY_LIMIT,
        description=f"Fragment {exc} spreads itself: its complexity has no bound.",
    )


class _Walker:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict):
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._measured: dict[tuple[str, int | None], _Cost] = {}
        self.introspection_depth = 0
        self._walking: set[str] = set()

    def score(self, root, selection_set) -> Score:
        cost = self.selections(root, selection_set, page=None)
        return Score(
            complexity=cost.reads + math.ceil(cost.rows / ROWS_PER_READ),
            nodes=cost.nodes,
            depth=cost.depth,
            introspection_depth=self.introspection_depth,
        )

    def fragment(self, fragment: FragmentDefinitionNode, *, page: int | None = None) -> _Cost:
        """A fragment's cost under one parent (a connection of `page` rows, when spread into one),
        measured once. Raises FragmentCycle."""
        name = fragment.name.value
        key = (name, page)
        if key in self._measured:
            return self._measured[key]
        if name in self._walking:
            raise FragmentCycle(name)
        self._walking.add(name)
        target = self.schema.get_type(fragment.type_condition.name.value)
        cost = self.selections(target, fragment.selection_set, page=page) if target else _Cost()
        self._walking.discard(name)
        self._measured[key] = cost
        return cost

    def selections(self, parent_type, selection_set, *, page: int | None) -> _Cost:
        """The cost of a selection set under one object of `parent_type`; `page` is the page size
        when `parent_type` is a connection (its `edges` multiply by it)."""
        total = _Cost()
        if selection_set is None or parent_type is None:
            return total
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent_type, selection, page=page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent_type
                total += self.selections(target, selection.selection_set, page=page)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    total += self.fragment(fragment, page=page)
        return total

    def field(self, parent_type, node: FieldNode, *, page: int | None) -> _Cost:
        name = node.name.value
        if name.startswith("__"):  # introspection: its own depth only
            self.introspection_depth = max(
                self.introspection_depth, self._introspection_depth(node).depth + 1
            )
            return _Cost(depth=1)
        fields = (
            parent_type.fields if isinstance(parent_type, GraphQLObjectType | GraphQLInterfaceType) else {}
        )
        definition = fields.get(name)
        if definition is None:
            return _Cost()
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return _Cost(depth=1)
        connection = _is_connection(named)
        size = self._page_size(node) if connection else None
        inner = self.selections(named, node.selection_set, page=size)
        # How many objects the field holds per parent: a page of edges, else one.
        held = page if page is not None and name == "edges" else 1
        wrapper = name in CONNECTION_WRAPPERS and _is_connection_part(parent_type)
        own = _Cost(
            reads=0 if wrapper else 1,
            rows=size if connection else 0,
            nodes=held,
        )
        return (own + inner.times(held)).deeper()

    def _introspection_depth(self, node) -> _Cost:
        depth = 0
        for selection in node.selection_set.selections if node.selection_set else ():
            if isinstance(selection, FieldNode):
                depth = max(depth, self._introspection_depth(selection).depth + 1)
            elif isinstance(selection, InlineFragmentNode):
                depth = max(depth, self._introspection_depth(selection).depth)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in self.fragments:
                depth = max(depth, self._fragment_depth(selection.name.value))
        return _Cost(depth=depth)

    def _fragment_depth(self, name: str) -> int:
        if name in self._walking:
            raise FragmentCycle(name)
        self._walking.add(name)
        depth = self._introspection_depth(self.fragments[name]).depth
        self._walking.discard(name)
        return depth

    def _page_size(self, node: FieldNode) -> int:
        cap = gql.max_page_size()
        sizes = []
        for argument in node.arguments:
            if argument.name.value in ("first", "last"):
                value = value_from_ast_untyped(argument.value, self.variables)
                if isinstance(value, int) and not isinstance(value, bool):
                    # Out-of-range sizes are refused by the connection itself with a clearer error.
                    sizes.append(min(max(value, 0), cap))
        return min(sizes) if sizes else cap


def _is_connection(graphql_type) -> bool:
    return (
        isinstance(graphql_type, GraphQLObjectType)
        and graphql_type.name.endswith("Connection")
        and {"edges", "pageInfo"} <= set(graphql_type.fields)
    )


def _is_connection_part(graphql_type) -> bool:
    """A connection, or one of its edges: their `pageInfo`, `edges` and `node` come with the page."""
    return _is_connection(graphql_type) or (
        isinstance(graphql_type, GraphQLObjectType)
        and graphql_type.name.endswith("Edge")
        and {"node", "cursor"} <= set(graphql_type.fields)
    )
