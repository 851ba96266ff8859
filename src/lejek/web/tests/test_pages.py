"""The page shell: log-in, home, navigation, language, password, health check."""

import pytest
from django.conf import settings
from django.test import Client

from lejek.accounts.models import User
from lejek.web.models import Preference
from lejek.web.tests.pages import HOSTILE, client_for, text

pytestmark = pytest.mark.django_db


def test_login_page_renders(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    body = text(response)
    assert 'name="username"' in body and 'name="password"' in body
    assert "csrfmiddlewaretoken" in body
    assert "htmx" in body


def test_home_needs_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_with_password_leads_home_and_home_is_my_day(client: Client, owner: User) -> None:
    response = client.post("/login/", {"username": "owner", "password": "pass-owner"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/login/")["Location"] == "/"  # already logged in
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == "/activities/my-day/"

    wrong = Client().post("/login/", {"username": "owner", "password": "nope"})
    assert wrong.status_code == 200
    assert "Wrong username or password" in text(wrong)


def test_navigation_lists_the_pages_and_the_search_box(owner: User) -> None:
    body = text(client_for(owner).get("/activities/my-day/"))
    for url in [
        "/activities/my-day/",
        "/pipelines/deals/",
        "/leads/",
        "/contacts/people/",
        "/contacts/organizations/",
        "/activities/",
    ]:
        assert f'href="{url}"' in body
    assert 'id="global-search"' in body
    assert "/admin/" not in body  # reps are not staff
    assert "/account/password/" in body


def test_admins_get_the_administration_link(admin: User) -> None:
    assert "/admin/" in text(client_for(admin).get("/activities/my-day/"))


def test_a_hostile_user_name_is_escaped_in_the_navigation(owner: User) -> None:
    owner.first_name = HOSTILE
    owner.save()
    body = text(client_for(owner).get("/activities/my-day/"))
    assert HOSTILE not in body
    assert "&lt;script&gt;" in body


def test_logout_is_a_post(client: Client, owner: User) -> None:
    client.force_login(owner)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_health_returns_ok(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("code", "labels"),
    [
        ("pl", ["Mój dzień", "Transakcje", "Osoby", "Organizacje", "Wyloguj"]),
        ("ru", ["Мой день", "Сделки", "Люди", "Организации", "Выйти"]),
    ],
)
def test_switching_language_translates_the_interface(
    owner: User, code: str, labels: list[str]
) -> None:
    client = client_for(owner)
    response = client.post("/account/language/", {"language": code, "next": "/leads/"})
    assert response.status_code == 302
    assert response["Location"] == "/leads/"
    body = text(client.get("/activities/my-day/"))
    assert f'lang="{code}"' in body
    for label in labels:
        assert label in body
    assert Preference.objects.get(user=owner).language == code


def test_the_chosen_language_comes_back_at_the_next_log_in(owner: User) -> None:
    Preference.objects.create(user=owner, language="ru")
    client = Client()
    response = client.post("/login/", {"username": "owner", "password": "pass-owner"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert "Мой день" in text(client.get("/activities/my-day/"))


def test_an_unknown_language_changes_nothing(owner: User) -> None:
    client = client_for(owner)
    client.post("/account/language/", {"language": "xx", "next": "/"})
    assert not Preference.objects.filter(user=owner).exists()
    assert 'lang="en"' in text(client.get("/activities/my-day/"))


def test_password_change(owner: User) -> None:
    client = client_for(owner)
    assert client.get("/account/password/").status_code == 200
    wrong = client.post(
        "/account/password/",
        {"old_password": "nope", "new_password1": "x", "new_password2": "y"},
    )
    assert wrong.status_code == 422
    response = client.post(
        "/account/password/",
        {
            "old_password": "pass-owner",
            "new_password1": "a-much-longer-secret-41",
            "new_password2": "a-much-longer-secret-41",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a-much-longer-secret-41")
    assert Client().login(username="owner", password="a-much-longer-secret-41")


def test_password_change_needs_login(client: Client) -> None:
    assert client.get("/account/password/").status_code == 302


def test_not_found_pages_keep_the_layout(owner: User) -> None:
    response = client_for(owner).get("/contacts/people/999999/")
    assert response.status_code == 404
    body = text(response)
    assert 'id="global-search"' in body and "Go to my day" in body
