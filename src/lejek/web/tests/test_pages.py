from typing import Any

import pytest
from django.test import Client

from lejek.accounts.models import User
from lejek.leads.models import Lead
from lejek.pipelines.models import Deal, Pipeline, Stage

pytestmark = pytest.mark.django_db


def test_login_page_renders(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body and 'name="password"' in body
    assert "csrfmiddlewaretoken" in body
    assert "htmx" in body


def test_home_needs_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_with_password_leads_home(client: Client, owner: User) -> None:
    response = client.post("/login/", {"username": "owner", "password": "pass-owner"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/login/")["Location"] == "/"  # already logged in

    wrong = Client().post("/login/", {"username": "owner", "password": "nope"})
    assert wrong.status_code == 200
    assert "Wrong username or password" in wrong.content.decode()


def _deal(owner: User, stage: Stage, **fields: Any) -> Deal:
    return Deal.objects.create(
        owner=owner,
        title=f"Deal of {owner.username}",
        pipeline=stage.pipeline,
        stage=stage,
        **fields,
    )


def test_home_counts_only_visible_open_records(client: Client, owner: User, outsider: User) -> None:
    pipeline = Pipeline.objects.create(name="Sales")
    stage = Stage.objects.create(pipeline=pipeline, name="Qualified", order=1, probability=10)
    _deal(owner, stage)
    _deal(owner, stage)
    _deal(owner, stage, status=Deal.Status.WON)
    _deal(outsider, stage)
    Lead.objects.create(owner=owner, first_name="Ann", status=Lead.Status.WORKING)
    Lead.objects.create(owner=owner, first_name="Bob", status=Lead.Status.CONVERTED)
    Lead.objects.create(owner=outsider, first_name="Cid", status=Lead.Status.NEW)

    client.force_login(owner)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["open_deals"] == 2
    assert response.context["open_leads"] == 1
    body = response.content.decode()
    assert "Welcome, Owner" in body
    assert "/api/v1/docs" in body
    assert "/admin/" not in body  # reps are not staff


def test_home_links_admin_for_admins(client: Client, admin: User) -> None:
    client.force_login(admin)
    response = client.get("/")
    assert response.status_code == 200
    assert "/admin/" in response.content.decode()


def test_logout_is_a_post(client: Client, owner: User) -> None:
    client.force_login(owner)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_health_returns_ok(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
