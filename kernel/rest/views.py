"""The view base of the REST API v1 and its URL helper.

- `optional_slash` answers a path with and without its trailing slash, with no redirect: clients
  built on httpx treat a 3xx as an error, and some build every path without the slash.
- `RestView`: JSON only, `Access-Control-Allow-Origin: *` on every answer, a CORS preflight
  (`OPTIONS`) answered 200 before authentication, and a per-caller rate limit (`RateLimit`).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import re_path
from django.utils.cache import patch_vary_headers
from rest_framework import renderers, throttling
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel import clock, ratelimit

DEFAULT_RATE_LIMITS = {"anonymous": 600, "authenticated": 1200}  # requests a minute
WINDOW_SECONDS = 60


def optional_slash(regex: str, view, name: str):
    """A URL pattern for `^regex/?$`: the same answer with and without the trailing slash."""
    return re_path(rf"^{regex}/?$", view, name=name)


class RateLimit(throttling.BaseThrottle):
    """`settings.REST_API_RATE_LIMITS` requests a minute per caller: per user when authenticated,
    per client address otherwise. Over it, 429 with `Retry-After`."""

    def allow_request(self, request, view):
        limits = {**DEFAULT_RATE_LIMITS, **getattr(settings, "REST_API_RATE_LIMITS", {})}
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            caller, limit = f"user:{user.pk}", limits["authenticated"]
        else:
            # The peer's address: X-Forwarded-For is the client's to write, so it is not trusted.
            caller, limit = f"address:{request.META.get('REMOTE_ADDR', '')}", limits["anonymous"]
        prefix = getattr(settings, "REST_API_RATE_LIMIT_KEY_PREFIX", "rest-v1-requests")
        key, ttl = ratelimit.window(key=f"{prefix}:{caller}", seconds=WINDOW_SECONDS, now=clock.now())
        used = ratelimit.add(key=key, amount=1, ttl=ttl)
        self.seconds_left = ttl
        return used <= limit

    def wait(self):
        return self.seconds_left


class RestView(APIView):
    """Apps set `authentication_classes` and `permission_classes`; `cache_max_age` (seconds) adds
    `Cache-Control` and `Vary: Authorization` to successful answers."""

    renderer_classes = [renderers.JSONRenderer]
    throttle_classes = [RateLimit]
    cache_max_age: int | None = None

    def initial(self, request, *args, **kwargs):
        if request.method == "OPTIONS":
            # A CORS preflight carries no credentials: answer it before authenticating.
            self.format_kwarg = self.get_format_suffix(**kwargs)
            neg = self.perform_content_negotiation(request)
            request.accepted_renderer, request.accepted_media_type = neg
            return
        super().initial(request, *args, **kwargs)

    def options(self, request, *args, **kwargs):
        response = Response(status=200)
        response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response["Access-Control-Allow-Headers"] = "authorization, content-type"
        response["Access-Control-Max-Age"] = "86400"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        if self.cache_max_age is not None and response.status_code == 200 and request.method == "GET":
            response["Cache-Control"] = f"max-age={self.cache_max_age}"
            patch_vary_headers(response, ["Authorization"])
        return response
