"""v1 writes and reads on imported accounts: notes, transactions, payment instruction, historical
statements, meter point statuses and registration flows."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from imports import operations, queries
from imports.api import schemas
from imports.api.views._base import ImportView, invalid, refused
from kernel import clock


class NotesV1(ImportView):
    @extend_schema(**schemas.NOTES_V1)
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            results = operations.create_notes(supplier=supplier, body=data, now=clock.now())
        except operations.ValidationFailed as exc:
            return invalid(exc)
        return Response(results, status=status.HTTP_201_CREATED)


class TransactionsV1(ImportView):
    @extend_schema(**schemas.TRANSACTIONS_V1)
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            results = operations.create_transactions(supplier=supplier, body=data, now=clock.now())
        except operations.ValidationFailed as exc:
            return invalid(exc)
        return Response({"results": results}, status=status.HTTP_201_CREATED)


class PaymentInstructionV1(ImportView):
    @extend_schema(**schemas.PAYMENT_INSTRUCTION_V1)
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            number, reference = operations.create_payment_instruction(
                supplier=supplier, body=data, now=clock.now()
            )
        except operations.ValidationFailed as exc:
            return invalid(exc)
        except operations.AccountHasActiveInstruction as exc:
            return Response(
                {
                    "error_detail": str(exc),
                    "external_account_number": data.get("external_account_number", ""),
                    "import_supplier": supplier.code,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {"kraken_account_number": number, "reference": reference}, status=status.HTTP_201_CREATED
        )


class HistoricalStatementsV1(ImportView):
    @extend_schema(**schemas.HISTORICAL_STATEMENTS_V1)
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            statements = operations.create_historical_statements(
                supplier=supplier, body=data, now=clock.now()
            )
        except operations.ValidationFailed as exc:
            return invalid(exc)
        except operations.StatementsRefused as exc:
            return refused(exc, exc.code)
        return Response(statements, status=status.HTTP_201_CREATED)


class MeterPointStatusesV1(ImportView):
    def unknown_resource(self, kwargs: dict) -> Response:
        return _no_meter_points(kwargs["external_account_number"])

    @extend_schema(**schemas.METER_POINT_STATUSES_V1)
    def get(self, request, import_supplier_code, external_account_number):
        statuses = queries.meter_point_statuses(
            supplier=self.supplier(import_supplier_code), external_account_number=external_account_number
        )
        if not statuses:
            return _no_meter_points(external_account_number)
        return Response(statuses)


def _no_meter_points(external_account_number: str) -> Response:
    return Response(
        {"error": f"No meterpoints found for {external_account_number}."}, status=status.HTTP_404_NOT_FOUND
    )


class SendRegistrationFlowsV1(ImportView):
    def unknown_resource(self, kwargs: dict) -> Response:
        return Response(
            {**kwargs, "error_detail": f"Account not found for {kwargs['external_account_number']}."},
            status=status.HTTP_404_NOT_FOUND,
        )

    @extend_schema(**schemas.SEND_REGISTRATION_FLOWS_V1)
    def post(self, request, import_supplier_code, external_account_number):
        key = {
            "external_account_number": external_account_number,
            "import_supplier_code": import_supplier_code,
        }
        try:
            results = operations.send_registration_flows(
                supplier=self.supplier(import_supplier_code),
                external_account_number=external_account_number,
                now=clock.now(),
            )
        except (operations.AccountNotImported, operations.NoMeterPoints) as exc:
            return Response({**key, "error_detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
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
