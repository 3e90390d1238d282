"""Rules on agreements: periods, rate overrides, bespoke rates, tariffs and product characteristics. Checks return True when the rule fails."""

from __future__ import annotations

from imports.rules import base
from imports.rules import checks as c
from imports.rules import payload as p
from imports.rules.base import items, present
from imports.rules.parts._group import group


def _agreement_rules(schema, utility):
    def invalid_period(n, ctx):
        return any(isinstance(o, dict) and not present(o, "rate_band") for o in items(n, "rate_overrides"))

    def band_missing(n, ctx):
        info = p.tariff(ctx, n.get("tariff_code"))
        return info is not None and any(
            isinstance(o, dict) and o.get("rate_band") and o["rate_band"] not in info.rate_bands
            for o in items(n, "rate_overrides")
        )

    def no_register(n, ctx):
        return any(
            isinstance(r, dict) and not (present(r, "register_id") or present(r, "rate_type"))
            for rate in items(n, "bespoke_tariff_rates")
            if isinstance(rate, dict)
            for r in items(rate, "registers")
        )

    def open_ended(n, ctx):
        info = p.tariff(ctx, n.get("tariff_code"))
        return info is not None and info.available_to is not None and not present(n, "effective_to")

    group(
        schema,
        ("start_date_later_than_end_date", c.later("effective_from", "effective_to")),
        ("invalid_period", invalid_period),
        ("rate_band_does_not_exist", band_missing),
        ("no_register_id_or_rate_type_provided_for_bespoke_elec_rate", no_register),
        ("open_ended_agreement_for_end_dated_product", open_ended),
    )
    group(
        f"{schema}.bespoke_tariff_rates",
        (
            "duplicate_bespoke_rates",
            lambda v, ctx, parent: base.duplicates(repr(sorted(r.items())) for r in v if isinstance(r, dict)),
        ),
    )
    group(f"{schema}.characteristics", ("children_with_duplicate_values", c.duplicate_children("code")))
    group(
        f"{schema}.tariff_code",
        (
            "tariff_code_not_found",
            lambda v, ctx, parent: p.tariff(ctx, v) is None or p.tariff(ctx, v).utility_type != utility,
        ),
    )


_agreement_rules("ElectricityAgreement", "ELECTRICITY")
_agreement_rules("GasAgreement", "GAS")
for _period in ("ElectricityCapacityValue", "ElectricityConfigurationPeriod"):
    group(_period, ("start_date_later_than_end_date", c.later("effective_from_date", "effective_to_date")))
group(
    "ProductCharacteristic",
    ("characteristic_code_not_found", lambda n, ctx: n.get("code") not in ctx.catalogue.characteristics),
    (
        "invalid_characteristic_value",
        lambda n, ctx: (
            ctx.catalogue.characteristics.get(n.get("code")) is not None
            and n.get("value") not in ctx.catalogue.characteristics[n["code"]]
        ),
    ),
)
