import datetime as dt
import uuid

import pytest
from django.test import Client

from cdr import error_codes, models, operations
from tests.cdr import factories
from tests.cdr.conftest import VALIDATORS, assert_error, assert_valid

pytestmark = pytest.mark.django_db
LIST = "/cds-au/v1/energy/accounts"


def detail(account_id: str) -> str:
    return f"{LIST}/{account_id}"


@pytest.fixture
def consent(customer):
    return factories.grant(customer=customer, accounts=[factories.au_account(customer=customer)])


@pytest.fixture
def caller(cds, consent):
    return cds(factories.token_for(consent))


@pytest.fixture
def account_id(caller):
    return caller.get(LIST).json()["data"]["accounts"][0]["accountId"]


class TestInteractionId:
    def test_plays_back_the_callers_interaction_id(self, caller):
        given = str(uuid.uuid4())

        response = caller.get(LIST, **{"x-fapi-interaction-id": given})

        assert response["x-fapi-interaction-id"] == given

    def test_generates_an_rfc_4122_uuid_when_none_is_given(self, caller):
        response = caller.get(LIST)

        assert uuid.UUID(response["x-fapi-interaction-id"]).version == 4

    @pytest.mark.parametrize("version", ["99", None])
    def test_plays_it_back_on_errors_too(self, caller, version):
        given = str(uuid.uuid4())

        response = caller.get(LIST, version=version, **{"x-fapi-interaction-id": given})

        assert response.status_code in (400, 406)
        assert response["x-fapi-interaction-id"] == given

    def test_plays_it_back_on_a_401(self, cds):
        given = str(uuid.uuid4())

        response = cds("not-a-token").get(LIST, **{"x-fapi-interaction-id": given})

        assert response.status_code == 401
        assert response["x-fapi-interaction-id"] == given

    def test_refuses_one_that_is_not_a_uuid_and_answers_with_a_new_one(self, caller):
        response = caller.get(LIST, **{"x-fapi-interaction-id": "abc"})

        assert_error(response, status=400, code=error_codes.HEADER_INVALID)
        assert uuid.UUID(response["x-fapi-interaction-id"])


class TestVersionNegotiation:
    @pytest.mark.parametrize(
        ("version", "min_version", "served"),
        [
            ("2", None, "2"),
            ("4", None, "4"),
            ("3", None, "3"),
            ("99", "2", "4"),
            ("3", "4", "3"),
            ("4", "1", "4"),
        ],
    )
    def test_serves_the_highest_supported_detail_version_in_range(
        self, caller, account_id, version, min_version, served
    ):
        response = caller.get(detail(account_id), version=version, min_version=min_version)

        assert response.status_code == 200
        assert response["x-v"] == served
        assert_valid(response, schema=int(served))

    def test_serves_list_v2_when_asked_for_more_with_a_minimum(self, caller):
        response = caller.get(LIST, version="5", min_version="1")

        assert response["x-v"] == "2"
        assert_valid(response, schema="list")

    @pytest.mark.parametrize(("version", "min_version"), [("99", None), ("1", None), ("1", "1"), ("7", "5")])
    def test_refuses_a_range_with_no_supported_detail_version_with_406(
        self, caller, account_id, version, min_version
    ):
        error = assert_error(
            caller.get(detail(account_id), version=version, min_version=min_version),
            status=406,
            code=error_codes.HEADER_UNSUPPORTED_VERSION,
        )

        assert error["detail"] == "Supported versions are 2 to 4"

    def test_refuses_list_v3_with_406(self, caller):
        assert_error(caller.get(LIST, version="3"), status=406, code=error_codes.HEADER_UNSUPPORTED_VERSION)

    def test_refuses_a_missing_x_v(self, caller):
        error = assert_error(caller.get(LIST, version=None), status=400, code=error_codes.HEADER_MISSING)

        assert error["detail"] == "x-v"

    @pytest.mark.parametrize(
        ("version", "min_version"), [("foo", None), ("0", None), ("-1", None), ("2", "bar")]
    )
    def test_refuses_a_version_that_is_not_a_positive_integer(self, caller, version, min_version):
        assert_error(
            caller.get(LIST, version=version, min_version=min_version),
            status=400,
            code=error_codes.HEADER_INVALID_VERSION,
        )


class TestOtherHeaders:
    def test_requires_x_fapi_auth_date(self, caller):
        error = assert_error(
            caller.get(LIST, **{"x-fapi-auth-date": None}), status=400, code=error_codes.HEADER_MISSING
        )

        assert error["detail"] == "x-fapi-auth-date"

    @pytest.mark.parametrize(
        "header",
        [
            {"x-fapi-auth-date": "yesterday"},
            {"x-fapi-customer-ip-address": "300.1.1.1"},
            {"x-cds-client-headers": "not base64!"},
        ],
    )
    def test_refuses_a_malformed_header(self, caller, header):
        error = assert_error(caller.get(LIST, **header), status=400, code=error_codes.HEADER_INVALID)

        assert next(iter(header)) in error["detail"]

    def test_accepts_customer_present_headers(self, caller):
        response = caller.get(
            LIST,
            **{"x-fapi-customer-ip-address": "2001:db8::1", "x-cds-client-headers": "VXNlci1BZ2VudDogeA=="},
        )

        assert response.status_code == 200

    @pytest.mark.parametrize("accept", ["application/json", "*/*", "AppliCAtion/JSon;Charset=uTf-8", None])
    def test_answers_json_for_an_acceptable_accept(self, caller, accept):
        response = caller.get(LIST, Accept=accept)

        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"

    def test_refuses_an_accept_without_json_with_406(self, caller):
        assert_error(caller.get(LIST, Accept="text/html"), status=406, code=error_codes.HEADER_INVALID)

    def test_checks_authentication_before_headers(self, cds):
        response = cds(None).get(LIST, version="foo")

        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_checks_headers_before_query_parameters(self, caller):
        assert_error(
            caller.get(LIST, version="foo", data={"page": "x"}),
            status=400,
            code=error_codes.HEADER_INVALID_VERSION,
        )


class TestAuthentication:
    def test_refuses_a_missing_token_with_401(self, cds):
        response = cds(None).get(LIST)

        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_refuses_an_unknown_token_with_401(self, cds, consent):
        assert cds("cdr_" + "x" * 43).get(LIST).status_code == 401

    def test_refuses_an_expired_token_with_401(self, cds, consent, time_machine):
        token = factories.token_for(consent, expires_at=factories.NOW + dt.timedelta(minutes=5))
        time_machine.move_to(factories.NOW + dt.timedelta(minutes=5), tick=False)

        assert cds(token).get(LIST).status_code == 401


class TestConsent:
    def test_denies_at_once_after_revocation(self, cds, consent):
        caller = cds(factories.token_for(consent))
        assert caller.get(LIST).status_code == 200

        operations.revoke_consents(consents=[consent], revoked_at=factories.NOW)

        error = assert_error(caller.get(LIST), status=403, code=error_codes.AUTHORISATION_REVOKED_CONSENT)
        assert error["title"] == "Consent Is Revoked"

    def test_denies_detail_at_once_after_revocation(self, cds, consent, caller, account_id):
        operations.revoke_consents(consents=[consent], revoked_at=factories.NOW)

        assert_error(
            caller.get(detail(account_id)), status=403, code=error_codes.AUTHORISATION_REVOKED_CONSENT
        )

    def test_denies_from_the_moment_the_consent_expires(self, cds, customer, time_machine):
        expires_at = factories.NOW + dt.timedelta(minutes=10)
        consent = factories.grant(
            customer=customer, accounts=[factories.au_account(customer=customer)], expires_at=expires_at
        )
        caller = cds(factories.token_for(consent, expires_at=factories.NOW + dt.timedelta(hours=1)))
        time_machine.move_to(expires_at - dt.timedelta(microseconds=1), tick=False)
        assert caller.get(LIST).status_code == 200

        time_machine.move_to(expires_at, tick=False)

        assert_error(caller.get(LIST), status=403, code=error_codes.AUTHORISATION_REVOKED_CONSENT)

    def test_denies_detail_without_the_detail_scope(self, cds, customer):
        consent = factories.grant(
            customer=customer,
            accounts=[factories.au_account(customer=customer)],
            scopes=[models.Scope.ENERGY_ACCOUNTS_BASIC_READ],
        )
        caller = cds(factories.token_for(consent))
        account_id = caller.get(LIST).json()["data"]["accounts"][0]["accountId"]

        assert_error(
            caller.get(detail(account_id)), status=403, code=error_codes.AUTHORISATION_INVALID_CONSENT
        )

    def test_lets_the_detail_scope_list_accounts_as_it_includes_basic(self, cds, customer):
        consent = factories.grant(
            customer=customer,
            accounts=[factories.au_account(customer=customer)],
            scopes=[models.Scope.ENERGY_ACCOUNTS_DETAIL_READ],
        )

        assert cds(factories.token_for(consent)).get(LIST).status_code == 200

    def test_denies_a_recipient_that_is_no_longer_active(self, cds, consent, caller):
        models.DataRecipient.objects.filter(pk=consent.recipient_id).update(
            status=models.DataRecipientStatus.INACTIVE
        )

        error = assert_error(
            caller.get(LIST), status=403, code=error_codes.AUTHORISATION_ADR_STATUS_NOT_ACTIVE
        )

        assert error["detail"] == "INACTIVE"


class TestOtherPaths:
    def test_answers_an_unknown_path_with_resource_not_found(self, caller):
        response = caller.get("/cds-au/v1/energy/plans/unknown/thing")

        assert_error(response, status=404, code=error_codes.RESOURCE_NOT_FOUND)
        assert response["x-fapi-interaction-id"]

    def test_refuses_other_methods(self, caller, consent):
        response = caller.client.post(LIST, headers={"x-v": "2"})

        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        assert_valid(response, schema="error")


class TestUnsafeMethods:
    """A real client gets no CSRF exemption from the test client: Django's CSRF check is on."""

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    @pytest.mark.parametrize("path", [LIST, detail("anything"), "/cds-au/v1/energy/plans"])
    def test_answer_the_standards_json_405_with_the_interaction_id(self, consent, method, path):
        client = Client(enforce_csrf_checks=True)
        interaction = str(uuid.uuid4())

        response = getattr(client, method)(
            path,
            data="{}",
            content_type="application/json",
            headers={
                "x-v": "2",
                "Authorization": f"Bearer {factories.token_for(consent)}",
                "x-fapi-interaction-id": interaction,
            },
        )

        assert_error(response, status=405, code=error_codes.GENERAL_ERROR_EXPECTED)
        assert response["x-fapi-interaction-id"] == interaction
        assert response["Allow"] == "GET, HEAD"


class TestHostileIdentifiers:
    @pytest.mark.parametrize("raw", ["%00", "abc%00def", "%ED%A0%80", "%01x"])
    def test_an_account_id_that_cannot_be_text_is_an_invalid_account(self, caller, raw):
        response = caller.get(f"{LIST}/{raw}")

        assert_error(response, status=404, code=error_codes.INVALID_ENERGY_ACCOUNT)
        assert response["x-fapi-interaction-id"]

    def test_a_nul_in_an_unknown_path_is_resource_not_found(self, caller):
        response = caller.get("/cds-au/v1/energy/%00")

        assert_error(response, status=404, code=error_codes.RESOURCE_NOT_FOUND)

    @pytest.mark.parametrize("name", ["page", "page-size", "open-status"])
    def test_a_nul_in_a_query_parameter_is_field_invalid(self, caller, name):
        response = caller.get(LIST, data={name: "1\x00"})

        assert response.status_code == 400
        assert_valid(response, schema="error")

    @pytest.mark.parametrize(
        "query, headers, status, code",
        [
            ({"page": "9" * 5000}, {}, 422, error_codes.FIELD_INVALID_PAGE),
            ({"page-size": "9" * 5000}, {}, 400, error_codes.FIELD_INVALID_PAGE_SIZE),
            ({}, {"version": "9" * 5000}, 406, error_codes.HEADER_UNSUPPORTED_VERSION),
        ],
    )
    def test_a_number_too_long_for_python_to_convert_is_the_largest(
        self, caller, query, headers, status, code
    ):
        response = caller.get(LIST, data=query, **headers)

        assert_error(response, status=status, code=code)


class TestSchemaHarness:
    def test_rejects_a_body_missing_a_required_field(self, caller):
        body = caller.get(LIST).json()
        del body["data"]["accounts"][0]["accountId"]

        assert not VALIDATORS["list"].is_valid(body)
