"""The metering app's `Mutation` fields: smart meter device registration and customer meter
readings. Each parses its input, calls one operation and maps its exceptions to error codes."""

from __future__ import annotations

from kernel import graphql as gql
from kernel.graphql import error_codes
from metering import operations, queries


def _submit(info, *, identifier, read_date, values, serial_number, electricity: bool) -> dict:
    ctx = gql.context(info)
    viewer = ctx.viewer()
    if not identifier or read_date is None:
        raise gql.invalid_input("The meter point and readAt are required.")
    read_at = queries.customer_read_at(read_date)
    try:
        meter_point = queries.meter_point_of_accounts(
            identifier=identifier, account_ids=ctx.viewer_account_ids(), electricity=electricity
        )
        meter = queries.meter_on(meter_point=meter_point, at=read_at, serial_number=serial_number)
    except queries.NotFound as exc:
        raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
    try:
        stored = operations.submit_customer_reading(
            meter=meter, read_at=read_at, values=values, now=ctx.now, submitted_by=viewer
        )
    except operations.InvalidReadings as exc:
        fields: dict[str, list] = {}
        for error in exc.errors:
            fields.setdefault(error.field, []).append(
                gql.view("SerializerErrorType", message=error.message, code="invalid")
            )
        return gql.view(
            "CreateMeterReadingOutputType",
            readingErrors=[
                gql.view("SerializerFieldErrorsType", field=f, errors=e) for f, e in fields.items()
            ],
            id=None,
        )
    reading_type = "ElectricityMeterReadingType" if electricity else "GasMeterReadingType"
    return gql.view(
        "CreateMeterReadingOutputType", readingErrors=[], id=gql.model_id(reading_type, stored[0].pk)
    )


class Mutation:
    @staticmethod
    def resolve_registerSmartDevice(root, info, input):
        ctx = gql.context(info)
        details = operations.SmartDeviceDetails(
            device_id=input.deviceId,
            device_type=input.deviceType,
            device_manufacturer=input.deviceManufacturer,
            device_model=input.deviceModel,
            supplier_mpid=input.supplierMpid,
            install_code=input.installCode,
            map_mpid=input.mapMpid or "",
            smets_chts_version=input.smetsChtsVersion or "",
            esme_variant=input.esmeVariant or "",
            serial_number=input.serialNumber or "",
            firmware_version=input.firmwareVersion or "",
        )
        try:
            registration = operations.register_smart_device(
                details=details, registered_by=ctx.viewer(), now=ctx.now
            )
        except operations.RegistrationNotPermitted as exc:
            raise gql.KrakenError(error_codes.UNAUTHORIZED) from exc
        except operations.InvalidSmartDevice as exc:
            raise gql.invalid_input(str(exc), errors=[(e.field, e.message) for e in exc.errors]) from exc
        except operations.SmartDeviceAlreadyRegistered as exc:
            raise gql.invalid_input(
                "The device is registered already with other details.",
                errors=[("deviceId", "Registered already.")],
            ) from exc
        return gql.view("RegisterSmartDevice", requestReference=registration.request_reference)

    @staticmethod
    def resolve_createElectricityMeterReading(
        root, info, mpan=None, readAt=None, readings=None, serialNumber=None
    ):
        values = [(r.registerId, r.reading) for r in readings or []]
        return _submit(
            info,
            identifier=mpan,
            read_date=readAt,
            values=values,
            serial_number=serialNumber,
            electricity=True,
        )

    @staticmethod
    def resolve_createGasMeterReading(root, info, mprn=None, readAt=None, reading=None, serialNumber=None):
        return _submit(
            info,
            identifier=mprn,
            read_date=readAt,
            values=[(None, reading)],
            serial_number=serialNumber,
            electricity=False,
        )
