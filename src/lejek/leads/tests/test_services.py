from decimal import Decimal

import pytest
from django.test import override_settings

from lejek.core import audit
from lejek.core.errors import Conflict, Forbidden, ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry
from lejek.leads import services
from lejek.leads.models import Lead, Source
from lejek.leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def entries(lead: Lead, **filters: object) -> list[AuditEntry]:
    return list(audit.history_of(lead).filter(**filters).order_by("id"))


def status_entries(lead: Lead) -> list[tuple[str | None, str | None, int | None]]:
    return [(e.old_value, e.new_value, e.actor_id) for e in entries(lead, field="status")]


# --- create -------------------------------------------------------------------------------


def test_create_defaults_to_actor_and_logs_created(owner):
    lead = make_lead(owner, email="  Jan@Example.COM ", source=Source.WEB_FORM)
    lead.refresh_from_db()
    assert lead.owner_id == owner.pk
    assert lead.email == "jan@example.com"
    assert (lead.status, lead.source, lead.version) == (Lead.Status.NEW, "web_form", 1)
    assert lead.qualified_at is None
    [created] = entries(lead)
    assert (created.action, created.actor_id) == (AuditEntry.Action.CREATED, owner.pk)


def test_create_normalises_domain_country_and_currency(owner):
    lead = make_lead(
        owner,
        company_name="Acme",
        company_domain="https://www.Acme.COM/contact",
        country="pl",
        budget=Decimal("1500.5"),
        budget_currency="eur",
    )
    lead.refresh_from_db()
    assert lead.company_domain == "acme.com"
    assert lead.country == "PL"
    assert lead.budget == Decimal("1500.50")
    assert lead.budget_currency == "EUR"


@override_settings(REPORTING_CURRENCY="PLN")
def test_budget_without_currency_takes_the_reporting_currency(owner):
    assert make_lead(owner, budget=Decimal(100)).budget_currency == "PLN"
    assert make_lead(owner).budget_currency == ""


def test_unknown_currency_is_rejected(owner):
    with pytest.raises(ValidationFailed) as exc:
        make_lead(owner, budget=Decimal(1), budget_currency="XYZ")
    assert "budget_currency" in exc.value.fields
    assert not Lead.objects.exists()


def test_lead_needs_a_name_email_or_company(owner):
    with pytest.raises(ValidationFailed) as exc:
        services.lead_create(actor=owner, data={"phone": "123", "first_name": ""})
    assert {"first_name", "last_name", "email", "company_name", "title"} <= set(exc.value.fields)
    assert services.lead_create(actor=owner, data={"company_name": "Acme"}).pk
    assert services.lead_create(actor=owner, data={"email": "a@b.pl"}).pk


def test_rep_cannot_create_for_someone_else(owner, teammate):
    with pytest.raises(Forbidden):
        make_lead(owner, owner_id=teammate.pk)
    assert not Lead.objects.exists()


def test_manager_creates_for_team_but_not_other_team(manager, owner, outsider):
    assert make_lead(manager, owner_id=owner.pk).owner_id == owner.pk
    with pytest.raises(Forbidden):
        make_lead(manager, owner_id=outsider.pk)


def test_admin_creates_for_anyone_but_not_unknown_or_inactive_users(admin, outsider):
    assert make_lead(admin, owner_id=outsider.pk).owner_id == outsider.pk
    with pytest.raises(ValidationFailed) as exc:
        make_lead(admin, owner_id=987654)
    assert "owner_id" in exc.value.fields
    outsider.is_active = False
    outsider.save(update_fields=["is_active"])
    with pytest.raises(ValidationFailed):
        make_lead(admin, owner_id=outsider.pk)


def test_create_as_qualified_sets_qualified_at(owner):
    lead = make_lead(owner, status=Lead.Status.SQL)
    assert lead.qualified_at is not None


def test_create_as_converted_is_rejected(owner):
    with pytest.raises(ValidationFailed) as exc:
        make_lead(owner, status=Lead.Status.CONVERTED)
    assert "status" in exc.value.fields
    assert not Lead.objects.exists()


def test_create_disqualified_needs_a_reason(owner):
    with pytest.raises(ValidationFailed) as exc:
        make_lead(owner, status=Lead.Status.DISQUALIFIED, disqualified_reason="  ")
    assert "disqualified_reason" in exc.value.fields
    lead = make_lead(owner, status=Lead.Status.DISQUALIFIED, disqualified_reason="No budget")
    assert lead.disqualified_reason == "No budget"


def test_reason_without_disqualified_status_is_rejected(owner):
    with pytest.raises(ValidationFailed) as exc:
        make_lead(owner, disqualified_reason="Why?")
    assert "disqualified_reason" in exc.value.fields


# --- update -------------------------------------------------------------------------------


def test_update_audits_every_changed_field(owner):
    lead = make_lead(owner, company_name="Acme", budget=Decimal(100), budget_currency="USD")
    services.lead_update(
        actor=owner,
        lead=lead,
        data={
            "first_name": "Anna",
            "company_name": "Acme",  # unchanged: no entry
            "budget": Decimal("250.00"),
            "company_size": 40,
            "email": "ANNA@ACME.COM",
        },
        version=1,
    )
    lead.refresh_from_db()
    assert (lead.version, lead.email, lead.company_size) == (2, "anna@acme.com", 40)
    changed = {e.field: (e.old_value, e.new_value) for e in entries(lead, action="updated")}
    assert changed == {
        "first_name": ("Jan", "Anna"),
        "budget": ("100.00", "250.00"),
        "company_size": (None, "40"),
        "email": ("", "anna@acme.com"),
    }
    assert {e.actor_id for e in entries(lead, action="updated")} == {owner.pk}


def test_update_with_no_change_keeps_version_and_writes_nothing(owner):
    lead = make_lead(owner, budget=Decimal("10.00"), budget_currency="USD")
    services.lead_update(
        actor=owner, lead=lead, data={"first_name": "Jan", "budget": Decimal(10)}, version=1
    )
    lead.refresh_from_db()
    assert lead.version == 1
    assert entries(lead, action="updated") == []


def test_update_with_stale_version_conflicts_and_changes_nothing(owner):
    lead = make_lead(owner)
    services.lead_update(actor=owner, lead=lead, data={"first_name": "Anna"}, version=1)
    stale = Lead.objects.get(pk=lead.pk)
    with pytest.raises(VersionConflict) as exc:
        services.lead_update(actor=owner, lead=stale, data={"first_name": "Ewa"}, version=1)
    assert exc.value.current_version == 2
    assert Lead.objects.get(pk=lead.pk).first_name == "Anna"
    assert len(entries(lead, field="first_name")) == 1


def test_update_null_clears_text_fields(owner):
    lead = make_lead(owner, phone="123", company_name="Acme")
    services.lead_update(actor=owner, lead=lead, data={"phone": None, "title": None}, version=1)
    lead.refresh_from_db()
    assert lead.phone == ""


def test_update_cannot_remove_every_identity(owner):
    lead = make_lead(owner)
    with pytest.raises(ValidationFailed):
        services.lead_update(
            actor=owner, lead=lead, data={"first_name": "", "last_name": None}, version=1
        )
    assert Lead.objects.get(pk=lead.pk).last_name == "Kowalski"


def test_update_reassigns_owner_within_the_rules(owner, teammate, manager, outsider):
    lead = make_lead(owner)
    with pytest.raises(Forbidden):
        services.lead_update(actor=owner, lead=lead, data={"owner_id": teammate.pk}, version=1)
    lead = Lead.objects.get(pk=lead.pk)
    with pytest.raises(Forbidden):
        services.lead_update(actor=manager, lead=lead, data={"owner_id": outsider.pk}, version=1)
    lead = Lead.objects.get(pk=lead.pk)
    services.lead_update(actor=manager, lead=lead, data={"owner_id": teammate.pk}, version=1)
    [entry] = entries(lead, field="owner")
    assert (entry.old_value, entry.new_value, entry.actor_id) == (
        str(owner.pk),
        str(teammate.pk),
        manager.pk,
    )


def test_update_null_for_required_choice_is_a_field_error(owner):
    lead = make_lead(owner)
    with pytest.raises(ValidationFailed) as exc:
        services.lead_update(actor=owner, lead=lead, data={"source": None}, version=1)
    assert "source" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.lead_update(
            actor=owner, lead=Lead.objects.get(pk=lead.pk), data={"status": None}, version=1
        )
    assert "status" in exc.value.fields


def test_update_applies_the_status_rules(owner):
    lead = make_lead(owner)
    with pytest.raises(ValidationFailed) as exc:
        services.lead_update(actor=owner, lead=lead, data={"status": "converted"}, version=1)
    assert "converted" in exc.value.fields["status"][0]
    lead = Lead.objects.get(pk=lead.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.lead_update(actor=owner, lead=lead, data={"status": "disqualified"}, version=1)
    assert "disqualified_reason" in exc.value.fields
    lead = Lead.objects.get(pk=lead.pk)
    services.lead_update(actor=owner, lead=lead, data={"status": "mql"}, version=1)
    lead.refresh_from_db()
    assert (lead.status, lead.version) == ("mql", 2)
    assert lead.qualified_at is not None
    assert status_entries(lead) == [("new", "mql", owner.pk)]


def test_update_changes_the_reason_of_a_disqualified_lead(owner):
    lead = make_lead(owner, status="disqualified", disqualified_reason="No budget")
    services.lead_update(actor=owner, lead=lead, data={"disqualified_reason": "Spam"}, version=1)
    assert Lead.objects.get(pk=lead.pk).disqualified_reason == "Spam"
    with pytest.raises(ValidationFailed) as exc:
        services.lead_update(
            actor=owner,
            lead=Lead.objects.get(pk=lead.pk),
            data={"disqualified_reason": ""},
            version=2,
        )
    assert "disqualified_reason" in exc.value.fields


# --- status -------------------------------------------------------------------------------


def test_status_change_is_audited_as_updated_status(owner):
    lead = make_lead(owner)
    services.lead_set_status(actor=owner, lead=lead, status="working", version=1)
    [entry] = entries(lead, field="status")
    assert (entry.action, entry.old_value, entry.new_value, entry.actor_id) == (
        AuditEntry.Action.UPDATED,
        "new",
        "working",
        owner.pk,
    )
    assert Lead.objects.get(pk=lead.pk).version == 2


def test_qualified_at_is_set_once_on_first_qualification(owner):
    lead = make_lead(owner)
    services.lead_set_status(actor=owner, lead=lead, status="mql", version=1)
    first = Lead.objects.get(pk=lead.pk).qualified_at
    assert first is not None
    services.lead_set_status(actor=owner, lead=lead, status="sql", version=2)
    services.lead_set_status(actor=owner, lead=lead, status="nurturing", version=3)
    services.lead_set_status(actor=owner, lead=lead, status="sql", version=4)
    lead.refresh_from_db()
    assert lead.qualified_at == first
    assert len(entries(lead, field="qualified_at")) == 1
    assert [new for _, new, _ in status_entries(lead)] == ["mql", "sql", "nurturing", "sql"]


def test_disqualify_requires_a_reason(owner):
    lead = make_lead(owner)
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as exc:
            services.lead_set_status(
                actor=owner,
                lead=lead,
                status="disqualified",
                version=1,
                disqualified_reason=reason,
            )
        assert "disqualified_reason" in exc.value.fields
    assert Lead.objects.get(pk=lead.pk).status == "new"
    services.lead_set_status(
        actor=owner, lead=lead, status="disqualified", version=1, disqualified_reason=" Spam "
    )
    lead.refresh_from_db()
    assert (lead.status, lead.disqualified_reason) == ("disqualified", "Spam")
    assert entries(lead, field="disqualified_reason")[0].new_value == "Spam"


def test_leaving_disqualified_clears_the_reason(owner):
    lead = make_lead(owner, status="disqualified", disqualified_reason="Wrong size")
    services.lead_set_status(actor=owner, lead=lead, status="nurturing", version=1)
    lead.refresh_from_db()
    assert (lead.status, lead.disqualified_reason) == ("nurturing", "")
    [entry] = entries(lead, field="disqualified_reason")
    assert (entry.old_value, entry.new_value) == ("Wrong size", "")
    assert status_entries(lead) == [("disqualified", "nurturing", owner.pk)]


def test_staying_disqualified_keeps_or_replaces_the_reason(owner):
    lead = make_lead(owner, status="disqualified", disqualified_reason="Wrong size")
    services.lead_set_status(actor=owner, lead=lead, status="disqualified", version=1)
    assert Lead.objects.get(pk=lead.pk).version == 1
    services.lead_set_status(
        actor=owner, lead=lead, status="disqualified", version=1, disqualified_reason="Spam"
    )
    assert Lead.objects.get(pk=lead.pk).disqualified_reason == "Spam"
    assert status_entries(lead) == []


def test_reason_with_another_status_is_rejected(owner):
    lead = make_lead(owner)
    with pytest.raises(ValidationFailed) as exc:
        services.lead_set_status(
            actor=owner, lead=lead, status="working", version=1, disqualified_reason="x"
        )
    assert "disqualified_reason" in exc.value.fields


def test_converted_cannot_be_set_by_hand(owner):
    lead = make_lead(owner)
    with pytest.raises(ValidationFailed) as exc:
        services.lead_set_status(actor=owner, lead=lead, status="converted", version=1)
    assert "set by hand" in exc.value.fields["status"][0]
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert status_entries(lead) == []


def test_a_converted_lead_keeps_its_status(owner):
    lead = make_lead(owner)
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.CONVERTED)
    lead.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        services.lead_set_status(actor=owner, lead=lead, status="working", version=1)
    assert "status" in exc.value.fields
    # Other fields of a converted lead stay editable.
    services.lead_update(actor=owner, lead=lead, data={"phone": "555"}, version=1)
    assert Lead.objects.get(pk=lead.pk).phone == "555"


def test_status_change_with_stale_version_conflicts(owner):
    lead = make_lead(owner)
    services.lead_update(actor=owner, lead=lead, data={"phone": "1"}, version=1)
    stale = Lead.objects.get(pk=lead.pk)
    with pytest.raises(VersionConflict):
        services.lead_set_status(actor=owner, lead=stale, status="working", version=1)
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert status_entries(lead) == []


# --- delete and restore -------------------------------------------------------------------


def test_delete_is_soft_versioned_and_audited(owner):
    lead = make_lead(owner)
    with pytest.raises(VersionConflict):
        services.lead_delete(actor=owner, lead=lead, version=7)
    assert Lead.objects.get(pk=lead.pk).deleted_at is None
    services.lead_delete(actor=owner, lead=lead, version=1)
    lead.refresh_from_db()
    assert lead.deleted_at is not None
    assert lead.version == 2
    assert not Lead.objects.visible_to(owner).filter(pk=lead.pk).exists()
    [entry] = entries(lead, action="deleted")
    assert entry.actor_id == owner.pk


def test_restore_brings_the_lead_back_and_is_audited(owner, manager):
    lead = make_lead(owner)
    services.lead_delete(actor=owner, lead=lead, version=1)
    services.lead_restore(actor=manager, lead=Lead.objects.get(pk=lead.pk))
    lead.refresh_from_db()
    assert (lead.deleted_at, lead.version) == (None, 3)
    assert Lead.objects.visible_to(owner).filter(pk=lead.pk).exists()
    [entry] = entries(lead, action="restored")
    assert entry.actor_id == manager.pk


def test_restoring_a_live_lead_is_a_conflict(owner):
    lead = make_lead(owner)
    with pytest.raises(Conflict):
        services.lead_restore(actor=owner, lead=lead)
    assert entries(lead, action="restored") == []
