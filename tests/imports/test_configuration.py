"""The instance configuration the rules check payloads against: stored in one row (created by a
migration with the defaults), read once per batch into the catalogue, edited in admin."""

from __future__ import annotations

import dataclasses
import importlib
import json

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from imports import admin as imports_admin
from imports import catalogue as catalogue_module
from imports import configuration, models, queries
from tests.imports import payloads

V2 = "/v2/data-import/accounts"
CHANGE = "/admin/imports/importconfiguration/1/change/"
NOT_SETTINGS = {"tariffs", "products"}
MIGRATION = importlib.import_module("imports.migrations.0004_import_configuration")


@pytest.fixture
def stored(db) -> models.ImportConfiguration:
    """The configuration row, as the data migration creates it (run here again: a transactional
    test elsewhere flushes the database, and with it the migrated row)."""
    MIGRATION.create_configuration(apps, None)
    return _row()


def _row() -> models.ImportConfiguration:
    return models.ImportConfiguration.objects.get()


def _form_data(row: models.ImportConfiguration, **changes) -> dict[str, str]:
    """The admin change form as a browser posts it (unchecked boxes are left out)."""
    data = {}
    for name, value in {**row.settings(), **changes}.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, int) or (isinstance(value, str) and name in changes):
            data[name] = str(value)
        else:
            data[name] = json.dumps(value)
    return data


def _settings_of(catalogue: catalogue_module.Catalogue) -> dict:
    return {name: getattr(catalogue, name) for name in configuration.SETTINGS}


class TestSettings:
    def test_are_every_catalogue_field_but_billing_and_existing_rows(self):
        fields = {f.name for f in dataclasses.fields(catalogue_module.Catalogue)}

        assert set(configuration.SETTINGS) == fields - NOT_SETTINGS

    def test_are_each_a_model_field_and_in_exactly_one_admin_fieldset(self):
        in_fieldsets = [
            name
            for _, options in imports_admin.ImportConfigurationAdmin.fieldsets
            for name in options["fields"]
            if name != "modified_at"
        ]

        assert sorted(in_fieldsets) == sorted(configuration.SETTINGS)
        for name in configuration.SETTINGS:
            assert models.ImportConfiguration._meta.get_field(name).help_text == configuration.help_text(name)

    def test_defaults_are_the_catalogue_defaults(self):
        assert _settings_of(catalogue_module.Catalogue()) == configuration.catalogue_values(
            configuration.DEFAULTS
        )
        assert catalogue_module.Catalogue().operations_teams == frozenset(
            {"Migration", "Operations", "Business Team"}
        )

    def test_defaults_all_have_a_valid_shape(self):
        assert configuration.errors(configuration.DEFAULTS) == {}

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("operations_teams", "Migration"),
            ("operations_teams", ["Migration", 3]),
            ("operations_teams", ["Migration", ""]),
            ("operations_teams", {"Migration": True}),
            ("operations_teams", None),
            ("market_participants", ["TENT"]),
            ("market_participants", {"TENT": "GAS"}),
            ("market_participants", {"TENT": None}),
            ("characteristics", {"sales_channel": "DIRECT"}),
            ("customer_detail_namespaces", {"vip": "boolean"}),
            ("payment_day_range", [28, 1]),
            ("payment_day_range", [1, 28, 30]),
            ("payment_day_range", [1, True]),
            ("max_active_deposits", -1),
            ("consents_enabled", "yes"),
        ],
    )
    def test_refuse_a_value_of_the_wrong_shape(self, name, value):
        assert set(configuration.errors({name: value})) == {name}

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("operations_teams", []),
            ("characteristics", {"sales_channel": None, "colour": ["RED"]}),
            ("payment_day_range", [5, 5]),
            ("max_active_deposits", 0),
        ],
    )
    def test_accept_a_value_of_the_right_shape(self, name, value):
        assert configuration.errors({name: value}) == {}


class TestConfigurationRow:
    def test_is_created_by_the_data_migration_with_the_defaults(self, db):
        models.ImportConfiguration.objects.all().delete()

        MIGRATION.create_configuration(apps, None)

        assert _row().pk == models.ImportConfiguration.SINGLETON_ID
        assert _row().settings() == configuration.DEFAULTS

    def test_keeps_an_edited_row_when_the_data_migration_runs_again(self, stored):
        models.ImportConfiguration.objects.update(operations_teams=["Night Shift"])

        MIGRATION.create_configuration(apps, None)

        assert _row().operations_teams == ["Night Shift"]

    def test_is_the_only_row_the_database_accepts(self, stored):
        with pytest.raises(IntegrityError), transaction.atomic():
            models.ImportConfiguration.objects.create(id=2)

        assert models.ImportConfiguration.objects.count() == 1


class TestBuildCatalogue:
    def test_reads_the_stored_configuration_in_one_extra_query(
        self, stored, tariffs, django_assert_num_queries
    ):
        models.ImportConfiguration.objects.update(
            operations_teams=["Night Shift"],
            market_participants={"NEWCO": ["GAS"]},
            characteristics={"sales_channel": None, "colour": ["RED"]},
            payment_day_range=[2, 20],
            managed_accounts_allowed=True,
        )

        with django_assert_num_queries(3):
            catalogue = queries.build_catalogue()

        assert catalogue.operations_teams == frozenset({"Night Shift"})
        assert catalogue.market_participants == {"NEWCO": frozenset({"GAS"})}
        assert catalogue.characteristics == {"sales_channel": None, "colour": frozenset({"RED"})}
        assert catalogue.payment_day_range == (2, 20)
        assert catalogue.managed_accounts_allowed is True
        assert set(catalogue.tariffs) == {payloads.ELEC_TARIFF, payloads.GAS_TARIFF}

    def test_builds_the_default_catalogue_from_the_migrated_row(self, stored):
        assert _settings_of(queries.build_catalogue()) == _settings_of(catalogue_module.Catalogue())

    def test_falls_back_to_the_defaults_when_the_row_is_missing(self, db):
        models.ImportConfiguration.objects.all().delete()

        assert _settings_of(queries.build_catalogue()) == _settings_of(catalogue_module.Catalogue())


class TestImportConfigurationAdmin:
    def test_list_opens_the_single_row_which_cannot_be_added_to_or_deleted(self, staff_client, stored):
        listing = staff_client.get("/admin/imports/importconfiguration/")

        assert listing.status_code == 302
        assert listing["Location"] == CHANGE
        page = staff_client.get(CHANGE).content.decode()
        assert all(configuration.help_text(name) in page for name in configuration.SETTINGS)
        assert staff_client.get("/admin/imports/importconfiguration/add/").status_code == 403
        assert staff_client.post("/admin/imports/importconfiguration/1/delete/").status_code == 403
        assert models.ImportConfiguration.objects.count() == 1

    def test_a_new_operations_team_lets_a_payload_naming_it_pass_validation(self, staff_client, stored, api):
        payload = payloads.gb_account(operations_team_name="Night Shift")
        before = api.post(f"{V2}/validate/", {"payload": payload}, format="json")
        assert before.status_code == 400
        assert [e["code"] for e in before.json()["errors"]] == ["operations_team_name_does_not_exist"]

        response = staff_client.post(
            CHANGE, _form_data(_row(), operations_teams=["Migration", "Night Shift"])
        )

        assert response.status_code == 302, response.context["adminform"].form.errors
        assert _row().operations_teams == ["Migration", "Night Shift"]
        after = api.post(f"{V2}/validate/", {"payload": payload}, format="json")
        assert after.status_code == 200, after.json()

    @pytest.mark.parametrize(
        ("name", "posted"),
        [
            ("operations_teams", '{"Night Shift": true}'),
            ("operations_teams", '["Night Shift", 7]'),
            ("operations_teams", '["Night Shift"'),  # not JSON at all
            ("market_participants", '{"TENT": "GAS"}'),
            ("payment_day_range", "[28, 1]"),
            ("customer_detail_namespaces", '{"vip": "boolean"}'),
            ("operations_teams", ""),
        ],
    )
    def test_a_badly_shaped_setting_is_a_form_error_and_saves_nothing(
        self, staff_client, stored, name, posted
    ):
        before = _row().settings()
        before_modified = _row().modified_at
        # Another field changes too, so a partial save would show.
        data = _form_data(_row(), campaigns=["winter"], **{name: posted})

        response = staff_client.post(CHANGE, data)

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert set(errors) == {name}
        assert _row().settings() == before
        assert _row().modified_at == before_modified


class TestInternalEmailAddresses:
    def test_are_compared_case_insensitively_whatever_case_ops_typed(self):
        from imports import configuration

        values = {name: configuration.default(name) for name in configuration.SETTINGS}
        values["internal_email_addresses"] = ["Billing@Supplier.Example"]

        catalogue_values = configuration.catalogue_values(values)

        assert catalogue_values["internal_email_addresses"] == frozenset({"billing@supplier.example"})
