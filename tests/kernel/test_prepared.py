import pytest
from django.db import connection, connections, transaction

from accounts import models
from kernel import prepared


@pytest.fixture
def addresses(db):
    return [
        models.Address.objects.create(line_1=f"{i} Prepared Street", postcode=postcode)
        for i, postcode in enumerate(["AB1 2CD", "AB1 2CD", "EF3 4GH", "IJ5 6KL"])
    ]


def by_ids(ids):
    return models.Address.objects.filter(pk__in=ids).order_by("-pk")


def by_postcode(postcode, above):
    return models.Address.objects.filter(postcode=postcode, pk__gt=above).order_by("pk")


class TestRows:
    def test_answers_each_call_with_its_own_values(self, addresses):
        a, b, c, d = addresses
        key = object()

        assert prepared.rows(key, by_ids, [a.pk, c.pk]) == [c, a]
        assert prepared.rows(key, by_ids, [b.pk, d.pk]) == [d, b]
        assert prepared.rows(key, by_ids, [d.pk]) == [d]
        assert prepared.rows(key, by_ids, [a.pk, b.pk, c.pk]) == [c, b, a]

    def test_strings_and_ints_mixed(self, addresses):
        a, b, c, _ = addresses
        key = object()

        assert prepared.rows(key, by_postcode, "AB1 2CD", 0) == [a, b]
        assert prepared.rows(key, by_postcode, "AB1 2CD", a.pk) == [b]
        assert prepared.rows(key, by_postcode, "EF3 4GH", 0) == [c]

    def test_first_is_the_first_row_or_none(self, addresses):
        a, b, *_ = addresses
        key = object()

        assert prepared.first(key, by_postcode, "AB1 2CD", 0) == a
        assert prepared.first(key, by_postcode, "AB1 2CD", a.pk) == b
        assert prepared.first(key, by_postcode, "AB1 2CD", b.pk) is None

    def test_builds_a_shape_once(self, addresses, django_assert_num_queries):
        a, b, *_ = addresses
        key = object()
        built = []

        def build(ids):
            built.append(ids)
            return by_ids(ids)

        prepared.rows(key, build, [a.pk])
        with django_assert_num_queries(1):
            assert prepared.rows(key, build, [b.pk]) == [b]

        assert len(built) == 1

    def test_a_shape_whose_values_are_inlined_is_built_every_time(self, addresses):
        a, b, c, d = addresses
        key = object()
        built = []

        def build(count):
            built.append(count)
            return models.Address.objects.order_by("pk")[:count]  # LIMIT is inlined, not a parameter

        assert prepared.rows(key, build, 1) == [a]
        assert prepared.rows(key, build, 3) == [a, b, c]
        assert len(built) == 3  # the sentinel's, then each call's

    def test_arguments_it_cannot_stand_in_for_take_the_normal_path(self, addresses):
        key = object()

        assert prepared.rows(key, by_ids, []) == []
        assert prepared.rows(key, by_ids, [addresses[0].pk, None]) == [addresses[0]]


def server_statements_of(table: str) -> list[tuple]:
    """(parameter types, executions) of this session's protocol-level prepared statements that
    read `table`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parameter_types::text[], generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE NOT from_sql AND statement LIKE %s ORDER BY prepare_time",
            [f'%"{table}"%'],
        )
        return cursor.fetchall()


class TestRowsPrepared:
    def test_run_as_one_server_prepared_statement_whatever_the_values(self, addresses):
        a, b, c, d = addresses
        key = object()

        prepared.rows(key, by_ids, [a.pk, b.pk])
        prepared.rows(key, by_ids, [c.pk, 40_000])
        found = prepared.rows(key, by_ids, [d.pk, 2**40])

        assert found == [d]
        assert server_statements_of("accounts_address") == [(["bigint", "bigint"], 3)]

    def test_queries_are_still_counted_and_logged(self, addresses, django_assert_num_queries):
        a, b, *_ = addresses
        key = object()
        prepared.rows(key, by_ids, [a.pk])

        with django_assert_num_queries(1) as captured:
            assert prepared.rows(key, by_ids, [b.pk]) == [b]

        assert '"accounts_address"."id" IN ($1)' in captured.captured_queries[0]["sql"]

    def test_a_transaction_rolled_back_leaves_it_answering(self, addresses):
        a, b, *_ = addresses
        key = object()

        class Abandoned(Exception):
            pass

        with pytest.raises(Abandoned), transaction.atomic():
            assert prepared.rows(key, by_ids, [a.pk]) == [a]
            raise Abandoned

        assert prepared.rows(key, by_ids, [b.pk]) == [b]

    def test_statements_deallocated_by_someone_else_are_prepared_again(self, addresses):
        a, b, *_ = addresses
        key = object()
        prepared.rows(key, by_ids, [a.pk])

        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        found = prepared.rows(key, by_ids, [b.pk])

        assert found == [b]
        assert server_statements_of("accounts_address") == [(["bigint"], 1)]

    def test_a_connection_that_does_not_prepare_reads_through_django(self, addresses):
        a, *_ = addresses
        key = object()
        connection.ensure_connection()
        connection.connection.prepare_threshold = None
        try:
            found = prepared.rows(key, by_ids, [a.pk])
            prepared_meanwhile = server_statements_of("accounts_address")
        finally:
            connection.connection.prepare_threshold = connection.get_connection_params()["prepare_threshold"]

        assert found == [a]
        assert prepared_meanwhile == []

    def test_connections_prepare_by_default(self):
        assert connection.get_connection_params()["prepare_threshold"] is not None


@pytest.mark.django_db(transaction=True)
class TestRowsPreparedAcrossConnections:
    def test_a_closed_connection_is_replaced_by_one_that_prepares_again(self, addresses):
        a, b, *_ = addresses
        key = object()
        prepared.rows(key, by_ids, [a.pk])

        connection.close()
        found = prepared.rows(key, by_ids, [b.pk])

        assert found == [b]
        assert server_statements_of("accounts_address") == [(["bigint"], 1)]

    def test_a_pooled_connection_keeps_its_statements_between_checkouts(self, addresses):
        a, b, *_ = addresses
        key = object()
        own = connections["default"]
        pooled = connections.create_connection("default")
        pooled.settings_dict = {
            **own.settings_dict,
            "OPTIONS": {**own.settings_dict["OPTIONS"], "pool": {"min_size": 1, "max_size": 1}},
        }
        connections["default"] = pooled
        try:
            assert prepared.rows(key, by_ids, [a.pk]) == [a]
            pooled.close()  # back to the pool, then out again: the same session
            found = prepared.rows(key, by_ids, [b.pk])
            statements = server_statements_of("accounts_address")
            pooled.close()
        finally:
            connections["default"] = own
            pooled.close_pool()

        assert found == [b]
        assert statements == [(["bigint"], 2)]
