"""The base of every import view: the two authentication schemes, JSON in, the import error
envelopes out, and the supplier a request names (only if the caller may use it)."""

from __future__ import annotations

from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from imports import error_codes, models, operations, queries
from imports.api import auth, errors, parsers
from imports.rules import base
from kernel import sanitise

AUTH = [auth.DataImportViewerAPIKeyAuthentication, auth.DRFKrakenTokenAuthentication]
NOT_AN_OBJECT = [
    base.Failure(base.NON_FIELD_ERRORS, error_codes.INVALID, "Expected a JSON object.", "api", 0)
]


class Answer(Exception):
    """Stop handling the request and send this response (a door's early, documented refusal)."""

    def __init__(self, response: Response):
        super().__init__(response.status_code)
        self.response = response


class ImportView(APIView):
    authentication_classes = AUTH
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [parsers.ImportJSONParser]
    # The door's 400 envelope: DRF (field-keyed) or, for v2 validate, the standardized one.
    standardized = False
    # v2 doors answer envelope-level errors (401, 403, 413, 415, parse errors) with `errors[]`.
    is_v2 = False

    def get_exception_handler(self):
        return errors.standardized_exception_handler if self.is_v2 else errors.exception_handler

    def initial(self, request, *args, **kwargs):
        """After authentication: refuse what no column can hold before anything reads the database
        with it. A URL part such as a supplier code or an external account number that no row can
        have is answered as an unknown resource; a query parameter or a body value with its code at
        its attr, in this door's envelope."""
        super().initial(request, *args, **kwargs)
        if any(isinstance(value, str) and not sanitise.is_safe_text(value) for value in kwargs.values()):
            raise Answer(self.unknown_resource({k: sanitise.safe_text(str(v)) for k, v in kwargs.items()}))
        parameters = {
            key: values[0] if len(values) == 1 else values for key, values in request.query_params.lists()
        }
        try:
            operations.check_storable(document=parameters)
            if request.method in ("POST", "PUT", "PATCH"):
                operations.check_storable(document=request.data)
        except operations.ValidationFailed as exc:
            raise Answer(self.refusal(exc.failures)) from None

    def unknown_resource(self, kwargs: dict) -> Response:
        """The answer for URL parts no resource can have (the documented 404 of the door)."""
        return Response(
            {"code": error_codes.NOT_FOUND, "detail": "The requested resource was not found."},
            status=status.HTTP_404_NOT_FOUND,
        )

    def refusal(self, failures: list[base.Failure]) -> Response:
        """400 with `failures` in this door's envelope."""
        body = errors.standardized_body(failures) if self.standardized else errors.drf_body(failures)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)

    def supplier(self, code) -> models.ImportSupplier | None:
        """The named supplier if the caller may use it; None if unknown or not theirs."""
        if not isinstance(code, str):
            return None
        user = self.request.user
        if isinstance(user, auth.ImportKeyUser):
            # A key is bound to its supplier, which was loaded with the key: no second query.
            return user.supplier if user.supplier.code == code else None
        try:
            supplier = queries.get_supplier(code=code)
        except models.ImportSupplier.DoesNotExist:
            return None
        return supplier if auth.may_use_supplier(user, supplier) else None

    def posted(self, request, supplier_field: str = "import_supplier") -> tuple[dict, models.ImportSupplier]:
        """The JSON object posted and the import supplier it names. Anything else is answered at
        once with 400 in the DRF envelope (not an object; unknown or someone else's supplier)."""
        data = body(request)
        if data is None:
            raise Answer(Response(errors.drf_body(NOT_AN_OBJECT), status=400))
        supplier = self.supplier(data.get(supplier_field))
        if supplier is None:
            raise Answer(unknown_supplier(supplier_field))
        return data, supplier

    def handle_exception(self, exc):
        if isinstance(exc, Answer):
            return exc.response
        return super().handle_exception(exc)


def body(request) -> dict | None:
    """The posted JSON object, or None for anything else."""
    return request.data if isinstance(request.data, dict) else None


def unknown_supplier(field: str, standardized: bool = False) -> Response:
    failure = base.Failure(
        field, error_codes.IMPORT_SUPPLIER_NOT_FOUND, "No import supplier with this code.", "api", 0
    )
    payload = errors.standardized_body([failure]) if standardized else errors.drf_body([failure])
    return Response(payload, status=status.HTTP_400_BAD_REQUEST)


def already_imported_v1(exc: operations.AlreadyImported) -> Response:
    """v1's `AccountAlreadyImportedResponse`."""
    return Response(
        {
            "external_account_number": exc.external_account_number,
            "kraken_account_number": exc.account_number,
            "non_field_errors": [str(exc)],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def refused(exc: Exception, code: str) -> Response:
    """400 with `non_field_errors: ["<code>: <message>"]`."""
    return Response({base.NON_FIELD_ERRORS: [f"{code}: {exc}"]}, status=status.HTTP_400_BAD_REQUEST)


def invalid(exc: operations.ValidationFailed) -> Response:
    """400 with the failures field-keyed (the DRF envelope)."""
    return Response(errors.drf_body(exc.failures), status=status.HTTP_400_BAD_REQUEST)
