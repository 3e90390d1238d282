"""Fixtures shared by the end-to-end journeys: the LocalPay vendor server the billing tests start."""

from tests.billing.conftest import localpay_server  # noqa: F401  (a fixture, used by name)
