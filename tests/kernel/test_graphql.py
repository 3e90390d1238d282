import datetime as dt

import pytest
from django.utils import timezone

from accounts import models, operations
from kernel import graphql as gql


class TestMapNodes:
    def test_replaces_nodes_and_leaves_out_those_mapped_to_none(self):
        page = gql.connection(["a", "b", "c"], start=0, total=5)

        mapped = gql.map_nodes(page, lambda node: None if node == "b" else node.upper())

        assert [e["node"] for e in mapped["edges"]] == ["A", "C"]
        assert [e["cursor"] for e in mapped["edges"]] == [
            page["edges"][0]["cursor"],
            page["edges"][2]["cursor"],
        ]
        assert (mapped["edgeCount"], mapped["totalCount"], mapped["pageInfo"]) == (2, 5, page["pageInfo"])


class TestEnumName:
    def test_reads_the_name_of_a_member_or_takes_the_value(self):
        class Member:
            name = "SUSPEND"

        assert (gql.enum_name(Member()), gql.enum_name("SUSPEND"), gql.enum_name(None)) == (
            "SUSPEND",
            "SUSPEND",
            None,
        )


class TestPlain:
    def test_is_a_staticmethod_marked_without_info(self):
        resolver = gql.plain(lambda root, info: root)

        assert isinstance(resolver, staticmethod)
        assert getattr(resolver.__func__, gql.binding.WITHOUT_INFO)


@pytest.mark.django_db
class TestPaginateByParent:
    @pytest.fixture
    def accounts(self):
        now = timezone.now()
        made = []
        for count in (3, 5):
            account = operations.create_account(billing_name="Pages", currency="GBP", created_at=now)
            for i in range(count):
                address = models.Address.objects.create(line_1=f"{i} Page Street", postcode="AB1 2CD")
                models.Property.objects.create(
                    account=account, address=address, occupied_from=now - dt.timedelta(days=i)
                )
            made.append(account)
        return made

    def pages(self, ids, **args):
        rows = models.Property.objects.order_by("-occupied_from", "id")
        return gql.paginate_by_parent(
            rows, parent_field="account_id", parent_ids=ids, args=gql.page_args(**args)
        )

    @pytest.mark.parametrize(
        "args",
        [{"first": 2}, {"first": 2, "after": "YXJyYXljb25uZWN0aW9uOjE="}, {"first": 2, "offset": 9}, {}],
    )
    def test_one_parent_pages_as_among_several(self, accounts, args):
        ids = [a.pk for a in accounts]

        alone = {pid: self.pages([pid], **args)[pid] for pid in ids}
        together = self.pages(ids, **args)

        assert alone == together
        assert [p["totalCount"] for p in alone.values()] == [3, 5]
