"""Customer REST API v1 (spec/REST.md §4.1–4.3): the product catalogue and tariff charges. Public
(a valid key is accepted, a wrong one refused). Thin doors: parse, one query, render.

Prices are Decimal pence in the domain and JSON numbers on the wire; tax is added exactly (no
rounding on a price) by `queries.Charge.value_inc_tax`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from accounts.api import auth
from billing import queries
from billing.api import rest_output as out
from kernel import clock, rest

UNKNOWN_PRODUCT = "No EnergyProduct matches the given query."
UNKNOWN_TARIFF = {
    False: "No ElectricityTariff matches the given query.",
    True: "No GasTariff matches the given query.",
}
PRODUCT_FLAGS = ("is_variable", "is_green", "is_tracker", "is_prepay")
CHARGES_PAGE_SIZE, CHARGES_MAX_PAGE_SIZE = 100, 1500
TAGS = ["REST API v1: products"]
PRODUCT_CODE = OpenApiParameter("product_code", str, OpenApiParameter.PATH, description="e.g. VAR-22-11-01")
TARIFF_CODE = OpenApiParameter(
    "tariff_code", str, OpenApiParameter.PATH, description="<fuel>-<registers>R-<product>-<region>"
)


class ProductListParameters(serializers.Serializer):
    is_variable = rest.LenientBooleanField(help_text="true: variable-rate products only")
    is_green = rest.LenientBooleanField(help_text="true: green products only")
    is_tracker = rest.LenientBooleanField(help_text="true: tracker products only")
    is_prepay = rest.LenientBooleanField(help_text="true: prepayment products only")
    is_business = rest.LenientBooleanField(help_text="true: business products only (left out otherwise)")
    is_historical = rest.LenientBooleanField(help_text="true: also products no longer available")
    available_at = rest.LocalDateTimeField(
        required=False, help_text="Products that can be taken on at this instant (default now)"
    )
    brand = serializers.CharField(
        required=False, max_length=64, validators=[rest.storable_text], help_text="e.g. OCTOPUS_ENERGY"
    )


class ProductDetailParameters(serializers.Serializer):
    tariffs_active_at = rest.LocalDateTimeField(
        required=False, help_text="The prices in force at this instant (default now)"
    )


class ProductsPagination(rest.PageNumber):
    page_size = 100
    page_size_query_param = None  # observed: the live service ignores page_size here


class PublicView(rest.RestView):
    authentication_classes = auth.CUSTOMER_API
    permission_classes = []


def _valid(parameters_class, request) -> dict:
    parameters = parameters_class(data=request.query_params)
    parameters.is_valid(raise_exception=True)
    return parameters.validated_data


class ProductListView(PublicView):
    @extend_schema(
        parameters=[ProductListParameters, *rest.page_parameters(max_size=None)],
        responses={200: out.ProductListSerializer},
        operation_id="v1_products_list",
        summary="List products",
        tags=TAGS,
    )
    def get(self, request):
        given = _valid(ProductListParameters, request)
        products = queries.available_products(
            at=given.get("available_at") or clock.now(),
            historical=bool(given.get("is_historical")),
            business=bool(given.get("is_business")),
            flags=[flag for flag in PRODUCT_FLAGS if given.get(flag)],
            brand=given.get("brand") or None,
        )
        paginator = ProductsPagination()
        page = paginator.paginate_queryset(products, request, view=self)
        return paginator.get_paginated_response([out.product(request, item) for item in page])


class ProductDetailView(PublicView):
    @extend_schema(
        parameters=[PRODUCT_CODE, ProductDetailParameters],
        responses={200: out.ProductDetailSerializer},
        summary="Retrieve a product with its tariffs by region and payment method",
        tags=TAGS,
    )
    def get(self, request, product_code: str):
        at = _valid(ProductDetailParameters, request).get("tariffs_active_at") or clock.now()
        try:
            detail = queries.product_detail(code=product_code, at=at)
        except queries.UnknownProduct:
            raise exceptions.NotFound(UNKNOWN_PRODUCT) from None
        return Response(out.product_detail(request, detail, at=at))


class ChargesView(PublicView):
    """One list of charges: `gas` tariffs or electricity ones, and `kind` a rate band or
    `queries.STANDING_CHARGE`."""

    cache_max_age = 300
    gas = False
    kind = queries.STANDING_CHARGE

    @extend_schema(
        parameters=[PRODUCT_CODE, TARIFF_CODE, rest.PeriodParameters, *rest.page_parameters(max_size=1500)],
        responses={200: out.ChargeListSerializer},
        tags=TAGS,
    )
    def get(self, request, product_code: str, tariff_code: str):
        period = _valid(rest.PeriodParameters, request)["period"]
        page = rest.page_request(request, default_size=CHARGES_PAGE_SIZE, max_size=CHARGES_MAX_PAGE_SIZE)
        try:
            tariff = queries.tariff_of_product(
                product_code=product_code, tariff_code=tariff_code, gas=self.gas
            )
        except queries.UnknownProduct:
            raise exceptions.NotFound(UNKNOWN_PRODUCT) from None
        except queries.UnknownTariff:
            raise exceptions.NotFound(UNKNOWN_TARIFF[self.gas]) from None
        count, charges = queries.charges_page(
            tariff=tariff, kind=self.kind, period=period, offset=page.offset, limit=page.size
        )
        following, preceding = rest.page_links(request, page=page, count=count)
        return Response(
            {
                "count": count,
                "next": following,
                "previous": preceding,
                "results": [out.charge(item) for item in charges],
            }
        )


def charges_view(*, gas: bool, kind: str, summary: str):
    """The view of one charge list, documented under its own summary."""
    view = type(f"{'Gas' if gas else 'Electricity'}{kind.title().replace('_', '')}View", (ChargesView,), {})
    view.gas, view.kind = gas, kind
    view.get = extend_schema(summary=summary)(view.get)
    return view.as_view()
