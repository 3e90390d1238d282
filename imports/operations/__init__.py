"""Writes for imports: API keys, validating and staging account payloads, creating accounts from them
(idempotent on (supplier, external account number)) one at a time or in chunks, batches, and the
post-import writes (notes, transactions, payment instructions, historical statements, registration
flows). Other apps' rows are written only through those apps' operations.

    _keys          import API keys
    _validation    validating a request document once (storable values, schema, rules, column
                   ranges; other accounts' identifiers looked up); refusing accounts imported already
    _columns       the payload values stored in integer columns, checked against their range
    _staging       v1 staging, v2 scheduling, recording failed payloads
    _mapping       the one mapping of validated payloads to rows
    _writer        the one writer of those rows (COPY, for a chunk or a single account)
    _claims        claiming process rows for written accounts (raw SQL)
    _processing    one account per transaction: process a staged payload, import a payload
    _chunks        a chunk of payloads per transaction, falling back to one account at a time
    _batches       batches of payloads imported by workers; the sweep of lost work; retries
    _leases        leases on async work: claim, renew, release, the expired ones
    _post_import   notes, transactions, payment instruction, historical statements
    _registration  registration flows
"""

from imports.operations._base import (
    DRY_RUN_DETAIL,
    EVENT_CREATED,
    EVENT_ERRORED,
    EVENT_PROCESSED,
    ImportError_,
    WriteRefused,
)
from imports.operations._batches import (
    requeue_expired_work,
    retry_batches,
    retry_imports,
    run_batch_chunk,
    start_batch,
)
from imports.operations._chunks import (
    FAILED,
    IMPORTED,
    SKIPPED,
    Chunk,
    Outcome,
    import_accounts,
    import_chunks,
)
from imports.operations._keys import create_api_key, key_prefix, revoke_api_keys, touch_api_key
from imports.operations._leases import Requeued
from imports.operations._post_import import (
    AccountHasActiveInstruction,
    StatementsRefused,
    create_historical_statements,
    create_notes,
    create_payment_instruction,
    create_transactions,
)
from imports.operations._processing import (
    DryRunSucceeded,
    ImportProcessNotFound,
    import_account,
    process_account,
    process_staged_account,
    run_account_import,
)
from imports.operations._registration import (
    REGISTRATION_FLOW_ERROR,
    REGISTRATION_FLOW_SUCCESS,
    AccountNotImported,
    NoMeterPoints,
    RegistrationFlowResult,
    send_registration_flows,
)
from imports.operations._staging import (
    MigrationNotOngoing,
    TaskParametersInvalid,
    schedule_account,
    stage_account,
)
from imports.operations._validation import (
    AlreadyImported,
    ImportSkipped,
    ValidationFailed,
    check_account,
    check_storable,
    existing_lookup,
    validate_document,
)

__all__ = [
    "DRY_RUN_DETAIL",
    "EVENT_CREATED",
    "EVENT_ERRORED",
    "EVENT_PROCESSED",
    "FAILED",
    "IMPORTED",
    "REGISTRATION_FLOW_ERROR",
    "REGISTRATION_FLOW_SUCCESS",
    "SKIPPED",
    "AccountHasActiveInstruction",
    "AccountNotImported",
    "AlreadyImported",
    "Chunk",
    "DryRunSucceeded",
    "ImportError_",
    "ImportProcessNotFound",
    "ImportSkipped",
    "MigrationNotOngoing",
    "NoMeterPoints",
    "Outcome",
    "RegistrationFlowResult",
    "Requeued",
    "StatementsRefused",
    "TaskParametersInvalid",
    "ValidationFailed",
    "WriteRefused",
    "check_account",
    "check_storable",
    "create_api_key",
    "create_historical_statements",
    "create_notes",
    "create_payment_instruction",
    "create_transactions",
    "existing_lookup",
    "import_account",
    "import_accounts",
    "import_chunks",
    "key_prefix",
    "process_account",
    "process_staged_account",
    "requeue_expired_work",
    "retry_batches",
    "retry_imports",
    "revoke_api_keys",
    "run_account_import",
    "run_batch_chunk",
    "schedule_account",
    "send_registration_flows",
    "stage_account",
    "start_batch",
    "touch_api_key",
    "validate_document",
]
