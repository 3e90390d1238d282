"""The metering app's `Query` roots: `meterPoints`, `electricityMeterReadings`/`gasMeterReadings`,
`smartMeterTelemetry` and `octoplusAccountInfo`."""

from __future__ import annotations

from datetime import timedelta

from accounts import models as accounts_models
from accounts import queries as accounts_queries
from accounts.graphql import access
from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import models, queries
from metering.graphql import types

# Kraken's reading event types mapped onto where our readings come from.
EVENT_SOURCES = {
    "CUSTOMER": (models.ReadingSource.CUSTOMER,),
    "SMART_METER": (models.ReadingSource.SMART,),
    "ESTIMATE": (models.ReadingSource.ESTIMATED,),
    "DATA_COLLECTOR": (models.ReadingSource.METER_READER, models.ReadingSource.INDUSTRY),
    "PRE_SUPPLIER": (models.ReadingSource.IMPORT,),
    "CHANGE_OF_SUPPLY": (),
    "METER_EXCHANGE": (),
    "PREPAY": (),
}
TELEMETRY_BUCKETS = {
    "TEN_SECONDS": timedelta(seconds=10),
    "ONE_MINUTE": timedelta(minutes=1),
    "FIVE_MINUTES": timedelta(minutes=5),
    "HALF_HOURLY": timedelta(minutes=30),
    "HOURLY": timedelta(hours=1),
}


def _meter_readings(info, accountNumber, meterId, eventTypes, kwargs, *, electricity: bool):
    account = access.viewer_account(info, accountNumber)
    args = gql.page_args(**kwargs)
    type_name = "ElectricityMeterType" if electricity else "GasMeterType"
    pk = gql.parse_model_id(str(meterId), type_name)
    try:
        if pk is None:
            raise queries.NotFound(str(meterId))
        meter = queries.meter_of_accounts(meter_id=pk, account_ids={account.pk}, electricity=electricity)
    except queries.NotFound as exc:
        raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
    sources = None
    if eventTypes:
        sources = {source for event in eventTypes for source in EVENT_SOURCES[gql.enum_name(event)]}
    return gql.paginate(queries.readings_of_meter(meter=meter, sources=sources), args=args)


class Query:
    @staticmethod
    def resolve_meterPoints(root, info, mpan=None, mprn=None):
        ctx = gql.context(info)
        ctx.viewer()
        identifier = mpan or mprn
        if not identifier or (mpan and mprn):
            raise gql.KrakenError(error_codes.INVALID_DATA, description="Give exactly one of mpan and mprn.")
        try:
            return queries.meter_point_of_accounts(
                identifier=identifier, account_ids=ctx.viewer_account_ids(), electricity=bool(mpan)
            )
        except queries.NotFound as exc:
            raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc

    @staticmethod
    def resolve_electricityMeterReadings(root, info, accountNumber, meterId, eventTypes=None, **kwargs):
        return _meter_readings(info, accountNumber, meterId, eventTypes, kwargs, electricity=True)

    @staticmethod
    def resolve_gasMeterReadings(root, info, accountNumber, meterId, eventTypes=None, **kwargs):
        return _meter_readings(info, accountNumber, meterId, eventTypes, kwargs, electricity=False)

    @staticmethod
    def resolve_smartMeterTelemetry(root, info, deviceId, start=None, end=None, grouping=None):
        """A smart meter's telemetry. A SmartFlex device (an EV, battery or heat pump, by its global
        id) is no smart meter and reports none: [], whoever's it is. KT-CT-1111 for a smart meter
        device that is not the viewer's."""
        ctx = gql.context(info)
        ctx.viewer()
        try:
            device = queries.smart_meter_device_of_accounts(
                device_id=deviceId, account_ids=ctx.viewer_account_ids()
            )
        except queries.NotFound as exc:
            parsed = gql.parse_global_id(deviceId)
            if parsed is not None and parsed[0].startswith("SmartFlex"):
                return []
            raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
        try:
            window = queries.telemetry_window(start=start, end=end, now=ctx.now)
        except queries.InvalidTelemetryWindow as exc:
            raise gql.KrakenError(
                error_codes.INVALID_DATA, description="start must be before end, at most 31 days apart."
            ) from exc
        bucket = TELEMETRY_BUCKETS.get(gql.enum_name(grouping)) if grouping is not None else None
        intervals = queries.telemetry_intervals(device=device, window=window, bucket=bucket)
        return [types.telemetry_view(interval) for interval in intervals]

    @staticmethod
    def resolve_octoplusAccountInfo(root, info, accountNumber):
        account = access.viewer_account(info, accountNumber)
        viewer = gql.context(info).viewer()
        eligibility = queries.octoplus_eligibility(account=account)
        reasons = list(eligibility.ineligibility_reasons)
        return gql.view(
            "OctoplusAccountInfoType",
            isOctoplusEnrolled=eligibility.is_enrolled,
            isLoyaltyPointsUser=accounts_queries.user_has_role(
                account=account, user=viewer, role=accounts_models.AccountUserRoleType.LOYALTY_POINT_USER
            ),
            octoplusEligibility=gql.view(
                "OctoplusEligibilityType",
                isEligible=not reasons,
                ineligibilityReason=reasons[0] if reasons else None,
                ineligibilityReasons=reasons,
            ),
        )
