"""The accounts app's `Mutation` fields: Kraken tokens (obtain, refresh, long-lived, invalidate,
force re-authentication), comms preferences and loyalty point redemption. Each parses its input,
calls one operation and maps its exceptions to Kraken error codes."""

from __future__ import annotations

from accounts import models, operations, tokens
from accounts.graphql import access, dataloaders, types
from kernel import graphql as gql
from kernel.graphql import error_codes


class Mutation:
    @staticmethod
    def resolve_obtainKrakenToken(root, info, input):
        now = gql.context(info).now
        given = {k for k, v in dict(input).items() if v not in (None, "")}
        if given & {"organizationSecretKey", "preSignedKey"}:
            raise gql.KrakenError(error_codes.TOKEN_INPUT_UNSUPPORTED)
        try:
            if given == {"email", "password"}:
                issued = tokens.obtain_token_with_password(
                    email=input.email, password=input.password, now=now
                )
            elif given == {"APIKey"}:
                issued = tokens.obtain_token_with_api_key(api_key=input.APIKey, now=now)
            elif given == {"refreshToken"}:
                issued = tokens.refresh_access_token(refresh_token=input.refreshToken, now=now)
            else:
                raise gql.KrakenError(error_codes.TOKEN_INPUT_INVALID)
        except tokens.InvalidCredentials as exc:
            raise gql.KrakenError(error_codes.INVALID_CREDENTIALS) from exc
        except tokens.InvalidAPIKey as exc:
            raise gql.KrakenError(error_codes.AUTHENTICATION_FAILED) from exc
        except tokens.InvalidRefreshToken as exc:
            raise gql.KrakenError(error_codes.INVALID_REFRESH_TOKEN) from exc
        return gql.view(
            "ObtainKrakenJSONWebToken",
            possibleErrors=[],
            token=issued.token,
            payload=issued.payload,
            refreshToken=issued.refresh_token,
            refreshExpiresIn=int(issued.refresh_expires_at.timestamp())
            if issued.refresh_expires_at
            else None,
        )

    @staticmethod
    def resolve_forceReauthentication(root, info, input):
        ctx = gql.context(info)
        effective_at = tokens.force_reauthentication(user=ctx.viewer(), now=ctx.now)
        return gql.view("ForceReauthentication", tokensInvalidated=True, effectiveAt=effective_at)

    @staticmethod
    def resolve_invalidateRefreshToken(root, info, input):
        ctx = gql.context(info)
        ctx.viewer()
        try:
            tokens.revoke_refresh_token(refresh_token=input.refreshToken, now=ctx.now)
        except tokens.InvalidRefreshToken as exc:
            raise gql.KrakenError(error_codes.INVALID_REFRESH_TOKEN) from exc
        return gql.view("InvalidateRefreshToken", possibleErrors=[], token=None)

    @staticmethod
    def resolve_obtainLongLivedRefreshToken(root, info, input):
        ctx = gql.context(info)
        try:
            raw, expires_at = tokens.obtain_long_lived_refresh_token(
                issuer=ctx.viewer(), kraken_token=input.krakenToken or "", now=ctx.now
            )
        except tokens.IssuerNotPermitted as exc:
            raise gql.KrakenError(error_codes.LONG_LIVED_TOKEN_UNAUTHORIZED) from exc
        except tokens.ExpiredKrakenToken as exc:
            raise gql.KrakenError(error_codes.KRAKEN_TOKEN_EXPIRED) from exc
        except tokens.NotAKrakenToken as exc:
            raise gql.KrakenError(error_codes.NOT_A_KRAKEN_TOKEN) from exc
        except tokens.NotAnAccountUser as exc:
            raise gql.KrakenError(error_codes.NOT_AN_ACCOUNT_USER) from exc
        return gql.view(
            "ObtainLongLivedRefreshToken",
            possibleErrors=[],
            refreshToken=raw,
            refreshExpiresIn=int(expires_at.timestamp()),
        )

    @staticmethod
    def resolve_updateCommsPreferences(root, info, input):
        ctx = gql.context(info)
        changes = {
            field: gql.enum_name(input.get(name))
            for name, field in types.COMMS_PREFERENCE_INPUTS.items()
            if input.get(name) is not None
        }
        try:
            prefs = operations.update_comms_preferences(user=ctx.viewer(), changes=changes, now=ctx.now)
        except operations.InvalidCommsPreferences as exc:
            inputs = {field: name for name, field in types.COMMS_PREFERENCE_INPUTS.items()}
            return gql.view(
                "UpdateAccountUserCommsPreferencesMutationPayload",
                errors=[gql.view("ErrorType", field=inputs[f], messages=m) for f, m in exc.errors.items()],
                clientMutationId=input.get("clientMutationId"),
            )
        fields = types.comms_preferences_fields(prefs)
        return gql.view(
            "UpdateAccountUserCommsPreferencesMutationPayload",
            **fields,
            errors=[],
            commsPreferences=gql.view("AccountUserCommsPreferences", **fields),
            clientMutationId=input.get("clientMutationId"),
        )

    @staticmethod
    def resolve_redeemLoyaltyPointsForAccountCredit(root, info, input):
        ctx = gql.context(info)
        account = access.viewer_account(info, input.accountNumber)
        try:
            operations.redeem_loyalty_points(
                user=ctx.viewer(), account=account, points=input.points, now=ctx.now
            )
        except operations.NonPositivePoints as exc:
            raise gql.KrakenError(error_codes.NON_POSITIVE_POINTS) from exc
        except operations.IndivisiblePoints as exc:
            raise gql.KrakenError(error_codes.INDIVISIBLE_POINTS) from exc
        except operations.NoLoyaltyPoints as exc:
            raise gql.KrakenError(error_codes.NO_LOYALTY_LEDGER) from exc
        except operations.InsufficientPoints as exc:
            raise gql.KrakenError(error_codes.INSUFFICIENT_POINTS) from exc
        except (operations.CurrencyMismatch, models.Ledger.DoesNotExist) as exc:
            raise gql.KrakenError(error_codes.LOYALTY_POINTS_FAILED) from exc
        return gql.view("RedeemLoyaltyPointsForAccountCredit", possibleErrors=[], pointsRedeemed=input.points)

    @staticmethod
    def resolve_regenerateSecretKey(root, info):
        """A new secret API key for the viewer, revoking the old one (HTTP Basic on the REST API v1
        and `obtainKrakenToken(input: {APIKey})` take it)."""
        ctx = gql.context(info)
        viewer = ctx.viewer()
        operations.regenerate_api_key(user=viewer, now=ctx.now)
        dataloaders.forget_live_api_key(info)
        return gql.view("RegenerateSecretKey", viewer=viewer)
