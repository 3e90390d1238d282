import datetime as dt

from django.utils import timezone

from accounts import models as accounts_models
from accounts import tokens
from devices import models as devices_models
from kraken import demo, demo_graphql
from tests.graphql.conftest import GraphQLClient

QUERY = """query($n: String!, $d: String!, $start: DateTime) {
  savingSessions { events { code status } account(accountNumber: $n) { hasJoinedCampaign joinedEvents { eventId } } }
  loyaltyPointLedgers { value reasonCode }
  smartMeterTelemetry(deviceId: $d, start: $start, grouping: HOURLY) { consumptionDelta } }"""


DEVICES_QUERY = """query($n: String!, $e: ID!) {
  electricVehicles { make }
  heatPumpStatus(accountNumber: $n) { climateControlStatus { targetClimateControlTemperature } }
  octoHeatPumpControllerStatus(accountNumber: $n, euid: $e) { zones { zone } } }"""


class TestDemoGraphQLData:
    def test_gives_the_demo_customer_saving_sessions_points_and_telemetry_once(self, client, db):
        now = timezone.now()
        demo.load_demo_data(now=now, account_count=4)

        summary = demo_graphql.load(now=now)
        again = demo_graphql.load(now=now)

        assert summary.created and summary.events == 5 and summary.enrolments == 4
        assert 24 * 60 <= summary.telemetry_samples <= 24 * 60 + 1
        assert not again.created
        assert devices_models.SavingSessionEvent.objects.count() == 5
        user = accounts_models.User.objects.get(email=demo.DEMO_CUSTOMER_EMAIL)
        gql = GraphQLClient(client)
        gql.token = tokens.obtain_token_with_password(
            email=user.email, password=demo.DEMO_CUSTOMER_PASSWORD, now=now
        ).token
        data = gql.ok(
            QUERY,
            {
                "n": user.account_roles.get().account.number,
                "d": demo_graphql.DEMO_DEVICE_ID,
                "start": (now - dt.timedelta(hours=3)).isoformat(),
            },
        )
        assert [e["status"] for e in data["savingSessions"]["events"]] == ["DONE"] * 3 + ["UPCOMING"] * 2
        assert data["savingSessions"]["account"]["hasJoinedCampaign"] is True
        assert len(data["smartMeterTelemetry"]) in (3, 4)
        assert all(e["reasonCode"] == "SAVING_SESSION_REWARD" for e in data["loyaltyPointLedgers"])
        assert summary.device_variants == len(demo_graphql.CATALOGUE) and summary.heat_pump_controllers == 1
        devices = gql.ok(
            DEVICES_QUERY,
            {"n": user.account_roles.get().account.number, "e": demo_graphql.DEMO_CONTROLLER_EUID},
        )
        assert {v["make"] for v in devices["electricVehicles"]} >= {"Tesla", "Nissan"}
        assert devices["heatPumpStatus"]["climateControlStatus"]["targetClimateControlTemperature"] == "20.5"
        assert [z["zone"] for z in devices["octoHeatPumpControllerStatus"]["zones"]] == ["WATER", "ZONE_1"]

    def test_does_nothing_without_demo_accounts(self, db):
        assert demo_graphql.load(now=timezone.now()).created is False
