"""Consumer Data Standards error codes (the contract) and their fixed titles.

Source: ConsumerDataStandardsAustralia/standards `slate/source/includes/standards/_errors.md`.
"""

HEADER_MISSING = "urn:au-cds:error:cds-all:Header/Missing"
HEADER_INVALID = "urn:au-cds:error:cds-all:Header/Invalid"
HEADER_INVALID_VERSION = "urn:au-cds:error:cds-all:Header/InvalidVersion"
HEADER_UNSUPPORTED_VERSION = "urn:au-cds:error:cds-all:Header/UnsupportedVersion"
FIELD_INVALID = "urn:au-cds:error:cds-all:Field/Invalid"
FIELD_INVALID_PAGE_SIZE = "urn:au-cds:error:cds-all:Field/InvalidPageSize"
FIELD_INVALID_PAGE = "urn:au-cds:error:cds-all:Field/InvalidPage"
RESOURCE_NOT_FOUND = "urn:au-cds:error:cds-all:Resource/NotFound"
AUTHORISATION_REVOKED_CONSENT = "urn:au-cds:error:cds-all:Authorisation/RevokedConsent"
AUTHORISATION_INVALID_CONSENT = "urn:au-cds:error:cds-all:Authorisation/InvalidConsent"
AUTHORISATION_ADR_STATUS_NOT_ACTIVE = "urn:au-cds:error:cds-all:Authorisation/AdrStatusNotActive"
INVALID_ENERGY_ACCOUNT = "urn:au-cds:error:cds-energy:Authorisation/InvalidEnergyAccount"
UNAVAILABLE_ENERGY_ACCOUNT = "urn:au-cds:error:cds-energy:Authorisation/UnavailableEnergyAccount"
GENERAL_ERROR_EXPECTED = "urn:au-cds:error:cds-all:GeneralError/Expected"
GENERAL_ERROR_UNEXPECTED = "urn:au-cds:error:cds-all:GeneralError/Unexpected"

TITLES = {
    HEADER_MISSING: "Missing Required Header",
    HEADER_INVALID: "Invalid Header",
    HEADER_INVALID_VERSION: "Invalid Version",
    HEADER_UNSUPPORTED_VERSION: "Unsupported Version",
    FIELD_INVALID: "Invalid Field",
    FIELD_INVALID_PAGE_SIZE: "Invalid Page Size",
    FIELD_INVALID_PAGE: "Invalid Page",
    RESOURCE_NOT_FOUND: "Resource Not Found",
    AUTHORISATION_REVOKED_CONSENT: "Consent Is Revoked",
    AUTHORISATION_INVALID_CONSENT: "Consent Is Invalid",
    AUTHORISATION_ADR_STATUS_NOT_ACTIVE: "ADR Status Is Not Active",
    INVALID_ENERGY_ACCOUNT: "Invalid Energy Account",
    UNAVAILABLE_ENERGY_ACCOUNT: "Unavailable Energy Account",
    GENERAL_ERROR_EXPECTED: "Expected Error Encountered",
    GENERAL_ERROR_UNEXPECTED: "Unexpected Error Encountered",
}
