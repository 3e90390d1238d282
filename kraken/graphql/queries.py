"""`Query` roots that span apps or belong to the platform itself: `krakenVersion`, `node`,
`rateLimitInfo` and `queryComplexity`."""

from __future__ import annotations

import functools
import os
import subprocess
import tomllib
from importlib import metadata

from django.conf import settings
from graphql import GraphQLError, parse, validate

from kernel import graphql as gql
from kernel.graphql import error_codes
from kraken.graphql import limits, ratelimit
from metering import queries as metering_queries


def _version() -> str:
    try:
        return metadata.version("kraken-core")
    except metadata.PackageNotFoundError:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as f:
            return tomllib.load(f)["project"]["version"]


@functools.lru_cache(maxsize=1)
def _sha() -> str | None:
    """The commit the code runs from: `KRAKEN_GIT_SHA` (set by a deployment), else the checkout's
    HEAD; None when neither says (read once per process)."""
    if sha := os.environ.get("KRAKEN_GIT_SHA"):
        return sha
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=2,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


class Query:
    @staticmethod
    def resolve_krakenVersion(root, info):
        return gql.view("KrakenVersionType", number=_version(), SHA=_sha())

    @staticmethod
    def resolve_node(root, info, id):
        ctx = gql.context(info)
        ctx.viewer()
        pk = gql.parse_model_id(id, "ElectricityMeterType", "GasMeterType")
        meter = metering_queries.get_meter(id=pk) if pk is not None else None
        if meter is None or meter.meter_point.property.account_id not in ctx.viewer_account_ids():
            raise gql.KrakenError(error_codes.UNAUTHORIZED)
        return meter

    @staticmethod
    def resolve_rateLimitInfo(root, info):
        ctx = gql.context(info)
        usage = ratelimit.usage(user_id=ctx.viewer().pk, now=ctx.now)
        return gql.view(
            "CombinedRateLimitInformation",
            pointsAllowanceRateLimit=gql.view(
                "PointsAllowanceRateLimitInformation",
                limit=usage.limit,
                remainingPoints=usage.remaining,
                usedPoints=usage.used,
                ttl=usage.ttl,
                isBlocked=usage.is_blocked,
            ),
        )

    @staticmethod
    def resolve_queryComplexity(root, info, input):
        gql.context(info).viewer()
        try:
            document = parse(input.query)
        except GraphQLError as exc:
            raise gql.KrakenError(error_codes.INVALID_DATA, description=exc.message) from exc
        try:
            score = limits.measure(info.schema, document, input.operationName, input.variables)
        except limits.FragmentCycle as cycle:
            raise limits.refuse_cycle(cycle) from cycle
        errors = validate(info.schema, document)
        if errors:
            raise gql.KrakenError(error_codes.INVALID_DATA, description=errors[0].message)
        return gql.view("QueryComplexityOutputType", complexityValue=score.complexity)
