"""The base of the customer REST API v1 (spec/REST.md) every app's `api/` package builds on: query
parameter parsing (Europe/London datetimes, lenient booleans), absolute page links, the view base
(CORS, both slash forms, throttling) and datetime rendering. No business rules live here."""

from kernel.rest.formatting import local_iso, utc_iso
from kernel.rest.pagination import (
    PageNumber,
    PageRequest,
    absolute_uri,
    absolute_url,
    page_links,
    page_parameters,
    page_request,
    page_serializer,
)
from kernel.rest.params import (
    LenientBooleanField,
    LocalDateTimeField,
    PeriodParameters,
    local_zone,
    parse_bool,
    parse_local_datetime,
    storable_text,
)
from kernel.rest.views import RestView, optional_slash

__all__ = [
    "LenientBooleanField",
    "LocalDateTimeField",
    "PageNumber",
    "PageRequest",
    "PeriodParameters",
    "RestView",
    "absolute_uri",
    "absolute_url",
    "local_iso",
    "local_zone",
    "optional_slash",
    "page_links",
    "page_parameters",
    "page_request",
    "page_serializer",
    "parse_bool",
    "parse_local_datetime",
    "storable_text",
    "utc_iso",
]
