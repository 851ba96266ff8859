import pytest
from django.test import Client

from lejek.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_issued_for_valid_credentials_and_shown_once(api_as, owner):
    anonymous = api_as(None)
    response = anonymous.post(
        "auth/tokens", {"username": "owner", "password": "pass-owner", "name": "laptop"}
    )
    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    assert key.startswith("lej_") and body["prefix"] == key[:12]
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.key_hash == ApiToken.hash_key(key) and key not in stored.key_hash
    me = Client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["username"] == "owner"
    listed = Client().get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {key}"}).json()
    assert all("key" not in t for t in listed)


def test_wrong_credentials_are_401(api_as, owner):
    response = api_as(None).post("auth/tokens", {"username": "owner", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert api_as(None).post("auth/tokens", {"username": "", "password": ""}).status_code == 422


def test_revoked_and_inactive_tokens_stop_working(api_as, owner):
    client = api_as(owner)
    token = ApiToken.objects.get(user=owner)
    assert client.get("auth/me").status_code == 200
    assert client.delete(f"auth/tokens/{token.pk}").status_code == 204
    assert client.get("auth/me").status_code == 401
    other = api_as(owner)
    owner.is_active = False
    owner.save()
    assert other.get("auth/me").status_code == 401


def test_cannot_revoke_someone_elses_token(api_as, owner, teammate):
    api_as(teammate)
    theirs = ApiToken.objects.get(user=teammate)
    assert api_as(owner).delete(f"auth/tokens/{theirs.pk}").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_garbage_bearer_is_401(owner):
    for header in ("Bearer ", "Bearer x", "Bearer " + "a" * 5000, "Basic abc"):
        response = Client().get("/api/v1/auth/me", headers={"Authorization": header})
        assert response.status_code == 401


def test_session_auth_works_for_reads_and_requires_csrf_for_writes(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get("/api/v1/auth/me").json()["username"] == "owner"
    response = client.post(
        "/api/v1/organizations", data={"name": "X"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(owner)
    token = "a" * 32  # a CSRF secret as the browser would hold it in the cookie
    csrf.cookies["csrftoken"] = token
    ok = csrf.post(
        "/api/v1/organizations",
        data={"name": "X"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert ok.status_code == 201
