"""The four error envelopes of IMPORTS.md section 5 and the exception handler for import views."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.response import Response

from imports import error_codes
from imports.rules import base


def drf_body(failures: list[base.Failure]) -> dict:
    """Field-keyed message lists mirroring the payload; list items keyed by index; object-level
    failures under `non_field_errors`. Each message starts with its exact code."""
    body: dict = {}
    for failure in failures:
        node = body
        parts = failure.attr.split(".")
        for part in parts[:-1]:
            existing = node.get(part)
            if not isinstance(existing, dict):
                existing = node[part] = {} if existing is None else {base.NON_FIELD_ERRORS: existing}
            node = existing
        leaf = node.setdefault(parts[-1], [])
        if isinstance(leaf, dict):
            leaf = leaf.setdefault(base.NON_FIELD_ERRORS, [])
        leaf.append(f"{failure.code}: {failure.detail}")
    return body


def standardized_body(failures: list[base.Failure], *, detail: str = "The payload is not valid.") -> dict:
    return {
        "code": error_codes.VALIDATION_ERROR,
        "detail": detail,
        "errors": [{"attr": f.attr, "code": f.code, "detail": f.detail} for f in failures],
    }


CODES = {
    exceptions.ParseError: error_codes.PARSE_ERROR,
    exceptions.UnsupportedMediaType: error_codes.UNSUPPORTED_MEDIA_TYPE,
    exceptions.NotAuthenticated: error_codes.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: error_codes.AUTHENTICATION_FAILED,
    exceptions.PermissionDenied: error_codes.PERMISSION_DENIED,
    exceptions.NotFound: error_codes.NOT_FOUND,
    exceptions.Throttled: error_codes.THROTTLED,
}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = error_codes.REQUEST_TOO_LARGE


def standardized_exception_handler(exc, context):
    """Every DRF exception of a v2 view as the standardized envelope: `{code, detail}` with
    `errors[]` holding the one error under `non_field_errors`."""
    response = exception_handler(exc, context)
    if response is not None and "errors" not in response.data:
        data = response.data
        if {"code", "detail"} <= set(data):
            code, detail = str(data["code"]), str(data["detail"])
        else:
            code, detail = error_codes.VALIDATION_ERROR, "The request is not valid."
        response.data = {
            "code": code,
            "detail": detail,
            "errors": [{"attr": base.NON_FIELD_ERRORS, "code": code, "detail": detail}],
        }
    return response


def exception_handler(exc, context):
    """Every DRF exception of an import view as `ErrorResponse {code, detail}`."""
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    if isinstance(exc, exceptions.ValidationError):
        return Response(exc.detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.APIException):
        code = next((c for kind, c in CODES.items() if isinstance(exc, kind)), None) or exc.default_code
        headers = {}
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = "Token"
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return Response({"code": str(code), "detail": str(detail)}, status=exc.status_code, headers=headers)
    return None
