"""JSON parsing with a body size cap and no crash on pathological nesting."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import exceptions, parsers

from imports.api import errors

MAX_BODY_BYTES = getattr(settings, "IMPORTS_MAX_BODY_BYTES", 2_621_440)


def _refuse_constant(name: str):
    """JSON has no NaN or Infinity; Python's parser accepts them unless told not to."""
    raise ValueError(f"{name} is not valid JSON")


class ImportJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and str(length).isdigit() and int(length) > MAX_BODY_BYTES:
            raise errors.RequestTooLarge()
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise errors.RequestTooLarge()
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from None
