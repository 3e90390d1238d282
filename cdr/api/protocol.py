"""The CDS request/response protocol: headers, version negotiation, pagination parameters and the
error envelope (`ResponseErrorListV2`). No domain logic here, only the standard's rules.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
import sys
import uuid
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_http_date

from cdr import error_codes

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
JSON = "application/json"
POSITIVE_INTEGER = re.compile(r"^[0-9]+$")
MAX_DIGITS = 18  # any count beyond this is beyond every page, page size and version


class CdsError(Exception):
    """An error the standard names: rendered as `{"errors": [{code, title, detail}]}` with `status`."""

    def __init__(self, *, status: int, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


def json_response(body: dict, *, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body, separators=(",", ":")), status=status, content_type=JSON)


def error_response(error: CdsError) -> HttpResponse:
    return json_response(
        {"errors": [{"code": error.code, "title": error_codes.TITLES[error.code], "detail": error.detail}]},
        status=error.status,
    )


def interaction_id(request: HttpRequest) -> str:
    """The request's x-fapi-interaction-id to play back, or a new RFC 4122 UUID if it sent none or
    one that is not a UUID (`check_headers` then reports it)."""
    given = request.headers.get("x-fapi-interaction-id")
    if given is not None and _is_uuid(given):
        return given
    return str(uuid.uuid4())


def bearer_token(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _positive_integer(value: str) -> int | None:
    """The positive integer `value` spells, or None. One with more digits than any count the
    standard deals in is taken as the largest (a page past the last, a version too new) rather
    than converted: Python refuses to convert strings of more than 4,300 digits."""
    value = value.strip()
    if not POSITIVE_INTEGER.match(value):
        return None
    if len(value.lstrip("0")) > MAX_DIGITS:
        return sys.maxsize
    return int(value) if int(value) >= 1 else None


def negotiate_version(request: HttpRequest, *, supported: tuple[int, ...]) -> int:
    """The highest supported version in [x-min-v, x-v]; exactly x-v if x-min-v is absent, or is
    not below x-v (the CDS says to treat it as absent then).

    Raises CdsError: Header/Missing (no x-v), Header/InvalidVersion (not a positive integer),
    Header/UnsupportedVersion (406, nothing supported in range).
    """
    raw_version = request.headers.get("x-v")
    if raw_version is None or not raw_version.strip():
        raise CdsError(status=400, code=error_codes.HEADER_MISSING, detail="x-v")
    version = _positive_integer(raw_version)
    if version is None:
        raise CdsError(
            status=400, code=error_codes.HEADER_INVALID_VERSION, detail="x-v must be a positive integer"
        )
    minimum = version
    raw_minimum = request.headers.get("x-min-v")
    if raw_minimum is not None:
        parsed_minimum = _positive_integer(raw_minimum)
        if parsed_minimum is None:
            raise CdsError(
                status=400,
                code=error_codes.HEADER_INVALID_VERSION,
                detail="x-min-v must be a positive integer",
            )
        if parsed_minimum < version:
            minimum = parsed_minimum
    candidates = [candidate for candidate in supported if minimum <= candidate <= version]
    if not candidates:
        raise CdsError(
            status=406,
            code=error_codes.HEADER_UNSUPPORTED_VERSION,
            detail=f"Supported versions are {min(supported)} to {max(supported)}",
        )
    return max(candidates)


def check_headers(request: HttpRequest) -> None:
    """The other request headers of an authenticated resource call.

    Raises CdsError: Header/Missing (no x-fapi-auth-date), Header/Invalid (a malformed
    x-fapi-interaction-id, x-fapi-auth-date, x-fapi-customer-ip-address or x-cds-client-headers;
    406 for an Accept that does not allow JSON).
    """
    given_id = request.headers.get("x-fapi-interaction-id")
    if given_id is not None and not _is_uuid(given_id):
        raise CdsError(
            status=400, code=error_codes.HEADER_INVALID, detail="x-fapi-interaction-id must be a UUID"
        )
    auth_date = request.headers.get("x-fapi-auth-date")
    if auth_date is None:
        raise CdsError(status=400, code=error_codes.HEADER_MISSING, detail="x-fapi-auth-date")
    try:
        parse_http_date(auth_date)
    except ValueError:
        raise CdsError(
            status=400, code=error_codes.HEADER_INVALID, detail="x-fapi-auth-date must be an HTTP-date"
        ) from None
    customer_ip = request.headers.get("x-fapi-customer-ip-address")
    if customer_ip is not None:
        try:
            ipaddress.ip_address(customer_ip.strip())
        except ValueError:
            raise CdsError(
                status=400, code=error_codes.HEADER_INVALID, detail="x-fapi-customer-ip-address"
            ) from None
    client_headers = request.headers.get("x-cds-client-headers")
    if client_headers is not None:
        try:
            base64.b64decode(client_headers.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise CdsError(
                status=400, code=error_codes.HEADER_INVALID, detail="x-cds-client-headers must be Base64"
            ) from None
    if not _accepts_json(request.headers.get("Accept")):
        raise CdsError(
            status=406, code=error_codes.HEADER_INVALID, detail="Accept must allow application/json"
        )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _accepts_json(accept: str | None) -> bool:
    if accept is None or not accept.strip():
        return True
    media_ranges = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return any(media in (JSON, "application/*", "*/*") for media in media_ranges)


@dataclass(frozen=True)
class PageRequest:
    page: int
    page_size: int


def page_request(request: HttpRequest) -> PageRequest:
    """`page` (default 1) and `page-size` (default 25, at most 1000).

    Raises CdsError: Field/Invalid (not a positive integer), Field/InvalidPageSize (over 1000).
    """
    values = {}
    for name, default in (("page", 1), ("page-size", DEFAULT_PAGE_SIZE)):
        raw = request.GET.get(name)
        if raw is None:
            values[name] = default
            continue
        parsed = _positive_integer(raw)
        if parsed is None:
            raise CdsError(
                status=400, code=error_codes.FIELD_INVALID, detail=f"{name} must be a positive integer"
            )
        values[name] = parsed
    if values["page-size"] > MAX_PAGE_SIZE:
        raise CdsError(
            status=400,
            code=error_codes.FIELD_INVALID_PAGE_SIZE,
            detail=f"page-size must be at most {MAX_PAGE_SIZE}",
        )
    return PageRequest(page=values["page"], page_size=values["page-size"])


def paginated_links(request: HttpRequest, *, page: int, total_pages: int) -> dict[str, str]:
    """LinksPaginated: `self` always; `first`/`prev` unless on the first page; `next`/`last` unless
    on the last. Fully qualified, keeping the request's other parameters (page-size, filters)."""

    def link(to_page: int) -> str:
        query = request.GET.copy()
        query.pop("page", None)
        query["page"] = str(to_page)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    links = {"self": request.build_absolute_uri()}
    if page > 1:
        links["first"] = link(1)
        links["prev"] = link(min(page - 1, max(total_pages, 1)))
    if page < total_pages:
        links["next"] = link(page + 1)
        links["last"] = link(total_pages)
    return links
