"""Customer REST API v1 (spec/REST.md §4.4–4.6): electricity meter points, smart-meter consumption
and grid supply points. Thin doors: parse, one query, render.

Consumption needs the customer's API key (or a Kraken token) and shows only the caller's meters: a
meter point that is not theirs is "Not found."; an unknown serial, a meter that is not smart or a
window without data is an empty page.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response

from accounts.api import auth
from kernel import rest
from metering import queries

CONSUMPTION_PAGE_SIZE, CONSUMPTION_MAX_PAGE_SIZE = 100, 25_000
GSP_PAGE_SIZE = 100
TAGS = ["REST API v1: meter points and consumption"]


class ConsumptionParameters(rest.PeriodParameters):
    order_by = serializers.ChoiceField(
        choices=["-period", "period"],
        required=False,
        help_text="-period (newest first, the default) or period",
    )
    group_by = serializers.ChoiceField(
        choices=[grouping.value for grouping in queries.ConsumptionGrouping],
        required=False,
        help_text="Sum the half hours by Europe/London hour, day, week (from Monday), month or quarter",
    )


class GridSupplyPointParameters(serializers.Serializer):
    postcode = serializers.CharField(
        required=False, help_text="Any case, with or without the space, or an outward code alone"
    )


class MeterPointSerializer(serializers.Serializer):
    gsp = serializers.CharField(help_text='"_A" to "_P"')
    mpan = serializers.CharField()
    profile_class = serializers.IntegerField(allow_null=True, help_text="1 to 8")


class ConsumptionSerializer(serializers.Serializer):
    consumption = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        coerce_to_string=False,
        help_text="kWh, or m³ for most smart gas",
    )
    interval_start = serializers.DateTimeField(help_text="Europe/London")
    interval_end = serializers.DateTimeField(help_text="Europe/London, exclusive")


class GridSupplyPointSerializer(serializers.Serializer):
    group_id = serializers.CharField(help_text='"_A" to "_P"')


class ElectricityMeterPointView(rest.RestView):
    authentication_classes = auth.CUSTOMER_API
    permission_classes = []

    @extend_schema(
        parameters=[OpenApiParameter("mpan", str, OpenApiParameter.PATH, description="13 digits")],
        responses={200: MeterPointSerializer},
        summary="Retrieve an electricity meter point's region and profile class",
        tags=TAGS,
    )
    def get(self, request, mpan: str):
        try:
            meter_point = queries.electricity_meter_point(mpan=mpan)
        except queries.NotFound:
            raise exceptions.NotFound() from None
        return Response(
            {
                "gsp": queries.gsp_group_of(meter_point),
                "mpan": meter_point.identifier,
                "profile_class": meter_point.profile_class,
            }
        )


class ConsumptionView(rest.RestView):
    authentication_classes = auth.CUSTOMER_API
    permission_classes = [permissions.IsAuthenticated]
    electricity = True

    def get(self, request, serial_number: str, mpan: str | None = None, mprn: str | None = None):
        given = ConsumptionParameters(data=request.query_params)
        given.is_valid(raise_exception=True)
        page = rest.page_request(
            request, default_size=CONSUMPTION_PAGE_SIZE, max_size=CONSUMPTION_MAX_PAGE_SIZE
        )
        group_by = given.validated_data.get("group_by")
        query = queries.ConsumptionQuery(
            period=given.validated_data["period"],
            grouping=queries.ConsumptionGrouping(group_by) if group_by else None,
            newest_first=given.validated_data.get("order_by", "-period") == "-period",
            offset=page.offset,
            limit=page.size,
            tz=settings.TIME_ZONE,
        )
        try:
            result = queries.consumption_of_meter(
                user=request.user,
                identifier=mpan or mprn,
                serial_number=serial_number,
                electricity=self.electricity,
                query=query,
            )
        except queries.NotFound:
            raise exceptions.NotFound() from None
        following, preceding = rest.page_links(request, page=page, count=result.count)
        body = (
            f'{{"count":{result.count},"next":{json.dumps(following)},'
            f'"previous":{json.dumps(preceding)},"results":{result.results_json}}}'
        )
        return HttpResponse(body, content_type="application/json")


def consumption_view(*, electricity: bool):
    fuel = "electricity" if electricity else "gas"
    point = "mpan" if electricity else "mprn"
    view = type(f"{fuel.title()}ConsumptionView", (ConsumptionView,), {"electricity": electricity})
    view.get = extend_schema(
        parameters=[
            OpenApiParameter(point, str, OpenApiParameter.PATH),
            OpenApiParameter("serial_number", str, OpenApiParameter.PATH),
            ConsumptionParameters,
            *rest.page_parameters(max_size=CONSUMPTION_MAX_PAGE_SIZE),
        ],
        responses={200: rest.page_serializer(f"{fuel.title()}ConsumptionList", ConsumptionSerializer)},
        summary=f"List a smart {fuel} meter's half-hourly (or grouped) consumption",
        tags=TAGS,
    )(view.get)
    return view.as_view()


class GridSupplyPointView(rest.RestView):
    authentication_classes = auth.CUSTOMER_API
    permission_classes = []

    @extend_schema(
        parameters=[GridSupplyPointParameters, *rest.page_parameters(max_size=None)],
        responses={200: rest.page_serializer("GridSupplyPointList", GridSupplyPointSerializer)},
        summary="Find the grid supply point group (region) of a postcode, or list all 14",
        tags=TAGS,
    )
    def get(self, request):
        # Read as it comes: an invalid postcode matches nothing (200, count 0), never a 400.
        postcode = request.query_params.get("postcode") or None
        page = rest.page_request(request, default_size=GSP_PAGE_SIZE, max_size=None, size_param=None)
        groups = queries.gsp_groups_of_postcode(postcode=postcode)
        following, preceding = rest.page_links(request, page=page, count=len(groups))
        rows = groups[page.offset : page.offset + page.size]
        return Response(
            {
                "count": len(groups),
                "next": following,
                "previous": preceding,
                "results": [{"group_id": group} for group in rows],
            }
        )
