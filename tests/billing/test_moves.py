import datetime as dt

import pytest

from billing import models, operations, queries
from kernel import ranges
from metering import models as metering_models
from tests.accounts.factories import EPOCH
from tests.billing.factories import billable_account

FEB = EPOCH.replace(month=2)
MOVED_OUT = dt.datetime(2024, 1, 20, tzinfo=dt.UTC)


@pytest.mark.django_db
class TestMoveOut:
    def test_ends_agreements_supply_and_occupancy_so_the_next_bill_is_the_final_one(self):
        account = billable_account()

        ended = operations.move_out(account=account, at=MOVED_OUT, now=MOVED_OUT)

        agreement = account.agreements.get()
        assert [a.pk for a in ended] == [agreement.pk]
        assert agreement.active_to == MOVED_OUT
        point = agreement.meter_point
        assert (point.supply_to, point.status) == (MOVED_OUT, metering_models.MeterPointStatus.OFF_SUPPLY)
        assert account.properties.get().occupied_to == MOVED_OUT
        draft = queries.preview_bill(account=account, period=ranges.Period(EPOCH, FEB), as_of=FEB)
        # Supplied 1 to 19 January: 19 days of standing charge, the move-out day not included.
        assert draft.lines[0].quantity == 19

    def test_refuses_an_account_with_nothing_in_force(self):
        account = billable_account()
        operations.move_out(account=account, at=MOVED_OUT, now=MOVED_OUT)

        with pytest.raises(operations.NothingToEnd):
            operations.move_out(account=account, at=MOVED_OUT + dt.timedelta(days=1), now=MOVED_OUT)

        assert models.Agreement.objects.get(account=account).active_to == MOVED_OUT
