"""Electricity meter points and grid supply points (spec/REST.md §4.4, §4.6): public endpoints."""

import pytest

from metering import models
from tests.metering.factories import GridSupplyPointPostcodeFactory, MeterPointFactory


@pytest.mark.django_db
class TestElectricityMeterPoint:
    def test_shows_the_region_the_mpan_and_the_profile_class(self, client):
        MeterPointFactory(identifier="1200023305967", gsp_group_id="_C", profile_class=1)

        response = client.get("/v1/electricity-meter-points/1200023305967/")

        assert response.json() == {"gsp": "_C", "mpan": "1200023305967", "profile_class": 1}

    def test_a_meter_point_without_a_recorded_region_takes_its_distributor_s(self, client):
        MeterPointFactory(identifier="1700000000001", gsp_group_id="", profile_class=2)

        assert client.get("/v1/electricity-meter-points/1700000000001").json()["gsp"] == "_P"

    @pytest.mark.parametrize("mpan", ["1299999999999", "abc", "9000000017"])
    def test_an_unknown_mpan_is_not_found(self, client, db, mpan):
        MeterPointFactory(identifier="9000000017", utility_type=models.UtilityType.GAS)

        response = client.get(f"/v1/electricity-meter-points/{mpan}/")

        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})

    def test_needs_no_credentials_but_accepts_a_key(self, client, customer):
        MeterPointFactory(identifier="1200000000001")

        assert client.get("/v1/electricity-meter-points/1200000000001/", **customer.auth).status_code == 200


@pytest.mark.django_db
class TestGridSupplyPoints:
    @pytest.fixture(autouse=True)
    def directory(self, db):
        GridSupplyPointPostcodeFactory(postcode="SW1A", gsp_group_id="_C")
        GridSupplyPointPostcodeFactory(postcode="SY16", gsp_group_id="_D")
        GridSupplyPointPostcodeFactory(postcode="SY16", gsp_group_id="_E")
        GridSupplyPointPostcodeFactory(postcode="SY161AA", gsp_group_id="_E")

    @pytest.mark.parametrize("postcode", ["SW1A1AA", "sw1a 1aa", "SW1A%201AA", "SW1A", "sw1a", " SW1A 2BB "])
    def test_finds_the_region_of_a_postcode_however_written(self, client, postcode):
        assert client.get(f"/v1/industry/grid-supply-points/?postcode={postcode}").json() == {
            "count": 1,
            "next": None,
            "previous": None,
            "results": [{"group_id": "_C"}],
        }

    def test_a_district_on_a_boundary_has_both_regions(self, client):
        body = client.get("/v1/industry/grid-supply-points/?postcode=SY16 2ZZ").json()

        assert body["results"] == [{"group_id": "_D"}, {"group_id": "_E"}]

    def test_a_postcode_listed_on_its_own_wins_over_its_district(self, client):
        body = client.get("/v1/industry/grid-supply-points/?postcode=SY16 1AA").json()

        assert body["results"] == [{"group_id": "_E"}]

    @pytest.mark.parametrize("postcode", ["ZZ99 9ZZ", "!", "SW1A1AAAAAAA", "%00", "%ED%A0%80", "X" * 500])
    def test_an_unmatched_or_invalid_postcode_has_none(self, client, postcode):
        response = client.get(f"/v1/industry/grid-supply-points/?postcode={postcode}")

        assert (response.status_code, response.json()["count"]) == (200, 0)

    @pytest.mark.parametrize("query", ["", "?postcode="])
    def test_without_a_postcode_lists_all_14_regions(self, client, query):
        body = client.get(f"/v1/industry/grid-supply-points/{query}").json()

        assert [row["group_id"] for row in body["results"]] == [
            "_A", "_B", "_C", "_D", "_E", "_F", "_G", "_H", "_J", "_K", "_L", "_M", "_N", "_P"
        ]  # fmt: skip
        assert body["count"] == 14

    def test_the_directory_also_answers_the_graphql_region_lookup(self):
        from metering import queries

        assert queries.regions_of_postcode(postcode="SW1A 1AA") == {"_C"}
