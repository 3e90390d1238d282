import pytest
from django.contrib.auth.models import Permission

from accounts import models as accounts_models
from metering import models
from tests.accounts.factories import UserFactory
from tests.graphql.conftest import error_code, token_for

REGISTER = """mutation($input: RegisterSmartDeviceInput!) { registerSmartDevice(input: $input) { requestReference } }"""
DEVICE = {
    "deviceId": "00-11-22-33-44-55-66-77",
    "supplierMpid": "OCTO",
    "deviceManufacturer": "Landis+Gyr",
    "deviceModel": "E470",
    "deviceType": "ESME",
    "installCode": "0123456789ABCDEF0123456789ABCDEF",
    "serialNumber": "21L1234567",
}


@pytest.fixture
def installer(gql, db):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_smartdeviceregistration"))
    gql.token = token_for(user)
    return gql


class TestRegisterSmartDevice:
    def test_records_the_device_and_returns_a_request_reference(self, installer):
        data = installer.ok(REGISTER, {"input": DEVICE})

        reference = data["registerSmartDevice"]["requestReference"]
        row = models.SmartDeviceRegistration.objects.get()
        assert reference == row.request_reference and reference.startswith("SDR-")
        assert (row.device_id, row.device_type, row.supplier_mpid) == (
            "00-11-22-33-44-55-66-77",
            "ESME",
            "OCTO",
        )
        assert accounts_models.AuditEntry.objects.filter(action="SMART_DEVICE_REGISTERED").count() == 1

    def test_is_idempotent_for_the_same_details(self, installer):
        first = installer.ok(REGISTER, {"input": DEVICE})
        again = installer.ok(REGISTER, {"input": {**DEVICE, "deviceId": "00:11:22:33:44:55:66:77"}})

        assert first == again
        assert models.SmartDeviceRegistration.objects.count() == 1
        assert accounts_models.AuditEntry.objects.filter(action="SMART_DEVICE_REGISTERED").count() == 1

    def test_refuses_the_same_device_with_other_details(self, installer):
        installer.ok(REGISTER, {"input": DEVICE})

        _, body = installer(REGISTER, {"input": {**DEVICE, "supplierMpid": "EDFE"}})

        assert error_code(body) == "KT-CT-4321"
        assert models.SmartDeviceRegistration.objects.get().supplier_mpid == "OCTO"

    def test_refuses_invalid_details_field_by_field(self, installer):
        _, body = installer(REGISTER, {"input": {**DEVICE, "deviceId": "nope", "deviceType": "TOASTER"}})

        assert error_code(body) == "KT-CT-4321"
        paths = [e["inputPath"] for e in body["errors"][0]["extensions"]["validationErrors"]]
        assert paths == [["input", "deviceId"], ["input", "deviceType"]]
        assert not models.SmartDeviceRegistration.objects.exists()

    def test_is_refused_to_a_customer_without_the_permission(self, authed):
        _, body = authed(REGISTER, {"input": DEVICE})

        assert body["data"] == {"registerSmartDevice": None}
        assert error_code(body) == "KT-CT-1111"
        assert not models.SmartDeviceRegistration.objects.exists()
