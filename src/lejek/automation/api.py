"""JSON API of the automation: thin handlers over services and selectors."""

from typing import Any

from ninja import Query, Router, Status

from lejek.accounts import access
from lejek.accounts.auth import AuthedRequest
from lejek.automation import (
    actions,
    campaigns,
    checklists,
    context,
    mail,
    rules,
    schemas,
    selectors,
    services,
    sops,
    webhooks,
)
from lejek.automation.models import (
    AutomationRun,
    Campaign,
    EmailTemplate,
    Holiday,
    WebhookSubscription,
)
from lejek.core.errors import NotFound
from lejek.core.listing import PageParams, errors, paginate
from lejek.pipelines import selectors as pipeline_selectors
from lejek.pipelines.models import Deal, Stage

router = Router(tags=["automation"])


def _found(model: Any, pk: int) -> Any:
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"{model._meta.verbose_name.capitalize()} {pk} was not found.")
    return found


@router.get("/actions", response={200: list[schemas.ActionTypeOut], **errors()})
def list_action_types(request: AuthedRequest):
    return [
        {
            "type": a.type,
            "label": str(a.label),
            "entity_types": list(a.entity_types) if a.entity_types else None,
            "params": a.params.model_json_schema(),
        }
        for a in actions.ACTIONS.values()
    ]


@router.get("/rules", response={200: list[schemas.RuleOut], **errors(403)})
def list_rules(request: AuthedRequest):
    selectors.require_staff(request.user)
    return selectors.rule_list()


@router.post("/rules", response={201: schemas.RuleOut, **errors(403)})
def create_rule(request: AuthedRequest, payload: schemas.RuleIn):
    rule = rules.rule_create(actor=request.user, data=payload.model_dump(mode="json"))
    return Status(201, selectors.rule_get(rule.pk))


@router.get("/rules/{id:rule_id}", response={200: schemas.RuleOut, **errors(403, 404)})
def get_rule(request: AuthedRequest, rule_id: int):
    selectors.require_staff(request.user)
    return selectors.rule_get(rule_id)


@router.patch("/rules/{id:rule_id}", response={200: schemas.RuleOut, **errors(403, 404, 409)})
def update_rule(request: AuthedRequest, rule_id: int, payload: schemas.RulePatch):
    access.require_admin(request.user, "change automation rules")
    data = payload.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    rules.rule_update(
        actor=request.user, rule=selectors.rule_get(rule_id), data=data, version=payload.version
    )
    return selectors.rule_get(rule_id)


@router.delete("/rules/{id:rule_id}", response={204: None, **errors(403, 404)})
def delete_rule(request: AuthedRequest, rule_id: int):
    access.require_admin(request.user, "delete automation rules")
    rules.rule_delete(actor=request.user, rule=selectors.rule_get(rule_id))
    return Status(204, None)


@router.post("/rules/{id:rule_id}/dry-run", response={200: schemas.DryRunOut, **errors(403, 404)})
def dry_run_rule(request: AuthedRequest, rule_id: int, payload: schemas.DryRunIn):
    selectors.require_staff(request.user, "try rules")
    rule = selectors.rule_get(rule_id)
    record = selectors.visible_record(request.user, rule.entity_type, payload.entity_id)
    return rules.dry_run(rule=rule, record=record, actor=request.user)


def _stage(pk: int) -> Stage:
    found = Stage.objects.active().select_related("pipeline").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Stage {pk} was not found.")
    return found


@router.get("/stages/{id:stage_id}/checklist", response={200: schemas.ChecklistOut, **errors(404)})
def get_checklist(request: AuthedRequest, stage_id: int):
    stage = _stage(stage_id)
    checklist = checklists.checklist_for(stage)
    return {
        "stage_id": stage.pk,
        "required_fields": checklist.required_fields if checklist else [],
        "steps": checklists.steps_of(stage),
    }


@router.put(
    "/stages/{id:stage_id}/checklist", response={200: schemas.ChecklistOut, **errors(403, 404)}
)
def save_checklist(request: AuthedRequest, stage_id: int, payload: schemas.ChecklistIn):
    stage = _stage(stage_id)
    data = payload.model_dump(mode="json")
    checklists.checklist_save(
        actor=request.user,
        stage=stage,
        steps=data["steps"],
        required_fields=data["required_fields"],
    )
    return get_checklist(request, stage_id)


def _deal(request: AuthedRequest, deal_id: int) -> Deal:
    return access.visible_or_404(
        pipeline_selectors.deal_detail_queryset(), user=request.user, pk=deal_id
    )


@router.get(
    "/deals/{id:deal_id}/checklist", response={200: schemas.DealChecklistOut, **errors(404)}
)
def deal_checklist(request: AuthedRequest, deal_id: int):
    return selectors.deal_checklist(_deal(request, deal_id))


@router.post(
    "/deals/{id:deal_id}/checklist/{id:step_id}/done",
    response={200: schemas.DealChecklistOut, **errors(404, 409)},
)
def complete_step(request: AuthedRequest, deal_id: int, step_id: int, payload: schemas.StepDoneIn):
    deal = _deal(request, deal_id)
    step = selectors.deal_step(deal, step_id)
    sops.step_complete(actor=request.user, deal=deal, step=step, note=payload.note)
    return selectors.deal_checklist(deal)


@router.post(
    "/deals/{id:deal_id}/checklist/{id:step_id}/reopen",
    response={200: schemas.DealChecklistOut, **errors(404, 409)},
)
def reopen_step(request: AuthedRequest, deal_id: int, step_id: int):
    deal = _deal(request, deal_id)
    sops.step_reopen(actor=request.user, deal=deal, step=selectors.deal_step(deal, step_id))
    return selectors.deal_checklist(deal)


@router.get(
    "/deals/{id:deal_id}/scheduled", response={200: list[schemas.ScheduledOut], **errors(404)}
)
def deal_scheduled(request: AuthedRequest, deal_id: int):
    return selectors.scheduled_for(_deal(request, deal_id))


@router.get("/email-templates", response={200: list[schemas.EmailTemplateOut], **errors(403)})
def list_email_templates(request: AuthedRequest):
    selectors.require_staff(request.user)
    return selectors.email_templates()


@router.post("/email-templates", response={201: schemas.EmailTemplateOut, **errors(403)})
def create_email_template(request: AuthedRequest, payload: schemas.EmailTemplateIn):
    return Status(
        201, services.email_template_create(actor=request.user, data=payload.model_dump())
    )


@router.patch(
    "/email-templates/{id:template_id}",
    response={200: schemas.EmailTemplateOut, **errors(403, 404)},
)
def update_email_template(
    request: AuthedRequest, template_id: int, payload: schemas.EmailTemplatePatch
):
    access.require_admin(request.user, "manage email templates")
    return services.email_template_update(
        actor=request.user,
        template=_found(EmailTemplate, template_id),
        data=payload.model_dump(exclude_unset=True),
    )


@router.delete("/email-templates/{id:template_id}", response={204: None, **errors(403, 404)})
def delete_email_template(request: AuthedRequest, template_id: int):
    access.require_admin(request.user, "manage email templates")
    services.email_template_delete(actor=request.user, template=_found(EmailTemplate, template_id))
    return Status(204, None)


@router.post(
    "/email-templates/{id:template_id}/preview",
    response={200: schemas.PreviewOut, **errors(403, 404)},
)
def preview_email_template(request: AuthedRequest, template_id: int, payload: schemas.PreviewIn):
    selectors.require_staff(request.user, "preview emails")
    template = _found(EmailTemplate, template_id)
    record = selectors.visible_record(request.user, payload.entity_type, payload.entity_id)
    message = mail.compose(
        record,
        template_key=template.key,
        to=payload.to,
        language=template.language,
        meeting=context.meeting_for(record),
    )
    return {
        "subject": message.subject,
        "body": message.body,
        "to": message.to,
        "has_invite": bool(message.attachments),
    }


@router.get("/holidays", response={200: list[schemas.HolidayOut], **errors()})
def list_holidays(request: AuthedRequest, filters: Query[schemas.HolidayFilters]):  # type: ignore[type-arg]
    return selectors.holidays(filters.year)


@router.post("/holidays", response={201: schemas.HolidayOut, **errors(403)})
def add_holiday(request: AuthedRequest, payload: schemas.HolidayIn):
    holiday = services.holiday_add(actor=request.user, date=payload.date, name=payload.name)
    return Status(201, holiday)


@router.delete("/holidays/{id:holiday_id}", response={204: None, **errors(403, 404)})
def remove_holiday(request: AuthedRequest, holiday_id: int):
    access.require_admin(request.user, "change the business calendar")
    services.holiday_remove(actor=request.user, holiday=_found(Holiday, holiday_id))
    return Status(204, None)


@router.get("/webhooks", response={200: list[schemas.WebhookOut], **errors(403)})
def list_webhooks(request: AuthedRequest):
    selectors.require_staff(request.user)
    return selectors.webhooks()


@router.post("/webhooks", response={201: schemas.WebhookCreatedOut, **errors(403)})
def create_webhook(request: AuthedRequest, payload: schemas.WebhookIn):
    return Status(201, webhooks.subscription_create(actor=request.user, data=payload.model_dump()))


@router.patch("/webhooks/{id:webhook_id}", response={200: schemas.WebhookOut, **errors(403, 404)})
def update_webhook(request: AuthedRequest, webhook_id: int, payload: schemas.WebhookPatch):
    access.require_admin(request.user, "manage webhooks")
    subscription = _found(WebhookSubscription, webhook_id)
    return webhooks.subscription_update(
        actor=request.user, subscription=subscription, data=payload.model_dump(exclude_unset=True)
    )


@router.delete("/webhooks/{id:webhook_id}", response={204: None, **errors(403, 404)})
def delete_webhook(request: AuthedRequest, webhook_id: int):
    access.require_admin(request.user, "manage webhooks")
    subscription = _found(WebhookSubscription, webhook_id)
    webhooks.subscription_delete(actor=request.user, subscription=subscription)
    return Status(204, None)


@router.get(
    "/webhooks/{id:webhook_id}/deliveries",
    response={200: schemas.DeliveryPage, **errors(403, 404)},
)
def list_deliveries(request: AuthedRequest, webhook_id: int, page: Query[PageParams]):  # type: ignore[type-arg]
    selectors.require_staff(request.user)
    subscription = _found(WebhookSubscription, webhook_id)
    qs = selectors.deliveries(subscription)
    return paginate(qs, page, selectors.DELIVERY_SORTS, "-created_at")


@router.get("/runs", response={200: schemas.RunPage, **errors(403, 404)})
def list_runs(request: AuthedRequest, filters: Query[schemas.RunFilters]):  # type: ignore[type-arg]
    qs = selectors.run_list(user=request.user, filters=filters)
    return paginate(qs, filters, selectors.RUN_SORTS, "-created_at")


@router.post("/runs/{id:run_id}/retry", response={200: schemas.RunOut, **errors(403, 404, 409)})
def retry_run(request: AuthedRequest, run_id: int):
    return services.run_retry(actor=request.user, run=_found(AutomationRun, run_id))


@router.get("/campaigns", response={200: list[schemas.CampaignOut], **errors()})
def list_campaigns(request: AuthedRequest):
    return selectors.campaigns()


@router.post("/campaigns", response={201: schemas.CampaignOut, **errors(403)})
def create_campaign(request: AuthedRequest, payload: schemas.CampaignIn):
    campaign = campaigns.campaign_create(actor=request.user, name=payload.name, kind=payload.kind)
    return Status(201, campaign)


@router.get(
    "/campaigns/{id:campaign_id}/members",
    response={200: schemas.MembershipPage, **errors(403, 404)},
)
def list_members(request: AuthedRequest, campaign_id: int, page: Query[PageParams]):  # type: ignore[type-arg]
    selectors.require_staff(request.user, "see campaign members")
    qs = selectors.members(_found(Campaign, campaign_id))
    return paginate(qs, page, selectors.MEMBERSHIP_SORTS, "-added_at")
