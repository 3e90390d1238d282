"""URLs of the customer REST API v1 that billing answers: products, tariff charges, accounts."""

from billing import queries
from billing.api import accounts, catalogue
from kernel.rest import optional_slash

PRODUCT = r"v1/products/(?P<product_code>[-0-9A-Za-z_.]{1,64})"
TARIFF = r"(?P<tariff_code>[-0-9A-Za-z_.]{1,64})"

CHARGE_LISTS = [
    ("electricity", False, "standard-unit-rates", "STANDARD", "List a tariff's standard unit rates"),
    ("electricity", False, "day-unit-rates", "DAY", "List an Economy 7 tariff's day unit rates"),
    ("electricity", False, "night-unit-rates", "NIGHT", "List an Economy 7 tariff's night unit rates"),
    ("electricity", False, "standing-charges", queries.STANDING_CHARGE, "List a tariff's standing charges"),
    ("gas", True, "standard-unit-rates", "STANDARD", "List a gas tariff's unit rates"),
    ("gas", True, "standing-charges", queries.STANDING_CHARGE, "List a gas tariff's standing charges"),
]

urlpatterns = [
    optional_slash(r"v1/products", catalogue.ProductListView.as_view(), name="rest-v1-products"),
    optional_slash(PRODUCT, catalogue.ProductDetailView.as_view(), name="rest-v1-product"),
    *[
        optional_slash(
            rf"{PRODUCT}/{fuel}-tariffs/{TARIFF}/{path}",
            catalogue.charges_view(gas=gas, kind=kind, summary=summary),
            name=f"rest-v1-{fuel}-{path}",
        )
        for fuel, gas, path, kind, summary in CHARGE_LISTS
    ],
    optional_slash(
        r"v1/accounts/(?P<account_number>A-[0-9A-Z]{8})",
        accounts.AccountView.as_view(),
        name="rest-v1-account",
    ),
]
