"""Account-level rules: GB `EnergyAccount` (OpenAPI) and the JP seed groups `account` and
`account_variant_b` (JP v1 payloads use `account`; v2 payloads, which the seed switched to
`JpnFuelBasedAccount`, use `account_variant_b`). Each check returns True when the rule fails."""

from __future__ import annotations

from collections import Counter
from datetime import date

from imports.rules import base
from imports.rules import payload as p
from imports.rules.base import as_date, items, present
from imports.rules.registry import REGISTRY

LEGACY_BILLING = (
    "billing_address1",
    "billing_address2",
    "billing_address3",
    "billing_address4",
    "billing_address5",
)
SYSTEM_ACCOUNT_TYPES = {"SYSTEM"}
MANAGED_TYPES = {"MANAGED"}


def _account_types(a, ctx):
    flags = [
        a.get("is_managed") is True,
        a.get("is_portfolio_lead") is True,
        a.get("unknown_occupier") is True,
    ]
    return sum(flags) > 1


def _derive_occupier_billing_address(a, ctx):
    """Normaliser: an occupier account without a billing address takes its only supply address."""
    addresses = items(a, "supply_addresses")
    if a.get("unknown_occupier") and not present(a, "billing_address1") and not present(a, "billing_address"):
        if len(addresses) == 1 and isinstance(addresses[0], dict):
            for index in range(1, 6):
                value = addresses[0].get(f"supply_address{index}")
                if value:
                    a[f"billing_address{index}"] = value
            if addresses[0].get("supply_postcode"):
                a["billing_postcode"] = addresses[0]["supply_postcode"]
    return False


def _invalid_legacy_address(a, ctx):
    if not any(present(a, key) for key in LEGACY_BILLING):
        return False
    return not present(a, "billing_address1") or (
        ctx.supplier.territory == base.GB and not present(a, "billing_postcode")
    )


def _family_name(a, ctx):
    """Domestic customers need a family name; business ones are normalised to 'Business'."""
    failed = False
    for customer in items(a, "customers"):
        if not isinstance(customer, dict) or present(customer, "family_name"):
            continue
        if p.is_business(a):
            customer["family_name"] = "Business"
            if ctx.supplier.territory == base.JP:
                customer["family_name_kanji"] = "Business"
                customer["family_name_kana"] = "ビジネス"
        else:
            failed = True
    return failed


def _metadata_duplicate_keys(a, ctx):
    return base.duplicates(m.get("key") for m in items(a, "metadata") if isinstance(m, dict))


def _duplicate_property_ids(a, ctx):
    ids = [s.get("property_external_identifier") for s in items(a, "supply_addresses") if isinstance(s, dict)]
    return base.duplicates(i for i in ids if i)


def _managed_not_allowed(a, ctx):
    return a.get("is_managed") is True and not ctx.catalogue.managed_accounts_allowed


def _portfolio_settings_not_lead(a, ctx):
    portfolio = a.get("portfolio") or {}
    return present(portfolio, "portfolio_settings") and a.get("is_portfolio_lead") is not True


def _business_fields_on_domestic(a, ctx):
    return not p.is_business(a) and (present(a, "business_type") or present(a, "company_number"))


def _bespoke_rates_on_domestic(a, ctx):
    return not p.is_business(a) and any(present(ag, "bespoke_tariff_rates") for _, ag in p.agreements(a, ctx))


def _customer_with_unknown_occupier(a, ctx):
    return a.get("unknown_occupier") is True and bool(items(a, "customers"))


def _given_name_required(a, ctx):
    return (
        ctx.supplier.send_registration_flows
        and p.is_business(a)
        and any(not present(c, "given_name") for c in items(a, "customers") if isinstance(c, dict))
    )


def _portfolio_references_missing(a, ctx):
    portfolio = a.get("portfolio") or {}
    return (
        present(portfolio, "portfolio_settings")
        and not ctx.supplier.create_new_portfolios
        and not present(portfolio, "portfolio_references")
    )


def _portfolio_references_provided(a, ctx):
    portfolio = a.get("portfolio") or {}
    return ctx.supplier.create_new_portfolios and present(portfolio, "portfolio_references")


def _new_style_and_legacy(a, ctx):
    return present(a, "billing_address") and any(present(a, key) for key in LEGACY_BILLING)


def _gaps_or_overlaps(a, ctx):
    for mp in p.meter_points(a, ctx):
        supply_start = as_date(mp.get("supply_start_date"))
        periods = sorted(
            (p.agreement_period(ag) for ag in items(mp, "agreements") if isinstance(ag, dict)),
            key=lambda period: period[0] or date.min,
        )
        current = [
            period
            for period in periods
            if supply_start is None or (period[1] is None or period[1] > supply_start)
        ]
        for (_, previous_end), (next_start, _) in zip(current, current[1:], strict=False):
            if previous_end is None or previous_end != next_start:
                return True
    return False


def _supply_charge_not_covered(a, ctx):
    for transaction in p.all_transactions(a):
        if transaction.get("type") != "SUPPLY_CHARGE":
            continue
        lines = [li for li in items(transaction, "line_items") if isinstance(li, dict)]
        starts = [as_date(li.get("start_date")) for li in lines if as_date(li.get("start_date"))]
        ends = [as_date(li.get("end_date")) for li in lines if as_date(li.get("end_date"))]
        if not starts or not ends:
            continue
        first, last = min(starts), max(ends)
        product = transaction.get("product_code")
        covering = [
            ag
            for _, ag in p.agreements(a, ctx)
            if (
                p.tariff(ctx, ag.get("tariff_code")) is None
                or p.tariff(ctx, ag.get("tariff_code")).product_code == product
            )
            and p.covers(ag, first)
            and (p.agreement_period(ag)[1] is None or p.agreement_period(ag)[1] >= last)
        ]
        if len(covering) != 1:
            return True
    return False


def _historical_period_end_in_future(a, ctx):
    dates = [as_date(t.get("transaction_date")) for t in p.historical_transactions(a)]
    end = as_date(a.get("last_statement_closing_date")) or max((d for d in dates if d), default=None)
    return end is not None and end > ctx.today


def _term_supply_type_mismatch(a, ctx):
    supply_types = {mp.get("supply_type") for mp in p.meter_points(a, ctx)}
    terms = [t for c in items(a, "account_contracts") if isinstance(c, dict) for t in items(c, "terms")]
    return any(
        isinstance(t, dict) and t.get("supply_type") and t["supply_type"] not in supply_types for t in terms
    )


def _contracts_without_supply_points(a, ctx):
    return present(a, "account_contracts") and not p.meter_points(a, ctx)


def _billing_document_identifier_missing(a, ctx):
    historical = p.historical_transactions(a)
    with_id = [t for t in historical if present(t, "billing_document_identifier")]
    return (
        ctx.catalogue.billing_document_identifiers_enabled
        and bool(with_id)
        and len(with_id) != len(historical)
    )


def _billing_document_identifier_flag_disabled(a, ctx):
    return not ctx.catalogue.billing_document_identifiers_enabled and any(
        present(t, "billing_document_identifier") for t in p.historical_transactions(a)
    )


def _billing_document_identifier_on_current(a, ctx):
    return any(present(t, "billing_document_identifier") for t in p.current_transactions(a))


def _billing_document_identifier_mismatch(a, ctx):
    values = {
        t.get("billing_document_identifier")
        for t in p.historical_transactions(a)
        if present(t, "billing_document_identifier")
    }
    return len(values) > 1


def _contract_term_product_not_in_agreements(a, ctx):
    products = {
        getattr(p.tariff(ctx, ag.get("tariff_code")), "product_code", ag.get("tariff_code"))
        for _, ag in p.agreements(a, ctx)
    }
    terms = [t for c in items(a, "account_contracts") if isinstance(c, dict) for t in items(c, "terms")]
    return any(
        isinstance(t, dict) and t.get("product_code") and t["product_code"] not in products for t in terms
    )


def _business_field_required(a, ctx):
    return ctx.supplier.enforce_business_contracts_exist and not present(a, "business")


def _agreement_contract_not_declared(a, ctx):
    business = a.get("business") or {}
    declared = set(business.get("business_contract_identifiers") or [])
    if business.get("business_contract_identifier"):
        declared.add(business["business_contract_identifier"])
    return any(
        ag.get("business_contract_identifier") and ag["business_contract_identifier"] not in declared
        for _, ag in p.agreements(a, ctx)
    )


def _ledger_balances_vs_transfer(a, ctx):
    ledgers = [
        lg for lg in items(a, "ledgers") if isinstance(lg, dict) and lg.get("ledger_balance") is not None
    ]
    if not ledgers:
        return False
    return sum(p.amount(lg["ledger_balance"]) for lg in ledgers) != p.amount(a.get("transfer_balance"))


def _customer_vs_business_user(a, ctx):
    users = {
        (u.get("email") or "").lower(): u
        for u in items(a.get("business") or {}, "users")
        if isinstance(u, dict)
    }
    for customer in items(a, "customers"):
        if not isinstance(customer, dict):
            continue
        user = users.get((customer.get("email") or "").lower())
        if user and any(
            present(customer, key) and present(user, key) and customer[key] != user[key]
            for key in ("given_name", "family_name", "mobile", "landline")
        ):
            return True
    return False


def _ledger_identifiers(a):
    return {lg.get("ledger_identifier") for lg in items(a, "ledgers") if isinstance(lg, dict)}


def _invalid_preference_ledger(a, ctx):
    known = _ledger_identifiers(a)
    return (
        any(
            isinstance(pref, dict) and pref.get("ledger_identifier") not in known
            for pref in items(a, "payment_preferences")
        )
        if items(a, "payment_preferences")
        else False
    )


def _duplicate_preference_ledger(a, ctx):
    return base.duplicates(
        pref.get("ledger_identifier") for pref in items(a, "payment_preferences") if isinstance(pref, dict)
    )


def _active_new_instruction(a, ctx):
    identifiers = {
        pi.get("instruction_identifier") for pi in items(a, "payment_instructions") if isinstance(pi, dict)
    }
    for pref in items(a, "payment_preferences"):
        if isinstance(pref, dict) and pref.get("type") == "ACTIVE_NEW":
            params = pref.get("instruction_reference_params") or {}
            if params.get("instruction_identifier") not in identifiers:
                return True
    return False


def _transactions_by_id(a):
    return {t.get("transaction_id"): t for t in p.all_transactions(a)}


def _voucher_sum(a, ctx):
    by_id = _transactions_by_id(a)
    for voucher in items(a, "vouchers"):
        if not isinstance(voucher, dict):
            continue
        value = p.amount(voucher.get("value")) or p.amount(
            (by_id.get(voucher.get("charge_transaction_id")) or {}).get("amount")
        )
        redeemed = sum(
            p.amount((by_id.get(r.get("credit_transaction_id")) or {}).get("amount"))
            for r in items(voucher, "voucher_redemptions")
            if isinstance(r, dict)
        )
        if redeemed > value:
            return True
    return False


def _voucher_charge_missing(a, ctx):
    by_id = _transactions_by_id(a)
    return any(
        isinstance(v, dict) and (by_id.get(v.get("charge_transaction_id")) or {}).get("type") != "CHARGE"
        for v in items(a, "vouchers")
    )


def _voucher_credit_missing(a, ctx):
    by_id = _transactions_by_id(a)
    return any(
        isinstance(r, dict) and (by_id.get(r.get("credit_transaction_id")) or {}).get("type") != "CREDIT"
        for v in items(a, "vouchers")
        if isinstance(v, dict)
        for r in items(v, "voucher_redemptions")
    )


def _parent_property_reference(a, ctx):
    known = {
        s.get("property_external_identifier") for s in items(a, "supply_addresses") if isinstance(s, dict)
    }
    return any(
        isinstance(s, dict)
        and s.get("parent_property_reference")
        and s["parent_property_reference"] not in known
        for s in items(a, "supply_addresses") + items(a, "properties")
    )


def _lead_has_supply_address(a, ctx):
    return a.get("is_portfolio_lead") is True and bool(items(a, "supply_addresses"))


def _system_account_has_supply_address(a, ctx):
    return a.get("account_type") in SYSTEM_ACCOUNT_TYPES and bool(items(a, "supply_addresses"))


def _ops_team_with_auto_allocation(a, ctx):
    return ctx.supplier.auto_allocates_operations_team and present(a, "operations_team_name")


def _ops_team_should_be_provided(a, ctx):
    return not ctx.supplier.auto_allocates_operations_team and not present(a, "operations_team_name")


def _cannot_determine_billing_start(a, ctx):
    if a.get("is_portfolio_lead") is True or not p.meter_points(a, ctx):
        return False
    return not (
        present(a, "last_billed_to_date")
        or present(a, "last_statement_closing_date")
        or any(present(ag, "effective_from") for _, ag in p.agreements(a, ctx))
        or any(p.last_billed_to(a, mp) for mp in p.meter_points(a, ctx))
    )


def _last_billed_to_not_found(a, ctx):
    return any(
        p.is_active(mp, ctx)
        and items(mp, "meters")
        and p.last_billed_to(a, mp) is None
        and not _unbilled_new(mp, ctx)
        for mp in p.meter_points(a, ctx)
    )


def _unbilled_new(mp, ctx):
    start = as_date(mp.get("supply_start_date"))
    return start is not None and start >= ctx.today


def _historical_without_dates(a, ctx):
    return bool(p.historical_transactions(a)) and not (
        present(a, "last_statement_closing_date") or present(a, "last_billed_to_date")
    )


def _duplicate_transaction_ids(a, ctx):
    return base.duplicates(t.get("transaction_id") for t in p.all_transactions(a) if t.get("transaction_id"))


def _missing_transaction_id(a, ctx):
    return any(not present(t, "transaction_id") for t in p.all_transactions(a))


def _current_before_opening(a, ctx):
    opening = p.current_statement_opening(a)
    return opening is not None and any(
        (as_date(t.get("transaction_date")) or date.max) < opening for t in p.current_transactions(a)
    )


def _current_before_last_billed(a, ctx):
    billed = [
        d for d in [p.last_billed_to(a)] + [p.last_billed_to(a, mp) for mp in p.meter_points(a, ctx)] if d
    ]
    if not billed:
        return False
    latest = max(billed)
    return any((as_date(t.get("transaction_date")) or date.max) < latest for t in p.current_transactions(a))


def _historical_after_current(a, ctx):
    historical = [as_date(t.get("transaction_date")) for t in p.historical_transactions(a)]
    current = [as_date(t.get("transaction_date")) for t in p.current_transactions(a)]
    historical, current = [d for d in historical if d], [d for d in current if d]
    return bool(historical and current) and max(historical) > min(current)


def _historical_after_closing(a, ctx):
    closing = p.statement_closing(a)
    return closing is not None and any(
        (as_date(t.get("transaction_date")) or date.min) > closing for t in p.historical_transactions(a)
    )


def _issued_before_closing(a, ctx):
    issued = as_date(a.get("last_statement_issue_date"))
    closing = p.statement_closing(a)
    return issued is not None and closing is not None and issued < closing


def _signed(transaction) -> int:
    value = p.amount(transaction.get("amount"))
    return -value if transaction.get("type") in {"CHARGE", "SUPPLY_CHARGE", "REPAYMENT"} else value


def _balance_mismatch(a, ctx):
    if a.get("transfer_balance") is None:
        return False
    total = p.amount(a.get("last_statement_balance")) + sum(_signed(t) for t in p.current_transactions(a))
    return total != p.amount(a.get("transfer_balance"))


def _historical_balance_mismatch(a, ctx):
    historical = [t for t in p.historical_transactions(a) if not present(t, "to_prepay_meter_serial_number")]
    if not historical or a.get("last_statement_balance") is None:
        return False
    return sum(_signed(t) for t in historical) != p.amount(a.get("last_statement_balance"))


def _duplicate_ledger_codes(a, ctx):
    return base.duplicates(lg.get("ledger_code") for lg in items(a, "ledgers") if isinstance(lg, dict))


def _duplicate_ledger_identifiers(a, ctx):
    return base.duplicates(
        lg.get("identifier") for lg in items(a, "ledgers") if isinstance(lg, dict) and lg.get("identifier")
    )


def _unknown_ledger_identifiers(a, ctx):
    spins = {mp.get("identifier") for mp in p.meter_points(a, ctx)}
    return any(
        isinstance(lg, dict) and lg.get("identifier") and lg["identifier"] not in spins
        for lg in items(a, "ledgers")
    )


def _adequacy_and_review_date(a, ctx):
    return present(a, "payment_adequacy_changes") and present(a, "last_payment_review_date")


def _plan_and_schedule_same_ledger(a, ctx):
    if not items(a, "payment_plans"):
        return False
    plan_ledgers = {pl.get("ledger_code") for pl in items(a, "payment_plans") if isinstance(pl, dict)}
    return any(
        isinstance(s, dict) and s.get("ledger_code") in plan_ledgers for s in items(a, "payment_schedules")
    )


def _occupier_multiple_addresses(a, ctx):
    return a.get("unknown_occupier") is True and len(items(a, "supply_addresses")) > 1


def _dd_reference_for_occupier(a, ctx):
    occupier = a.get("unknown_occupier") is True or any(
        isinstance(c, dict) and (c.get("family_name") or "").lower() == "occupier"
        for c in items(a, "customers")
    )
    return occupier and present(a, "dd_reference")


def _unbilled_former_address(a, ctx):
    for address in items(a, "supply_addresses"):
        moved_out = (
            as_date(address.get("customer_at_supply_address_to_date")) if isinstance(address, dict) else None
        )
        if moved_out is None:
            continue
        billed = [p.last_billed_to(a, mp) for mp in items(address, "meter_points") if isinstance(mp, dict)]
        if (
            any(b is None or b < moved_out for b in billed)
            or not billed
            and (p.last_billed_to(a) or date.min) < moved_out
        ):
            return True
    return False


def _agreement_before_ssd(a, ctx):
    return any(
        as_date(ag.get("effective_from"))
        and as_date(mp.get("supply_start_date"))
        and as_date(ag["effective_from"]) < as_date(mp["supply_start_date"])
        for mp, ag in p.agreements(a, ctx)
    )


def _no_agreement_covering_lbtd(a, ctx):
    for mp in p.meter_points(a, ctx):
        billed = p.last_billed_to(a, mp)
        if (
            billed
            and items(mp, "agreements")
            and not any(p.covers(ag, billed) for ag in items(mp, "agreements") if isinstance(ag, dict))
        ):
            return True
    return False


def _debt_and_debts(a, ctx):
    return present(a, "debt") and present(a, "debts")


def _lead_has_agreement(a, ctx):
    return a.get("is_portfolio_lead") is True and bool(p.agreements(a, ctx))


def _multiple_properties(a, ctx):
    return len(items(a, "supply_addresses")) > 1


def _has_business_information(a):
    return present(a, "business") or present(a, "business_type") or present(a, "company_number")


def _is_business_must_be_false(a, ctx):
    return a.get("is_business") is True and not _has_business_information(a)


def _is_business_must_be_true(a, ctx):
    return a.get("is_business") is not True and _has_business_information(a)


def _agreement_covers_unbilled(a, ctx):
    for mp in p.meter_points(a, ctx):
        billed = p.last_billed_to(a, mp)
        agreements_ = [ag for ag in items(mp, "agreements") if isinstance(ag, dict)]
        if billed and agreements_ and p.is_active(mp, ctx):
            latest_end = max((p.agreement_period(ag)[1] or date.max) for ag in agreements_)
            earliest = min((p.agreement_period(ag)[0] or date.max) for ag in agreements_)
            if earliest > billed or latest_end <= ctx.today:
                return True
    return False


def _lead_needs_closing_date(a, ctx):
    return a.get("is_portfolio_lead") is True and not present(a, "last_statement_closing_date")


def _meter_point_with_no_agreement(a, ctx):
    return any(p.is_billable(mp, ctx) and not items(mp, "agreements") for mp in p.meter_points(a, ctx))


def _agreement_not_on_supply(a, ctx):
    return any(
        not p.is_billable(mp, ctx)
        and any(
            (p.agreement_period(ag)[1] or date.max) > ctx.today
            for ag in items(mp, "agreements")
            if isinstance(ag, dict)
        )
        for mp in p.meter_points(a, ctx)
    )


def _agreement_without_meter_point(a, ctx):
    identifiers = {mp.get("identifier") for mp in p.meter_points(a, ctx)}
    return any(
        isinstance(c, dict)
        and c.get("supply_point_identifier")
        and c["supply_point_identifier"] not in identifiers
        for c in items(a, "account_contracts")
    )


def _next_bill_for_quarterly(a, ctx):
    options = a.get("account_billing_options") or {}
    return (
        options.get("use_industry_billing") is False
        and options.get("period_length") == "QUARTERLY"
        and not present(a, "next_bill_due_date")
    )


def _billing_options_on_domestic(a, ctx):
    return present(a, "account_billing_options") and not p.is_business(a)


def _prepay_serials(a, ctx):
    return {
        meter.get("meter_serial_number")
        for _, meter in p.meters(a, ctx)
        if meter.get("is_prepay") is True and present(meter, "prepay_details")
    }


def _transactions_target_uninitialised_prepay(a, ctx):
    initialised = _prepay_serials(a, ctx)
    return any(
        present(t, "to_prepay_meter_serial_number") and t["to_prepay_meter_serial_number"] not in initialised
        for t in p.all_transactions(a)
    )


def _tax_exemptions_on_domestic(a, ctx):
    return not p.is_business(a) and any(
        present(mp, "ccl_exemptions") or present(mp, "vat_exemptions") for mp in p.meter_points(a, ctx)
    )


def _prepay_details_on_fully_billed(a, ctx):
    for mp, meter in p.meters(a, ctx):
        details = meter.get("prepay_details") or {}
        removed = as_date(meter.get("removed_on"))
        if details and removed and (p.last_billed_to(a, mp) or date.min) >= removed:
            return True
    return False


def _vend_read_date(a, ctx):
    for mp, meter in p.meters(a, ctx):
        details = meter.get("prepay_details") or {}
        vend = as_date(details.get("transfer_vend_read_date")) if isinstance(details, dict) else None
        if vend and vend != p.last_billed_to(a, mp):
            return True
    return False


def _registers(mp):
    return [
        r
        for meter in items(mp, "meters")
        if isinstance(meter, dict)
        for r in items(meter, "registers")
        if isinstance(r, dict)
    ]


def _tariff_vs_meter_point_type(a, ctx):
    for mp, ag in p.agreements(a, ctx):
        info = p.tariff(ctx, ag.get("tariff_code"))
        if info is None or mp.get("supply_type") != "ELECTRICITY" or not p.covers(ag, ctx.today):
            continue
        settlement = [r for r in _registers(mp) if r.get("is_settlement") is not False]
        if settlement and info.rate_count != len(settlement):
            return True
    return False


def _billing_address_not_provided(a, ctx):
    return (
        a.get("unknown_occupier") is not True
        and not present(a, "billing_address")
        and not (present(a, "billing_address1") and present(a, "billing_postcode"))
    )


def _no_current_aq(a, ctx):
    for mp in p.meter_points(a, ctx):
        if mp.get("supply_type") == "GAS" and p.is_billable(mp, ctx) and present(mp, "aq_history"):
            if not any(
                (as_date(aq.get("effective_to")) or date.max) > ctx.today
                for aq in items(mp, "aq_history")
                if isinstance(aq, dict)
            ):
                return True
    return False


def _active_gas_meters(a, ctx):
    return [
        meter
        for mp, meter in p.meters(a, ctx)
        if mp.get("supply_type") == "GAS" and p.is_active(mp, ctx) and not present(meter, "removed_on")
    ]


def _gas_multiple_transfer(a, ctx):
    return any(len(items(m, "transfer_readings")) > 1 for m in _active_gas_meters(a, ctx))


def _gas_without_transfer(a, ctx):
    return any(not items(m, "transfer_readings") for m in _active_gas_meters(a, ctx))


def _reading_meter_fully_billed(a, ctx):
    for mp, meter in p.meters(a, ctx):
        removed = as_date(meter.get("removed_on"))
        if removed and items(meter, "transfer_readings") and (p.last_billed_to(a, mp) or date.min) >= removed:
            return True
    return False


def _missing_eacs(a, ctx):
    for mp in p.meter_points(a, ctx):
        if (
            mp.get("supply_type") != "ELECTRICITY"
            or not p.is_active(mp, ctx)
            or not present(mp, "eac_history")
        ):
            continue
        tprs = {eac.get("tpr") for eac in items(mp, "eac_history") if isinstance(eac, dict)}
        if any(
            r.get("tpr") and r["tpr"] not in tprs
            for r in _registers(mp)
            if r.get("is_settlement") is not False
        ):
            return True
    return False


def _tariff_vs_meter_type(a, ctx):
    for mp, ag in p.agreements(a, ctx):
        info = p.tariff(ctx, ag.get("tariff_code"))
        if info is None or not p.covers(ag, ctx.today) or not p.is_active(mp, ctx):
            continue
        for meter in items(mp, "meters"):
            if (
                isinstance(meter, dict)
                and not present(meter, "removed_on")
                and bool(meter.get("is_prepay")) != info.is_prepay
            ):
                return True
    return False


def _effective_before_product(a, ctx):
    for _, ag in p.agreements(a, ctx):
        info = p.tariff(ctx, ag.get("tariff_code"))
        start = as_date(ag.get("effective_from"))
        if info and info.available_from and start and start < info.available_from.date():
            return True
    return False


def _variable_before_product(a, ctx):
    for _, ag in p.agreements(a, ctx):
        info = p.tariff(ctx, ag.get("tariff_code"))
        start = as_date(ag.get("effective_from"))
        if (
            info
            and info.is_variable
            and info.available_from
            and start
            and start < info.available_from.date()
            and ag.get("business_contract_identifier")
        ):
            return True
    return False


def _future_supply_end(a, ctx):
    return any((as_date(mp.get("supply_end_date")) or date.min) > ctx.today for mp in p.meter_points(a, ctx))


def _no_reading_on_end(a, ctx):
    for mp in p.meter_points(a, ctx):
        end = as_date(mp.get("supply_end_date"))
        if end and end <= ctx.today and items(mp, "meters"):
            dates = {
                as_date(r.get("reading_date"))
                for m in items(mp, "meters")
                if isinstance(m, dict)
                for r in items(m, "reading_history") + items(m, "transfer_readings")
                if isinstance(r, dict)
            }
            if end not in dates:
                return True
    return False


def _future_supply_start(a, ctx):
    return any(
        (as_date(mp.get("supply_start_date")) or date.min) > ctx.today
        for mp in p.meter_points(a, ctx)
        if p.is_billable(mp, ctx)
    )


def _meter_point_with_no_meters(a, ctx):
    return any(
        p.is_billable(mp, ctx)
        and not items(mp, "meters")
        and (mp.get("measurement_class") or "") not in {"B", "UNMETERED"}
        for mp in p.meter_points(a, ctx)
    )


def _no_supply_point_on_supply(a, ctx):
    mps = p.meter_points(a, ctx)
    return bool(mps) and not any(p.is_billable(mp, ctx) for mp in mps)


def _business_supply_type_on_domestic(a, ctx):
    return not p.is_business(a) and any(
        mp.get("supply_type") in {"REGOS_EXPORT_CERTIFICATES", "ROCS_EXPORT_CERTIFICATES"}
        for mp in p.meter_points(a, ctx)
    )


def _business_missing_billing_options(a, ctx):
    options = a.get("account_billing_options")
    return (
        p.is_business(a)
        and isinstance(options, dict)
        and options.get("use_industry_billing") is not True
        and not (present(options, "period_start_day") and present(options, "period_length"))
    )


def _business_missing_customers(a, ctx):
    return p.is_business(a) and not items(a, "customers")


def _active_register_readings(a, ctx):
    for mp, meter in p.meters(a, ctx):
        if mp.get("supply_type") != "ELECTRICITY" or not p.is_active(mp, ctx) or present(meter, "removed_on"):
            continue
        counts = Counter(
            r.get("register_id") for r in items(meter, "transfer_readings") if isinstance(r, dict)
        )
        for register in items(meter, "registers"):
            if isinstance(register, dict) and register.get("is_settlement") is not False:
                yield counts.get(register.get("register_id"), 0)


def _missing_register_transfer(a, ctx):
    return any(count == 0 for count in _active_register_readings(a, ctx))


def _multiple_register_transfer(a, ctx):
    return any(count > 1 for count in _active_register_readings(a, ctx))


CHECKS = {
    "multiple_account_types_selected": _account_types,
    "invalid_address": _invalid_legacy_address,
    "customer_family_name_required": _family_name,
    "metadata_has_duplicate_keys": _metadata_duplicate_keys,
    "duplicate_property_external_identifiers": _duplicate_property_ids,
    "managed_accounts_are_not_allowed": _managed_not_allowed,
    "portfolio_settings_included_when_not_lead": _portfolio_settings_not_lead,
    "business_fields_provided_for_domestic_accounts": _business_fields_on_domestic,
    "customer_with_unknown_occupier": _customer_with_unknown_occupier,
    "customer_given_name_required": _given_name_required,
    "portfolio_references_missing": _portfolio_references_missing,
    "portfolio_references_provided": _portfolio_references_provided,
    "billing_address_new_style_and_legacy": _new_style_and_legacy,
    "gaps_or_overlaps_in_agreement_dates": _gaps_or_overlaps,
    "supply_charge_line_items_not_covered_by_single_agreement": _supply_charge_not_covered,
    "historical_statement_period_end_in_future": _historical_period_end_in_future,
    "term_supply_type_mismatch": _term_supply_type_mismatch,
    "account_contracts_without_supply_points": _contracts_without_supply_points,
    "historical_statement_billing_document_identifier_missing": _billing_document_identifier_missing,
    "historical_statement_billing_document_identifier_not_allowed_when_feature_flag_disabled": _billing_document_identifier_flag_disabled,
    "billing_document_identifier_not_allowed_for_current_statement_transactions": _billing_document_identifier_on_current,
    "historical_statement_billing_document_identifier_mismatch": _billing_document_identifier_mismatch,
    "contract_term_product_code_not_in_agreements": _contract_term_product_not_in_agreements,
    "business_field_required": _business_field_required,
    "agreement_business_contract_identifier_not_declared": _agreement_contract_not_declared,
    "ledger_balances_not_equal_to_transfer_balance": _ledger_balances_vs_transfer,
    "customer_details_and_user_details_both_provided": _customer_vs_business_user,
    "invalid_payment_preference_ledger_identifier": _invalid_preference_ledger,
    "duplicate_ledger_in_payment_preferences": _duplicate_preference_ledger,
    "active_new_payment_preference_invalid_instruction_identifier": _active_new_instruction,
    "voucher_transactions_sum_greater_than_voucher_value": _voucher_sum,
    "voucher_charge_transaction_id_not_found": _voucher_charge_missing,
    "voucher_redemption_credit_transaction_id_not_found": _voucher_credit_missing,
    "parent_property_reference_not_found": _parent_property_reference,
    "portfolio_lead_has_a_supply_address": _lead_has_supply_address,
    "system_account_has_a_supply_address": _system_account_has_supply_address,
    "operations_team_provided_when_using_auto_allocation": _ops_team_with_auto_allocation,
    "operations_team_should_be_provided": _ops_team_should_be_provided,
    "cannot_determine_responsible_for_billing_from_date": _cannot_determine_billing_start,
    "last_billed_to_date_not_found": _last_billed_to_not_found,
    "historical_statement_transactions_without_last_statement_closing_date_or_last_billed_to_date": _historical_without_dates,
    "duplicate_transaction_ids": _duplicate_transaction_ids,
    "missing_transaction_id": _missing_transaction_id,
    "current_statement_transaction_before_current_statement_opening_date": _current_before_opening,
    "current_statement_transaction_before_last_billed_to_date": _current_before_last_billed,
    "historical_statement_transaction_after_current_statement_transaction": _historical_after_current,
    "historical_statement_transaction_after_last_statement_closing_date": _historical_after_closing,
    "last_statement_issued_before_closing_date": _issued_before_closing,
    "balance_mismatch_on_transfer_balance": _balance_mismatch,
    "historical_statement_transactions_balance_mismatch": _historical_balance_mismatch,
    "duplicate_ledger_entries_found": _duplicate_ledger_codes,
    "duplicate_identifiers_entries_found": _duplicate_ledger_identifiers,
    "unknown_ledger_identifiers": _unknown_ledger_identifiers,
    "payment_adequacy_changes_and_last_payment_review_date_provided": _adequacy_and_review_date,
    "payment_plan_and_payment_schedule_not_allowed_on_same_ledger": _plan_and_schedule_same_ledger,
    "occupier_account_with_multiple_supply_addresses": _occupier_multiple_addresses,
    "dd_reference_for_occupier_account": _dd_reference_for_occupier,
    "unbilled_former_supply_address": _unbilled_former_address,
    "agreement_starting_before_meter_point_ssd": _agreement_before_ssd,
    "no_agreement_covering_last_billed_to_date": _no_agreement_covering_lbtd,
    "debt_and_debts_are_defined": _debt_and_debts,
    "portfolio_lead_has_an_agreement": _lead_has_agreement,
    "multiple_properties_not_allowed": _multiple_properties,
    "is_business_must_be_false": _is_business_must_be_false,
    "is_business_must_be_true": _is_business_must_be_true,
    "agreement_should_cover_unbilled_period": _agreement_covers_unbilled,
    "lead_account_must_have_last_statement_closing_date": _lead_needs_closing_date,
    "meter_point_with_no_agreement": _meter_point_with_no_agreement,
    "meterpoint_with_agreement_not_on_supply": _agreement_not_on_supply,
    "agreement_has_no_matching_meter_point": _agreement_without_meter_point,
    "next_bill_to_date_not_provided_for_quarterly_billing": _next_bill_for_quarterly,
    "account_billing_options_provided_for_domestic_accounts": _billing_options_on_domestic,
    "transactions_target_non_initialised_prepay_meter": _transactions_target_uninitialised_prepay,
    "tax_exemptions_provided_for_domestic_account": _tax_exemptions_on_domestic,
    "prepay_details_on_fully_billed_meter": _prepay_details_on_fully_billed,
    "transfer_vend_read_date_must_match_last_billed_to_date": _vend_read_date,
    "tariff_type_does_not_match_meter_point_type": _tariff_vs_meter_point_type,
    "billing_address_not_provided": _billing_address_not_provided,
    "no_current_or_future_aq_entry_found": _no_current_aq,
    "active_gas_meter_with_multiple_transfer_readings": _gas_multiple_transfer,
    "active_gas_meter_without_transfer_reading": _gas_without_transfer,
    "reading_meter_fully_billed": _reading_meter_fully_billed,
    "missing_eacs_for_active_register_tpr": _missing_eacs,
    "tariff_type_does_not_match_meter_type": _tariff_vs_meter_type,
    "agreement_effective_from_before_product_available_from": _effective_before_product,
    "agreement_cannot_start_before_product_available": _variable_before_product,
    "future_supply_end_date": _future_supply_end,
    "no_reading_on_supply_end_date": _no_reading_on_end,
    "future_supply_start_date": _future_supply_start,
    "meter_point_with_no_meters": _meter_point_with_no_meters,
    "no_supply_point_on_supply": _no_supply_point_on_supply,
    "business_supply_type_on_domestic_account": _business_supply_type_on_domestic,
    "business_account_missing_billing_options": _business_missing_billing_options,
    "business_account_missing_customers": _business_missing_customers,
    "missing_transfer_reading_for_register": _missing_register_transfer,
    "multiple_transfer_readings_for_register": _multiple_register_transfer,
}

# Runs of rules that the GB and JP account groups document in the same order.
_ACCOUNT_SHAPE = (
    "managed_accounts_are_not_allowed",
    "portfolio_settings_included_when_not_lead",
    "business_fields_provided_for_domestic_accounts",
    "customer_with_unknown_occupier",
    "customer_given_name_required",
    "portfolio_references_missing",
    "portfolio_references_provided",
    "billing_address_new_style_and_legacy",
    "gaps_or_overlaps_in_agreement_dates",
    "supply_charge_line_items_not_covered_by_single_agreement",
    "historical_statement_period_end_in_future",
    "term_supply_type_mismatch",
    "account_contracts_without_supply_points",
    "historical_statement_billing_document_identifier_missing",
    "historical_statement_billing_document_identifier_not_allowed_when_feature_flag_disabled",
    "billing_document_identifier_not_allowed_for_current_statement_transactions",
    "historical_statement_billing_document_identifier_mismatch",
    "contract_term_product_code_not_in_agreements",
    "business_field_required",
)
_PREFERENCES_AND_VOUCHERS = (
    "ledger_balances_not_equal_to_transfer_balance",
    "customer_details_and_user_details_both_provided",
    "invalid_payment_preference_ledger_identifier",
    "duplicate_ledger_in_payment_preferences",
    "active_new_payment_preference_invalid_instruction_identifier",
    "voucher_transactions_sum_greater_than_voucher_value",
    "voucher_charge_transaction_id_not_found",
    "voucher_redemption_credit_transaction_id_not_found",
)
_LEDGERS_TO_FORMER_ADDRESSES = (
    "duplicate_ledger_entries_found",
    "duplicate_identifiers_entries_found",
    "unknown_ledger_identifiers",
    "payment_adequacy_changes_and_last_payment_review_date_provided",
    "payment_plan_and_payment_schedule_not_allowed_on_same_ledger",
    "occupier_account_with_multiple_supply_addresses",
    "dd_reference_for_occupier_account",
    "unbilled_former_supply_address",
)

GB_ACCOUNT = (
    "multiple_account_types_selected",
    None,
    "invalid_address",
    "customer_family_name_required",
    "metadata_has_duplicate_keys",
    "duplicate_property_external_identifiers",
    *_ACCOUNT_SHAPE,
    "agreement_business_contract_identifier_not_declared",
    *_PREFERENCES_AND_VOUCHERS,
    "parent_property_reference_not_found",
    "portfolio_lead_has_a_supply_address",
    "system_account_has_a_supply_address",
    "operations_team_provided_when_using_auto_allocation",
    "operations_team_should_be_provided",
    "cannot_determine_responsible_for_billing_from_date",
    "historical_statement_transactions_without_last_statement_closing_date_or_last_billed_to_date",
    "duplicate_transaction_ids",
    "missing_transaction_id",
    "historical_statement_transaction_after_current_statement_transaction",
    "historical_statement_transaction_after_last_statement_closing_date",
    "last_statement_issued_before_closing_date",
    *_LEDGERS_TO_FORMER_ADDRESSES,
    "no_agreement_covering_last_billed_to_date",
    "debt_and_debts_are_defined",
    "last_billed_to_date_not_found",
    "current_statement_transaction_before_current_statement_opening_date",
    "balance_mismatch_on_transfer_balance",
    "historical_statement_transactions_balance_mismatch",
    "next_bill_to_date_not_provided_for_quarterly_billing",
    "account_billing_options_provided_for_domestic_accounts",
    "transactions_target_non_initialised_prepay_meter",
    "tax_exemptions_provided_for_domestic_account",
    "prepay_details_on_fully_billed_meter",
    "transfer_vend_read_date_must_match_last_billed_to_date",
    "tariff_type_does_not_match_meter_point_type",
    ("business_fields_provided_for_domestic_accounts", _bespoke_rates_on_domestic),
    "billing_address_not_provided",
    "no_current_or_future_aq_entry_found",
    "meter_point_with_no_agreement",
    "meterpoint_with_agreement_not_on_supply",
    "active_gas_meter_with_multiple_transfer_readings",
    "active_gas_meter_without_transfer_reading",
    "reading_meter_fully_billed",
    "missing_eacs_for_active_register_tpr",
    "tariff_type_does_not_match_meter_type",
    "agreement_effective_from_before_product_available_from",
    "agreement_cannot_start_before_product_available",
    "future_supply_end_date",
    "no_reading_on_supply_end_date",
    "future_supply_start_date",
    "meter_point_with_no_meters",
    "no_supply_point_on_supply",
    "business_supply_type_on_domestic_account",
    "business_account_missing_billing_options",
    "business_account_missing_customers",
    "current_statement_transaction_before_last_billed_to_date",
    "missing_transfer_reading_for_register",
    "multiple_transfer_readings_for_register",
)

_JP_COMMON_HEAD = (
    "multiple_account_types_selected",
    "invalid_address",
    "customer_family_name_required",
    "metadata_has_duplicate_keys",
    *_ACCOUNT_SHAPE,
    *_PREFERENCES_AND_VOUCHERS,
    "operations_team_provided_when_using_auto_allocation",
    "operations_team_should_be_provided",
    "cannot_determine_responsible_for_billing_from_date",
)
_JP_COMMON_TAIL = (
    "last_billed_to_date_not_found",
    "historical_statement_transactions_without_last_statement_closing_date_or_last_billed_to_date",
    "duplicate_transaction_ids",
    "missing_transaction_id",
    "current_statement_transaction_before_current_statement_opening_date",
    "current_statement_transaction_before_last_billed_to_date",
    "historical_statement_transaction_after_current_statement_transaction",
    "historical_statement_transaction_after_last_statement_closing_date",
    "last_statement_issued_before_closing_date",
    "balance_mismatch_on_transfer_balance",
    "historical_statement_transactions_balance_mismatch",
    *_LEDGERS_TO_FORMER_ADDRESSES,
    "agreement_starting_before_meter_point_ssd",
    "no_agreement_covering_last_billed_to_date",
    "debt_and_debts_are_defined",
    "portfolio_lead_has_an_agreement",
    "portfolio_lead_has_a_supply_address",
    "multiple_properties_not_allowed",
    "is_business_must_be_false",
    "is_business_must_be_true",
    "agreement_should_cover_unbilled_period",
    "lead_account_must_have_last_statement_closing_date",
    "meter_point_with_no_agreement",
    "meterpoint_with_agreement_not_on_supply",
)
JP_ACCOUNT = _JP_COMMON_HEAD + _JP_COMMON_TAIL
JP_ACCOUNT_VARIANT_B = _JP_COMMON_HEAD + ("agreement_has_no_matching_meter_point",) + _JP_COMMON_TAIL


def _declare(group: base.GroupBuilder, codes: tuple) -> None:
    for order, entry in enumerate(codes, start=1):
        if isinstance(entry, tuple):
            code, check = entry
        elif entry is None:
            code, check = None, _derive_occupier_billing_address
        else:
            code, check = entry, CHECKS[entry]
        group.rule(order, code, check)


_declare(REGISTRY.group("EnergyAccount", territories=("GB", "AU")), GB_ACCOUNT)
_declare(REGISTRY.group("account", territories=("JP",), locations=("",), variants=("v1",)), JP_ACCOUNT)
_declare(
    REGISTRY.group("account_variant_b", territories=("JP",), locations=("",), variants=("v2",)),
    JP_ACCOUNT_VARIANT_B,
)
