"""Agreements on one meter point never overlap: the database refuses it, and the admin shows a form
error and saves nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from billing import models
from tests.accounts.factories import EPOCH
from tests.billing.factories import AgreementFactory, TariffFactory

FEB = EPOCH.replace(month=2)
MAR = EPOCH.replace(month=3)


@pytest.mark.django_db
class TestAgreementOverlap:
    def test_is_refused_by_the_database(self):
        agreement = AgreementFactory(active_from=EPOCH, active_to=MAR)

        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementFactory(
                account=agreement.account, meter_point=agreement.meter_point, active_from=FEB, active_to=None
            )

    def test_open_ended_agreement_overlaps_everything_after_it(self):
        agreement = AgreementFactory(active_from=EPOCH, active_to=None)

        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementFactory(
                account=agreement.account,
                meter_point=agreement.meter_point,
                active_from=MAR.replace(year=2030),
            )

    def test_back_to_back_periods_are_allowed_because_periods_are_half_open(self):
        first = AgreementFactory(active_from=EPOCH, active_to=FEB)

        second = AgreementFactory(account=first.account, meter_point=first.meter_point, active_from=FEB)

        assert second.pk

    def test_other_meter_points_are_independent(self):
        AgreementFactory(active_from=EPOCH)

        assert AgreementFactory(active_from=EPOCH).pk

    def test_must_end_after_it_starts(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementFactory(active_from=FEB, active_to=FEB - dt.timedelta(days=1))


@pytest.mark.django_db
class TestAgreementAdminForm:
    def test_shows_an_error_and_saves_nothing_for_an_overlapping_agreement(self, staff_client):
        existing = AgreementFactory(active_from=EPOCH, active_to=MAR)
        tariff = TariffFactory()

        response = staff_client.post(
            reverse("admin:billing_agreement_add"),
            {
                "account": existing.account.pk,
                "meter_point": existing.meter_point.pk,
                "tariff": tariff.pk,
                "active_from_0": "2024-02-01",
                "active_from_1": "00:00:00",
                "active_to_0": "",
                "active_to_1": "",
            },
        )

        assert response.status_code == 200
        assert "already has an agreement overlapping that period" in response.content.decode()
        assert models.Agreement.objects.filter(meter_point=existing.meter_point).count() == 1

    def test_saves_a_non_overlapping_agreement(self, staff_client):
        existing = AgreementFactory(active_from=EPOCH, active_to=MAR)
        tariff = TariffFactory()

        response = staff_client.post(
            reverse("admin:billing_agreement_add"),
            {
                "account": existing.account.pk,
                "meter_point": existing.meter_point.pk,
                "tariff": tariff.pk,
                "active_from_0": "2024-03-01",
                "active_from_1": "00:00:00",
            },
        )

        assert response.status_code == 302
        assert models.Agreement.objects.filter(meter_point=existing.meter_point).count() == 2
