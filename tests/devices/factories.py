import datetime as dt

import factory

from devices import models
from tests.accounts.factories import EPOCH, AccountFactory


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Device

    account = factory.SubFactory(AccountFactory)
    kind = models.DeviceKind.ELECTRIC_VEHICLES
    provider = models.Provider.TESLA
    vendor = "Tesla"
    model = "Model 3"
    status = models.DeviceLifecycleStatus.LIVE
    state = models.DeviceState.SMART_CONTROL_CAPABLE


class DispatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Dispatch

    device = factory.SubFactory(DeviceFactory)
    start_at = EPOCH
    end_at = factory.LazyAttribute(lambda o: o.start_at + dt.timedelta(hours=1))
    delta_kwh = 7
