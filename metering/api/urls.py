from kernel.rest import optional_slash
from metering.api import views

MPAN = r"(?P<mpan>[-0-9A-Za-z_.]{1,64})"
SERIAL = r"(?P<serial_number>[-0-9A-Za-z_.]{1,64})"

urlpatterns = [
    optional_slash(
        rf"v1/electricity-meter-points/{MPAN}",
        views.ElectricityMeterPointView.as_view(),
        name="rest-v1-electricity-meter-point",
    ),
    optional_slash(
        rf"v1/electricity-meter-points/(?P<mpan>[0-9]{{1,32}})/meters/{SERIAL}/consumption",
        views.consumption_view(electricity=True),
        name="rest-v1-electricity-consumption",
    ),
    optional_slash(
        rf"v1/gas-meter-points/(?P<mprn>[0-9]{{1,32}})/meters/{SERIAL}/consumption",
        views.consumption_view(electricity=False),
        name="rest-v1-gas-consumption",
    ),
    optional_slash(
        r"v1/industry/grid-supply-points",
        views.GridSupplyPointView.as_view(),
        name="rest-v1-grid-supply-points",
    ),
]
