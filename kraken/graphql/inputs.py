"""What a GraphQL request must be before its document is parsed or run, as Kraken answers it.

- The body is a JSON object (or form fields) with a `query` string, `variables` a JSON object (or a
  string holding one) and `operationName` a string: anything else is HTTP 400, KT-CT-1102.
- A document that does not parse or fit the schema, or variables that do not fit their types, are
  HTTP 200 with KT-CT-1103 (graphql-core's message and locations kept).
- Text no column can store (a NUL character, a lone surrogate, other control characters) in a
  string argument or variable is HTTP 200 with KT-CT-4321 and a `validationErrors` entry for each,
  before anything runs: it never reaches a resolver, the database or a 500
  (`kernel.sanitise.document_problems` is the one check every door uses).
"""

from __future__ import annotations

import functools
import json

from django.http import HttpResponseBadRequest
from graphene_django.views import HttpError
from graphql import DocumentNode, StringValueNode, visit
from graphql.language import ArgumentNode, ObjectFieldNode, Visitor

from kernel import graphql as gql
from kernel import sanitise
from kernel.graphql import error_codes


class BadRequest(HttpError):
    """A request that is not GraphQL over JSON: HTTP 400 with KT-CT-1102."""

    def __init__(self, description: str):
        super().__init__(HttpResponseBadRequest(), description)
        self.error = gql.KrakenError(error_codes.INVALID_REQUEST, description=description)


def request_params(query, variables, operation_name) -> tuple[str | None, dict | None, str | None]:
    """The request's query, variables and operation name, checked. Raises BadRequest."""
    if query is not None and not isinstance(query, str):
        raise BadRequest("'query' must be a string.")
    if isinstance(variables, str):
        try:
            variables = json.loads(variables) if variables.strip() else None
        except ValueError as exc:
            raise BadRequest("'variables' is not valid JSON.") from exc
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("'variables' must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("'operationName' must be a string.")
    return query, variables, operation_name


class _StringArguments(Visitor):
    """The string literals of a document's arguments, each with the path of its argument."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[tuple[str, ...], str]] = []
        self._path: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_):
        self._path.append(node.name.value)

    def leave_argument(self, *_):
        self._path.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_):
        self._path.append(node.name.value)

    def leave_object_field(self, *_):
        self._path.pop()

    def enter_string_value(self, node: StringValueNode, *_):
        self.found.append((tuple(self._path), node.value))


@functools.lru_cache(maxsize=512)
def _literal_problems(document: DocumentNode) -> tuple[dict, ...]:
    """The string literals of a document's arguments that cannot be stored (once per document)."""
    literals = _StringArguments()
    visit(document, literals)
    return tuple(
        {"message": f"The value {problem}.", "inputPath": list(path)}
        for path, text in literals.found
        if (problem := sanitise.text_problem(text)) is not None
    )


def hostile_text(query: str, document: DocumentNode, variables: dict | None) -> gql.KrakenError | None:
    """KT-CT-4321 listing every string argument or variable that cannot be stored, or None. A
    document whose text holds no escape sequence and only storable text has no such literal."""
    errors = []
    if "\\" in query or not sanitise.is_safe_text(query):
        errors += [dict(problem) for problem in _literal_problems(document)]
    errors += [
        {"message": f"The value {problem.message}.", "inputPath": ["variables", *problem.path]}
        for problem in sanitise.document_problems(variables or {})
    ]
    if not errors:
        return None
    return gql.KrakenError(
        error_codes.INVALID_DATA,
        description="Text holding a NUL, a lone surrogate or another control character is refused.",
        validation_errors=errors,
    )


def kraken_error_of(error) -> dict:
    """The Kraken shape of an error graphql-core raised itself (syntax, validation, variables):
    its message and locations with KT-CT-1103."""
    formatted = error.formatted
    code = error_codes.INVALID_QUERY
    formatted["extensions"] = {
        "errorType": code.error_type,
        "errorClass": code.error_type,
        "errorCode": code.code,
        "errorDescription": code.description,
    }
    return formatted
