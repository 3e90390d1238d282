"""Data Import REST API (v1 synchronous, v2 asynchronous). Thin doors: parse, one domain call,
render the documented envelope. Their OpenAPI description is in `imports.api.schemas`."""

from imports.api.views._v1_accounts import (
    AllList,
    CreateOrUpdateV1,
    ImportedList,
    PendingList,
    ProcessV1,
    TransferStatusV1,
    ValidateAccountV1,
)
from imports.api.views._v1_post_import import (
    HistoricalStatementsV1,
    MeterPointStatusesV1,
    NotesV1,
    PaymentInstructionV1,
    SendRegistrationFlowsV1,
    TransactionsV1,
)
from imports.api.views._v2 import ScheduleV2, StatusV2, ValidateV2

__all__ = [
    "AllList",
    "CreateOrUpdateV1",
    "HistoricalStatementsV1",
    "ImportedList",
    "MeterPointStatusesV1",
    "NotesV1",
    "PaymentInstructionV1",
    "PendingList",
    "ProcessV1",
    "ScheduleV2",
    "SendRegistrationFlowsV1",
    "StatusV2",
    "TransactionsV1",
    "TransferStatusV1",
    "ValidateAccountV1",
    "ValidateV2",
]
