import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from kernel import crypto, rest
from kernel.rest.pagination import PageRequest

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


class TestParseLocalDatetime:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2024-01-01T00:00:00Z", dt.datetime(2024, 1, 1, tzinfo=UTC)),
            ("2024-06-01T00:00:00+01:00", dt.datetime(2024, 5, 31, 23, tzinfo=UTC)),
            ("2024-06-01T00:00:00+0100", dt.datetime(2024, 5, 31, 23, tzinfo=UTC)),
            ("2024-01-01T00:00:00", dt.datetime(2024, 1, 1, tzinfo=UTC)),
            ("2024-06-01T00:00:00", dt.datetime(2024, 5, 31, 23, tzinfo=UTC)),
            ("2024-06-01", dt.datetime(2024, 5, 31, 23, tzinfo=UTC)),
            ("2024-12-01", dt.datetime(2024, 12, 1, tzinfo=UTC)),
            ("2024-06-01T00:00:00 01:00", dt.datetime(2024, 5, 31, 23, tzinfo=UTC)),
            ("2024-06-01T12:30:15.5Z", dt.datetime(2024, 6, 1, 12, 30, 15, 500000, tzinfo=UTC)),
        ],
    )
    def test_reads_offsets_and_takes_naive_times_and_dates_on_the_london_wall_clock(self, text, expected):
        assert rest.parse_local_datetime(text, LONDON) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "yesterday",
            "2024-13-45",
            "2024-01-01T25:00:00",
            "0001-01-01T00:00:00+01:00",
            "2024\x00-01-01",
            "9" * 100,
        ],
    )
    def test_refuses_anything_else(self, text):
        with pytest.raises(ValueError, match="Enter a valid date/time."):
            rest.parse_local_datetime(text, LONDON)


class TestParseBool:
    @pytest.mark.parametrize(
        ("text", "expected"), [("true", True), ("True", True), ("1", True), ("FALSE", False)]
    )
    def test_reads_any_case_and_digits(self, text, expected):
        assert rest.parse_bool(text) is expected

    @pytest.mark.parametrize("text", [None, "", "yes", "maybe", "2"])
    def test_anything_else_is_absent(self, text):
        assert rest.parse_bool(text) is None


class TestPeriodParameters:
    def validate(self, **query):
        parameters = rest.PeriodParameters(data=query)
        return parameters.is_valid(), parameters

    def test_period_to_alone_needs_period_from(self):
        valid, parameters = self.validate(period_to="2024-01-02")

        assert not valid
        assert parameters.errors == {"period_from": ["This field is required when providing a period_to."]}

    @pytest.mark.parametrize("end", ["2024-01-01", "2023-12-31"])
    def test_an_empty_or_reversed_window_is_refused(self, end):
        valid, parameters = self.validate(period_from="2024-01-01", period_to=end)

        assert not valid and list(parameters.errors) == ["period_to"]

    def test_a_window_is_a_half_open_period(self):
        valid, parameters = self.validate(period_from="2024-01-01", period_to="2024-01-02")

        assert valid
        assert parameters.validated_data["period"].start == dt.datetime(2024, 1, 1, tzinfo=UTC)
        assert parameters.validated_data["period"].end == dt.datetime(2024, 1, 2, tzinfo=UTC)


def request_for(path, **headers):
    return Request(RequestFactory().get(path, **headers))


class TestPageRequest:
    @pytest.mark.parametrize(
        ("query", "number", "size"),
        [
            ("", 1, 100),
            ("?page=3&page_size=20", 3, 20),
            ("?page_size=99999", 1, 1500),
            ("?page_size=0", 1, 100),
            ("?page_size=-5", 1, 100),
            ("?page_size=abc", 1, 100),
            ("?page_size=%C2%B2", 1, 100),
        ],
    )
    def test_clamps_page_size_and_falls_back_to_the_default(self, query, number, size):
        page = rest.page_request(request_for(f"/v1/x/{query}"), default_size=100, max_size=1500)

        assert (page.number, page.size) == (number, size)

    @pytest.mark.parametrize("page", ["0", "-1", "x", "1.5", "99999999999999999999"])
    def test_a_page_that_is_not_a_positive_integer_is_an_invalid_page(self, page):
        with pytest.raises(NotFound, match="Invalid page."):
            rest.page_request(request_for(f"/v1/x/?page={page}"), default_size=100, max_size=None)


class TestPageLinks:
    def test_links_are_absolute_keep_every_parameter_sorted_and_set_page(self):
        request = request_for("/v1/x/?period_from=2024-01-01T00:00:00Z&order=period&page=2&page_size=10")

        following, preceding = rest.page_links(request, page=PageRequest(2, 10), count=35)

        assert following == (
            "http://testserver/v1/x/?order=period&page=3&page_size=10&period_from=2024-01-01T00%3A00%3A00Z"
        )
        assert (
            preceding
            == "http://testserver/v1/x/?order=period&page_size=10&period_from=2024-01-01T00%3A00%3A00Z"
        )

    def test_the_last_page_has_no_next_and_the_third_links_back_to_page_two(self):
        following, preceding = rest.page_links(
            request_for("/v1/x/?page=3"), page=PageRequest(3, 10), count=30
        )

        assert following is None
        assert preceding == "http://testserver/v1/x/?page=2"

    def test_an_empty_first_page_exists_and_a_page_past_the_end_does_not(self):
        assert rest.page_links(request_for("/v1/x/"), page=PageRequest(1, 10), count=0) == (None, None)
        with pytest.raises(NotFound, match="Invalid page."):
            rest.page_links(request_for("/v1/x/?page=2"), page=PageRequest(2, 10), count=10)

    def test_honours_the_proxy_s_scheme_and_host(self):
        request = request_for("/v1/x/", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST="api.example")

        following, _ = rest.page_links(request, page=PageRequest(1, 10), count=11)

        assert following == "https://api.example/v1/x/?page=2"

    def test_ignores_a_forwarded_host_that_is_not_allowed(self, settings):
        settings.ALLOWED_HOSTS = ["testserver"]
        request = request_for("/v1/x/", HTTP_X_FORWARDED_HOST="evil.example", HTTP_X_FORWARDED_PROTO="gopher")

        following, _ = rest.page_links(request, page=PageRequest(1, 10), count=11)

        assert following == "http://testserver/v1/x/?page=2"


class TestFormatting:
    def test_local_times_carry_their_offset_and_z_in_winter(self):
        assert rest.local_iso(dt.datetime(2023, 3, 26, 0, 30, tzinfo=UTC), LONDON) == "2023-03-26T00:30:00Z"
        assert (
            rest.local_iso(dt.datetime(2023, 3, 26, 1, 0, tzinfo=UTC), LONDON) == "2023-03-26T02:00:00+01:00"
        )
        assert rest.local_iso(None, LONDON) is None

    def test_utc_times_end_in_z_with_fractions_only_when_asked(self):
        moment = dt.datetime(2024, 5, 13, 18, 13, 39, 477498, tzinfo=dt.timezone(dt.timedelta(hours=1)))

        assert rest.utc_iso(moment) == "2024-05-13T17:13:39Z"
        assert rest.utc_iso(moment, fraction=True) == "2024-05-13T17:13:39.477498Z"


class TestCrypto:
    def test_round_trips_and_never_stores_the_plaintext(self):
        token = crypto.encrypt("sk_live_secret", purpose="test")

        assert "sk_live_secret" not in token
        assert crypto.decrypt(token, purpose="test") == "sk_live_secret"

    def test_a_value_encrypted_for_one_purpose_cannot_be_read_as_another(self):
        token = crypto.encrypt("sk_live_secret", purpose="one")

        with pytest.raises(crypto.CannotDecrypt):
            crypto.decrypt(token, purpose="two")

    def test_keys_rotate_newest_first_and_old_values_stay_readable(self, settings):
        settings.FIELD_ENCRYPTION_KEYS = ["old-secret"]
        old = crypto.encrypt("value", purpose="p")
        settings.FIELD_ENCRYPTION_KEYS = ["new-secret", "old-secret"]

        assert crypto.decrypt(old, purpose="p") == "value"
        settings.FIELD_ENCRYPTION_KEYS = ["new-secret"]
        with pytest.raises(crypto.CannotDecrypt):
            crypto.decrypt(old, purpose="p")

    def test_a_tampered_value_is_refused(self):
        token = crypto.encrypt("value", purpose="p")

        with pytest.raises(crypto.CannotDecrypt):
            crypto.decrypt(token[:-4] + "AAAA", purpose="p")
