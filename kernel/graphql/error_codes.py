"""Kraken GraphQL error codes the customer API produces (spec/GRAPHQL.md, "Error shape").
Messages are for humans; the codes are the contract clients branch on."""

from __future__ import annotations

from kernel import errors
from kernel.errors import ErrorCode


def _code(code: str, error_type: str, message: str, description: str) -> ErrorCode:
    return errors.define(code, message, description=description, error_type=error_type)


UNAUTHORIZED = _code(
    "KT-CT-1111", "AUTHORIZATION", "Unauthorized.", "The viewer is not authorized to perform this action."
)
AUTHORIZATION_HEADER_MISSING = _code(
    "KT-CT-1112",
    "AUTHORIZATION",
    "'Authorization' header not provided.",
    "An 'Authorization' header with a Kraken token is required for this field.",
)
FIELD_DISABLED = _code(
    "KT-CT-1113", "SERVICE_AVAILABILITY", "Disabled GraphQL field requested.", "This field is not enabled."
)
TOKEN_EXPIRED = _code(
    "KT-CT-1124",
    "AUTHORIZATION",
    "Signature of the JWT has expired.",
    "Signature of the JWT has expired. Obtain a new token with the refresh token.",
)
TOKEN_INPUT_INVALID = _code(
    "KT-CT-1134",
    "VALIDATION",
    "Invalid data.",
    "Provide exactly one of: email and password, APIKey, refreshToken.",
)
TOKEN_INPUT_UNSUPPORTED = _code(
    "KT-CT-1135", "VALIDATION", "Invalid data.", "This credential type is not supported."
)
INVALID_CREDENTIALS = _code(
    "KT-CT-1138",
    "VALIDATION",
    "Invalid data.",
    "Please make sure the email address and password you entered are correct.",
)
AUTHENTICATION_FAILED = _code("KT-CT-1139", "VALIDATION", "Invalid data.", "Authentication failed.")
INVALID_REFRESH_TOKEN = _code(
    "KT-CT-1143", "VALIDATION", "Invalid data.", "The refresh token is invalid, expired or revoked."
)
COMPLEXITY_LIMIT = _code(
    "KT-CT-1188", "VALIDATION", "Query complexity limit exceeded.", "The query is too complex."
)
NODE_LIMIT = _code(
    "KT-CT-1189", "VALIDATION", "Query exceeds maximum node count.", "The query asks for too many nodes."
)
DEPTH_LIMIT = _code(
    "KT-CT-1188", "VALIDATION", "Query complexity limit exceeded.", "The query is nested too deeply."
)
# The public schema documents no code for bad Relay arguments; we answer with the generic
# serializer validation error.
INVALID_PAGINATION = _code(
    "KT-CT-4321", "VALIDATION", "Serializer validation error.", "Invalid pagination arguments."
)
INVALID_DATA = _code("KT-CT-4321", "VALIDATION", "Serializer validation error.", "Invalid input.")
ACCOUNT_NOT_VISIBLE = _code(
    "KT-CT-4177",
    "AUTHORIZATION",
    "Unauthorized.",
    "The viewer is not authorized to access this account, or it does not exist.",
)
NO_DEVICE = _code(
    "KT-CT-4301", "NOT_FOUND", "Unable to find device for given account.", "No device for this account."
)
INTERNAL = _code("KT-CT-1101", "APPLICATION", "Internal error.", "An unexpected error occurred.")
# Kraken's public schema documents no code for a request that is not GraphQL over JSON, or whose
# document does not fit the schema; these two, next to KT-CT-1101 in the core block, are this
# project's. A malformed body answers HTTP 400, a document that does not fit HTTP 200.
INVALID_REQUEST = _code(
    "KT-CT-1102",
    "VALIDATION",
    "Invalid request.",
    "The body must be a JSON object with a 'query' string, and 'variables' a JSON object.",
)
INVALID_QUERY = _code(
    "KT-CT-1103",
    "VALIDATION",
    "Invalid GraphQL query.",
    "The query does not parse, or does not fit the schema, or its variables do not fit their types.",
)
# Kraken's public schema documents no error for a priced period the platform cannot price; these
# two, next to this project's KT-CT-1102/1103, are this project's too.
NO_CONSUMPTION_DATA = _code(
    "KT-CT-1104",
    "NOT_FOUND",
    "No consumption data.",
    "The meter point has no consumption data (half hours or meter reads) for the period.",
)
UNABLE_TO_PRICE = _code(
    "KT-CT-1105",
    "APPLICATION",
    "Unable to price the period.",
    "The tariff has no rate for part of the period, or the readings cannot be priced.",
)
CHARGE_PREFERENCES_FAILED = _code(
    "KT-CT-4353",
    "VALIDATION",
    "An error occurred while trying to update your charging preferences.",
    "The charging preferences could not be set.",
)
BOOST_CANCEL_FAILED = _code(
    "KT-CT-4354", "VALIDATION", "Unable to cancel boost charge.", "The device cannot cancel a boost now."
)
PLANNED_DISPATCHES_UNAVAILABLE = _code(
    "KT-CT-4340",
    "APPLICATION",
    "Unable to fetch planned dispatches.",
    "The device is not live under smart control, so it has no dispatch plan.",
)
BOOST_NOT_AVAILABLE = _code(
    "KT-CT-4356",
    "VALIDATION",
    "A boost charge cannot currently be performed.",
    "The device is not live or its smart control is suspended.",
)
NO_LOYALTY_LEDGER = _code(
    "KT-CT-9201",
    "NOT_FOUND",
    "No Loyalty Point ledger found for the user.",
    "The viewer has no loyalty points.",
)
NON_POSITIVE_POINTS = _code(
    "KT-CT-9204", "VALIDATION", "Negative or zero points set.", "Redeem a positive number of points."
)
INSUFFICIENT_POINTS = _code(
    "KT-CT-9205",
    "VALIDATION",
    "Insufficient Loyalty Points.",
    "The viewer holds fewer points than asked for.",
)
INDIVISIBLE_POINTS = _code(
    "KT-CT-9206",
    "VALIDATION",
    "Indivisible points.",
    "Points are redeemed in whole pence: multiples of 8 (8 points are 1p).",
)
LOYALTY_POINTS_FAILED = _code(
    "KT-CT-9210", "APPLICATION", "Unhandled Loyalty Points exception.", "The points could not be redeemed."
)
RATE_LIMITED = _code(
    "KT-CT-1199",
    "RATE_LIMIT",
    "Too many requests.",
    "The viewer has used up the hourly points allowance; try again when it resets.",
)
KRAKEN_TOKEN_EXPIRED = _code(
    "KT-CT-1120",
    "VALIDATION",
    "The Kraken Token has expired.",
    "Obtain a new Kraken token for the user first.",
)
NOT_A_KRAKEN_TOKEN = _code(
    "KT-CT-1121",
    "VALIDATION",
    "Please use Kraken Token to issue long-lived refresh tokens.",
    "krakenToken must be a valid Kraken access token of the account user.",
)
NOT_AN_ACCOUNT_USER = _code(
    "KT-CT-1122",
    "VALIDATION",
    "Long-lived refresh tokens can only be issued for account users.",
    "The token's user holds no role on any account.",
)
LONG_LIVED_TOKEN_UNAUTHORIZED = _code(
    "KT-CT-1132",
    "AUTHORIZATION",
    "Unauthorized.",
    "The viewer may not issue long-lived refresh tokens.",
)
