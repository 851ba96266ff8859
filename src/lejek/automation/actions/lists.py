"""Put the record (or its contact) into a campaign or tag, or take it out."""

from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from pydantic import Field

from lejek.automation import campaigns, context
from lejek.automation.actions.base import Action, Context, Params
from lejek.automation.models import Campaign
from lejek.core.errors import ValidationFailed
from lejek.core.listing import MAX_ID


class CampaignParams(Params):
    campaign_id: int = Field(..., ge=1, le=MAX_ID)
    # "contact": the person the record's emails go to, when it has one.
    target: Literal["record", "contact"] = "record"


def _campaign(params: Any) -> Campaign:
    found = Campaign.objects.filter(pk=params.campaign_id).first()
    if found is None:
        raise ValidationFailed.field("campaign_id", f"No campaign {params.campaign_id}.")
    return found


def _member(ctx: Context, params: Any) -> tuple[str, int]:
    if params.target == "contact":
        person = context.primary_person(ctx.record)
        if person is not None:
            return "person", person.pk
    return ctx.entity_type, ctx.record.pk


class AddToCampaign(Action):
    type = "add_to_campaign"
    label = _("Add to a campaign or tag")
    params = CampaignParams

    def check(self, params: Any, entity_type: str) -> None:
        _campaign(params)

    def describe(self, ctx: Context, params: Any) -> str:
        entity_type, entity_id = _member(ctx, params)
        return f"Add {entity_type} {entity_id} to “{_campaign(params).name}”"

    def run(self, ctx: Context, params: Any, index: int) -> str:
        campaign = _campaign(params)
        entity_type, entity_id = _member(ctx, params)
        _, added = campaigns.membership_add(
            actor=ctx.actor,
            campaign=campaign,
            entity_type=entity_type,
            entity_id=entity_id,
            note=ctx.title,
        )
        return f"{'Added' if added else 'Already'} in “{campaign.name}”"


class RemoveFromCampaign(Action):
    type = "remove_from_campaign"
    label = _("Remove from a campaign or tag")
    params = CampaignParams

    def check(self, params: Any, entity_type: str) -> None:
        _campaign(params)

    def describe(self, ctx: Context, params: Any) -> str:
        entity_type, entity_id = _member(ctx, params)
        return f"Remove {entity_type} {entity_id} from “{_campaign(params).name}”"

    def run(self, ctx: Context, params: Any, index: int) -> str:
        campaign = _campaign(params)
        entity_type, entity_id = _member(ctx, params)
        removed = campaigns.membership_remove(
            actor=ctx.actor, campaign=campaign, entity_type=entity_type, entity_id=entity_id
        )
        return f"{'Removed from' if removed else 'Was not in'} “{campaign.name}”"
