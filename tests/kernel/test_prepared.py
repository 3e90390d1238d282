import pytest

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
