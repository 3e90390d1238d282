"""Request-scoped batch loads of device preference schedules and saving session participants. Each
batch calls one read of `devices.queries`."""

from __future__ import annotations

from devices import queries
from kernel import graphql as gql


def schedules_of_device(info, device_id: int):
    def batch(ids):
        rows = queries.schedules_of_devices(device_ids=ids)
        return gql.grouped(rows, lambda s: s.preferences.device_id, ids)

    return gql.context(info).loader("schedules_of_device", batch).load(device_id)


def charging_preferences(info, device_id: int):
    """The device's ChargingPreferences (from its schedules)."""
    return gql.then(schedules_of_device(info, device_id), queries.charging_preferences)


def participant_count(info, event_id: int):
    def batch(ids):
        counts = queries.participant_counts(event_ids=ids)
        return [counts.get(i, 0) for i in ids]

    return gql.context(info).loader("saving_session_participants", batch).load(event_id)
