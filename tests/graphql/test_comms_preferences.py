from django.utils import timezone

from accounts import models, operations
from tests.accounts.factories import UserFactory
from tests.graphql.conftest import error_code

UPDATE = """mutation($input: UpdateAccountUserCommsPreferencesMutationInput!) {
  updateCommsPreferences(input: $input) {
    isOptedInToOfferMessages fontSizeMultiplier emailFormat preferredHoldMusic clientMutationId
    errors { field messages }
    commsPreferences { isOptedInToOfferMessages isOptedInToSmsMessages emailFormat fontSizeMultiplier preferredHoldMusic } } }"""
VIEWER = """{ viewer { preferences { isOptedInToOfferMessages isOptedInToSmsMessages emailFormat fontSizeMultiplier preferredHoldMusic } } }"""


class TestUpdateCommsPreferences:
    def test_sets_the_given_preferences_and_keeps_the_others(self, authed, viewer):
        data = authed.ok(
            UPDATE,
            {
                "input": {
                    "isOptedInToOfferMessages": True,
                    "emailFormat": "TEXT",
                    "fontSizeMultiplier": 1.5,
                    "preferredHoldMusic": "SONG_1969",
                    "clientMutationId": "abc",
                }
            },
        )["updateCommsPreferences"]

        assert data["errors"] == [] and data["clientMutationId"] == "abc"
        assert data["commsPreferences"] == {
            "isOptedInToOfferMessages": True,
            "isOptedInToSmsMessages": False,
            "emailFormat": "TEXT",
            "fontSizeMultiplier": 1.5,
            "preferredHoldMusic": "SONG_1969",
        }
        assert authed.ok(VIEWER)["viewer"]["preferences"] == data["commsPreferences"]
        assert models.CommsPreferences.objects.get(user=viewer).is_opted_in_to_offer_messages is True

    def test_is_idempotent(self, authed, viewer):
        variables = {"input": {"isOptedInToSmsMessages": True}}

        first = authed.ok(UPDATE, variables)
        again = authed.ok(UPDATE, variables)

        assert first == again
        assert models.AuditEntry.objects.filter(action="COMMS_PREFERENCES_UPDATED", actor=viewer).count() == 1

    def test_reports_invalid_values_per_field_and_saves_nothing(self, authed, viewer):
        data = authed.ok(
            UPDATE,
            {"input": {"isOptedInToOfferMessages": True, "fontSizeMultiplier": 9, "emailFormat": "RTF"}},
        )["updateCommsPreferences"]

        assert sorted(e["field"] for e in data["errors"]) == ["emailFormat", "fontSizeMultiplier"]
        assert data["commsPreferences"] is None
        assert not models.CommsPreferences.objects.filter(user=viewer).exists()

    def test_changes_only_the_viewers_own_preferences(self, authed, viewer):
        other = UserFactory()
        operations.update_comms_preferences(
            user=other, changes={"is_opted_in_to_offer_messages": False}, now=timezone.now()
        )

        authed.ok(UPDATE, {"input": {"isOptedInToOfferMessages": True}})

        assert models.CommsPreferences.objects.get(user=other).is_opted_in_to_offer_messages is False
        assert models.CommsPreferences.objects.get(user=viewer).is_opted_in_to_offer_messages is True

    def test_needs_a_token(self, gql, db):
        _, body = gql(UPDATE, {"input": {"isOptedInToOfferMessages": True}})

        assert error_code(body) == "KT-CT-1112"
        assert not models.CommsPreferences.objects.exists()


class TestViewerPreferences:
    def test_are_the_defaults_until_set(self, authed):
        assert authed.ok(VIEWER)["viewer"]["preferences"] == {
            "isOptedInToOfferMessages": False,
            "isOptedInToSmsMessages": False,
            "emailFormat": "HTML",
            "fontSizeMultiplier": 1.0,
            "preferredHoldMusic": "NO_SONG_PREFERRED",
        }
