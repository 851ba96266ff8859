"""Model invariants under random sequences of operations (a Hypothesis state machine).

Create, move (with the right version and with a stale one), win, lose, reopen,
delete and restore deals in any order. After every step: the board's columns
(count and total per currency) equal the deals the model says are open there;
every deal's version and stage are the model's; there is one stage-change row
per accepted move (plus the creation); every accepted change left audit entries
and every rejected one left none, and changed nothing.
"""

from decimal import Decimal

from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from lejek.accounts import services as account_services
from lejek.core.errors import DomainError
from lejek.core.models import AuditEntry
from lejek.pipelines import selectors, services
from lejek.pipelines.models import Deal, StageChange

AMOUNTS = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**6, places=2))
CURRENCIES = st.sampled_from(["PLN", "EUR"])


class Deals(RuleBasedStateMachine):
    deals = Bundle("deals")

    @initialize()
    def setup(self) -> None:
        Deals.runs = getattr(Deals, "runs", 0) + 1
        self.admin = account_services.user_create(
            username=f"machine{Deals.runs}", password="x" * 12, role="admin"
        )
        self.pipeline = services.pipeline_create(actor=self.admin, template="seven_stage")
        self.stages = list(self.pipeline.stages.active().order_by("order"))
        self.model: dict[int, dict] = {}

    def _audit(self, pk: int) -> int:
        return AuditEntry.objects.filter(entity_type="deal", entity_id=pk).count()

    def _attempt(self, pk: int, operation, allowed: bool, change: dict) -> None:
        """Run `operation` on the current row; the model says whether it must succeed."""
        before = self._audit(pk)
        rows = Deal._base_manager.select_related("stage__pipeline")  # deleted ones too
        row_before = rows.get(pk=pk)
        try:
            operation(rows.get(pk=pk))
        except DomainError:
            assert not allowed, f"rejected although allowed: {change}"
            assert self._audit(pk) == before  # a refusal leaves no history ...
            row_after = rows.get(pk=pk)  # ... and changes nothing
            assert (row_after.version, row_after.stage_id, row_after.status) == (
                row_before.version,
                row_before.stage_id,
                row_before.status,
            )
            return
        assert allowed, f"accepted although not allowed: {change}"
        assert self._audit(pk) > before
        state = self.model[pk]
        state.update(change)
        state["version"] += 1

    @rule(target=deals, stage=st.integers(0, 5), amount=AMOUNTS, currency=CURRENCIES)
    def create(self, stage: int, amount: Decimal | None, currency: str) -> int:
        deal = services.deal_create(
            actor=self.admin,
            data={
                "title": "Machine deal",
                "pipeline_id": self.pipeline.pk,
                "stage_id": self.stages[stage].pk,
                "amount": amount,
                "currency": currency,
            },
        )
        self.model[deal.pk] = {
            "stage": self.stages[stage].pk,
            "status": "open",
            "deleted": False,
            "amount": amount,
            "currency": currency,
            "version": deal.version,
            "moves": 0,
        }
        return deal.pk

    @rule(pk=deals, stage=st.integers(0, 5), stale=st.booleans())
    def move(self, pk: int, stage: int, stale: bool) -> None:
        state = self.model[pk]
        target = self.stages[stage]
        if state["deleted"]:
            return  # a deleted deal is not on any board or page to move from
        same = target.pk == state["stage"]
        allowed = state["status"] == "open" and not stale and not same
        version = state["version"] - 1 if stale else state["version"]

        def operation(deal: Deal) -> None:
            services.deal_move_to_stage(actor=self.admin, deal=deal, stage=target, version=version)

        if same and not stale and state["status"] == "open":
            operation(Deal.objects.select_related("stage__pipeline").get(pk=pk))  # a no-op
            return
        self._attempt(pk, operation, allowed, {"stage": target.pk, "moves": state["moves"] + 1})

    @rule(pk=deals)
    def win(self, pk: int) -> None:
        state = self.model[pk]
        if state["deleted"]:
            return
        self._attempt(
            pk,
            lambda d: services.deal_mark_won(actor=self.admin, deal=d, version=state["version"]),
            state["status"] == "open",
            {"status": "won"},
        )

    @rule(pk=deals)
    def lose(self, pk: int) -> None:
        state = self.model[pk]
        if state["deleted"]:
            return
        self._attempt(
            pk,
            lambda d: services.deal_mark_lost(
                actor=self.admin, deal=d, version=state["version"], lost_reason="Price"
            ),
            state["status"] == "open",
            {"status": "lost"},
        )

    @rule(pk=deals)
    def reopen(self, pk: int) -> None:
        state = self.model[pk]
        if state["deleted"]:
            return
        self._attempt(
            pk,
            lambda d: services.deal_reopen(actor=self.admin, deal=d, version=state["version"]),
            state["status"] != "open",
            {"status": "open"},
        )

    @rule(pk=deals)
    def delete(self, pk: int) -> None:
        state = self.model[pk]
        if state["deleted"]:
            return
        self._attempt(
            pk,
            lambda d: services.deal_delete(actor=self.admin, deal=d, version=state["version"]),
            True,
            {"deleted": True},
        )

    @rule(pk=deals)
    def restore(self, pk: int) -> None:
        state = self.model[pk]
        if not state["deleted"]:
            return
        self._attempt(
            pk, lambda d: services.deal_restore(actor=self.admin, deal=d), True, {"deleted": False}
        )

    @invariant()
    def board_matches_the_model(self) -> None:
        if not hasattr(self, "model"):
            return
        columns = selectors.board_columns(user=self.admin, pipeline=self.pipeline)
        for column in columns:
            stage_pk = column["stage"].pk
            here = [
                s
                for s in self.model.values()
                if s["stage"] == stage_pk and s["status"] == "open" and not s["deleted"]
            ]
            assert column["count"] == len(here)
            expected: dict[str, Decimal] = {}
            for s in here:
                if s["amount"] is not None:
                    expected[s["currency"]] = expected.get(s["currency"], Decimal(0)) + s["amount"]
            shown = {t["currency"]: t["amount"] for t in column["totals"]}
            assert shown == {c: a.quantize(Decimal("0.01")) for c, a in expected.items()}

    @invariant()
    def rows_match_the_model(self) -> None:
        if not hasattr(self, "model"):
            return
        rows = Deal._base_manager.filter(pk__in=self.model).values(
            "pk", "version", "stage_id", "status"
        )
        for row in rows:
            state = self.model[row["pk"]]
            assert (row["version"], row["stage_id"], row["status"]) == (
                state["version"],
                state["stage"],
                state["status"],
            )
            moves = StageChange.objects.filter(deal_id=row["pk"]).count() - 1
            assert moves == state["moves"]


class TestDealInvariants(TestCase):
    def test_random_operation_sequences(self) -> None:
        run_state_machine_as_test(
            Deals,
            settings=settings(
                max_examples=25,
                stateful_step_count=30,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            ),
        )
