"""`/v1/graphql/`: GraphiQL for browsers, Kraken's transport rules for API clients.

- HTTP 200 whenever the request reaches GraphQL (syntax, validation, limit and auth errors
  included); 400 only for a malformed body, 405 for a wrong method.
- Errors carry Kraken's `extensions` (errorType, errorClass, errorCode, errorDescription).
  Standard GraphQL errors keep their message and get errorType VALIDATION; an unexpected exception
  is logged and reported as an APPLICATION error without internals.
- The clock is read here, once per request, and handed to resolvers on the context.
- Execution uses graphql-sync-dataloaders' deferred context so dataloaders batch.
"""

from __future__ import annotations

import functools
import logging

from django.db import transaction
from django.utils import timezone
from graphene_django.views import GraphQLView
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast, parse, validate
from graphql.pyutils import Path
from graphql_sync_dataloaders import DeferredExecutionContext

from accounts.graphql import core, error_codes
from kraken.graphql import limits

logger = logging.getLogger(__name__)


class ExecutionContext(DeferredExecutionContext):
    """graphql-sync-dataloaders 0.1 calls `handle_field_error(error, return_type)` while
    graphql-core 3.2.14 also wants the field's path; rebuild it from the located error."""

    def handle_field_error(self, error, return_type, path=None):
        if path is None:
            for key in error.path or []:
                path = Path(path, key, None)
        return super().handle_field_error(error, return_type, path)


@functools.lru_cache(maxsize=512)
def _parsed_and_validated(schema, query: str):
    """Clients send the same few documents over and over: parse and validate each once per
    process. Raises GraphQLError for a syntax error (not cached)."""
    document = parse(query)
    return document, tuple(validate(schema, document, max_errors=50))


class KrakenGraphQLView(GraphQLView):
    graphiql = True

    def get_context(self, request):
        return core.Context(
            authorization=request.headers.get("Authorization", ""), now=timezone.now(), request=request
        )

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if not query:
            if show_graphiql:
                return None
            return ExecutionResult(data=None, errors=[GraphQLError("Must provide query string.")])
        if variables is not None and not isinstance(variables, dict):
            return ExecutionResult(data=None, errors=[GraphQLError("Variables must be a JSON object.")])
        schema = self.schema.graphql_schema
        try:
            document, errors = _parsed_and_validated(schema, query)
        except GraphQLError as error:
            return ExecutionResult(data=None, errors=[error])
        operation_ast = get_operation_ast(document, operation_name)
        if request.method.lower() == "get" and operation_ast is not None:
            if operation_ast.operation != OperationType.QUERY:
                if show_graphiql:
                    return None
                return ExecutionResult(
                    data=None, errors=[GraphQLError("Mutations are only accepted in POST requests.")]
                )
        if errors:
            return ExecutionResult(data=None, errors=errors)
        try:
            limits.check(limits.measure(schema, document, operation_name, variables))
        except core.KrakenError as error:
            return ExecutionResult(data=None, errors=[error])
        options = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "execution_context_class": ExecutionContext,
        }
        try:
            if operation_ast is not None and operation_ast.operation == OperationType.MUTATION:
                with transaction.atomic():
                    return execute(schema, document, **options)
            return execute(schema, document, **options)
        except Exception:
            logger.exception("Unable to execute GraphQL operation %s", operation_name)
            return ExecutionResult(data=None, errors=[core.KrakenError(error_codes.INTERNAL)])

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
        if not isinstance(error, GraphQLError):
            logger.error("Unable to run GraphQL request: %s", error)
            return core.KrakenError(error_codes.INTERNAL).formatted
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError):
            logger.error("Unable to resolve GraphQL field %s", error.path, exc_info=original)
            internal = core.KrakenError(error_codes.INTERNAL)
            return {**error.formatted, "message": internal.message, "extensions": internal.extensions}
        formatted = error.formatted
        if not formatted.get("extensions"):
            formatted["extensions"] = {"errorType": "VALIDATION", "errorClass": "VALIDATION"}
        return formatted
