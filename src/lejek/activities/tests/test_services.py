import datetime

import pytest
from django.utils import timezone

from lejek.activities import services
from lejek.activities.models import Activity
from lejek.activities.tests.conftest import local
from lejek.core.errors import Conflict, Forbidden, ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def create(actor, **data):
    return services.activity_create(actor=actor, data=data)


def field_errors(excinfo):
    return excinfo.value.fields


def test_create_sets_owner_creator_and_audits(owner, deal):
    activity = create(owner, kind="meeting", subject="Demo", deal_id=deal.pk)
    assert (activity.owner, activity.created_by, activity.version) == (owner, owner, 1)
    entry = AuditEntry.objects.get(entity_type="activity", entity_id=activity.pk)
    assert (entry.action, entry.actor_id) == ("created", owner.pk)


def test_email_and_call_default_to_outbound(owner, deal):
    assert create(owner, kind="email", deal_id=deal.pk).direction == "outbound"
    assert create(owner, kind="call", deal_id=deal.pk, direction=None).direction == "outbound"
    inbound = create(
        owner, kind="email", deal_id=deal.pk, direction="inbound", is_reply=True, is_positive=True
    )
    assert (inbound.direction, inbound.is_reply, inbound.is_positive) == ("inbound", True, True)
    assert create(owner, kind="meeting", deal_id=deal.pk).direction == ""


def test_plain_task_may_stand_alone_but_nothing_else(owner):
    assert create(owner, kind="task", subject="Plan the week").pk
    with pytest.raises(ValidationFailed) as exc:
        create(owner, kind="call", subject="Who?")
    assert "__all__" in field_errors(exc)


def test_deal_and_lead_together_are_refused(owner, deal, lead):
    with pytest.raises(ValidationFailed) as exc:
        create(owner, kind="call", deal_id=deal.pk, lead_id=lead.pk)
    assert set(field_errors(exc)) == {"lead_id"}


def test_deal_with_person_and_organization_is_fine(owner, deal, make_person, make_org):
    org = make_org(owner)
    person = make_person(owner, organization=org)
    activity = create(
        owner, kind="call", deal_id=deal.pk, person_id=person.pk, organization_id=org.pk
    )
    assert (activity.deal, activity.person, activity.organization) == (deal, person, org)


@pytest.mark.parametrize("link", ["deal_id", "lead_id", "person_id", "organization_id"])
def test_invisible_link_is_a_field_error(
    link, owner, outsider, make_deal, make_lead, make_person, make_org
):
    makers = {
        "deal_id": make_deal,
        "lead_id": make_lead,
        "person_id": make_person,
        "organization_id": make_org,
    }
    theirs = makers[link](outsider)
    with pytest.raises(ValidationFailed) as exc:
        create(owner, kind="task", **{link: theirs.pk})
    assert set(field_errors(exc)) == {link}
    assert not Activity.objects.exists()


def test_deleted_deal_cannot_be_linked(owner, deal):
    deal.deleted_at = timezone.now()
    deal.save()
    with pytest.raises(ValidationFailed) as exc:
        create(owner, kind="call", deal_id=deal.pk)
    assert "deal_id" in field_errors(exc)


def test_manager_links_a_team_deal(manager, deal):
    assert create(manager, kind="call", deal_id=deal.pk).owner == manager


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "note", "due_at": local(2030, 1, 1, 9)}, "due_at"),
        ({"kind": "note", "done_at": local(2020, 1, 1, 9)}, "done_at"),
        ({"kind": "meeting", "direction": "outbound"}, "direction"),
        ({"kind": "task", "is_reply": True}, "is_reply"),
        ({"kind": "email", "is_positive": True}, "is_positive"),
        ({"kind": "call", "done_at": timezone.now() + datetime.timedelta(days=1)}, "done_at"),
    ],
)
def test_shape_rules(data, field, owner, deal):
    with pytest.raises(ValidationFailed) as exc:
        create(owner, deal_id=deal.pk, **data)
    assert field in field_errors(exc)


def test_owner_assignment_follows_roles(owner, teammate, manager, outsider, deal):
    with pytest.raises(Forbidden):
        create(owner, kind="task", owner_id=teammate.pk)
    assert create(manager, kind="task", owner_id=teammate.pk).owner == teammate
    with pytest.raises(Forbidden):
        create(manager, kind="task", owner_id=outsider.pk)
    with pytest.raises(ValidationFailed) as exc:
        create(owner, kind="task", owner_id=987654)
    assert "owner_id" in field_errors(exc)


def test_naive_times_are_read_in_the_site_zone(owner):
    activity = create(owner, kind="task", due_at=datetime.datetime(2030, 6, 1, 9, 0))
    assert activity.due_at == local(2030, 6, 1, 9)


def test_update_checks_version_and_audits_each_field(owner, deal):
    activity = create(owner, kind="call", subject="Intro", deal_id=deal.pk)
    services.activity_update(
        actor=owner,
        activity=activity,
        data={"subject": "Intro call", "outcome": "Booked"},
        version=1,
    )
    activity.refresh_from_db()
    assert (activity.subject, activity.version) == ("Intro call", 2)
    entries = AuditEntry.objects.filter(
        entity_type="activity", entity_id=activity.pk, action="updated"
    )
    assert {(e.field, e.old_value, e.new_value) for e in entries} == {
        ("subject", "Intro", "Intro call"),
        ("outcome", "", "Booked"),
    }
    stale = Activity.objects.get(pk=activity.pk)
    with pytest.raises(VersionConflict) as exc:
        services.activity_update(actor=owner, activity=stale, data={"subject": "X"}, version=1)
    assert exc.value.current_version == 2
    assert Activity.objects.get(pk=activity.pk).subject == "Intro call"


def test_update_checks_the_resulting_shape(owner, deal, lead):
    activity = create(owner, kind="call", deal_id=deal.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.activity_update(
            actor=owner, activity=activity, data={"lead_id": lead.pk}, version=1
        )
    assert "lead_id" in field_errors(exc)
    with pytest.raises(ValidationFailed) as exc:
        services.activity_update(
            actor=owner,
            activity=activity,
            data={"kind": "note", "direction": "inbound"},
            version=1,
        )
    assert "direction" in field_errors(exc)
    with pytest.raises(ValidationFailed) as exc:
        services.activity_update(actor=owner, activity=activity, data={"subject": None}, version=1)
    assert "subject" in field_errors(exc)
    with pytest.raises(ValidationFailed) as exc:
        services.activity_update(actor=owner, activity=activity, data={"deal_id": None}, version=1)
    assert "__all__" in field_errors(exc)
    assert Activity.objects.get(pk=activity.pk).version == 1


def test_update_ignores_done_at(owner, deal):
    activity = create(owner, kind="call", deal_id=deal.pk)
    services.activity_update(
        actor=owner, activity=activity, data={"done_at": local(2020, 1, 1)}, version=1
    )
    assert Activity.objects.get(pk=activity.pk).done_at is None


def test_complete_records_outcome_and_audits(owner, deal):
    activity = create(owner, kind="call", deal_id=deal.pk, due_at=local(2030, 1, 1, 9))
    done, follow_up = services.activity_complete(
        actor=owner, activity=activity, version=1, outcome="Interested", duration_minutes=15
    )
    assert follow_up is None
    done.refresh_from_db()
    assert done.is_done and done.outcome == "Interested" and done.duration_minutes == 15
    assert done.version == 2
    fields = set(
        AuditEntry.objects.filter(
            entity_type="activity", entity_id=done.pk, action="updated"
        ).values_list("field", flat=True)
    )
    assert fields == {"done_at", "outcome", "duration_minutes"}


def test_complete_refuses_notes_done_ones_and_stale_versions(owner, deal):
    note = create(owner, kind="note", body="Said hello", deal_id=deal.pk)
    with pytest.raises(ValidationFailed):
        services.activity_complete(actor=owner, activity=note, version=1)
    call = create(owner, kind="call", deal_id=deal.pk)
    with pytest.raises(VersionConflict):
        services.activity_complete(actor=owner, activity=call, version=7)
    call = Activity.objects.get(pk=call.pk)  # each request reads the row afresh
    services.activity_complete(actor=owner, activity=call, version=1)
    with pytest.raises(Conflict):
        services.activity_complete(actor=owner, activity=call, version=2)


def test_complete_schedules_the_next_with_the_same_links(owner, manager, deal, make_person):
    person = make_person(owner)
    call = create(manager, kind="call", deal_id=deal.pk, person_id=person.pk, owner_id=owner.pk)
    due = local(2030, 2, 1, 10)
    _, follow_up = services.activity_complete(
        actor=manager,
        activity=call,
        version=1,
        next_activity={"kind": "meeting", "subject": "Demo", "due_at": due},
    )
    assert (follow_up.deal, follow_up.person, follow_up.owner) == (deal, person, owner)
    assert (follow_up.due_at, follow_up.created_by) == (due, manager)
    deal.refresh_from_db()
    assert deal.next_activity_at == due


def test_a_bad_next_activity_leaves_the_first_open(owner, outsider, deal, make_deal):
    call = create(owner, kind="call", deal_id=deal.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.activity_complete(
            actor=owner, activity=call, version=1, next_activity={"kind": "task"}
        )
    assert "next.due_at" in field_errors(exc)
    call = Activity.objects.get(pk=call.pk)
    theirs = make_deal(outsider)
    with pytest.raises(ValidationFailed) as exc:
        services.activity_complete(
            actor=owner,
            activity=call,
            version=1,
            next_activity={"kind": "task", "due_at": local(2030, 1, 1), "deal_id": theirs.pk},
        )
    assert "next.deal_id" in field_errors(exc)
    call = Activity.objects.get(pk=call.pk)
    assert (call.done_at, call.version, Activity.objects.count()) == (None, 1, 1)
    assert not AuditEntry.objects.filter(entity_type="activity", action="updated").exists()


def test_reopen_and_delete(owner, deal):
    call = create(owner, kind="call", deal_id=deal.pk)
    with pytest.raises(Conflict):
        services.activity_reopen(actor=owner, activity=call, version=1)
    services.activity_complete(actor=owner, activity=call, version=1)
    services.activity_reopen(actor=owner, activity=call, version=2)
    call.refresh_from_db()
    assert (call.done_at, call.version) == (None, 3)
    with pytest.raises(VersionConflict):
        services.activity_delete(actor=owner, activity=call, version=2)
    services.activity_delete(actor=owner, activity=call, version=3)
    assert not Activity.objects.alive().exists()
    assert AuditEntry.objects.filter(
        entity_type="activity", entity_id=call.pk, action="deleted"
    ).exists()


def test_changing_kind_brings_its_defaults(owner, deal):
    reply = create(
        owner, kind="email", deal_id=deal.pk, direction="inbound", is_reply=True, is_positive=False
    )
    services.activity_update(actor=owner, activity=reply, data={"kind": "meeting"}, version=1)
    reply.refresh_from_db()
    assert (reply.direction, reply.is_reply, reply.is_positive) == ("", False, None)
    services.activity_update(actor=owner, activity=reply, data={"kind": "call"}, version=2)
    assert Activity.objects.get(pk=reply.pk).direction == "outbound"
    services.activity_update(
        actor=owner, activity=reply, data={"kind": "email", "direction": "inbound"}, version=3
    )
    assert Activity.objects.get(pk=reply.pk).direction == "inbound"


def test_completing_keeps_an_outcome_noted_earlier(owner, deal):
    call = create(owner, kind="call", deal_id=deal.pk, outcome="Left a voicemail")
    services.activity_complete(actor=owner, activity=call, version=1)
    assert Activity.objects.get(pk=call.pk).outcome == "Left a voicemail"
