"""Rules on the parts of an account payload (customers, supply points, meters, agreements, payments,
...): one `x-validators` location of the OpenAPI per group, plus the JP seed's `supply_point` and
`organisation_number` groups. Importing this package declares them, grouped by the part they check:

    _account        campaigns, consents, portfolios, references, billing contact fields, notes
    _people         customers, business users, PSR, complaints, property administrators
    _business       company details, business and commission contracts, partner organisations
    _addresses      billing and supply addresses, and what stands at them
    _meter_points   meter points (GB, and the JP seed's supply_point)
    _meters         meters and registers
    _agreements     agreements, tariffs, product characteristics
    _statements     transactions, supply charges, line items, statements
    _payments       payment instructions, schedules, plans, adequacy, debts, deposits, ledgers
"""

from imports.rules.parts import (  # noqa: F401  (registration)
    _account,
    _addresses,
    _agreements,
    _business,
    _meter_points,
    _meters,
    _payments,
    _people,
    _statements,
)
