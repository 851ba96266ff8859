"""Conversion into person + organization + deal; duplicates found; merge losing nothing."""

from decimal import Decimal
from typing import Any

import pytest

from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.activities.timeline import record_timeline
from lejek.automation import campaigns
from lejek.automation.models.campaigns import Membership
from lejek.contacts import services as contact_services
from lejek.contacts.models import Organization, Person
from lejek.core import tags
from lejek.core.errors import Conflict, VersionConflict
from lejek.core.models import AuditEntry, Tagging
from lejek.leads import conversion, duplicates, merge
from lejek.leads.models import Lead
from lejek.leads.tests.factories import make_lead
from lejek.pipelines.models import Deal
from lejek.pipelines.tests.factories import pipeline as make_pipeline
from lejek.scoring import ingest
from lejek.scoring import services as scoring_services
from lejek.scoring.models import EngagementEvent, ScoreEntry
from lejek.scoring.tests.helpers import as_service, event

pytestmark = pytest.mark.django_db


def _note(owner: Any, lead: Lead, subject: str) -> Activity:
    return activity_services.activity_create(
        actor=owner, data={"kind": "call", "subject": subject, "lead_id": lead.pk}
    )


def test_conversion_creates_person_organization_and_deal(admin: Any, owner: Any) -> None:
    pipe = make_pipeline(admin)
    lead = make_lead(
        owner,
        email="anna@acme.example",
        first_name="Anna",
        last_name="Nowak",
        company_name="Acme",
        company_domain="acme.example",
        budget=Decimal("12000.00"),
    )
    _note(owner, lead, "First call")
    result = conversion.lead_convert(
        actor=owner,
        lead=lead,
        version=Lead.objects.get(pk=lead.pk).version,
        data={"pipeline_id": pipe.pk},
    )
    deal = result.deal
    assert (deal.title, deal.amount, deal.owner_id, deal.lead_id) == (
        "Acme",
        12000,
        owner.pk,
        lead.pk,
    )
    assert deal.organization == result.organization and result.organization.name == "Acme"
    assert list(deal.people.all()) == [result.person]
    assert result.person.email == "anna@acme.example"
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED and lead.converted_at is not None
    assert (lead.person_id, lead.organization_id) == (result.person.pk, result.organization.pk)
    # The lead's timeline came along.
    assert Activity.objects.get(subject="First call").deal_id == deal.pk
    with pytest.raises(Conflict):
        conversion.lead_convert(
            actor=owner, lead=lead, version=lead.version, data={"pipeline_id": pipe.pk}
        )


def test_conversion_reuses_matching_records(admin: Any, owner: Any) -> None:
    pipe = make_pipeline(admin)
    org = contact_services.organization_create(
        actor=owner, data={"name": "ACME", "domain": "acme.example"}
    )
    person = contact_services.person_create(
        actor=owner, data={"last_name": "Nowak", "email": "anna@acme.example"}
    )
    lead = make_lead(
        owner, email="anna@acme.example", company_name="Acme", company_domain="acme.example"
    )
    result = conversion.lead_convert(
        actor=owner, lead=lead, version=1, data={"pipeline_id": pipe.pk, "title": "Acme rollout"}
    )
    assert (result.organization, result.person) == (org, person)
    assert sorted(result.reused) == ["organization", "person"]
    assert Organization.objects.count() == 1 and Person.objects.count() == 1
    assert Deal.objects.get().title == "Acme rollout"


def test_conversion_at_a_stale_version_changes_nothing(admin: Any, owner: Any) -> None:
    pipe = make_pipeline(admin)
    lead = make_lead(owner, company_name="Acme")
    with pytest.raises(VersionConflict):
        conversion.lead_convert(actor=owner, lead=lead, version=7, data={"pipeline_id": pipe.pk})
    assert Deal.objects.count() == 0 and Organization.objects.count() == 0


def test_duplicates_by_email_domain_and_name(owner: Any, outsider: Any) -> None:
    a = make_lead(owner, email="anna@acme.example", first_name="Anna", last_name="Nowak")
    b = make_lead(
        owner, email="jan@acme.example", last_name="Kowalski", company_domain="acme.example"
    )
    c = make_lead(owner, first_name="Ania", last_name="nowak", email="ania@gmail.com")
    d = make_lead(owner, company_name="Łódź-Tech Sp. z o.o.")
    make_lead(outsider, email="anna@acme.example")  # not visible to the owner
    make_lead(owner, email="piotr@gmail.com", last_name="Wiśniewski")  # free mail: no match
    found = duplicates.find(
        user=owner,
        values={
            "email": "Anna@acme.example",
            "first_name": "Anna",
            "last_name": "Nowak",
            "company_name": "Łódź-TECH Sp. Z O.O.",
        },
    )
    reasons = {c_["lead"].pk: c_["reasons"] for c_ in found}
    assert reasons[a.pk] == ["same email", "same company domain", "similar name"]
    assert reasons[b.pk] == ["same company domain"]
    assert reasons[c.pk] == ["similar name"]
    assert reasons[d.pk] == ["same company name"]
    assert len(found) == 4
    assert found[0]["lead"] == a
    assert duplicates.find(user=owner, values={"email": "x@gmail.com"}) == []


def test_merge_keeps_every_activity_score_row_and_history_row(
    admin: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scoring_services.rules_ensure_defaults()
    keep = make_lead(owner, email="anna@acme.example", last_name="Nowak")
    other = make_lead(
        owner,
        email="a.nowak@acme.example",
        last_name="Nowak",
        phone="+48 600",
        company_size=50,
        authority="decision_maker",
    )
    for lead in (keep, other):
        _note(owner, lead, f"Call {lead.pk}")
        ingest.events_ingest(events=as_service([event(lead, "page_visited", url="/pricing")]))
    tags.add(actor=owner, instance=other, name="Hot")
    tags.add(actor=owner, instance=keep, name="hot")
    campaign = campaigns.campaign_ensure(name="Nurture")
    campaigns.membership_add(actor=owner, campaign=campaign, entity_type="lead", entity_id=other.pk)
    history_before = AuditEntry.objects.filter(
        entity_type="lead", entity_id__in=[keep.pk, other.pk]
    ).count()
    ledger_before = ScoreEntry.objects.filter(lead__in=[keep, other]).count()
    keep.refresh_from_db()
    other.refresh_from_db()

    merged = merge.lead_merge(
        actor=owner,
        keep_id=keep.pk,
        other_id=other.pk,
        keep_version=keep.version,
        other_version=other.version,
    )
    assert Activity.objects.filter(lead=merged).count() == 2
    assert EngagementEvent.objects.filter(lead=merged).count() == 2
    assert ScoreEntry.objects.filter(lead=merged).count() >= ledger_before
    assert merged.score == sum(
        ScoreEntry.objects.filter(lead=merged).values_list("points", flat=True)
    )
    assert merged.score == 25  # two pricing visits and the persona once, not twice
    assert (merged.phone, merged.company_size) == ("+48 600", 50)  # blanks filled
    assert merged.email == "anna@acme.example"  # kept where set
    assert Tagging.objects.filter(entity_type="lead", entity_id=merged.pk).count() == 1
    assert Membership.objects.filter(entity_type="lead", entity_id=merged.pk).count() == 1
    history_after = AuditEntry.objects.filter(
        entity_type="lead", entity_id__in=[keep.pk, other.pk]
    ).count()
    assert history_after > history_before  # nothing removed, the merge itself added
    gone = Lead.objects.get(pk=other.pk)
    assert gone.deleted_at is not None and gone.merged_into_id == merged.pk
    # The timeline of the lead that stays shows the other's history too.
    page = record_timeline(user=owner, record_type="lead", pk=merged.pk, limit=500)
    notes = [item["body"] for item in page["items"] if item["type"] == "audit"]
    assert any(n.startswith("Merged into lead") for n in notes)  # the other's own history
    assert any(n.startswith(f"Merged lead #{other.pk}") for n in notes)


def test_merge_refusals(owner: Any, outsider: Any) -> None:
    mine = make_lead(owner, email="a@acme.example")
    theirs = make_lead(outsider, email="a@acme.example")
    with pytest.raises(Conflict):
        merge.lead_merge(
            actor=owner, keep_id=mine.pk, other_id=mine.pk, keep_version=1, other_version=1
        )
    with pytest.raises(merge.NotFound):
        merge.lead_merge(
            actor=owner, keep_id=mine.pk, other_id=theirs.pk, keep_version=1, other_version=1
        )
    with pytest.raises(VersionConflict):
        other = make_lead(owner, email="b@acme.example")
        merge.lead_merge(
            actor=owner, keep_id=mine.pk, other_id=other.pk, keep_version=1, other_version=9
        )
    assert Lead.objects.filter(deleted_at__isnull=True).count() == 3
