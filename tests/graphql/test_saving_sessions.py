import datetime as dt
from decimal import Decimal

from django.utils import timezone

from devices import models
from kernel.graphql import ids as gql_ids
from tests.accounts.factories import AccountUserRoleFactory
from tests.graphql.conftest import error_code, queries_for
from tests.graphql.factories import (
    SavingSessionEnrolmentFactory,
    SavingSessionEventFactory,
    SavingSessionParticipationFactory,
)
from tests.metering.factories import MeterPointFactory

SESSIONS = """query($n: String!) { savingSessions {
  events { id code status totalParticipants rewardPerKwhInOctoPoints }
  eventCount
  account(accountNumber: $n) { hasJoinedCampaign canJoinCampaign signedUpMeterPoint { mpan }
    joinedEvents { eventId status eventStatus energySavedInKwh rewardGivenInOctoPoints } } } }"""
EVENTS = "{ savingSessions { events { code totalParticipants } } }"
JOIN_CAMPAIGN = """mutation($n: String!, $mpan: String!) {
  joinSavingSessionsCampaign(input: {accountNumber: $n, mpan: $mpan}) { account { number } } }"""
JOIN_EVENT = """mutation($n: String!, $code: String!) {
  joinSavingSessionsEvent(input: {accountNumber: $n, eventCode: $code}) { joinedEventCodes } }"""


class TestSavingSessionsQuery:
    def test_lists_events_and_the_accounts_results(self, authed, account):
        past = SavingSessionEventFactory(start_at=timezone.now() - dt.timedelta(days=3))
        SavingSessionEventFactory(is_dev_event=True)
        enrolment = SavingSessionEnrolmentFactory(account=account)
        SavingSessionParticipationFactory(
            event=past,
            account=account,
            result_status=models.SavingSessionResultStatus.SUCCESS,
            baseline_kwh=Decimal("2.500"),
            consumption_kwh=Decimal("1.000"),
            points_awarded=2700,
            results_set_at=timezone.now(),
        )

        data = authed.ok(SESSIONS, {"n": account.number})["savingSessions"]

        assert [(e["code"], e["status"], e["totalParticipants"]) for e in data["events"]] == [
            (past.code, "DONE", 1)
        ]
        assert data["eventCount"] == 1
        assert data["account"] == {
            "hasJoinedCampaign": True,
            "canJoinCampaign": False,
            "signedUpMeterPoint": {"mpan": enrolment.meter_point.identifier},
            "joinedEvents": [
                {
                    "eventId": gql_ids.encode_int(past.pk),
                    "status": "SUCCESS",
                    "eventStatus": "DONE",
                    "energySavedInKwh": 1.5,
                    "rewardGivenInOctoPoints": 2700,
                }
            ],
        }

    def test_refuses_another_users_account(self, authed):
        other = AccountUserRoleFactory().account

        _, body = authed(SESSIONS, {"n": other.number})

        assert error_code(body) == "KT-CT-4177"
        assert body["data"]["savingSessions"]["account"] is None

    def test_events_cost_the_same_for_1_and_30_events(self, authed, account):
        SavingSessionParticipationFactory(account=account)
        one, _ = queries_for(authed, EVENTS)
        for _ in range(29):
            SavingSessionParticipationFactory(account=account)

        thirty, data = queries_for(authed, EVENTS)

        assert len(data["savingSessions"]["events"]) == 30
        assert one == thirty


class TestJoiningSavingSessions:
    def test_joins_the_campaign_then_an_event_once(self, authed, account):
        meter_point = MeterPointFactory(property__account=account)
        event = SavingSessionEventFactory()

        authed.ok(JOIN_CAMPAIGN, {"n": account.number, "mpan": meter_point.identifier})
        authed.ok(JOIN_CAMPAIGN, {"n": account.number, "mpan": meter_point.identifier})
        authed.ok(JOIN_EVENT, {"n": account.number, "code": event.code})
        data = authed.ok(JOIN_EVENT, {"n": account.number, "code": event.code})

        assert data["joinSavingSessionsEvent"]["joinedEventCodes"] == [event.code]
        assert models.SavingSessionParticipation.objects.filter(account=account).count() == 1
        assert models.SavingSessionEnrolment.objects.get(account=account).meter_point == meter_point

    def test_an_event_needs_the_campaign_first(self, authed, account):
        event = SavingSessionEventFactory()

        _, body = authed(JOIN_EVENT, {"n": account.number, "code": event.code})

        assert error_code(body) == "KT-CT-4321"
        assert not models.SavingSessionParticipation.objects.exists()

    def test_a_started_event_cannot_be_joined(self, authed, account):
        SavingSessionEnrolmentFactory(account=account)
        event = SavingSessionEventFactory(start_at=timezone.now() - dt.timedelta(minutes=5))

        _, body = authed(JOIN_EVENT, {"n": account.number, "code": event.code})

        assert error_code(body) == "KT-CT-4321"

    def test_another_accounts_meter_point_is_refused(self, authed, account):
        meter_point = MeterPointFactory()

        _, body = authed(JOIN_CAMPAIGN, {"n": account.number, "mpan": meter_point.identifier})

        assert error_code(body) == "KT-CT-4321"
        assert not models.SavingSessionEnrolment.objects.exists()

    def test_another_users_account_gets_kt_ct_4177(self, authed):
        other = AccountUserRoleFactory().account
        event = SavingSessionEventFactory()

        _, body = authed(JOIN_EVENT, {"n": other.number, "code": event.code})

        assert error_code(body) == "KT-CT-4177"
