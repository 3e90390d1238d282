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
