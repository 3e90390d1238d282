"""Request-scoped batch loads of devices, their preferences and dispatches."""

from __future__ import annotations

from devices import models, queries
from kernel import graphql as gql


def schedules_of_device(info, device_id: int):
    def batch(ids):
        rows = models.DevicePreferenceSchedule.objects.filter(preferences__device_id__in=ids).select_related(
            "preferences"
        )
        return gql.grouped(rows, lambda s: s.preferences.device_id, ids)

    return gql.context(info).loader("schedules_of_device", batch).load(device_id)


def participant_count(info, event_id: int):
    def batch(ids):
        counts = queries.participant_counts(event_ids=ids)
        return [counts.get(i, 0) for i in ids]

    return gql.context(info).loader("saving_session_participants", batch).load(event_id)
