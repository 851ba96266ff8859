"""Web forms: a lead from a submission, routed, with its source; abuse gets clear 4xx."""

import json
from collections import Counter
from typing import Any

import pytest
from django.test import Client

from lejek.accounts.models import User
from lejek.core.errors import Forbidden, ValidationFailed
from lejek.core.models import AuditEntry
from lejek.leads import capture, routing
from lejek.leads.models import Lead, RoutingRule, WebForm, WebFormSubmission

pytestmark = pytest.mark.django_db

FIELDS = {
    "name": "first_name",
    "surname": "last_name",
    "mail": "email",
    "company": "company_name",
    "employees": "company_size",
    "message": "need",
}


def _form(admin: Any, **data: Any) -> WebForm:
    values = {
        "name": "Contact us",
        "slug": "contact",
        "fields": FIELDS,
        "required": ["mail"],
        "campaign": "Spring webinar",
        "default_owner_id": None,
        **data,
    }
    return capture.form_create(actor=admin, data=values)


def _post(data: dict[str, Any], address: str = "203.0.113.5", **extra: Any) -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/f/contact/", json.dumps(data), content_type="application/json", **extra
    )


def test_a_submission_becomes_a_lead_with_source_and_campaign(admin: Any, owner: Any) -> None:
    _form(admin, default_owner_id=owner.pk)
    response = _post(
        {
            "name": "Anna",
            "mail": "Anna@Acme.example",
            "company": "Acme",
            "employees": "40",
            "website": "",
        }
    )
    assert response.status_code == 201, response.content
    lead = Lead.objects.get(pk=response.json()["id"])
    assert (lead.first_name, lead.email, lead.company_size) == ("Anna", "anna@acme.example", 40)
    assert (lead.source, lead.campaign, lead.owner_id) == ("web_form", "Spring webinar", owner.pk)
    assert AuditEntry.objects.filter(entity_type="lead", entity_id=lead.pk).exists()
    assert WebFormSubmission.objects.get().outcome == "created"


def test_the_plain_page_posts_and_thanks(admin: Any, owner: Any) -> None:
    _form(admin, default_owner_id=owner.pk)
    client = Client()
    page = client.get("/f/contact/")
    assert page.status_code == 200 and 'name="mail"' in page.content.decode()
    done = client.post("/f/contact/", {"name": "Anna", "mail": "anna@acme.example"})
    assert done.status_code == 201 and 'id="thanks"' in done.content.decode()
    bad = client.post("/f/contact/", {"name": "Anna"})
    assert bad.status_code == 422
    assert "This field is required." in bad.content.decode()
    assert 'value="Anna"' in bad.content.decode()  # what was typed stays


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({"name": "Anna"}, 422, "mail"),  # a required field missing
        ({"mail": "x@acme.example", "company": "A" * 201}, 422, "company"),  # oversized
        ({"mail": "x@acme.example", "employees": "many"}, 422, "employees"),
        ({"mail": "not an address"}, 422, "mail"),
        ({"mail": "x@acme.example", "salary": "1"}, 422, "salary"),  # not a field of the form
        ({"mail": "x@acme.example", "website": "http://spam.example"}, 400, "website"),  # honeypot
    ],
)
def test_bad_submissions_get_a_message_per_field(
    admin: Any, owner: Any, data: dict[str, Any], status: int, field: str
) -> None:
    _form(admin, default_owner_id=owner.pk)
    response = _post(data)
    assert response.status_code == status, response.content
    assert field in response.json()["errors"]
    assert Lead.objects.count() == 0
    assert WebFormSubmission.objects.get().outcome == "rejected"


def test_oversized_body_and_wrong_secret(admin: Any, owner: Any) -> None:
    _form(admin, default_owner_id=owner.pk, secret="s3cret")
    big = _post({"mail": "x@acme.example", "message": "x" * (70 * 1024)})
    assert big.status_code == 413
    wrong = _post({"mail": "x@acme.example", "_secret": "guess"})
    assert wrong.status_code == 403
    right = _post({"mail": "x@acme.example", "_secret": "s3cret"})
    assert right.status_code == 201
    assert Lead.objects.count() == 1


def test_rate_limit_per_address(admin: Any, owner: Any) -> None:
    _form(admin, default_owner_id=owner.pk, per_hour=3)
    for n in range(3):
        assert _post({"mail": f"p{n}@acme.example"}).status_code == 201
    limited = _post({"mail": "p9@acme.example"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert _post({"mail": "other@acme.example"}, address="198.51.100.7").status_code == 201
    assert Lead.objects.count() == 4


def test_closed_and_unknown_forms(admin: Any, owner: Any) -> None:
    form = _form(admin, default_owner_id=owner.pk)
    WebForm.objects.filter(pk=form.pk).update(is_active=False)
    assert _post({"mail": "x@acme.example"}).status_code == 404
    assert Client().get("/f/nope/").status_code == 404


def test_form_settings_are_checked_per_field(admin: Any, owner: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        capture.form_create(
            actor=admin,
            data={
                "name": "",
                "slug": "Bad Slug",
                "fields": {"x": "salary"},
                "required": ["y"],
                "per_hour": 0,
                "thank_you": "javascript:alert(1)",
            },
        )
    assert {"name", "slug", "fields", "required", "per_hour", "thank_you"} <= set(
        caught.value.fields or {}
    )
    with pytest.raises(Forbidden):
        capture.form_create(actor=owner, data={"name": "x", "slug": "x", "fields": FIELDS})


# --- routing ------------------------------------------------------------------------------


def _reps(team: Any, count: int) -> list[User]:
    return [
        User.objects.create_user(username=f"rep{n}", team=team, role=User.Role.REP)
        for n in range(count)
    ]


def test_round_robin_is_fair_and_skips_inactive_reps(admin: Any, team_a: Any) -> None:
    reps = _reps(team_a, 4)
    User.objects.filter(pk=reps[2].pk).update(is_active=False)
    routing.rule_create(actor=admin, data={"name": "All", "team_id": team_a.pk})
    got = Counter(routing.pick_owner({"source": "web_form"})[0].pk for _ in range(1000))
    assert reps[2].pk not in got
    assert set(got) == {reps[0].pk, reps[1].pk, reps[3].pk}
    assert max(got.values()) - min(got.values()) <= 1
    assert sum(got.values()) == 1000


def test_rules_by_source_territory_and_size(
    admin: Any, team_a: Any, owner: Any, teammate: Any
) -> None:
    routing.rule_create(
        actor=admin,
        data={
            "name": "Big Polish",
            "position": 1,
            "countries": ["pl"],
            "min_company_size": 200,
            "user_id": teammate.pk,
        },
    )
    routing.rule_create(
        actor=admin,
        data={"name": "Referrals", "position": 2, "source": "referral", "user_id": owner.pk},
    )
    assert routing.pick_owner({"country": "PL", "company_size": 500})[0] == teammate
    assert routing.pick_owner({"country": "PL", "company_size": 20})[0] is None
    assert routing.pick_owner({"country": "DE", "source": "referral"})[0] == owner
    assert routing.pick_owner({"country": "CZ", "company_size": 900})[0] is None


def test_a_form_lead_is_routed_and_the_reassignment_logged(
    admin: Any, manager: Any, owner: Any, teammate: Any, team_a: Any
) -> None:
    _form(admin, default_owner_id=admin.pk)
    rule = routing.rule_create(actor=admin, data={"name": "Team A", "team_id": team_a.pk})
    lead = Lead.objects.get(pk=_post({"mail": "x@acme.example"}).json()["id"])
    assert lead.owner_id in {owner.pk, teammate.pk}
    assert lead.routed_by_id == rule.pk
    first = lead.owner_id
    lead = routing.lead_route(actor=manager, lead=lead, version=lead.version)
    assert lead.owner_id != first
    entry = AuditEntry.objects.filter(entity_type="lead", entity_id=lead.pk, field="owner").last()
    assert entry is not None and "Routed by the rule" in entry.note


def test_routing_rule_errors(admin: Any, owner: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        routing.rule_create(
            actor=admin,
            data={
                "name": "",
                "countries": ["Poland"],
                "min_company_size": 50,
                "max_company_size": 10,
            },
        )
    assert {"name", "countries", "team_id"} <= set(caught.value.fields or {})
    with pytest.raises(Forbidden):
        routing.rule_create(actor=owner, data={"name": "x", "user_id": owner.pk})
    assert RoutingRule.objects.count() == 0
