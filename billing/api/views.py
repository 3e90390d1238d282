"""Billing REST API. Thin doors: parse, one domain call, render.

Errors use the project's REST shape: `{"detail", "code", "errors": [{"attr", "code", "detail"}]}`.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import models as accounts_models
from billing import calculation, error_codes, queries
from billing.api import auth
from kernel import ranges


class PreviewParameters(serializers.Serializer):
    period_start = serializers.DateTimeField(
        help_text="Start of the period, inclusive (ISO 8601; a date is local midnight)"
    )
    period_end = serializers.DateTimeField(help_text="End of the period, exclusive")

    def validate(self, data):
        if data["period_end"] <= data["period_start"]:
            raise serializers.ValidationError({"period_end": "The period must end after it starts."})
        return data


class BillLineOutput(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    band = serializers.CharField()
    period_start = serializers.DateTimeField(source="period.start")
    period_end = serializers.DateTimeField(source="period.end")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4)
    unit_rate = serializers.DecimalField(max_digits=12, decimal_places=4)
    amount = serializers.IntegerField(help_text="Minor units")
    is_estimated = serializers.BooleanField()


class BillPreviewOutput(serializers.Serializer):
    account_number = serializers.CharField()
    currency = serializers.CharField()
    period_start = serializers.DateTimeField(source="period.start")
    period_end = serializers.DateTimeField(source="period.end")
    subtotal = serializers.IntegerField(help_text="Minor units before tax")
    tax = serializers.IntegerField(help_text="Minor units")
    total = serializers.IntegerField(help_text="Minor units")
    is_estimated = serializers.BooleanField()
    lines = BillLineOutput(many=True)


def _error(*, http_status: int, code: str, detail: str, errors: list[dict] | None = None) -> Response:
    return Response({"detail": detail, "code": code, "errors": errors or []}, status=http_status)


class BillPreviewView(APIView):
    """The bill an account would get for a period, with the readings known now. Writes nothing."""

    authentication_classes = auth.AUTHENTICATION
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[PreviewParameters],
        responses={200: BillPreviewOutput},
        summary="Preview an account's bill",
        tags=["billing"],
    )
    def get(self, request, account_number: str):
        parameters = PreviewParameters(data=request.query_params)
        if not parameters.is_valid():
            return _error(
                http_status=status.HTTP_400_BAD_REQUEST,
                code=error_codes.INVALID_PERIOD,
                detail="Invalid period.",
                errors=[
                    {"attr": attr, "code": getattr(message, "code", "invalid"), "detail": str(message)}
                    for attr, messages in parameters.errors.items()
                    for message in messages
                ],
            )
        account = (
            accounts_models.Account.objects.filter(number=account_number).first()
            if request.user.is_staff
            else accounts_models.Account.objects.filter(number=account_number, users=request.user).first()
        )
        if account is None:
            return _error(
                http_status=status.HTTP_404_NOT_FOUND,
                code=error_codes.ACCOUNT_NOT_FOUND,
                detail="No account with this number is visible to you.",
            )
        period = ranges.Period(
            parameters.validated_data["period_start"], parameters.validated_data["period_end"]
        )
        try:
            draft = queries.preview_bill(account=account, period=period, as_of=timezone.now())
        except calculation.BillingError as error:
            return _error(
                http_status=status.HTTP_422_UNPROCESSABLE_ENTITY, code=error.code, detail=str(error)
            )
        output = BillPreviewOutput(
            {
                "account_number": account.number,
                "currency": draft.currency,
                "period": draft.period,
                "subtotal": draft.subtotal,
                "tax": draft.tax,
                "total": draft.total,
                "is_estimated": draft.is_estimated,
                "lines": draft.lines,
            }
        )
        return Response(output.data)
