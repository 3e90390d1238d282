"""v2 account import (asynchronous): validate, schedule (the worker imports), status."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from imports import error_codes, models, operations, queries, tasks
from imports.api import errors, schemas
from imports.api.views._base import ImportView, body, refused, unknown_supplier
from imports.rules import base
from kernel import clock

NOT_FOUND = {"detail": "The requested resource was not found.", "code": "not_found"}
FAILED_VALIDATION = {
    "code": error_codes.IMPORT_PROCESS_FAILED_VALIDATION,
    "detail": "The payload failed validation. Please validate the import process with the validate endpoint.",
    "domain": "import_process",
}


class ValidateV2(ImportView):
    is_v2 = standardized = True

    @extend_schema(**schemas.VALIDATE_V2)
    def post(self, request):
        data = body(request)
        payload = data.get("payload") if data else None
        if not isinstance(payload, dict):
            failures = _not_objects(data, ("payload",))
            return Response(errors.standardized_body(failures), status=status.HTTP_400_BAD_REQUEST)
        supplier = self.supplier(payload.get("import_supplier"))
        if supplier is None:
            return unknown_supplier("payload.import_supplier", standardized=True)
        try:
            operations.check_account(supplier=supplier, payload=payload, now=clock.now(), variant="v2")
        except operations.AlreadyImported as exc:
            failure = base.Failure(base.NON_FIELD_ERRORS, exc.code, str(exc), "api", 0)
            return Response(errors.standardized_body([failure]), status=status.HTTP_400_BAD_REQUEST)
        except operations.ValidationFailed as exc:
            failures = [_under_payload(failure) for failure in exc.failures]
            return Response(errors.standardized_body(failures), status=status.HTTP_400_BAD_REQUEST)
        return Response(status=status.HTTP_200_OK)


def _under_payload(failure: base.Failure) -> base.Failure:
    """The failure with its field path inside the `payload` wrapper."""
    return base.Failure(f"payload.{failure.attr}", failure.code, failure.detail, failure.group, failure.order)


class ScheduleV2(ImportView):
    is_v2 = True

    @extend_schema(**schemas.SCHEDULE_V2)
    def post(self, request):
        data = body(request) or {}
        payload, task_params = data.get("payload"), data.get("task_params")
        if not isinstance(payload, dict) or not isinstance(task_params, dict):
            failures = _not_objects(data, ("payload", "task_params"))
            return Response(errors.drf_body(failures), status=status.HTTP_400_BAD_REQUEST)
        supplier = self.supplier(payload.get("import_supplier"))
        if supplier is None:
            return unknown_supplier("import_supplier")
        try:
            process = operations.schedule_account(
                supplier=supplier, payload=payload, task_params=task_params, now=clock.now()
            )
        except operations.AlreadyImported as exc:
            return Response(
                {
                    "non_field_errors": {"detail": str(exc), "code": exc.code},
                    "account_id": exc.account_number,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        except operations.TaskParametersInvalid as exc:
            return Response(
                {"task_params": errors.drf_body(exc.failures)}, status=status.HTTP_400_BAD_REQUEST
            )
        except operations.ValidationFailed:
            return Response(FAILED_VALIDATION, status=status.HTTP_400_BAD_REQUEST)
        except operations.MigrationNotOngoing as exc:
            return refused(exc, exc.code)
        transaction.on_commit(lambda: tasks.run_account_import.apply_async(kwargs={"process_id": process.pk}))
        return Response(status=status.HTTP_201_CREATED)


def _not_objects(data: dict | None, keys: tuple[str, ...]) -> list[base.Failure]:
    """`required` for each of `keys` the body lacks, `invalid` for each that is not an object."""
    failures = []
    for key in keys:
        value = (data or {}).get(key)
        if value is None:
            failures.append(base.Failure(key, error_codes.REQUIRED, "This field is required.", "api", 0))
        elif not isinstance(value, dict):
            failures.append(base.Failure(key, error_codes.INVALID, "Expected an object.", "api", 0))
    return failures


class StatusV2(ImportView):
    is_v2 = True

    @extend_schema(**schemas.STATUS_V2)
    def get(self, request, import_supplier_code, external_identifier):
        supplier = self.supplier(import_supplier_code)
        try:
            process = queries.account_import(supplier=supplier, external_account_number=external_identifier)
        except models.AccountImportProcess.DoesNotExist:
            return Response(NOT_FOUND, status=status.HTTP_404_NOT_FOUND)
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
