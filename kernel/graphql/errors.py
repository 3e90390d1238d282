"""Kraken-shaped GraphQL errors: HTTP 200 with `errors[].extensions` {errorType, errorClass,
errorCode, errorDescription[, validationErrors]} (spec/GRAPHQL.md, "Error shape")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError

from kernel.errors import ErrorCode
from kernel.graphql import error_codes


class KrakenError(GraphQLError):
    """A GraphQL error in Kraken's shape: `extensions` {errorType, errorClass, errorCode,
    errorDescription[, validationErrors]}."""

    def __init__(
        self,
        code: ErrorCode,
        *,
        description: str | None = None,
        validation_errors: list[dict] | None = None,
    ):
        extensions: dict[str, Any] = {
            "errorType": code.error_type,
            "errorClass": code.error_type,
            "errorCode": code.code,
            "errorDescription": description or code.description,
        }
        if validation_errors is not None:
            extensions["validationErrors"] = validation_errors
        super().__init__(code.message, extensions=extensions)
        self.code = code.code


def invalid_input(description: str, *, errors: Iterable[tuple[str, str]] | None = None) -> KrakenError:
    """KT-CT-4321 (VALIDATION) for a bad mutation `input`: `errors`, when given, are (input field,
    message) pairs, reported as `validationErrors` at `["input", field]`."""
    validation_errors = None
    if errors is not None:
        validation_errors = [{"message": message, "inputPath": ["input", field]} for field, message in errors]
    return KrakenError(error_codes.INVALID_DATA, description=description, validation_errors=validation_errors)
