"""What every action type provides, and the context an action runs in."""

import builtins
import datetime
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from lejek.activities.models import Activity
from lejek.automation import context as records
from lejek.automation.models import AutomationRun


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class Context:
    """One record an action works on, whose rights it uses, and what caused it."""

    run: AutomationRun | None
    record: Any
    actor: Any
    now: datetime.datetime
    event: dict[str, Any] = field(default_factory=dict)

    @property
    def entity_type(self) -> str:
        return records.entity_type_of(self.record)

    @cached_property
    def meeting(self) -> Activity | None:
        return records.meeting_for(self.record)

    @property
    def title(self) -> str:
        return self.run.title if self.run is not None else "dry run"

    def key(self, index: int) -> str:
        """A name for the side effect of action `index` of this run, the same on every retry."""
        assert self.run is not None
        return f"{self.run.run_key}:{index}"

    def merge_fields(self) -> dict[str, Any]:
        return records.merge_fields(self.record, meeting=self.meeting)


class Action:
    """An action type: its parameters, a dry-run description, and the real thing."""

    type: ClassVar[str]
    label: ClassVar[Any]
    params: ClassVar[builtins.type[Params]]
    # Kinds of record it works on; None: all.
    entity_types: ClassVar[tuple[str, ...] | None] = None
    # Talks to another server: run outside a database transaction, so a slow server
    # never holds a lock that users' requests wait for.
    external: ClassVar[bool] = False

    def check(self, params: Any, entity_type: str) -> None:
        """Checks needing the database (the template exists, ...); ValidationFailed per field."""

    def describe(self, ctx: Context, params: Any) -> str:
        raise NotImplementedError

    def run(self, ctx: Context, params: Any, index: int) -> str:
        raise NotImplementedError
