"""Error codes the import API returns besides the validator codes of `imports/schema/validators.json`
(those are the rules' own `error_code`s)."""

# Schema (shape) errors, reported per field like the validator codes.
REQUIRED = "required"
INVALID = "invalid"
INVALID_CHOICE = "invalid_choice"
MAX_LENGTH = "max_length"
MIN_LENGTH = "min_length"
UNKNOWN_FIELD = "unknown_field"
NULL = "null"
# A value that names no real date or instant, or is not a plain decimal number (the schema's
# `date`, `date-time` and `decimal` formats), and a number outside its column's or the schema's range.
# The spec documents no codes for these; `min_value`/`max_value` are DRF's numeric field codes.
INVALID_DATE = "invalid_date"
INVALID_DATETIME = "invalid_datetime"
INVALID_DECIMAL = "invalid_decimal"
MIN_VALUE = "min_value"
MAX_VALUE = "max_value"

# Input no column can hold (`kernel.sanitise`), refused at its attr before anything is read or
# written. Not in the spec: the text codes are DRF's CharField codes, the rest defined here.
NULL_CHARACTERS_NOT_ALLOWED = "null_characters_not_allowed"
SURROGATE_CHARACTERS_NOT_ALLOWED = "surrogate_characters_not_allowed"
CONTROL_CHARACTERS_NOT_ALLOWED = "control_characters_not_allowed"
NESTED_TOO_DEEPLY = "nested_too_deeply"
NOT_A_FINITE_NUMBER = "not_a_finite_number"

# Envelope-level codes.
VALIDATION_ERROR = "validation_error"
PARSE_ERROR = "parse_error"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
REQUEST_TOO_LARGE = "request_too_large"
NOT_AUTHENTICATED = "not_authenticated"
AUTHENTICATION_FAILED = "authentication_failed"
PERMISSION_DENIED = "permission_denied"
NOT_FOUND = "not_found"
THROTTLED = "throttled"
DRY_RUN = "400"

# Import lifecycle codes.
ACCOUNT_IMPORT_PROCESS_ALREADY_IMPORTED = "account_import_process_already_imported"
IMPORT_PROCESS_FAILED_VALIDATION = "import_process_failed_validation"
IMPORT_PROCESS_SKIPPED = "import_process_skipped"
IMPORT_SUPPLIER_MIGRATION_NOT_ONGOING = "import_supplier_migration_not_ongoing"
IMPORT_SUPPLIER_NOT_FOUND = "import_supplier_not_found"
IMPORT_PROCESS_DOES_NOT_EXIST = "import_process_does_not_exist"
ACCOUNT_CREATION_FAILED = "account_creation_failed"
# An async import that crashed on an unexpected error, or whose worker was lost MAX_ATTEMPTS times
# (recorded on the process, shown by the v2 status and admin). Not in the spec.
UNEXPECTED_ERROR = "unexpected_error"
IMPORT_WORKER_LOST = "import_worker_lost"
# A batch line repeating an external account number of the batch (not counted; not in the spec).
DUPLICATE_IN_BATCH = "duplicate_in_batch"
# Identifiers another account holds already, checked as rules before anything is written and mapped
# from the database constraint if a concurrent write takes one first. Not in the spec (which has
# `reference_already_exists` and `cais_reference_already_in_use_on_another_account` only).
MPXN_ALREADY_IN_USE_ON_ANOTHER_ACCOUNT = "mpxn_already_in_use_on_another_account"
PAYMENT_INSTRUCTION_REFERENCE_ALREADY_IN_USE_ON_ANOTHER_ACCOUNT = (
    "payment_instruction_reference_already_in_use_on_another_account"
)
# An agreement whose tariff has no row when the account is written (same code as the validator).
TARIFF_CODE_NOT_FOUND = "tariff_code_not_found"

# Historical statements: a re-post racing the first (same code as the validator), a period the
# account was already billed for, a period that ends before it starts.
HISTORICAL_STATEMENT_ALREADY_EXISTS = "historical_statement_already_exists"
HISTORICAL_STATEMENT_PERIOD_ALREADY_BILLED = "historical_statement_period_already_billed"
STATEMENT_PERIOD_ENDS_BEFORE_START = "statement_period_ends_before_start"

# Payment instruction on an account that has an active one.
ACCOUNT_HAS_ACTIVE_INSTRUCTION = "account_has_active_instruction"

# Post-import lookups (meter point statuses, registration flows).
ACCOUNT_NOT_FOUND = "account_not_found"
NO_METER_POINTS = "no_meter_points"
