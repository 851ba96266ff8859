"""Email templates: merge fields, the sandbox, languages, previews through the API."""

from typing import Any

import pytest
from django.core import mail as django_mail

from lejek.accounts.models import User
from lejek.automation import mail
from lejek.automation.models import EmailTemplate
from lejek.automation.tests.helpers import book_meeting, local, make_deal, make_person
from lejek.core.errors import ValidationFailed
from lejek.pipelines.models import Deal, Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(owner: User, outbound: Pipeline) -> Deal:
    return make_deal(owner, outbound, "Cold prospect", make_person(owner))


def _template(key: str = "t", language: str = "en", **fields: Any) -> EmailTemplate:
    values = {"name": key, "subject": "Hello", "body": "Body", **fields}
    return EmailTemplate.objects.create(key=key, language=language, **values)


def test_merge_fields_and_html_escaping(owner: User, deal: Deal) -> None:
    Deal.objects.filter(pk=deal.pk).update(title="<script>alert(1)</script> & Co")
    deal.refresh_from_db()
    _template(
        subject="About {{ deal.title }}", body="Hi {{ contact.first_name }},\n{{ deal.title }}"
    )
    message = mail.compose(deal, template_key="t", to="contact", meeting=None)
    assert message.subject == "About <script>alert(1)</script> & Co"  # a header, not HTML
    assert "Hi Ann,\n<script>alert(1)</script> & Co" in message.body
    html = message.alternatives[0].content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html and "<script>" not in html


@pytest.mark.parametrize(
    "text",
    [
        "{{ deal._state }}",
        "{% load static %}",
        "{% include 'web/base.html' %}x",
        "{% extends 'web/base.html' %}",
        "{% if %}",
    ],
)
def test_templates_cannot_leave_the_sandbox(owner: User, deal: Deal, text: str) -> None:
    with pytest.raises(ValidationFailed):
        mail.check_syntax(text, "body")
        mail.render(text, {"deal": {"title": "x"}})


def test_methods_and_relations_are_not_reachable(owner: User, deal: Deal) -> None:
    values = mail.context.merge_fields(deal)
    out = mail.render("[{{ deal.delete }}][{{ owner.password }}][{{ deal.owner.email }}]", values)
    assert out == "[][][]"
    assert all(not hasattr(v, "_meta") for v in values.values())


def test_language_falls_back_to_the_site_language(owner: User, deal: Deal) -> None:
    _template(language="en", subject="Hello")
    _template(language="pl", subject="Dzień dobry")
    assert mail.compose(
        deal, template_key="t", to="contact", language="pl", meeting=None
    ).subject == ("Dzień dobry")
    assert mail.compose(
        deal, template_key="t", to="contact", language="ru", meeting=None
    ).subject == ("Hello")


def test_meeting_fields_are_in_local_time(owner: User, deal: Deal, clock: Any) -> None:
    book_meeting(owner, deal, local(2030, 6, 4, 14, 0))
    _template(key="m", body="{{ meeting.start|date:'D j.m H:i' }} / {{ meeting.time }}")
    message = mail.compose(
        deal, template_key="m", to="contact", meeting=mail.context.meeting_for(deal)
    )
    assert message.body == "Tue 4.06 14:00 / 14:00"


def test_an_invite_without_a_meeting_is_refused(owner: User, deal: Deal) -> None:
    _template(attach_invite=True)
    with pytest.raises(ValidationFailed, match="meeting"):
        mail.compose(deal, template_key="t", to="contact", meeting=None)


def test_sending_logs_an_outbound_email_activity(owner: User, deal: Deal) -> None:
    _template(subject="Re: {{ deal.title }}")
    mail.send(deal, actor=owner, template_key="t", to="contact")
    assert django_mail.outbox[0].to == ["ann@example.com"]
    activity = deal.activities.get()
    assert (activity.kind, activity.direction, activity.subject) == (
        "email",
        "outbound",
        "Re: Acme rollout",
    )
    assert activity.done_at is not None


def test_template_api(api_as: Any, admin: User, manager: User, owner: User, deal: Deal) -> None:
    api = api_as(admin)
    body = {"key": "welcome", "language": "en", "name": "Welcome", "subject": "Hi", "body": "x"}
    created = api.post("automation/email-templates", body)
    assert created.status_code == 201
    assert api.post("automation/email-templates", body).status_code == 422  # same key+language
    bad = api.post("automation/email-templates", {**body, "language": "pl", "body": "{% if %}"})
    assert bad.status_code == 422 and "body" in bad.json()["errors"]
    template_id = created.json()["id"]
    patched = api.patch(
        f"automation/email-templates/{template_id}", {"subject": "Hi {{ contact.first_name }}"}
    )
    assert patched.status_code == 200
    preview = api_as(manager).post(
        f"automation/email-templates/{template_id}/preview",
        {"entity_type": "deal", "entity_id": deal.pk},
    )
    assert preview.status_code == 200
    assert preview.json() == {
        "subject": "Hi Ann",
        "body": "x",
        "to": ["ann@example.com"],
        "has_invite": False,
    }
    assert api_as(owner).get("automation/email-templates").status_code == 403
    assert api_as(manager).post("automation/email-templates", body).status_code == 403
    assert api.delete(f"automation/email-templates/{template_id}").status_code == 204
