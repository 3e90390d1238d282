"""The viewer's secret API key on the customer graph: `viewer { liveSecretKey }` shows it to its
owner, and `regenerateSecretKey` issues a new one, revoking the old (the key's door on the REST API
is HTTP Basic, accounts/api/auth.py)."""

from __future__ import annotations

from accounts import operations, queries
from kernel import graphql as gql


class AccountUserType:
    @staticmethod
    def resolve_liveSecretKey(user, info):
        """Only to the user it belongs to; null for anyone else and for a user without a key."""
        viewer = gql.context(info).viewer()
        if viewer.pk != user.pk:
            return None
        return queries.live_api_key(user=user)


class Mutation:
    @staticmethod
    def resolve_regenerateSecretKey(root, info):
        ctx = gql.context(info)
        viewer = ctx.viewer()
        operations.regenerate_api_key(user=viewer, now=ctx.now)
        return {"viewer": viewer}
