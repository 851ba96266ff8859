"""Writes for users and API tokens."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from lejek.accounts import throttle
from lejek.accounts.models import ApiToken, Team, User
from lejek.core.errors import DomainError, NotFound


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"


def token_create(
    *, username: str, password: str, name: str, address: str | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for valid credentials; the plain key is returned once and never stored.

    Failed attempts count towards the log-in throttle of the account and the address.
    """
    throttle.check_login(username, address)
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        throttle.record_login_failure(username, address)
        raise InvalidCredentials("Wrong username or password.")
    throttle.clear_login_failures(username)
    return token_issue(user=user, name=name)


def token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:12], key_hash=ApiToken.hash_key(key)
    )
    return token, key


def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(f"Token {token_id} was not found.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str = User.Role.REP,
    team: Team | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    user = User(
        username=username,
        role=role,
        team=team,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    return user
