"""`/v1/graphql/`: GraphiQL for browsers, Kraken's transport rules for API clients.

- HTTP 200 whenever the request reaches GraphQL (syntax, validation, limit and auth errors
  included); 400 only for a malformed body, 405 for a wrong method.
- Errors carry Kraken's `extensions` (errorType, errorClass, errorCode, errorDescription).
  Standard GraphQL errors keep their message and get KT-CT-1103 (VALIDATION), a malformed body
  KT-CT-1102 (`inputs`); an unexpected exception is logged and reported as an APPLICATION error
  (KT-CT-1101) without internals.
- Limits (`limits`) are measured on the parsed document and refused before it is validated or run.
- The clock is read here, once per request, and handed to resolvers on the context.
- Execution uses graphql-sync-dataloaders' deferred context so dataloaders batch.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.db import transaction
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    located_error,
    parse,
    validate,
)
from graphql.pyutils import Path, Undefined
from graphql.type import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLUnionType,
    get_nullable_type,
    is_leaf_type,
)
from graphql_sync_dataloaders import DeferredExecutionContext, SyncFuture
from graphql_sync_dataloaders.execution_context import PENDING_FUTURE

from accounts.graphql import access
from kernel import clock
from kernel import graphql as gql
from kernel.graphql import binding, error_codes
from kraken.graphql import inputs, limits, ratelimit

logger = logging.getLogger(__name__)


_NOT_PLAIN = object()
# (parent type, field name) -> how `_plan` reads the field, or _NOT_PLAIN
_plain_fields: dict = {}


class _ContextOnly:
    """What a resolver marked `binding.context_only` reads of its `info`: the request context."""

    __slots__ = ("context",)

    def __init__(self, context):
        self.context = context


def _plain_field(parent_type, name: str):
    """How to read the field `parent_type.name` without a ResolveInfo, or None:

    - a scalar or enum field graphene resolves with the default resolver (no resolver of its own,
      no default value) reads the key of a dict, as `binding.default_resolver` does: `(leaf, None)`;
    - a scalar or enum field without arguments whose resolver is declared `binding.without_info`
      or `binding.context_only` is called with a `_ContextOnly`: `(leaf, resolve)`;
    - an object, interface or union field without arguments whose resolver is declared
      `binding.context_only`: `(_REUSED, resolve, its nullable type)`, called with a `_ContextOnly`
      to find an answer already completed for the value (`ExecutionContext.complete_value`).
    """
    key = (parent_type, name)
    plain = _plain_fields.get(key)
    if plain is None:
        plain = _NOT_PLAIN
        field = parent_type.fields.get(name)
        nullable = get_nullable_type(field.type) if field is not None else None
        resolve = field.resolve if field is not None else None
        if nullable is not None and not field.args:
            context_only = getattr(resolve, binding.CONTEXT_ONLY, False)
            if is_leaf_type(nullable):
                if (
                    isinstance(resolve, functools.partial)
                    and resolve.func is binding.default_resolver
                    and resolve.args[1:] == (None,)
                ):
                    plain = (nullable, None)
                elif context_only or getattr(resolve, binding.WITHOUT_INFO, False):
                    plain = (nullable, resolve)
            elif isinstance(nullable, _COMPOSITE) and context_only:
                plain = (_REUSED, resolve, nullable)
        _plain_fields[key] = plain
    return None if plain is _NOT_PLAIN else plain


_TYPENAME = object()
_REUSED = object()
_COMPOSITE = (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)


def _read_plain(plain: tuple, source, info: _ContextOnly):
    """The serialised value of a leaf field `_plan` found plain, or None for the normal path to
    answer (a null, an exception, a value its scalar refuses)."""
    if plain[0] is _TYPENAME:
        return plain[1]
    leaf, resolve, name = plain
    try:
        if resolve is None:
            value = source.get(name) if type(source) is dict else None
        else:
            value = resolve(source, info)
        serialized = leaf.serialize(value) if value is not None else None
    except Exception:  # noqa: BLE001 - the normal path runs it again and reports it
        return None
    return None if serialized is Undefined else serialized


def _disabled_fields() -> frozenset[str]:
    """Roots switched off on this instance (`GRAPHQL_DISABLED_FIELDS`, e.g.
    `["Query.flexPlannedDispatches"]`): asked for, they answer KT-CT-1113 and null."""
    return frozenset(getattr(settings, "GRAPHQL_DISABLED_FIELDS", ()))


class ExecutionContext(DeferredExecutionContext):
    """graphql-sync-dataloaders' deferred execution with these changes:

    - a root listed in `GRAPHQL_DISABLED_FIELDS` answers KT-CT-1113 (SERVICE_AVAILABILITY);

    - a scalar field that `_plain_field` can read directly (a dict key, or a resolver that reads
      no more of `info` than the context), and `__typename` of an object type, are read and
      serialised without building their ResolveInfo or path: the same value the normal path
      returns, at a fraction of the cost (most fields of a large answer are such scalars). A null,
      an exception or a value the scalar refuses takes the normal path, which reports the error.
      Which fields of a selection are plain is worked out once per selection and request (`_plan`).
    - an object value met again at the same place of the query (the same view or instance, the
      same return type and selection: one tariff shared by a meter point's agreements) is
      completed once per request and its answer reused, unless completing it raised errors (their
      paths are those of the first occurrence); when the field's resolver reads only the context
      (`binding.context_only`), the value is looked up without building a ResolveInfo or path
      either, and only a value not completed yet takes the normal path (its resolver is then
      called again, with the real `info`);
    - graphql-sync-dataloaders 0.1 calls `handle_field_error(error, return_type)` while
      graphql-core 3.2.14 also wants the field's path; rebuild it from the located error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # id(fields of a selection) -> (those fields, [(response name, field nodes, plain read)])
        self._plans: dict[int, tuple] = {}
        # (id(value), return type, id(field nodes)) -> (value, its completed answer)
        self._completed: dict[tuple, tuple] = {}
        self._context_only = _ContextOnly(self.context_value)

    def _plan(self, parent_type, fields: dict) -> list:
        """`fields` (a cached selection of `parent_type`) with, for each field, how to read it
        without a ResolveInfo (`_plain_field`, or the type's name for `__typename`), else None."""
        found = self._plans.get(id(fields))
        if found is None:
            plan = []
            for response_name, field_nodes in fields.items():
                name = field_nodes[0].name.value
                if name == "__typename":
                    plain = (_TYPENAME, parent_type.name)
                else:
                    plain = _plain_field(parent_type, name)
                    if plain is not None and plain[0] is not _REUSED:
                        plain = (*plain, name)
                plan.append((response_name, field_nodes, plain))
            found = self._plans[id(fields)] = (fields, plan)
        return found[1]

    def execute_fields(self, parent_type, source_value, path, fields):
        """As graphql-sync-dataloaders' `execute_fields`, with plain fields read directly."""
        if path is None:  # the root: roots go through `execute_field` (disabled fields)
            return super().execute_fields(parent_type, source_value, path, fields)
        results = {}
        pending = 0
        future = None
        for response_name, field_nodes, plain in self._plan(parent_type, fields):
            if plain is not None:
                if plain[0] is _REUSED:
                    answer = self._reused(plain, source_value, field_nodes)
                else:
                    answer = _read_plain(plain, source_value, self._context_only)
                if answer is not None:
                    results[response_name] = answer
                    continue
            result = self.execute_field(
                parent_type, source_value, field_nodes, Path(path, response_name, parent_type.name)
            )
            if isinstance(result, SyncFuture):
                if result.done():
                    result = result.result()
                else:
                    # A placeholder keeps the fields in the order of the query.
                    results[response_name] = PENDING_FUTURE
                    pending += 1
                    if future is None:
                        future = SyncFuture()

                    def arrived(response_name=response_name, result=result, future=future):
                        nonlocal pending
                        value = result.result()
                        if value is Undefined:
                            del results[response_name]
                        else:
                            results[response_name] = value
                        pending -= 1
                        if not pending:
                            future.set_result(results)

                    result.add_done_callback(arrived)
                    continue
            if result is not Undefined:
                results[response_name] = result
        return results if not pending else future

    def _reused(self, plain: tuple, source, field_nodes):
        """The answer already completed for the value of a `binding.context_only` object field, or
        None (not completed yet, a null, an exception, a value still to load)."""
        _, resolve, return_type = plain
        try:
            value = resolve(source, self._context_only)
        except Exception:  # noqa: BLE001 - the normal path runs it again and reports it
            return None
        found = self._completed.get((id(value), return_type, id(field_nodes)))
        return None if found is None or found[0] is not value else found[1]

    def execute_field(self, parent_type, source, field_nodes, path):
        name = field_nodes[0].name.value
        if path.prev is None and f"{parent_type.name}.{name}" in _disabled_fields():
            error = located_error(gql.KrakenError(error_codes.FIELD_DISABLED), field_nodes, path.as_list())
            self.handle_field_error(error, parent_type.fields[name].type, path)
            return None
        return super().execute_field(parent_type, source, field_nodes, path)

    def complete_value(self, return_type, field_nodes, info, path, result):
        """As graphql-core's, but a list is never null: a resolver's None (or a view without the
        key) answers `[]`."""
        if result is None and isinstance(return_type, GraphQLList):
            result = []
        if (
            not isinstance(return_type, _COMPOSITE)  # graphene's types are subclasses
            or result is None
            or isinstance(result, Exception | SyncFuture)
        ):
            return super().complete_value(return_type, field_nodes, info, path, result)
        key = (id(result), return_type, id(field_nodes))
        found = self._completed.get(key)
        if found is not None:
            return found[1]
        errors = len(self.collected_errors.errors)
        completed = super().complete_value(return_type, field_nodes, info, path, result)
        if len(self.collected_errors.errors) == errors and not isinstance(completed, SyncFuture):
            # The value is kept with its answer: its id is not reused while the request runs.
            self._completed[key] = (result, completed)
        return completed

    def handle_field_error(self, error, return_type, path=None):
        if path is None:
            for key in error.path or []:
                path = Path(path, key, None)
        return super().handle_field_error(error, return_type, path)


class CheckedExecutionContext(ExecutionContext):
    """`ExecutionContext` that also refuses an object value that is a view of another type than the
    one expected (`binding.check_answer`), or that would answer null in a non-null field
    (`binding.check_complete`): used when views are checked (tests, development)."""

    def complete_object_value(self, return_type, field_nodes, info, path, result):
        binding.check_answer(return_type.name, result)
        binding.check_complete(return_type, result)
        return super().complete_object_value(return_type, field_nodes, info, path, result)


@functools.lru_cache(maxsize=512)
def _parsed(query: str):
    """Clients send the same few documents over and over: parse each once per process. Raises
    GraphQLError for a syntax error (not cached)."""
    return parse(query)


@functools.lru_cache(maxsize=512)
def _validated(schema, query: str) -> tuple:
    """The validation errors of a document that parses, once per process."""
    return tuple(validate(schema, _parsed(query), max_errors=50))


class KrakenGraphQLView(GraphQLView):
    graphiql = True

    def get_context(self, request):
        return gql.Context(
            authorization=request.headers.get("Authorization", ""),
            now=clock.now(),
            authenticate=access.authenticate,
            account_ids_of=access.account_ids_of,
            request=request,
        )

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        """Parse, refuse unstorable text, measure and refuse what is over the limits (before
        validating: a document built to be costly is not worth validating), validate, then run."""
        if not query:
            if show_graphiql:
                return None
            return ExecutionResult(data=None, errors=[GraphQLError("Must provide query string.")])
        schema = self.schema.graphql_schema
        try:
            document = _parsed(query)
        except GraphQLError as error:
            return ExecutionResult(data=None, errors=[error])
        refused = inputs.hostile_text(query, document, variables)
        if refused is not None:
            return ExecutionResult(data=None, errors=[refused])
        try:
            score = limits.measure_once(schema, document, operation_name, variables)
            limits.check(score)
        except limits.FragmentCycle as cycle:
            return ExecutionResult(data=None, errors=[limits.refuse_cycle(cycle)])
        except gql.KrakenError as error:
            return ExecutionResult(data=None, errors=[error])
        errors = _validated(schema, query)
        if errors:
            return ExecutionResult(data=None, errors=list(errors))
        operation_ast = get_operation_ast(document, operation_name)
        if request.method.lower() == "get" and operation_ast is not None:
            if operation_ast.operation != OperationType.QUERY:
                if show_graphiql:
                    return None
                return ExecutionResult(
                    data=None, errors=[GraphQLError("Mutations are only accepted in POST requests.")]
                )
        context = self.get_context(request)
        try:
            self._spend_allowance(context, score)
        except gql.KrakenError as error:
            return ExecutionResult(data=None, errors=[error])
        options = {
            "root_value": self.get_root_value(request),
            "context_value": context,
            "variable_values": variables,
            "operation_name": operation_name,
            "execution_context_class": CheckedExecutionContext
            if binding.checking_views()
            else ExecutionContext,
        }
        try:
            if operation_ast is not None and operation_ast.operation == OperationType.MUTATION:
                with transaction.atomic():
                    return execute(schema, document, **options)
            return execute(schema, document, **options)
        except Exception:
            logger.exception("Unable to execute GraphQL operation %s", operation_name)
            return ExecutionResult(data=None, errors=[gql.KrakenError(error_codes.INTERNAL)])

    @staticmethod
    def _spend_allowance(context: gql.Context, score: limits.Score) -> None:
        """Charge the request's complexity to its viewer's hourly points. Raises KrakenError
        KT-CT-1199 when the allowance is used up. Requests without a valid token are not charged
        (their fields fail on authentication instead)."""
        if not context.authorization:
            return
        try:
            viewer = context.viewer()
        except gql.KrakenError:
            return
        try:
            ratelimit.spend(user_id=viewer.pk, points=max(score.complexity, 1), now=context.now)
        except ratelimit.RateLimited as exc:
            raise gql.KrakenError(
                error_codes.RATE_LIMITED,
                description=f"The hourly allowance of {exc.usage.limit} points is used up; "
                f"it resets in {exc.usage.ttl} seconds.",
            ) from exc

    @staticmethod
    def get_graphql_params(request, data):
        """The request's query, variables and operation name. Raises inputs.BadRequest (400)."""
        if not hasattr(data, "get"):
            raise inputs.BadRequest("The body must be a JSON object.")
        query, variables, operation_name = inputs.request_params(
            request.GET.get("query") or data.get("query"),
            request.GET.get("variables") or data.get("variables"),
            request.GET.get("operationName") or data.get("operationName"),
        )
        return query, variables, None if operation_name == "null" else operation_name, None

    def parse_body(self, request):
        """The JSON body. Raises inputs.BadRequest (400) for a body that is not JSON or not an object."""
        try:
            return super().parse_body(request)
        except inputs.BadRequest:
            raise
        except HttpError as exc:
            raise inputs.BadRequest(
                "The body is not valid JSON." if "JSON" in str(exc.message) else str(exc.message)
            ) from exc

    def get_response(self, request, data, show_graphiql=False):
        query, variables, operation_name, _id = self.get_graphql_params(request, data)
        result = self.execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
        if result is None:
            return None, 200
        response = {"data": result.data}
        if result.errors:
            response["errors"] = [self.format_error(e) for e in result.errors]
        return self.json_encode(request, response, pretty=show_graphiql), 200

    @staticmethod
    def format_error(error):
        if isinstance(error, inputs.BadRequest):
            return error.error.formatted
        if isinstance(error, HttpError):  # a wrong method (405)
            return gql.KrakenError(error_codes.INVALID_REQUEST, description=str(error.message)).formatted
        if not isinstance(error, GraphQLError):
            logger.error("Unable to run GraphQL request: %s", error)
            return gql.KrakenError(error_codes.INTERNAL).formatted
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError):
            logger.error("Unable to resolve GraphQL field %s", error.path, exc_info=original)
            internal = gql.KrakenError(error_codes.INTERNAL)
            return {**error.formatted, "message": internal.message, "extensions": internal.extensions}
        if not error.extensions:
            return inputs.kraken_error_of(error)
        return error.formatted
