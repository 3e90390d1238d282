"""Data Import REST API (v1 synchronous, v2 asynchronous). Thin doors: parse, one domain call,
render the documented envelope."""

from __future__ import annotations

import django_filters
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from imports import error_codes, models, operations, queries, tasks
from imports.api import auth, errors, parsers, throttle
from imports.rules import REGISTRY, base

AUTH = [auth.DataImportViewerAPIKeyAuthentication, auth.DRFKrakenTokenAuthentication]
DRY_RUN_DETAIL = "Account would successfully import. Rolled back due to Dry Run."
NOT_FOUND_V2 = {"detail": "The requested resource was not found.", "code": "not_found"}

ACCOUNT_PAYLOAD = {
    "type": "object",
    "description": "An `EnergyAccount` (GB) or `JpnAccount` (JP supplier) payload; see the Data Import contract.",
    "properties": {
        "import_supplier": {"type": "string", "maxLength": 64},
        "external_account_number": {"type": "string", "maxLength": 128},
    },
    "required": ["import_supplier"],
    "additionalProperties": True,
}
ANY_OBJECT = {"type": "object", "additionalProperties": True}
DRF_ERROR = ANY_OBJECT
ERROR_RESPONSE = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "required": ["code", "detail"],
}
STANDARDIZED = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "attr": {"type": "string"},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
                "required": ["attr", "code", "detail"],
            },
        },
    },
    "required": ["code", "detail", "errors"],
}
COMMON_ERRORS = {
    401: OpenApiResponse(ERROR_RESPONSE, description="Missing or invalid credentials."),
    403: OpenApiResponse(ERROR_RESPONSE, description="Credentials not valid for this import supplier."),
    413: OpenApiResponse(ERROR_RESPONSE, description="Body too large."),
    415: OpenApiResponse(ERROR_RESPONSE, description="Not JSON."),
}


def validators(document: str) -> dict:
    return {"x-validators": REGISTRY.x_validators(document=document)}


class ImportView(APIView):
    authentication_classes = AUTH
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [parsers.ImportJSONParser]

    def get_exception_handler(self):
        return errors.exception_handler

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
        data = _body(request)
        if data is None:
            raise Answer(Response(errors.drf_body(NOT_AN_OBJECT), status=400))
        supplier = self.supplier(data.get(supplier_field))
        if supplier is None:
            raise Answer(_unknown_supplier(supplier_field))
        return data, supplier

    def handle_exception(self, exc):
        if isinstance(exc, Answer):
            return exc.response
        return super().handle_exception(exc)


class Answer(Exception):
    """Stop handling the request and send this response (a door's early, documented refusal)."""

    def __init__(self, response: Response):
        super().__init__(response.status_code)
        self.response = response


def _unknown_supplier(field: str, standardized: bool = False) -> Response:
    failure = base.Failure(
        field, error_codes.IMPORT_SUPPLIER_NOT_FOUND, "No import supplier with this code.", "api", 0
    )
    body = errors.standardized_body([failure]) if standardized else errors.drf_body([failure])
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _already_imported_v1(exc: operations.AlreadyImported) -> Response:
    return Response(
        {
            "external_account_number": exc.external_account_number,
            "kraken_account_number": exc.account_number,
            "non_field_errors": [str(exc)],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _body(request) -> dict | None:
    return request.data if isinstance(request.data, dict) else None


NOT_AN_OBJECT = [
    base.Failure(base.NON_FIELD_ERRORS, error_codes.INVALID, "Expected a JSON object.", "api", 0)
]


class ValidateAccountV1(ImportView):
    @extend_schema(
        operation_id="V1 Validate Account",
        request={"application/json": ACCOUNT_PAYLOAD},
        responses={200: OpenApiResponse(ACCOUNT_PAYLOAD), 400: OpenApiResponse(DRF_ERROR), **COMMON_ERRORS},
        extensions=validators(base.ACCOUNT),
        tags=["account_import"],
    )
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            normalised = operations.check_account(supplier=supplier, payload=data, now=timezone.now())
        except operations.AlreadyImported as exc:
            return _already_imported_v1(exc)
        except operations.ValidationFailed as exc:
            return Response(errors.drf_body(exc.failures), status=400)
        return Response(normalised)


class CreateOrUpdateV1(ImportView):
    @extend_schema(
        operation_id="V1 Create Or Update Account Import Process",
        request={"application/json": ACCOUNT_PAYLOAD},
        responses={
            200: inline_serializer(
                "CreateOrUpdateAccountImportProcess",
                {
                    "external_account_number": serializers.CharField(),
                    "import_supplier_code": serializers.CharField(),
                },
            ),
            201: inline_serializer(
                "CreateOrUpdateAccountImportProcessCreated",
                {
                    "external_account_number": serializers.CharField(),
                    "import_supplier_code": serializers.CharField(),
                },
            ),
            400: OpenApiResponse(DRF_ERROR),
            **COMMON_ERRORS,
        },
        extensions=validators(base.ACCOUNT),
        tags=["account_import"],
    )
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            process, created = operations.stage_account(supplier=supplier, payload=data, now=timezone.now())
        except operations.AlreadyImported as exc:
            return _already_imported_v1(exc)
        except operations.ValidationFailed as exc:
            return Response(errors.drf_body(exc.failures), status=400)
        except (operations.MigrationNotOngoing, operations.ImportSkipped) as exc:
            return Response({base.NON_FIELD_ERRORS: [f"{exc.code}: {exc}"]}, status=400)
        return Response(
            {
                "external_account_number": process.external_account_number,
                "import_supplier_code": supplier.code,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ProcessV1(ImportView):
    @extend_schema(
        operation_id="V1 Process Account Import Process",
        request=inline_serializer(
            "ProcessAccountImportProcess",
            {
                "import_supplier_code": serializers.CharField(),
                "external_account_number": serializers.CharField(),
                "operations_team_name": serializers.CharField(required=False),
                "dry_run": serializers.BooleanField(default=False),
            },
        ),
        responses={
            201: inline_serializer(
                "ProcessAccountImportProcessCreation",
                {
                    "external_account_number": serializers.CharField(),
                    "kraken_account_number": serializers.CharField(),
                    "account_number": serializers.CharField(),
                },
            ),
            400: OpenApiResponse(DRF_ERROR),
            429: OpenApiResponse(ERROR_RESPONSE),
            **COMMON_ERRORS,
        },
        extensions=validators(base.PROCESS),
        tags=["account_import"],
    )
    def post(self, request):
        data, supplier = self.posted(request, "import_supplier_code")
        external = data.get("external_account_number")
        try:
            process = operations.process_staged_account(
                supplier=supplier, request=data, now=timezone.now(), slot=throttle.process_slot
            )
        except throttle.TooManyProcesses as exc:
            return Response(
                {"code": error_codes.THROTTLED, "detail": str(exc)}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        except operations.AlreadyImported as exc:
            return _already_imported_v1(exc)
        except operations.ValidationFailed as exc:
            return Response(errors.drf_body(exc.failures), status=400)
        except operations.ImportProcessNotFound:
            return Response(
                {base.NON_FIELD_ERRORS: [f"{error_codes.IMPORT_PROCESS_DOES_NOT_EXIST}: no staged data"]},
                status=400,
            )
        except operations.DryRunSucceeded:
            return Response({"detail": DRY_RUN_DETAIL, "code": error_codes.DRY_RUN}, status=400)
        except IntegrityError as exc:
            detail = str(exc).splitlines()[0]
            return Response(
                {base.NON_FIELD_ERRORS: [f"{error_codes.ACCOUNT_CREATION_FAILED}: {detail}"]}, status=400
            )
        number = process.account.number
        return Response(
            {"external_account_number": external, "kraken_account_number": number, "account_number": number},
            status=status.HTTP_201_CREATED,
        )


TRANSFER_STATUS = {
    models.ImportProcessStatus.PROCESSED: "COMPLETED",
    models.ImportProcessStatus.IN_PROGRESS: "IN_PROGRESS",
}


class TransferStatusV1(ImportView):
    @extend_schema(
        operation_id="V1 Get Account Transfer Status",
        responses={
            200: inline_serializer(
                "AccountTransferStatus",
                {
                    "status": serializers.ChoiceField(["UNKNOWN", "COMPLETED", "IN_PROGRESS"]),
                    "kraken_account_number": serializers.CharField(),
                    "account_number": serializers.CharField(),
                },
            ),
            404: inline_serializer("AccountNotFoundError", {"detail": serializers.CharField()}),
            **COMMON_ERRORS,
        },
        tags=["account_import"],
    )
    def get(self, request, import_supplier_code, external_account_number):
        supplier = self.supplier(import_supplier_code)
        try:
            process = queries.account_import(
                supplier=supplier, external_account_number=external_account_number
            )
        except models.AccountImportProcess.DoesNotExist:
            return Response({"detail": "No account import process found."}, status=404)
        number = process.account.number if process.account_id else ""
        return Response(
            {
                "status": TRANSFER_STATUS.get(process.status, "UNKNOWN"),
                "kraken_account_number": number,
                "account_number": number,
            }
        )


class ImportProcessFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=models.ImportProcessStatus.choices)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    processed_after = django_filters.IsoDateTimeFilter(field_name="processed_at", lookup_expr="gte")
    processed_before = django_filters.IsoDateTimeFilter(field_name="processed_at", lookup_expr="lt")

    class Meta:
        model = models.AccountImportProcess
        fields = ["status"]


class ImportProcessSerializer(serializers.Serializer):
    external_account_number = serializers.CharField()
    kraken_account_number = serializers.SerializerMethodField()
    account_created_at = serializers.SerializerMethodField()

    def get_kraken_account_number(self, obj) -> str:
        return obj.account.number if obj.account_id else ""

    def get_account_created_at(self, obj) -> str | None:
        return obj.account.created_at.isoformat() if obj.account_id else None


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


def _process_list(kind: str):
    class View(ImportView):
        filterset_class = ImportProcessFilter

        @extend_schema(
            operation_id=f"V1 List {kind.title()} Account Import Processes",
            responses={200: ImportProcessSerializer(many=True), **COMMON_ERRORS},
            tags=["account_import"],
        )
        def get(self, request, import_supplier_code):
            supplier = self.supplier(import_supplier_code)
            rows = (
                queries.account_imports(supplier=supplier)
                if supplier
                else models.AccountImportProcess.objects.none()
            )
            if kind == "pending":
                rows = rows.filter(account__isnull=True)
            elif kind == "imported":
                rows = rows.filter(account__isnull=False)
            filtered = ImportProcessFilter(request.query_params, queryset=rows)
            if not filtered.is_valid():
                return Response(filtered.errors, status=400)
            paginator = Pagination()
            page = paginator.paginate_queryset(filtered.qs, request, view=self)
            return Response(ImportProcessSerializer(page, many=True).data)

    View.__name__ = f"{kind.title()}ProcessList"
    return View


class NotesV1(ImportView):
    @extend_schema(
        operation_id="V1 Create Account Notes",
        request={"application/json": ANY_OBJECT},
        responses={
            201: OpenApiResponse(DRF_ERROR),
            400: OpenApiResponse(DRF_ERROR),
            404: OpenApiResponse(DRF_ERROR),
            **COMMON_ERRORS,
        },
        extensions=validators(base.NOTES),
        tags=["account_import"],
    )
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            results = operations.create_notes(supplier=supplier, body=data, now=timezone.now())
        except operations.ValidationFailed as exc:
            return Response(errors.drf_body(exc.failures), status=400)
        return Response(results, status=201)


class TransactionsV1(ImportView):
    @extend_schema(
        operation_id="V1 Create Transactions",
        request={"application/json": ANY_OBJECT},
        responses={
            201: OpenApiResponse(
                {
                    "type": "object",
                    "properties": {
                        "results": {
                            "type": "array",
                            "items": {"type": "object", "additionalProperties": True},
                        }
                    },
                    "required": ["results"],
                }
            ),
            400: OpenApiResponse(DRF_ERROR),
            404: OpenApiResponse(DRF_ERROR),
            **COMMON_ERRORS,
        },
        extensions=validators(base.TRANSACTIONS),
        tags=["account_import"],
    )
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            results = operations.create_transactions(supplier=supplier, body=data, now=timezone.now())
        except operations.ValidationFailed as exc:
            return Response(errors.drf_body(exc.failures), status=400)
        return Response({"results": results}, status=201)


class PaymentInstructionV1(ImportView):
    @extend_schema(
        operation_id="V1 Create Payment Instruction",
        request={"application/json": ANY_OBJECT},
        responses={
            201: inline_serializer(
                "CreatePaymentInstructionResponse",
                {"kraken_account_number": serializers.CharField(), "reference": serializers.CharField()},
            ),
            400: OpenApiResponse(DRF_ERROR),
            **COMMON_ERRORS,
        },
        extensions=validators(base.PAYMENT_INSTRUCTION),
        tags=["account_import"],
    )
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            number, reference = operations.create_payment_instruction(
                supplier=supplier, body=data, now=timezone.now()
            )
        except operations.ValidationFailed as exc:
            return Response(errors.drf_body(exc.failures), status=400)
        except operations.AccountHasActiveInstruction as exc:
            return Response(
                {
                    "error_detail": str(exc),
                    "external_account_number": data.get("external_account_number", ""),
                    "import_supplier": supplier.code,
                },
                status=400,
            )
        return Response({"kraken_account_number": number, "reference": reference}, status=201)


STATEMENT = {
    "type": "object",
    "properties": {
        "bill_period_from_date": {"type": "string", "format": "date"},
        "bill_period_to_date": {"type": "string", "format": "date"},
        "gross_amount": {"type": "integer", "nullable": True},
        "issued_date": {"type": "string", "format": "date", "nullable": True},
        "number": {"type": "string"},
        "statement_id": {"type": "string"},
        "statement_path": {"type": "string"},
    },
    "required": ["bill_period_from_date", "bill_period_to_date", "statement_id"],
}
HISTORICAL_STATEMENTS = {
    "type": "object",
    "properties": {
        "external_account_number": {"type": "string"},
        "import_supplier": {"type": "string"},
        "statements": {"type": "array", "items": STATEMENT},
    },
    "required": ["external_account_number", "import_supplier", "statements"],
}


class HistoricalStatementsV1(ImportView):
    @extend_schema(
        operation_id="V1 Create Historical Statements",
        description="Import historical (pre-Kraken) PDF statements onto an imported account.",
        request={"application/json": HISTORICAL_STATEMENTS},
        responses={
            201: OpenApiResponse(HISTORICAL_STATEMENTS, description="The validated statements."),
            400: OpenApiResponse(DRF_ERROR, description="Validation error."),
            **COMMON_ERRORS,
        },
        extensions=validators(base.HISTORICAL_STATEMENTS),
        tags=["account_import"],
    )
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            statements = operations.create_historical_statements(
                supplier=supplier, body=data, now=timezone.now()
            )
        except operations.ValidationFailed as exc:
            return Response(errors.drf_body(exc.failures), status=400)
        except operations.StatementsRefused as exc:
            return Response({base.NON_FIELD_ERRORS: [f"{exc.code}: {exc}"]}, status=400)
        return Response(statements, status=201)


GB_METER_POINT_STATUSES = [
    "PRE_REGISTRATION", "UNABLE_TO_REGISTER", "AREGI_SENT", "NOMINATION_SENT", "NOMINATION_REJECTED",
    "OFFER_RECEIVED", "OFFER_REJECTED", "REGISTRATION_REQUESTED", "REGISTRATION_ACCEPTED",
    "REGISTRATION_REJECTED", "WITHDRAWAL_REQUESTED", "REGISTRATION_WITHDRAWN", "OBJECTION_RECEIVED",
    "REGISTRATION_OBJECTED", "MTD_RECEIVED", "ON_SUPPLY", "OPENING_READ_DISPUTED", "MTD_DISPUTED",
    "METER_EXCHANGE_REQUESTED", "ERRONEOUS_GAIN_PROPOSED", "ERRONEOUS_GAIN_ACCEPTED",
    "ERRONEOUS_GAIN_REJECTED", "ERRONEOUS_GAIN_CANCELLED", "LOSS_REQUESTED_ERRONEOUS_GAIN",
    "LOSS_PENDING_ERRONEOUS_GAIN", "LOST_ERRONEOUS_GAIN", "ERRONEOUS_LOSS_PROPOSED",
    "ERRONEOUS_LOSS_ACCEPTED", "ERRONEOUS_LOSS_REJECTED", "ERRONEOUS_LOSS_CANCELLED", "ET_REQUESTED",
    "ET_ACCEPTED", "ET_LOSS_PENDING", "ET_COMPLETED", "ET_CANCELLED", "LOSS_REQUESTED", "LOSS_PENDING",
    "LOST", "DISCONNECTED", "ERRONEOUS_LOSS", "LOSS_OBJECTION_REQUESTED",
    "LOSS_OBJECTION_REMOVAL_REQUESTED", "LOSS_OBJECTION_ACCEPTED", "CLOSING_READ_DISPUTE",
    "DE-ENERGISED", "UNDERGOING_REGISTRATION", "REGISTRATION_AT_RISK", "GAIN_PENDING_DAP",
    "LOSS_PENDING_DAP",
]  # fmt: skip


class MeterPointStatusesV1(ImportView):
    @extend_schema(
        operation_id="V1 Get Meter Point Statuses For Account",
        description="List the meter points of an imported account with their status (GB).",
        responses={
            200: inline_serializer(
                "GbrMeterPointStatus",
                {"mpxn": serializers.CharField(), "status": serializers.ChoiceField(GB_METER_POINT_STATUSES)},
                many=True,
            ),
            404: inline_serializer("GbrMeterPointStatusError", {"error": serializers.CharField()}),
            **COMMON_ERRORS,
        },
        tags=["account_import"],
    )
    def get(self, request, import_supplier_code, external_account_number):
        statuses = queries.meter_point_statuses(
            supplier=self.supplier(import_supplier_code), external_account_number=external_account_number
        )
        if not statuses:
            return Response({"error": f"No meterpoints found for {external_account_number}."}, status=404)
        return Response(statuses)


class SendRegistrationFlowsV1(ImportView):
    @extend_schema(
        operation_id="V1 Send Registration Flows",
        description=(
            "Mark the meter points of an imported account for registration (GB). Kraken then picks "
            "them up and attempts to register them; registration can still fail downstream."
        ),
        request=None,
        responses={
            200: inline_serializer(
                "GbrMeterPointRegistrationStatuses",
                {
                    "external_account_number": serializers.CharField(),
                    "import_supplier_code": serializers.CharField(),
                    "meter_points": inline_serializer(
                        "GbrMeterPointRegistrationStatus",
                        {
                            "mpxn": serializers.CharField(),
                            "status": serializers.ChoiceField(
                                [operations.REGISTRATION_FLOW_SUCCESS, operations.REGISTRATION_FLOW_ERROR]
                            ),
                            "error_detail": serializers.CharField(required=False),
                        },
                        many=True,
                    ),
                },
            ),
            404: inline_serializer(
                "GbrRegistrationFlowError",
                {
                    "external_account_number": serializers.CharField(),
                    "import_supplier_code": serializers.CharField(),
                    "error_detail": serializers.CharField(),
                },
            ),
            **COMMON_ERRORS,
        },
        tags=["account_import"],
    )
    def post(self, request, import_supplier_code, external_account_number):
        key = {
            "external_account_number": external_account_number,
            "import_supplier_code": import_supplier_code,
        }
        try:
            results = operations.send_registration_flows(
                supplier=self.supplier(import_supplier_code),
                external_account_number=external_account_number,
                now=timezone.now(),
            )
        except (operations.AccountNotImported, operations.NoMeterPoints) as exc:
            return Response({**key, "error_detail": str(exc)}, status=404)
        return Response(
            {
                **key,
                "meter_points": [
                    {
                        "mpxn": r.mpxn,
                        "status": r.status,
                        **({"error_detail": r.error_detail} if r.error_detail else {}),
                    }
                    for r in results
                ],
            }
        )


# --- v2 -----------------------------------------------------------------------------------------


class ValidateV2(ImportView):
    @extend_schema(
        operation_id="V2 Validate Account",
        request={
            "application/json": {
                "type": "object",
                "properties": {"payload": ACCOUNT_PAYLOAD},
                "required": ["payload"],
            }
        },
        responses={
            200: OpenApiResponse(description="Valid."),
            400: OpenApiResponse(STANDARDIZED),
            **COMMON_ERRORS,
        },
        extensions=validators(base.ACCOUNT),
        tags=["account_import"],
    )
    def post(self, request):
        data = _body(request)
        payload = data.get("payload") if data else None
        if not isinstance(payload, dict):
            failure = base.Failure("payload", error_codes.REQUIRED, "This field is required.", "api", 0)
            return Response(errors.standardized_body([failure]), status=400)
        supplier = self.supplier(payload.get("import_supplier"))
        if supplier is None:
            return _unknown_supplier("payload.import_supplier", standardized=True)
        try:
            operations.check_account(supplier=supplier, payload=payload, now=timezone.now(), variant="v2")
        except operations.AlreadyImported as exc:
            failure = base.Failure(base.NON_FIELD_ERRORS, exc.code, str(exc), "api", 0)
            return Response(errors.standardized_body([failure]), status=400)
        except operations.ValidationFailed as exc:
            for failure in exc.failures:
                object.__setattr__(failure, "attr", f"payload.{failure.attr}")
            return Response(errors.standardized_body(exc.failures), status=400)
        return Response(status=200)


class ScheduleV2(ImportView):
    @extend_schema(
        operation_id="V2 Schedule Account Creation",
        request={
            "application/json": {
                "type": "object",
                "properties": {
                    "payload": ACCOUNT_PAYLOAD,
                    "task_params": {"type": "object", "additionalProperties": True},
                },
                "required": ["payload", "task_params"],
            }
        },
        responses={
            201: OpenApiResponse(description="Scheduled."),
            400: OpenApiResponse(DRF_ERROR),
            **COMMON_ERRORS,
        },
        extensions={
            "x-validators": REGISTRY.x_validators(document=base.ACCOUNT, variant="v2")
            + REGISTRY.x_validators(document=base.TASK_PARAMS)
        },
        tags=["account_import"],
    )
    def post(self, request):
        data = _body(request) or {}
        payload, task_params = data.get("payload"), data.get("task_params")
        if not isinstance(payload, dict) or not isinstance(task_params, dict):
            return Response(
                {
                    key: ["required: This field is required."]
                    for key in ("payload", "task_params")
                    if not isinstance(data.get(key), dict)
                },
                status=400,
            )
        supplier = self.supplier(payload.get("import_supplier"))
        if supplier is None:
            return _unknown_supplier("import_supplier")
        try:
            process = operations.schedule_account(
                supplier=supplier, payload=payload, task_params=task_params, now=timezone.now()
            )
        except operations.AlreadyImported as exc:
            return Response(
                {
                    "non_field_errors": {"detail": str(exc), "code": exc.code},
                    "account_id": exc.account_number,
                },
                status=400,
            )
        except operations.ValidationFailed as exc:
            if all(
                f.group.startswith("TaskParameters") or f.group == "schema" and f.attr.startswith("schedule")
                for f in exc.failures
            ):
                return Response({"task_params": errors.drf_body(exc.failures)}, status=400)
            return Response(
                {
                    "code": error_codes.IMPORT_PROCESS_FAILED_VALIDATION,
                    "detail": "The payload failed validation. Please validate the import process with the validate endpoint.",
                    "domain": "import_process",
                },
                status=400,
            )
        except operations.MigrationNotOngoing as exc:
            return Response({base.NON_FIELD_ERRORS: [f"{exc.code}: {exc}"]}, status=400)
        transaction.on_commit(lambda: tasks.run_account_import.apply_async(kwargs={"process_id": process.pk}))
        return Response(status=201)


class StatusV2(ImportView):
    @extend_schema(
        operation_id="V2 Get Import Status",
        responses={
            200: inline_serializer(
                "ImportStatusResponse",
                {
                    "status": serializers.CharField(),
                    "kraken_identifier": serializers.CharField(allow_null=True),
                    "created_at": serializers.DateTimeField(),
                    "modified_at": serializers.DateTimeField(),
                    "latest_event": serializers.JSONField(allow_null=True),
                    "latest_error": serializers.JSONField(allow_null=True),
                },
            ),
            404: OpenApiResponse(ERROR_RESPONSE),
            **COMMON_ERRORS,
        },
        tags=["account_import"],
    )
    def get(self, request, import_supplier_code, external_identifier):
        supplier = self.supplier(import_supplier_code)
        try:
            process = queries.account_import(supplier=supplier, external_account_number=external_identifier)
        except models.AccountImportProcess.DoesNotExist:
            return Response(NOT_FOUND_V2, status=404)
        return Response(
            {
                "status": process.status,
                "kraken_identifier": process.account.number if process.account_id else None,
                "created_at": process.created_at.isoformat(),
                "modified_at": process.modified_at.isoformat(),
                "latest_event": process.latest_event,
                "latest_error": process.latest_error,
            }
        )


PendingList = _process_list("pending")
ImportedList = _process_list("imported")
AllList = _process_list("all")
