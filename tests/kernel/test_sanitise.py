import pytest

from accounts import models as accounts_models
from kernel import sanitise
from metering import models as metering_models


class TestTextProblem:
    @pytest.mark.parametrize("value", ["", "Jane O'Neil", "Zoë 😀", "line\nbreak\tand\rreturn"])
    def test_allows_any_storable_text(self, value):
        assert sanitise.text_problem(value) is None

    @pytest.mark.parametrize(
        "value, problem",
        [
            ("Jane\x00", sanitise.NUL),
            ("\ud800", sanitise.SURROGATE),
            ("a\udfffb", sanitise.SURROGATE),
            ("bell\x07", sanitise.CONTROL),
            ("del\x7f", sanitise.CONTROL),
        ],
    )
    def test_names_what_cannot_be_stored(self, value, problem):
        assert sanitise.text_problem(value) == problem


class TestDocumentProblems:
    def test_finds_every_bad_string_with_its_path_keys_included(self):
        document = {
            "name": "ok",
            "users": [{"given_name": "A\x00"}, {"family_name": "\ud800"}],
            "bad\x00key": 1,
        }

        problems = sanitise.document_problems(document)

        assert [(p.attr, p.message) for p in problems] == [
            ("users.0.given_name", sanitise.NUL),
            ("users.1.family_name", sanitise.SURROGATE),
            ("bad\ufffdkey", f"key {sanitise.NUL}"),
        ]
        assert [p.kind for p in problems] == [
            sanitise.NUL_CHARACTER,
            sanitise.SURROGATE_CHARACTER,
            sanitise.NUL_CHARACTER,
        ]

    def test_finds_one_bad_text_among_many_clean_ones_and_none_where_there_is_none(self):
        clean = {f"key{n}": [f"line\n{n}", {"tab\t": "Zoë 😀", "n": n}] for n in range(50)}
        bad = {**clean, "key49": ["line\n49", {"tab\t": "Zoë\x07", "n": 49}]}

        assert sanitise.document_problems(clean) == []
        assert [(p.attr, p.kind) for p in sanitise.document_problems(bad)] == [
            ("key49.1.tab\t", sanitise.CONTROL_CHARACTER)
        ]

    def test_refuses_numbers_no_column_holds(self):
        document = {"big": 2**63, "small": -(2**63) - 1, "fits": 2**63 - 1, "nan": float("nan"), "flag": True}

        problems = sanitise.document_problems(document)

        assert [(p.attr, p.kind) for p in problems] == [
            ("big", sanitise.ABOVE_RANGE),
            ("small", sanitise.BELOW_RANGE),
            ("nan", sanitise.NOT_A_FINITE_NUMBER),
        ]

    def test_refuses_deep_nesting_without_recursing_forever(self):
        document: list = []
        for _ in range(10_000):
            document = [document]

        problems = sanitise.document_problems(document)

        assert [p.message for p in problems] == [sanitise.TOO_DEEP]


class TestStorable:
    def test_replaces_what_cannot_be_stored_and_keeps_the_rest(self):
        deep: list = []
        for _ in range(100):
            deep = [deep]
        document = {"a\x00": ["x\ud800y", 1, 2.5, float("inf"), None, True], "deep": deep}

        copy = sanitise.storable(document)

        assert copy["a\ufffd"] == ["x\ufffdy", 1, 2.5, None, None, True]
        assert sanitise.document_problems(copy) == []


class TestIntegerProblem:
    def test_knows_each_columns_range(self):
        profile_class = metering_models.MeterPoint._meta.get_field("profile_class")

        assert sanitise.integer_problem(32767, profile_class) is None
        assert sanitise.integer_problem(2**31, profile_class) == "must be at most 32767"
        assert sanitise.integer_problem(-1, profile_class) == "must be at least 0"

    def test_big_integer_columns_hold_64_bits(self):
        amount = accounts_models.LedgerEntry._meta.get_field("amount")

        assert sanitise.integer_problem(2**63 - 1, amount) is None
        assert sanitise.integer_problem(2**63, amount) == f"must be at most {2**63 - 1}"

    def test_without_a_column_uses_the_widest(self):
        assert sanitise.integer_problem(2**63 - 1) is None
        assert sanitise.integer_problem(-(2**63) - 1) == f"must be at least {-(2**63)}"


class TestDateProblem:
    @pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30", "yesterday", ""])
    def test_refuses_impossible_dates(self, value):
        assert sanitise.date_problem(value) is not None

    def test_accepts_a_real_date(self):
        assert sanitise.date_problem("2028-02-29") is None
