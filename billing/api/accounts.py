"""Customer REST API v1 (spec/REST.md §4.7): `GET /v1/accounts/{number}/`, an account's properties,
meter points, meters and agreements with their tariff codes. Needs the customer's API key (or a
Kraken token); an account that is not the caller's is "Not found." so its existence is not told."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response

from accounts.api import auth
from billing import queries
from kernel import rest

TAGS = ["REST API v1: accounts"]


def _agreement(agreement, tz) -> dict:
    return {
        "tariff_code": agreement.tariff.code,
        "valid_from": rest.local_iso(agreement.active_from, tz),
        "valid_to": rest.local_iso(agreement.active_to, tz),
    }


def _meter_point(supply: queries.MeterPointSupply, tz, *, electricity: bool) -> dict:
    meter_point = supply.meter_point
    meters = []
    for meter in meter_point.meters.all():
        body = {"serial_number": meter.serial_number}
        if electricity:
            body["registers"] = [
                {"identifier": r.identifier, "rate": r.rate_band, "is_settlement_register": True}
                for r in meter.registers.all()
            ]
        meters.append(body)
    agreements = [_agreement(agreement, tz) for agreement in supply.agreements]
    if not electricity:
        return {
            "mprn": meter_point.identifier,
            "consumption_standard": meter_point.estimated_annual_consumption,
            "meters": meters,
            "agreements": agreements,
        }
    return {
        "mpan": meter_point.identifier,
        "profile_class": meter_point.profile_class,
        "consumption_standard": meter_point.estimated_annual_consumption,
        "meters": meters,
        "agreements": agreements,
        "is_export": meter_point.is_export,
    }


def account(supply: queries.AccountSupply) -> dict:
    tz = rest.local_zone()
    properties = []
    for item in supply.properties:
        address = item.property.address
        properties.append(
            {
                "id": item.property.public_id,
                "moved_in_at": rest.local_iso(item.property.occupied_from, tz),
                "moved_out_at": rest.local_iso(item.property.occupied_to, tz),
                "address_line_1": address.line_1,
                "address_line_2": address.line_2,
                "address_line_3": address.line_3,
                "town": address.locality,
                "county": address.administrative_area,
                "postcode": address.postcode,
                "electricity_meter_points": [
                    _meter_point(s, tz, electricity=True) for s in item.electricity_meter_points
                ],
                "gas_meter_points": [_meter_point(s, tz, electricity=False) for s in item.gas_meter_points],
            }
        )
    return {"number": supply.account.number, "properties": properties}


# --- The documented shape ------------------------------------------------------------------------


class AgreementSerializer(serializers.Serializer):
    tariff_code = serializers.CharField()
    valid_from = serializers.DateTimeField(help_text="Europe/London")
    valid_to = serializers.DateTimeField(allow_null=True, help_text="Exclusive; null for the current one")


class RegisterSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    rate = serializers.CharField(help_text="STANDARD, DAY, NIGHT, ...")
    is_settlement_register = serializers.BooleanField()


class ElectricityMeterSerializer(serializers.Serializer):
    serial_number = serializers.CharField()
    registers = RegisterSerializer(many=True)


class GasMeterSerializer(serializers.Serializer):
    serial_number = serializers.CharField()


class ElectricityMeterPointSerializer(serializers.Serializer):
    mpan = serializers.CharField()
    profile_class = serializers.IntegerField(allow_null=True)
    consumption_standard = serializers.IntegerField(allow_null=True, help_text="kWh a year")
    meters = ElectricityMeterSerializer(many=True)
    agreements = AgreementSerializer(many=True)
    is_export = serializers.BooleanField()


class GasMeterPointSerializer(serializers.Serializer):
    mprn = serializers.CharField()
    consumption_standard = serializers.IntegerField(allow_null=True, help_text="kWh a year")
    meters = GasMeterSerializer(many=True)
    agreements = AgreementSerializer(many=True)


class PropertySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    moved_in_at = serializers.DateTimeField(help_text="Europe/London")
    moved_out_at = serializers.DateTimeField(allow_null=True, help_text="null: the current home")
    address_line_1 = serializers.CharField()
    address_line_2 = serializers.CharField()
    address_line_3 = serializers.CharField()
    town = serializers.CharField()
    county = serializers.CharField()
    postcode = serializers.CharField()
    electricity_meter_points = ElectricityMeterPointSerializer(many=True)
    gas_meter_points = GasMeterPointSerializer(many=True)


class AccountSerializer(serializers.Serializer):
    number = serializers.CharField()
    properties = PropertySerializer(many=True, help_text="The current property first")


class AccountView(rest.RestView):
    authentication_classes = auth.CUSTOMER_API
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("account_number", str, OpenApiParameter.PATH, description="A-[0-9A-Z]{8}")
        ],
        responses={200: AccountSerializer},
        summary="Retrieve one of the caller's accounts",
        tags=TAGS,
    )
    def get(self, request, account_number: str):
        try:
            supply = queries.account_supply(number=account_number, user=request.user)
        except queries.AccountNotVisible:
            raise exceptions.NotFound() from None
        return Response(account(supply))
