import pytest

from kernel import errors
from kernel.graphql import error_codes


class TestDefine:
    def test_a_code_is_a_string_carrying_its_message(self):
        code = errors.define("TEST-0001", "Something failed.", error_type="VALIDATION")

        assert code == "TEST-0001"
        assert (code.message, code.description, code.error_type) == (
            "Something failed.",
            "Something failed.",
            "VALIDATION",
        )

    def test_the_same_code_may_describe_another_situation(self):
        errors.define("TEST-0002", "Bad input.")

        variant = errors.define("TEST-0002", "Bad input.", description="The cursor is not ours.")

        assert variant.description == "The cursor is not ours."
        assert errors.lookup("TEST-0002").description == "Bad input."

    def test_refuses_one_code_with_two_meanings(self):
        errors.define("TEST-0003", "Not found.")

        with pytest.raises(errors.ConflictingErrorCode):
            errors.define("TEST-0003", "Forbidden.")

    def test_holds_every_graphql_code(self):
        assert errors.lookup(error_codes.UNAUTHORIZED.code).error_type == "AUTHORIZATION"
