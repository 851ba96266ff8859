"""The SOP that ships ready: seed 000's checklist for "Demo/intro meeting booked".

1. a confirmation email with the meeting's date and time, at once (with the invitation);
2. a case study one business day before the call;
3. a reminder two hours before the call;
4. after the call, a follow-up with the key points and a task for the next contact;
5. the prospect joins a named nurture campaign.
Steps 1 and 4 are required: the deal cannot move forward before they are done.

Seeding happens once per pipeline made from the "outbound_b2b" template (a marker
row remembers it), so an admin who edits or removes the steps keeps their edits.
"""

from django.db import IntegrityError, transaction

from lejek.automation import campaigns
from lejek.automation.models import (
    Anchor,
    EmailTemplate,
    Offset,
    StageChecklist,
    State,
    StepKind,
    StepTemplate,
)
from lejek.automation.seed_texts import EMAILS
from lejek.pipelines.models import Pipeline

TEMPLATE = "outbound_b2b"
STAGE = "Demo/intro meeting booked"
CAMPAIGN = "Post-demo nurture"
NEXT_CONTACT_BUSINESS_DAYS = 3


def ensure_email_templates() -> None:
    for key, languages in EMAILS.items():
        for language, (name, subject, body, invite) in languages.items():
            EmailTemplate.objects.get_or_create(
                key=key,
                language=language,
                defaults={"name": name, "subject": subject, "body": body, "attach_invite": invite},
            )


def _email(key: str) -> dict[str, object]:
    return {"type": "send_email", "params": {"template": key, "to": "contact", "language": ""}}


def _steps(campaign_id: int) -> list[dict[str, object]]:
    return [
        {
            "key": "confirmation",
            "title": "Send a confirmation email with the meeting date and time",
            "required": True,
            "actions": [_email("demo-confirmation")],
            "anchor": Anchor.MEETING_BOOKED,
            "offset_value": 0,
            "offset_unit": Offset.HOURS,
        },
        {
            "key": "case_study",
            "title": "Send a case study one business day before the call",
            "required": False,
            "actions": [_email("demo-case-study")],
            "anchor": Anchor.MEETING_START,
            "offset_value": -1,
            "offset_unit": Offset.BUSINESS_DAYS,
        },
        {
            "key": "reminder",
            "title": "Send a reminder two hours before the call",
            "required": False,
            "actions": [_email("demo-reminder")],
            "anchor": Anchor.MEETING_START,
            "offset_value": -2,
            "offset_unit": Offset.HOURS,
        },
        {
            "key": "follow_up",
            "title": "After the call: send a follow-up with the key points, set the next contact",
            "required": True,
            "actions": [
                _email("demo-follow-up"),
                {
                    "type": "create_activity",
                    "params": {
                        "kind": "task",
                        "subject": "Next contact: {{ deal.title }}",
                        "body": "Agreed after the demo: {{ meeting.outcome }}",
                        "due_in": NEXT_CONTACT_BUSINESS_DAYS,
                        "due_unit": Offset.BUSINESS_DAYS,
                    },
                },
            ],
            "anchor": Anchor.MEETING_DONE,
            "offset_value": 0,
            "offset_unit": Offset.HOURS,
        },
        {
            "key": "nurture",
            "title": f"Move the prospect into the “{CAMPAIGN}” campaign",
            "required": False,
            "actions": [
                {
                    "type": "add_to_campaign",
                    "params": {"campaign_id": campaign_id, "target": "contact"},
                }
            ],
            "anchor": Anchor.MEETING_DONE,
            "offset_value": 0,
            "offset_unit": Offset.HOURS,
        },
    ]


def ensure_seed_sop(pipeline: Pipeline) -> StageChecklist | None:
    """Give an "Outbound B2B" pipeline its demo SOP, once; later calls change nothing."""
    if pipeline.template != TEMPLATE:
        return None
    try:
        with transaction.atomic():
            State.objects.create(name=f"seed_sop:{pipeline.pk}", value={"stage": STAGE})
            stage = pipeline.stages.active().filter(name=STAGE).first()
            if stage is None:
                return None
            ensure_email_templates()
            campaign = campaigns.campaign_ensure(name=CAMPAIGN)
            checklist, _ = StageChecklist.objects.get_or_create(stage=stage)
            for order, spec in enumerate(_steps(campaign.pk)):
                StepTemplate.objects.create(
                    checklist=checklist, order=order, kind=StepKind.AUTOMATIC, **spec
                )
            return checklist
    except IntegrityError:
        return None  # seeded before (or by a concurrent call)


def ensure_for_pipeline(pipeline: Pipeline) -> None:
    """Cheap check for the lazy path: seed the pipeline if it is a template one not yet seeded."""
    if pipeline.template != TEMPLATE:
        return
    if not State.objects.filter(name=f"seed_sop:{pipeline.pk}").exists():
        ensure_seed_sop(pipeline)
