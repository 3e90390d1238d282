"""Pages as the REST API serves them (spec/REST.md §2): `{"count", "next", "previous", "results"}`,
1-based `page`, `page_size` clamped to the endpoint's maximum (anything that is not a positive
integer means the default), and absolute `next`/`previous` links that keep every query parameter
(sorted, as DRF re-encodes them), set `page`, and leave it out for page 1.

`PageNumber` paginates a queryset (two queries: count and page); endpoints that count and fetch in
one SQL statement use `page_request` and `page_links` directly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from drf_spectacular.utils import OpenApiParameter
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

INVALID_PAGE = "Invalid page."
# No endpoint has more pages than this (25,000 a page at most of a few million rows).
MAX_PAGE = 2**31 - 1


@dataclass(frozen=True)
class PageRequest:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


_DIGITS = re.compile(r"[0-9]{1,18}")


def _positive_int(value: str | None) -> int | None:
    if value is None or not _DIGITS.fullmatch(value.strip()):
        return None
    number = int(value)
    return number if number > 0 else None


def page_parameters(*, max_size: int | None, default_size: int = 100) -> list[OpenApiParameter]:
    """`page` and, with a maximum, `page_size`, as the schema documents them."""
    documented = [OpenApiParameter("page", int, description="1-based page number; past the end: 404")]
    if max_size:
        documented.append(
            OpenApiParameter(
                "page_size",
                int,
                description=f"{default_size} by default; above {max_size:,} means {max_size:,}",
            )
        )
    return documented


def page_request(
    request, *, default_size: int, max_size: int | None, size_param: str | None = "page_size"
) -> PageRequest:
    """The page asked for. Raises NotFound ("Invalid page.") for a `page` that is not a positive
    integer."""
    raw_page = request.query_params.get("page")
    number = 1 if raw_page is None else _positive_int(raw_page)
    if number is None or number > MAX_PAGE:
        raise NotFound(INVALID_PAGE)
    size = default_size
    if size_param is not None:
        asked = _positive_int(request.query_params.get(size_param))
        if asked is not None:
            size = min(asked, max_size) if max_size else asked
    return PageRequest(number=number, size=size)


def absolute_uri(request) -> str:
    """The URL the client used, behind a proxy too (`X-Forwarded-Proto`, `X-Forwarded-Host`, the
    latter only for an allowed host)."""
    return absolute_url(request, request.get_full_path())


def absolute_url(request, path: str) -> str:
    """`path` on the scheme and host the client used (see `absolute_uri`)."""
    scheme = request.META.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
    if scheme not in ("http", "https"):
        scheme = request.scheme
    host = request.META.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
    domain, _ = split_domain_port(host) if host else ("", "")
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        host = request.get_host()
    return f"{scheme}://{host}{path}"


def page_links(request, *, page: PageRequest, count: int) -> tuple[str | None, str | None]:
    """(next, previous) of `page` among `count` results. Raises NotFound ("Invalid page.") for a
    page past the end (page 1 always exists, empty or not)."""
    pages = max(1, math.ceil(count / page.size))
    if page.number > pages:
        raise NotFound(INVALID_PAGE)
    url = absolute_uri(request)
    following = replace_query_param(url, "page", page.number + 1) if page.number < pages else None
    if page.number == 1:
        preceding = None
    elif page.number == 2:
        preceding = remove_query_param(url, "page")
    else:
        preceding = replace_query_param(url, "page", page.number - 1)
    return following, preceding


class PageNumber(pagination.PageNumberPagination):
    """A queryset paginated the REST API's way. Subclasses set `page_size` and `max_page_size`;
    `page_size_query_param = None` ignores `page_size`."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size: int | None = None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_spec = page_request(
            request,
            default_size=self.page_size,
            max_size=self.max_page_size,
            size_param=self.page_size_query_param,
        )
        self.count = queryset.count()
        self.next_link, self.previous_link = page_links(request, page=self.page_spec, count=self.count)
        start = self.page_spec.offset
        return list(queryset[start : start + self.page_spec.size]) if self.count else []

    def get_paginated_response(self, data):
        return Response(self.envelope(data))

    def envelope(self, results) -> dict:
        return {
            "count": self.count,
            "next": self.next_link,
            "previous": self.previous_link,
            "results": results,
        }


def page_serializer(name: str, item) -> type:
    """The documented envelope of a page of `item` serializers."""
    from rest_framework import serializers

    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="Matches across all pages"),
            "next": serializers.URLField(allow_null=True, help_text="Absolute URL of the next page, or null"),
            "previous": serializers.URLField(allow_null=True, help_text="Absolute URL of the previous page"),
            "results": item(many=True),
        },
    )
