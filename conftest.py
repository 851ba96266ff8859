"""Shared personas and API clients for every app's tests.

Personas: `owner` (rep, team A), `teammate` (rep, team A), `manager` (manager of
team A), `outsider` (rep, team B), `other_manager` (manager of team B), `admin`.
"""

import json
import threading
from typing import Any

import pytest
from django.test import Client

from lejek.accounts import services as account_services
from lejek.accounts.models import Team, User


class ApiClient:
    """A JSON client that authenticates with a bearer token (or not at all)."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.user = user
        self.headers: dict[str, str] = {}
        if user is not None:
            _, key = account_services.token_issue(user=user, name="tests")
            self.headers["Authorization"] = f"Bearer {key}"

    def _call(self, method: str, path: str, data: Any = None, **params: Any) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        kwargs: dict[str, Any] = {"headers": self.headers}
        if method in {"get", "delete"}:
            kwargs["query_params"] = params or None
            response = getattr(self.client, method)(url, **kwargs)
        else:
            response = getattr(self.client, method)(
                url,
                data=json.dumps(data if data is not None else {}),
                content_type="application/json",
                **kwargs,
            )
        return response

    def get(self, path: str, **params: Any) -> Any:
        return self._call("get", path, **params)

    def post(self, path: str, data: Any = None) -> Any:
        return self._call("post", path, data)

    def put(self, path: str, data: Any = None) -> Any:
        return self._call("put", path, data)

    def patch(self, path: str, data: Any = None) -> Any:
        return self._call("patch", path, data)

    def delete(self, path: str, **params: Any) -> Any:
        return self._call("delete", path, **params)


@pytest.fixture
def team_a(db: Any) -> Team:
    return Team.objects.create(name="Team A")


@pytest.fixture
def team_b(db: Any) -> Team:
    return Team.objects.create(name="Team B")


def _user(username: str, role: str, team: Team | None) -> User:
    return account_services.user_create(
        username=username,
        password="pass-" + username,
        role=role,
        team=team,
        first_name=username.capitalize(),
        email=f"{username}@example.com",
    )


@pytest.fixture
def owner(team_a: Team) -> User:
    return _user("owner", User.Role.REP, team_a)


@pytest.fixture
def teammate(team_a: Team) -> User:
    return _user("teammate", User.Role.REP, team_a)


@pytest.fixture
def manager(team_a: Team) -> User:
    return _user("manager", User.Role.MANAGER, team_a)


@pytest.fixture
def outsider(team_b: Team) -> User:
    return _user("outsider", User.Role.REP, team_b)


@pytest.fixture
def other_manager(team_b: Team) -> User:
    return _user("othermanager", User.Role.MANAGER, team_b)


@pytest.fixture
def admin(db: Any) -> User:
    return _user("admin", User.Role.ADMIN, None)


@pytest.fixture
def personas(
    owner: User, teammate: User, manager: User, outsider: User, other_manager: User, admin: User
) -> dict[str, User]:
    return {
        "owner": owner,
        "teammate": teammate,
        "manager": manager,
        "outsider": outsider,
        "other_manager": other_manager,
        "admin": admin,
    }


@pytest.fixture
def api_as() -> Any:
    """`api_as(user)` → an ApiClient authenticated as that user; `api_as(None)` anonymous."""
    return ApiClient


@pytest.fixture
def threads_at_rebuild(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads running each time a summary rebuild starts: the rebuild spreads its work
    over forked children only when none runs beside it, so a progress bar must not start
    one."""
    from lejek.analytics import rebuild

    seen: list[int] = []
    original = rebuild.rebuild

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.active_count())
        return original(*args, **kwargs)

    monkeypatch.setattr(rebuild, "rebuild", watched)
    return seen
