"""``/api/tokens/``: a person's own API tokens - list, create (the key is shown once), revoke."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stepflow.access import tokens

__all__ = ["TokenDetailView", "TokenListView"]


class TokenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class TokenCreatedOutput(TokenOutput):
    key = serializers.CharField(help_text="The key; it is shown only in this answer.")


class TokenCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=tokens.NAME_MAX)


class TokenListView(APIView):
    """Your live tokens, newest first, or a new one."""

    permission_classes = [IsAuthenticated]  # anyone signed in manages their own keys

    @extend_schema(operation_id="tokens_list", responses=TokenOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(TokenOutput(tokens.live_tokens(user=request.user), many=True).data)

    @extend_schema(operation_id="tokens_create", request=TokenCreateInput, responses={201: TokenCreatedOutput})
    def post(self, request: Request) -> Response:
        data = TokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = tokens.create_token(user=request.user, name=data.validated_data["name"])
        body = dict(TokenOutput(token).data, key=key)
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    """Revoke one of your tokens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="tokens_revoke", responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        tokens.revoke_token(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
