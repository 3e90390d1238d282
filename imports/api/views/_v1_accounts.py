"""v1 account import (synchronous): validate, create-or-update (stage), process, transfer status, and
the lists of account import processes."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from imports import error_codes, models, operations, queries
from imports.api import schemas, throttle
from imports.api.views._base import ImportView, already_imported_v1, invalid, refused
from kernel import clock

NO_PROCESS = "No account import process found."
TRANSFER_STATUS = {
    models.ImportProcessStatus.PROCESSED: "COMPLETED",
    models.ImportProcessStatus.IN_PROGRESS: "IN_PROGRESS",
}


class ValidateAccountV1(ImportView):
    @extend_schema(**schemas.VALIDATE_ACCOUNT_V1)
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            normalised = operations.check_account(supplier=supplier, payload=data, now=clock.now())
        except operations.AlreadyImported as exc:
            return already_imported_v1(exc)
        except operations.ValidationFailed as exc:
            return invalid(exc)
        return Response(normalised)


class CreateOrUpdateV1(ImportView):
    @extend_schema(**schemas.CREATE_OR_UPDATE_V1)
    def post(self, request):
        data, supplier = self.posted(request)
        try:
            process, created = operations.stage_account(supplier=supplier, payload=data, now=clock.now())
        except operations.AlreadyImported as exc:
            return already_imported_v1(exc)
        except operations.ValidationFailed as exc:
            return invalid(exc)
        except (operations.MigrationNotOngoing, operations.ImportSkipped) as exc:
            return refused(exc, exc.code)
        return Response(
            {
                "external_account_number": process.external_account_number,
                "import_supplier_code": supplier.code,
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ProcessV1(ImportView):
    @extend_schema(**schemas.PROCESS_V1)
    def post(self, request):
        data, supplier = self.posted(request, "import_supplier_code")
        try:
            process = operations.process_staged_account(
                supplier=supplier, request=data, now=clock.now(), slot=throttle.process_slot
            )
        except throttle.TooManyProcesses as exc:
            return Response(
                {"code": error_codes.THROTTLED, "detail": str(exc)}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        except operations.AlreadyImported as exc:
            return already_imported_v1(exc)
        except operations.ValidationFailed as exc:
            return invalid(exc)
        except operations.ImportProcessNotFound:
            return refused("no staged data", error_codes.IMPORT_PROCESS_DOES_NOT_EXIST)
        except operations.DryRunSucceeded as exc:
            return Response({"detail": str(exc), "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
        except operations.WriteRefused as exc:
            return refused(exc, exc.code)
        number = process.account.number
        return Response(
            {
                "external_account_number": process.external_account_number,
                "kraken_account_number": number,
                "account_number": number,
            },
            status=status.HTTP_201_CREATED,
        )


class TransferStatusV1(ImportView):
    def unknown_resource(self, kwargs: dict) -> Response:
        return Response({"detail": NO_PROCESS}, status=status.HTTP_404_NOT_FOUND)

    @extend_schema(**schemas.TRANSFER_STATUS_V1)
    def get(self, request, import_supplier_code, external_account_number):
        supplier = self.supplier(import_supplier_code)
        try:
            process = queries.account_import(
                supplier=supplier, external_account_number=external_account_number
            )
        except models.AccountImportProcess.DoesNotExist:
            return Response({"detail": NO_PROCESS}, status=404)
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
    max_offset = 10**12  # far beyond any list, and within what SQL OFFSET holds

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), self.max_offset)


IMPORTED_OF_KIND = {"pending": False, "imported": True, "all": None}


def _process_list(kind: str):
    class View(ImportView):
        filterset_class = ImportProcessFilter

        def unknown_resource(self, kwargs: dict) -> Response:
            return Response([])  # no supplier has such a code: nothing to list, as for any unknown code

        @extend_schema(**schemas.process_list_v1(kind, ImportProcessSerializer(many=True)))
        def get(self, request, import_supplier_code):
            rows = queries.account_imports(
                supplier=self.supplier(import_supplier_code), imported=IMPORTED_OF_KIND[kind]
            )
            filtered = ImportProcessFilter(request.query_params, queryset=rows)
            if not filtered.is_valid():
                return Response(filtered.errors, status=400)
            paginator = Pagination()
            page = paginator.paginate_queryset(filtered.qs, request, view=self)
            return Response(ImportProcessSerializer(page, many=True).data)

    View.__name__ = f"{kind.title()}ProcessList"
    return View


PendingList = _process_list("pending")
ImportedList = _process_list("imported")
AllList = _process_list("all")
