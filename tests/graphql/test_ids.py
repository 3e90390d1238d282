"""Ids are opaque: fields typed ID are Relay global ids of their type, never a primary key; ids typed
Int are public numbers; both come back as arguments."""

from __future__ import annotations

import base64

from kernel.graphql import ids
from tests.billing.factories import AgreementFactory, BillFactory
from tests.graphql.conftest import error_code
from tests.metering.factories import MeterFactory, RegisterFactory

GRAPH = """{ viewer { id accountUserRoles { id } accounts { ... on AccountType { id ledgers { id }
  bills(first: 5) { edges { node { id } } } transactions(first: 5) { edges { node { id } } }
  properties { electricityMeterPoints { id meters { id nodeId registers { id } }
    agreements { id tariff { ... on StandardTariff { id } } } } } } } } }"""
AGREEMENT = """query($id: ID!) { electricityAgreement(id: $id) { ... on ElectricityAgreementType { id validFrom } } }"""
BILL = """query($n: String!, $id: ID!) { account(accountNumber: $n) { bill(id: $id) { id billType } } }"""


def _ids(value, found):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("id", "nodeId") and item is not None:
                found.append(item)
            else:
                _ids(item, found)
    elif isinstance(value, list):
        for item in value:
            _ids(item, found)
    return found


class TestIds:
    def test_typed_id_are_relay_global_ids_of_their_type_never_a_key(self, authed, account):
        agreement = AgreementFactory(account=account)
        RegisterFactory(meter=MeterFactory(meter_point=agreement.meter_point))
        BillFactory(account=account)

        data = authed.ok(GRAPH)

        found = _ids(data, [])
        agreement_id = found.pop(
            next(i for i, v in enumerate(found) if isinstance(v, int))
        )  # the one id the contract types Int
        assert agreement_id == ids.encode_int(agreement.pk) != agreement.pk
        assert len(found) >= 9
        for value in found:
            type_name, key = base64.b64decode(value).decode().split(":")
            assert type_name.endswith(("Type", "Tariff")) and ids.decode_pk(key) is not None
            assert key != str(ids.decode_pk(key))

    def test_an_agreements_public_number_comes_back_and_its_key_does_not(self, authed, account):
        agreement = AgreementFactory(account=account)

        found = authed.ok(AGREEMENT, {"id": ids.encode_int(agreement.pk)})
        _, body = authed(AGREEMENT, {"id": agreement.pk})

        assert found["electricityAgreement"]["id"] == ids.encode_int(agreement.pk)
        assert error_code(body) == "KT-CT-1111"

    def test_a_bills_global_id_comes_back(self, authed, account):
        bill = BillFactory(account=account)
        bill_id = ids.model_id("StatementType", bill.pk)

        data = authed.ok(BILL, {"n": account.number, "id": bill_id})
        _, body = authed(BILL, {"n": account.number, "id": str(bill.pk)})

        assert data["account"]["bill"] == {"id": bill_id, "billType": "STATEMENT"}
        assert error_code(body) == "KT-CT-1111"
