"""The OpenAPI description of the Data Import API (drf-spectacular): the request and response shapes
and, per operation, the `extend_schema` arguments its view is decorated with. Views hold no schema."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from imports import operations
from imports.rules import REGISTRY, base

TAGS = ["account_import"]

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
# v2 doors answer the same with `errors[]`: the standardized envelope.
V2_COMMON_ERRORS = {
    status: OpenApiResponse(STANDARDIZED, description=response.description)
    for status, response in COMMON_ERRORS.items()
}
# Post-import writes: 400 with the failures field-keyed, 404 when the account is not imported.
POST_IMPORT_ERRORS = {400: OpenApiResponse(DRF_ERROR), 404: OpenApiResponse(DRF_ERROR), **COMMON_ERRORS}
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


def validators(document: str) -> dict:
    """The `x-validators` extension of an operation validating `document`."""
    return {"x-validators": REGISTRY.x_validators(document=document)}


def _account_number_pair(name: str):
    return inline_serializer(
        name,
        {"external_account_number": serializers.CharField(), "import_supplier_code": serializers.CharField()},
    )


# --- v1 accounts --------------------------------------------------------------------------------

VALIDATE_ACCOUNT_V1 = {
    "operation_id": "V1 Validate Account",
    "request": {"application/json": ACCOUNT_PAYLOAD},
    "responses": {200: OpenApiResponse(ACCOUNT_PAYLOAD), 400: OpenApiResponse(DRF_ERROR), **COMMON_ERRORS},
    "extensions": validators(base.ACCOUNT),
    "tags": TAGS,
}
CREATE_OR_UPDATE_V1 = {
    "operation_id": "V1 Create Or Update Account Import Process",
    "request": {"application/json": ACCOUNT_PAYLOAD},
    "responses": {
        200: _account_number_pair("CreateOrUpdateAccountImportProcess"),
        201: _account_number_pair("CreateOrUpdateAccountImportProcessCreated"),
        400: OpenApiResponse(DRF_ERROR),
        **COMMON_ERRORS,
    },
    "extensions": validators(base.ACCOUNT),
    "tags": TAGS,
}
PROCESS_V1 = {
    "operation_id": "V1 Process Account Import Process",
    "request": inline_serializer(
        "ProcessAccountImportProcess",
        {
            "import_supplier_code": serializers.CharField(),
            "external_account_number": serializers.CharField(),
            "operations_team_name": serializers.CharField(required=False),
            "dry_run": serializers.BooleanField(default=False),
        },
    ),
    "responses": {
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
    "extensions": validators(base.PROCESS),
    "tags": TAGS,
}
TRANSFER_STATUS_V1 = {
    "operation_id": "V1 Get Account Transfer Status",
    "responses": {
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
    "tags": TAGS,
}


def process_list_v1(kind: str, serializer: serializers.Serializer) -> dict:
    """A list of pending, imported or all account import processes, rendered by `serializer`."""
    return {
        "operation_id": f"V1 List {kind.title()} Account Import Processes",
        "responses": {
            200: serializer,
            400: OpenApiResponse(DRF_ERROR, description="A filter or query parameter is not valid."),
            **COMMON_ERRORS,
        },
        "tags": TAGS,
    }


# --- v1 post-import -----------------------------------------------------------------------------

NOTES_V1 = {
    "operation_id": "V1 Create Account Notes",
    "request": {"application/json": ANY_OBJECT},
    "responses": {
        201: OpenApiResponse(DRF_ERROR),
        **POST_IMPORT_ERRORS,
    },
    "extensions": validators(base.NOTES),
    "tags": TAGS,
}
TRANSACTIONS_V1 = {
    "operation_id": "V1 Create Transactions",
    "request": {"application/json": ANY_OBJECT},
    "responses": {
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
        **POST_IMPORT_ERRORS,
    },
    "extensions": validators(base.TRANSACTIONS),
    "tags": TAGS,
}
PAYMENT_INSTRUCTION_V1 = {
    "operation_id": "V1 Create Payment Instruction",
    "request": {"application/json": ANY_OBJECT},
    "responses": {
        201: inline_serializer(
            "CreatePaymentInstructionResponse",
            {"kraken_account_number": serializers.CharField(), "reference": serializers.CharField()},
        ),
        400: OpenApiResponse(DRF_ERROR),
        **COMMON_ERRORS,
    },
    "extensions": validators(base.PAYMENT_INSTRUCTION),
    "tags": TAGS,
}
HISTORICAL_STATEMENTS_V1 = {
    "operation_id": "V1 Create Historical Statements",
    "description": "Import historical (pre-Kraken) PDF statements onto an imported account.",
    "request": {"application/json": HISTORICAL_STATEMENTS},
    "responses": {
        201: OpenApiResponse(HISTORICAL_STATEMENTS, description="The validated statements."),
        400: OpenApiResponse(DRF_ERROR, description="Validation error."),
        **COMMON_ERRORS,
    },
    "extensions": validators(base.HISTORICAL_STATEMENTS),
    "tags": TAGS,
}
METER_POINT_STATUSES_V1 = {
    "operation_id": "V1 Get Meter Point Statuses For Account",
    "description": "List the meter points of an imported account with their status (GB).",
    "responses": {
        200: inline_serializer(
            "GbrMeterPointStatus",
            {"mpxn": serializers.CharField(), "status": serializers.ChoiceField(GB_METER_POINT_STATUSES)},
            many=True,
        ),
        404: inline_serializer("GbrMeterPointStatusError", {"error": serializers.CharField()}),
        **COMMON_ERRORS,
    },
    "tags": TAGS,
}
SEND_REGISTRATION_FLOWS_V1 = {
    "operation_id": "V1 Send Registration Flows",
    "description": (
        "Mark the meter points of an imported account for registration (GB). Kraken then picks "
        "them up and attempts to register them; registration can still fail downstream."
    ),
    "request": None,
    "responses": {
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
    "tags": TAGS,
}

# --- v2 -----------------------------------------------------------------------------------------

VALIDATE_V2 = {
    "operation_id": "V2 Validate Account",
    "request": {
        "application/json": {
            "type": "object",
            "properties": {"payload": ACCOUNT_PAYLOAD},
            "required": ["payload"],
        }
    },
    "responses": {
        200: OpenApiResponse(description="Valid."),
        400: OpenApiResponse(STANDARDIZED),
        **V2_COMMON_ERRORS,
    },
    "extensions": validators(base.ACCOUNT),
    "tags": TAGS,
}
SCHEDULE_V2 = {
    "operation_id": "V2 Schedule Account Creation",
    "request": {
        "application/json": {
            "type": "object",
            "properties": {
                "payload": ACCOUNT_PAYLOAD,
                "task_params": {"type": "object", "additionalProperties": True},
            },
            "required": ["payload", "task_params"],
        }
    },
    "responses": {
        201: OpenApiResponse(description="Scheduled."),
        400: OpenApiResponse(DRF_ERROR),
        **V2_COMMON_ERRORS,
    },
    "extensions": {
        "x-validators": REGISTRY.x_validators(document=base.ACCOUNT, variant="v2")
        + REGISTRY.x_validators(document=base.TASK_PARAMS)
    },
    "tags": TAGS,
}
STATUS_V2 = {
    "operation_id": "V2 Get Import Status",
    "responses": {
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
        **V2_COMMON_ERRORS,
    },
    "tags": TAGS,
}
