"""Customers' communication preferences."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction

from accounts import models
from accounts.operations._audit import record_audit

COMMS_PREFERENCE_FIELDS = (
    "is_opted_in_to_client_messages",
    "is_opted_in_to_offer_messages",
    "is_opted_in_to_recommended_messages",
    "is_opted_in_to_update_messages",
    "is_opted_in_to_third_party_messages",
    "is_opted_in_meter_reading_confirmations",
    "is_opted_in_to_sms_messages",
    "is_using_inverted_email_colours",
    "font_size_multiplier",
    "email_format",
    "preferred_hold_music",
)
FONT_SIZE_MULTIPLIER_RANGE = (Decimal("0.5"), Decimal("3"))


class InvalidCommsPreferences(ValueError):
    """Comms preferences out of range; `errors` maps each bad field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def update_comms_preferences(*, user: models.User, changes: dict, now: datetime) -> models.CommsPreferences:
    """Set some of a user's comms preferences (`changes` maps field names of COMMS_PREFERENCE_FIELDS
    to new values; the others keep theirs). Idempotent: setting the values a user already has
    writes nothing and leaves no audit row.

    Raises InvalidCommsPreferences (nothing is saved) and KeyError for an unknown field name.
    """
    for name in changes:
        if name not in COMMS_PREFERENCE_FIELDS:
            raise KeyError(name)
    errors: dict[str, list[str]] = {}
    if "font_size_multiplier" in changes:
        try:
            size = Decimal(str(changes["font_size_multiplier"])).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        except InvalidOperation:
            size = None
        low, high = FONT_SIZE_MULTIPLIER_RANGE
        if size is None or not low <= size <= high:
            errors["font_size_multiplier"] = [f"Must be between {low} and {high}."]
        else:
            changes = {**changes, "font_size_multiplier": size}
    if "email_format" in changes and changes["email_format"] not in models.EmailFormat.values:
        errors["email_format"] = [f"Must be one of {', '.join(models.EmailFormat.values)}."]
    hold_music = {value for value, _ in models.HOLD_MUSIC_CHOICES}
    if "preferred_hold_music" in changes and changes["preferred_hold_music"] not in hold_music:
        errors["preferred_hold_music"] = ["Unknown song."]
    if errors:
        raise InvalidCommsPreferences(errors)
    with transaction.atomic():
        models.User.objects.select_for_update().filter(pk=user.pk).first()
        prefs = models.CommsPreferences.objects.filter(user=user).first()
        created = prefs is None
        if created:
            prefs = models.CommsPreferences(user=user)
        changed = {k: v for k, v in changes.items() if getattr(prefs, k) != v}
        if not created and not changed:
            return prefs
        for name, value in changed.items():
            setattr(prefs, name, value)
        prefs.updated_at = now
        prefs.save()
        record_audit(
            action="COMMS_PREFERENCES_UPDATED",
            obj=prefs,
            actor=user,
            data={k: str(v) for k, v in changed.items()},
            occurred_at=now,
        )
    return prefs
