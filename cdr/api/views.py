"""Doors for the CDS energy account endpoints under /cds-au/v1.

Each request is checked in the order the spec gives: authentication (token → consent, scope), then
headers and version, then query parameters, then the resource. Before the resource is read, meter
points added to a consented account since the grant get their servicePointIds (a no-op read when
none are missing). Every response carries x-fapi-interaction-id; every success carries the version
served in x-v.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from cdr import error_codes, models, operations, queries
from cdr.api import protocol, renderers
from kernel import clock, sanitise

logger = logging.getLogger(__name__)

LIST_VERSIONS = (2,)
DETAIL_VERSIONS = (2, 3, 4)


class _Unauthorised(Exception):
    """No bearer token, or one that is unknown or expired: 401 with no body, as the CDS allows."""


def _authorise(request: HttpRequest, *, scope: str, now: datetime) -> models.Consent:
    token = protocol.bearer_token(request)
    if token is None:
        raise _Unauthorised
    try:
        return queries.consent_for_token(token=token, scope=scope, now=now)
    except queries.InvalidAccessToken:
        raise _Unauthorised from None
    except queries.RecipientNotActive as error:
        raise protocol.CdsError(
            status=403, code=error_codes.AUTHORISATION_ADR_STATUS_NOT_ACTIVE, detail=error.status
        ) from None
    except queries.ConsentRevoked:
        raise protocol.CdsError(
            status=403,
            code=error_codes.AUTHORISATION_REVOKED_CONSENT,
            detail="The consent has been revoked or has expired",
        ) from None
    except queries.ScopeNotGranted:
        raise protocol.CdsError(
            status=403,
            code=error_codes.AUTHORISATION_INVALID_CONSENT,
            detail=f"The consent does not include {scope}",
        ) from None


def _respond(request: HttpRequest, handler: Callable[..., tuple[dict, int]]) -> HttpResponse:
    interaction_id = protocol.interaction_id(request)
    try:
        if request.method not in ("GET", "HEAD"):
            raise protocol.CdsError(
                status=405, code=error_codes.GENERAL_ERROR_EXPECTED, detail=f"{request.method} is not allowed"
            )
        body, version = handler(now=clock.now())
        response = protocol.json_response(body)
        response["x-v"] = str(version)
    except _Unauthorised:
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    except protocol.CdsError as error:
        response = protocol.error_response(error)
        if error.status == 405:
            response["Allow"] = "GET, HEAD"
    except Exception:
        logger.exception("Unable to serve CDR request %s", request.path)
        response = protocol.error_response(
            protocol.CdsError(
                status=500,
                code=error_codes.GENERAL_ERROR_UNEXPECTED,
                detail="The request could not be served",
            )
        )
    response["x-fapi-interaction-id"] = interaction_id
    return response


# The CDS authenticates by bearer token and never by cookie, so Django's CSRF check (which would
# answer an unsafe method with its HTML 403 page) does not apply; `_respond` refuses such methods
# with the standard's JSON 405 instead.
@csrf_exempt
def energy_accounts(request: HttpRequest) -> HttpResponse:
    """Get Energy Accounts (v2)."""

    def handle(*, now: datetime) -> tuple[dict, int]:
        consent = _authorise(request, scope=models.Scope.ENERGY_ACCOUNTS_BASIC_READ, now=now)
        version = protocol.negotiate_version(request, supported=LIST_VERSIONS)
        protocol.check_headers(request)
        paging = protocol.page_request(request)
        open_status = request.GET.get("open-status", queries.ALL)
        if open_status not in queries.OPEN_STATUS_FILTERS:
            raise protocol.CdsError(
                status=400, code=error_codes.FIELD_INVALID, detail="open-status must be OPEN, CLOSED or ALL"
            )
        operations.assign_service_point_ids(consent=consent, assigned_at=now)
        try:
            page = queries.energy_accounts(
                consent=consent,
                open_status=open_status,
                page=paging.page,
                page_size=paging.page_size,
                as_of=now,
            )
        except queries.PageOutOfRange as error:
            raise protocol.CdsError(
                status=422, code=error_codes.FIELD_INVALID_PAGE, detail=str(error.total_pages)
            ) from None
        links = protocol.paginated_links(request, page=paging.page, total_pages=page.total_pages)
        return renderers.account_list(page, links=links), version

    return _respond(request, handle)


@csrf_exempt
def energy_account_detail(request: HttpRequest, account_id: str) -> HttpResponse:
    """Get Energy Account Detail (v2, v3, v4)."""

    def handle(*, now: datetime) -> tuple[dict, int]:
        consent = _authorise(request, scope=models.Scope.ENERGY_ACCOUNTS_DETAIL_READ, now=now)
        version = protocol.negotiate_version(request, supported=DETAIL_VERSIONS)
        protocol.check_headers(request)
        if not sanitise.is_safe_text(account_id):
            raise protocol.CdsError(status=404, code=error_codes.INVALID_ENERGY_ACCOUNT, detail="accountId")
        operations.assign_service_point_ids(consent=consent, assigned_at=now)
        try:
            account = queries.energy_account(consent=consent, account_id=account_id, as_of=now)
        except queries.AccountNotFound:
            raise protocol.CdsError(
                status=404, code=error_codes.INVALID_ENERGY_ACCOUNT, detail=account_id
            ) from None
        except queries.AccountUnavailable:
            raise protocol.CdsError(
                status=404, code=error_codes.UNAVAILABLE_ENERGY_ACCOUNT, detail=account_id
            ) from None
        return renderers.account_detail(
            account, version=version, self_link=request.build_absolute_uri()
        ), version

    return _respond(request, handle)


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under /cds-au/v1: Resource/NotFound."""

    def handle(*, now: datetime) -> tuple[dict, int]:
        detail = request.path if sanitise.is_safe_text(request.path) else "path"
        raise protocol.CdsError(status=404, code=error_codes.RESOURCE_NOT_FOUND, detail=detail)

    return _respond(request, handle)
