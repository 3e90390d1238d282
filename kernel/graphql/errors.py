"""Kraken-shaped GraphQL errors: HTTP 200 with `errors[].extensions` {errorType, errorClass,
errorCode, errorDescription[, validationErrors]} (spec/GRAPHQL.md, "Error shape")."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from kernel.errors import ErrorCode


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
