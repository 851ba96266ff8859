"""Change the record itself: its owner, one of its fields, its stage."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import Field

from lejek.accounts.models import User
from lejek.automation import mail
from lejek.automation.actions import updates
from lejek.automation.actions.base import Action, Context, Params
from lejek.core.errors import ValidationFailed
from lejek.core.listing import MAX_ID
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Stage


class AssignOwnerParams(Params):
    user_id: int = Field(..., ge=1, le=MAX_ID)


class AssignOwner(Action):
    type = "assign_owner"
    label = _("Assign an owner")
    params = AssignOwnerParams

    def check(self, params: Any, entity_type: str) -> None:
        if not User.objects.filter(pk=params.user_id, is_active=True).exists():
            raise ValidationFailed.field("user_id", f"No active user {params.user_id}.")

    def describe(self, ctx: Context, params: Any) -> str:
        user = User.objects.filter(pk=params.user_id).first()
        return f"Assign to {user.display_name if user else params.user_id}"

    def run(self, ctx: Context, params: Any, index: int) -> str:
        updates.update(
            ctx.record, ctx.entity_type, actor=ctx.actor, data={"owner_id": params.user_id}
        )
        return f"Assigned to user {params.user_id}"


class SetFieldParams(Params):
    field: str = Field(..., min_length=1, max_length=64)
    value: Any = None


class SetField(Action):
    type = "set_field"
    label = _("Set a field")
    params = SetFieldParams

    def check(self, params: Any, entity_type: str) -> None:
        allowed = updates.SETTABLE.get(entity_type, ())
        if params.field not in allowed:
            raise ValidationFailed.field(
                "field", f"Cannot set '{params.field}'. Use one of: {', '.join(allowed)}."
            )
        if isinstance(params.value, str):
            mail.check_syntax(params.value, "value")

    def _value(self, ctx: Context, params: Any) -> Any:
        if isinstance(params.value, str) and "{" in params.value:
            return mail.render(params.value, ctx.merge_fields())
        return params.value

    def describe(self, ctx: Context, params: Any) -> str:
        return f"Set {params.field} to {self._value(ctx, params)!r}"

    def run(self, ctx: Context, params: Any, index: int) -> str:
        value = self._value(ctx, params)
        updates.update(ctx.record, ctx.entity_type, actor=ctx.actor, data={params.field: value})
        return f"Set {params.field} to {value!r}"


class MoveStageParams(Params):
    stage_id: int = Field(..., ge=1, le=MAX_ID)


class MoveStage(Action):
    type = "move_stage"
    label = _("Move the deal to a stage")
    params = MoveStageParams
    entity_types = ("deal",)

    def check(self, params: Any, entity_type: str) -> None:
        if not Stage.objects.active().filter(pk=params.stage_id).exists():
            raise ValidationFailed.field("stage_id", f"No active stage {params.stage_id}.")

    def _stage(self, params: Any) -> Stage:
        stage = Stage.objects.select_related("pipeline").filter(pk=params.stage_id).first()
        if stage is None:
            raise ValidationFailed.field("stage_id", f"No stage {params.stage_id}.")
        return stage

    def describe(self, ctx: Context, params: Any) -> str:
        return f"Move to stage “{self._stage(params).name}”"

    def run(self, ctx: Context, params: Any, index: int) -> str:
        stage = self._stage(params)
        pipeline_services.deal_move_to_stage(
            actor=ctx.actor,
            deal=ctx.record,
            stage=stage,
            version=ctx.record.version,
            note=f"automation: {ctx.title}"[:300],
        )
        return f"Moved to stage “{stage.name}”"
