"""API authentication: bearer tokens for programs, the session (with CSRF) for the browser."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from lejek.accounts.models import ApiToken, User
from lejek.accounts.throttle import check_api_rate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        # Touch at most once a minute: a write per request would serialise readers on SQLite.
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        check_api_rate(found.user.pk)
        request.user = found.user
        return found.user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not user.is_active:
            return None
        if user is not None:
            check_api_rate(user.pk)
        return user


api_auth = [TokenAuth(), ActiveSessionAuth()]


class AuthedRequest(HttpRequest):
    """The request an authenticated API handler receives: `user` is a real User."""

    user: User  # type: ignore[assignment]
