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


OUTCOMES = """query($n: String!) { savingSessions { account(accountNumber: $n) { isTesterAccount
  joinedEvents { eventId co2SavedInGrams avgCustomerRemunerationPounds netReductionPctRank }
  eventStreak { isOptedIntoEvent streakPoints } } } }"""


def _settled(event, account, baseline, used, points):
    return SavingSessionParticipationFactory(
        event=event,
        account=account,
        result_status=models.SavingSessionResultStatus.SUCCESS,
        baseline_kwh=Decimal(baseline),
        consumption_kwh=Decimal(used),
        points_awarded=points,
        results_set_at=timezone.now(),
    )


class TestSavingSessionOutcomes:
    def test_states_co2_saved_average_reward_and_rank_among_reducers(self, authed, account, settings):
        settings.GRID_CARBON_INTENSITY_G_PER_KWH = "200"
        event = SavingSessionEventFactory(start_at=timezone.now() - dt.timedelta(days=3))
        _settled(event, account, "2.500", "1.500", 1800)
        _settled(event, AccountUserRoleFactory().account, "2.000", "0.500", 2700)
        _settled(event, AccountUserRoleFactory().account, "1.000", "0.800", 360)
        _settled(event, AccountUserRoleFactory().account, "1.000", "1.200", 0)

        data = authed.ok(OUTCOMES, {"n": account.number})["savingSessions"]["account"]

        # 1 kWh at 200 g/kWh; (1800 + 2700 + 360 + 0) / 4 points at 800 points a pound; of the three
        # who reduced, two saved no more than this account.
        assert data["isTesterAccount"] is False
        assert data["joinedEvents"] == [
            {
                "eventId": gql_ids.encode_int(event.pk),
                "co2SavedInGrams": 200.0,
                "avgCustomerRemunerationPounds": 1.51875,
                "netReductionPctRank": float(Decimal(200) / 3),
            }
        ]

    def test_an_account_that_used_more_has_no_rank_and_negative_co2_saved(self, authed, account, settings):
        settings.GRID_CARBON_INTENSITY_G_PER_KWH = "200"
        event = SavingSessionEventFactory(start_at=timezone.now() - dt.timedelta(days=3))
        _settled(event, account, "1.000", "1.500", 0)

        data = authed.ok(OUTCOMES, {"n": account.number})["savingSessions"]["account"]

        assert data["joinedEvents"][0]["netReductionPctRank"] is None
        assert data["joinedEvents"][0]["co2SavedInGrams"] == -100.0
        assert data["joinedEvents"][0]["avgCustomerRemunerationPounds"] == 0.0

    def test_an_unsettled_event_has_no_outcome(self, authed, account):
        SavingSessionParticipationFactory(account=account)

        data = authed.ok(OUTCOMES, {"n": account.number})["savingSessions"]["account"]

        assert data["joinedEvents"][0] | {"eventId": None} == {
            "eventId": None,
            "co2SavedInGrams": None,
            "avgCustomerRemunerationPounds": None,
            "netReductionPctRank": None,
        }

    def test_the_streak_counts_events_joined_in_a_row(self, authed, account):
        start = timezone.now() - dt.timedelta(days=10)
        events = [SavingSessionEventFactory(start_at=start + dt.timedelta(days=day)) for day in range(4)]
        for joined in (events[0], events[1], events[3]):
            SavingSessionParticipationFactory(event=joined, account=account)

        data = authed.ok(OUTCOMES, {"n": account.number})["savingSessions"]["account"]

        assert [(e["isOptedIntoEvent"], e["streakPoints"]) for e in data["eventStreak"]] == [
            (True, 1),
            (True, 2),
            (False, 0),
            (True, 1),
        ]

    def test_outcomes_cost_the_same_for_1_and_20_joined_events(self, authed, account):
        start = timezone.now() - dt.timedelta(days=30)
        _settled(SavingSessionEventFactory(start_at=start), account, "2", "1", 1800)
        one, _ = queries_for(authed, OUTCOMES, {"n": account.number})
        for day in range(1, 20):
            event = SavingSessionEventFactory(start_at=start + dt.timedelta(days=day))
            _settled(event, account, "2", "1", 1800)
            _settled(event, AccountUserRoleFactory().account, "2", "1.5", 900)

        twenty, data = queries_for(authed, OUTCOMES, {"n": account.number})

        assert len(data["savingSessions"]["account"]["joinedEvents"]) == 20
        assert one == twenty
