"""Model invariants under random sequences of operations (Hypothesis state machines).

Deals: create, move (with the right version and with a stale one), win, lose, reopen,
delete and restore deals in any order. After every step: the board's columns
(count and total per currency) equal the deals the model says are open there;
every deal's version and stage are the model's; there is one stage-change row
per accepted move (plus the creation); every accepted change left audit entries
and every rejected one left none, and changed nothing. (Deals cannot be merged:
there is no deal merge; leads can.)

Leads: create, log an activity, record an engagement event (scored by the example
rules), tag, merge two leads (right versions, a stale one, a lead with itself, a
deleted one), delete and restore, in any order. After every step: no row anywhere
points at a merged lead (every foreign key to leads, tags, campaign memberships);
every lead's activities, events and tags are the model's (a merge adds the other's
to the lead that stays); every lead's score is the sum of its score ledger rows; the
audit log never shrinks; and each change wrote exactly its audit entries (one per
changed field or event) while a refusal wrote none and changed nothing.
"""

import itertools
from collections import Counter
from decimal import Decimal

import pytest
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from lejek.accounts import services as account_services
from lejek.activities import services as activity_services
from lejek.activities.models import Activity
from lejek.automation.models.campaigns import Membership
from lejek.core import tags
from lejek.core.errors import DomainError
from lejek.core.models import AuditEntry, Tagging
from lejek.leads import merge
from lejek.leads import services as lead_services
from lejek.leads.models import Lead
from lejek.pipelines import selectors, services
from lejek.pipelines.models import Deal, StageChange
from lejek.scoring import services as scoring_services
from lejek.scoring.models import EngagementEvent, ScoreEntry

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


EMAILS = st.sampled_from(["anna@acme.example", "jan@acme.example", "ola@beta.example"])
TAGS = st.sampled_from(["hot", "cold", "vip"])
EVENTS = st.sampled_from(["page_visited", "email_opened", "link_clicked", "replied"])
_event_ids = itertools.count(1)


def _lead_relations() -> list:
    """Every foreign key (and one-to-one) to leads, hidden ones (related_name="+") too;
    found independently of the merge code, so a new one is checked as soon as it exists."""
    return [
        rel.field
        for rel in Lead._meta.get_fields(include_hidden=True)
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)
    ]


class Leads(RuleBasedStateMachine):
    leads = Bundle("leads")
    stats: Counter = Counter()  # what the runs did, for docs/reliability.md

    @initialize()
    def setup(self) -> None:
        Leads.runs = getattr(Leads, "runs", 0) + 1
        Leads.stats["sequences"] += 1
        self.admin = account_services.user_create(
            username=f"leadmachine{Leads.runs}", password="x" * 12, role="admin"
        )
        scoring_services.rules_ensure_defaults()
        scoring_services.thresholds_ensure_defaults()
        # lead pk -> {"state": alive|deleted|merged, "activities", "events", "tags"}
        self.model: dict[int, dict] = {}
        self.audit_total = AuditEntry.objects.count()

    # --- helpers --------------------------------------------------------------------------

    def _row(self, pk: int) -> Lead:
        return Lead._base_manager.get(pk=pk)

    def _entries(self, entity_type: str, pk: int) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(entity_type=entity_type, entity_id=pk).order_by("pk"))

    def _lead_audit(self, pk: int) -> int:
        return AuditEntry.objects.filter(entity_type="lead", entity_id=pk).count()

    def _refused(self, operation, pks: list[int]) -> None:
        """`operation` must be refused, writing no audit entry and changing no lead."""
        before = AuditEntry.objects.count()
        rows = {pk: self._row(pk) for pk in pks}
        try:
            operation()
        except DomainError:
            pass
        else:
            raise AssertionError("accepted although the model refuses it")
        assert AuditEntry.objects.count() == before
        for pk, row in rows.items():
            after = self._row(pk)
            assert (after.version, after.deleted_at, after.merged_into_id, after.score) == (
                row.version,
                row.deleted_at,
                row.merged_into_id,
                row.score,
            )

    # --- rules ----------------------------------------------------------------------------

    @rule(
        target=leads,
        email=EMAILS,
        size=st.one_of(st.none(), st.integers(1, 500)),
        decision_maker=st.booleans(),
        phone=st.sampled_from(["", "+48 600 100 200"]),
    )
    def create(self, email: str, size: int | None, decision_maker: bool, phone: str) -> int:
        before = AuditEntry.objects.count()
        data = {"last_name": "Nowak", "email": email, "company_size": size, "phone": phone}
        if decision_maker:
            data["authority"] = "decision_maker"
        lead = lead_services.lead_create(actor=self.admin, data=data)
        assert self._lead_audit(lead.pk) == 1  # one entry: created
        assert AuditEntry.objects.count() == before + 1
        self.model[lead.pk] = {"state": "alive", "activities": 0, "events": 0, "tags": set()}
        return lead.pk

    @rule(pk=leads)
    def log_activity(self, pk: int) -> None:
        state = self.model[pk]
        data = {"kind": "note", "subject": "Spoke to them", "lead_id": pk}
        if state["state"] != "alive":  # a deleted or merged lead cannot be linked
            self._refused(
                lambda: activity_services.activity_create(actor=self.admin, data=data), [pk]
            )
            return
        before = AuditEntry.objects.count()
        activity = activity_services.activity_create(actor=self.admin, data=data)
        assert len(self._entries("activity", activity.pk)) == 1
        assert AuditEntry.objects.count() == before + 1
        state["activities"] += 1

    @rule(pk=leads, kind=EVENTS, pricing=st.booleans())
    def record_event(self, pk: int, kind: str, pricing: bool) -> None:
        state = self.model[pk]
        event = {
            "lead_id": pk,
            "type": kind,
            "external_id": f"machine-{next(_event_ids)}",
            "url": "https://acme.example/pricing" if pricing else "https://acme.example/blog",
        }

        def operation() -> None:
            scoring_services.events_record(actor=self.admin, events=[event])

        if state["state"] != "alive":
            self._refused(operation, [pk])
            return
        before = AuditEntry.objects.count()
        operation()
        assert AuditEntry.objects.count() == before  # the score ledger is its history
        state["events"] += 1

    @rule(pk=leads, name=TAGS)
    def tag(self, pk: int, name: str) -> None:
        state = self.model[pk]
        if state["state"] == "merged":
            return  # a merged lead is on no page to tag from
        before = self._lead_audit(pk)
        added = tags.add(actor=self.admin, instance=self._row(pk), name=name)
        assert added == (name not in state["tags"])
        assert self._lead_audit(pk) == before + int(added)  # one entry per tag added
        state["tags"].add(name)

    @rule(keep=leads, other=leads, stale=st.sampled_from(["", "keep", "other"]))
    def merge(self, keep: int, other: int, stale: str) -> None:
        """Any two leads: often refused (the same lead, a deleted or merged one, stale)."""
        self._merge(keep, other, stale)

    @precondition(lambda self: sum(s["state"] == "alive" for s in self.model.values()) >= 2)
    @rule(data=st.data())
    def merge_two_live_leads(self, data: st.DataObject) -> None:
        alive = sorted(pk for pk, s in self.model.items() if s["state"] == "alive")
        keep = data.draw(st.sampled_from(alive), label="keep")
        other = data.draw(st.sampled_from([pk for pk in alive if pk != keep]), label="other")
        self._merge(keep, other, "")

    def _merge(self, keep: int, other: int, stale: str) -> None:
        first, second = self._row(keep), self._row(other)
        keep_version = first.version + (7 if stale == "keep" else 0)
        other_version = second.version + (7 if stale == "other" else 0)

        def operation() -> Lead:
            return merge.lead_merge(
                actor=self.admin,
                keep_id=keep,
                other_id=other,
                keep_version=keep_version,
                other_version=other_version,
            )

        allowed = (
            keep != other
            and not stale
            and self.model[keep]["state"] == "alive"
            and self.model[other]["state"] == "alive"
        )
        if not allowed:
            self._refused(operation, [keep, other])
            Leads.stats["merges refused"] += 1
            return
        total = AuditEntry.objects.count()
        keep_before, other_before = self._lead_audit(keep), self._lead_audit(other)
        moved_activities = list(Activity.objects.filter(lead_id=other).values_list("pk", flat=True))
        fields = list(merge.FILLED)
        values_before = {f: getattr(first, f) for f in fields}
        merged = operation()
        changed = {f for f in fields if getattr(merged, f) != values_before[f]}
        keep_new = AuditEntry.objects.filter(entity_type="lead", entity_id=keep).order_by("pk")[
            keep_before:
        ]
        keep_new = list(keep_new)
        # One entry per field filled from the other lead, or one note when none was.
        assert {e.field for e in keep_new if e.field} == changed
        assert len(keep_new) == max(1, len(changed))
        assert self._lead_audit(other) == other_before + 1  # "merged into"
        for pk in moved_activities:  # one entry per activity moved
            assert [e.field for e in self._entries("activity", pk)][-1:] == ["lead"]
        assert AuditEntry.objects.count() == total + len(keep_new) + 1 + len(moved_activities)
        a, b = self.model[keep], self.model[other]
        a["activities"] += b["activities"]
        a["events"] += b["events"]
        a["tags"] |= b["tags"]
        b.update(state="merged", activities=0, events=0, tags=set())
        Leads.stats["merges"] += 1

    @rule(pk=leads)
    def delete(self, pk: int) -> None:
        state = self.model[pk]
        if state["state"] != "alive":
            return
        lead_services.lead_delete(
            actor=self.admin, lead=self._row(pk), version=self._row(pk).version
        )
        state["state"] = "deleted"

    @rule(pk=leads)
    def restore(self, pk: int) -> None:
        state = self.model[pk]
        if state["state"] == "alive":
            self._refused(
                lambda: lead_services.lead_restore(actor=self.admin, lead=self._row(pk)), [pk]
            )
            return
        if state["state"] != "deleted":
            return  # a merged lead stays merged (its page leads to the one it went into)
        lead_services.lead_restore(actor=self.admin, lead=self._row(pk))
        state["state"] = "alive"

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def audit_log_never_shrinks(self) -> None:
        if not hasattr(self, "model"):
            return
        Leads.stats["steps checked"] += 1
        total = AuditEntry.objects.count()
        assert total >= self.audit_total
        self.audit_total = total

    @invariant()
    def nothing_points_at_a_merged_lead(self) -> None:
        if not hasattr(self, "model"):
            return
        merged = [pk for pk, s in self.model.items() if s["state"] == "merged"]
        if not merged:
            return
        for field in _lead_relations():
            rows = field.model._base_manager.filter(**{f"{field.name}__in": merged})
            assert not rows.exists(), f"{field.model._meta.label}.{field.name} -> merged lead"
        assert not Tagging.objects.filter(entity_type="lead", entity_id__in=merged).exists()
        assert not Membership.objects.filter(entity_type="lead", entity_id__in=merged).exists()
        for pk in merged:
            row = self._row(pk)
            assert row.deleted_at is not None and row.merged_into_id is not None
            # A lead merged into one that was merged in turn points at where that one went.
            assert self.model[row.merged_into_id]["state"] != "merged"

    @invariant()
    def leads_match_the_model(self) -> None:
        if not hasattr(self, "model"):
            return
        for pk, state in self.model.items():
            row = self._row(pk)
            assert (row.deleted_at is None) == (state["state"] == "alive")
            assert Activity.objects.filter(lead_id=pk).count() == state["activities"]
            assert EngagementEvent.objects.filter(lead_id=pk).count() == state["events"]
            assert set(tags.names_of(row)) == state["tags"]

    @invariant()
    def score_is_the_sum_of_the_ledger(self) -> None:
        if not hasattr(self, "model"):
            return
        for pk in self.model:
            ledger = ScoreEntry.objects.filter(lead_id=pk).values_list("points", flat=True)
            assert self._row(pk).score == sum(ledger)


# Both machines: 25 sequences of up to 30 steps, the same ones every run.
SEQUENCES = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


class TestDealInvariants(TestCase):
    def test_random_operation_sequences(self) -> None:
        run_state_machine_as_test(Deals, settings=SEQUENCES)


class TestLeadInvariants(TestCase):
    def test_random_operation_sequences(self) -> None:
        Leads.stats.clear()
        run_state_machine_as_test(Leads, settings=SEQUENCES)
        print(f"\nlead state machine: {dict(Leads.stats)}")
        assert Leads.stats["merges"] > 0  # the sequences do reach a merge


@pytest.mark.django_db
def test_a_merged_lead_cannot_be_restored(admin) -> None:
    keep = lead_services.lead_create(actor=admin, data={"email": "a@acme.example"})
    other = lead_services.lead_create(actor=admin, data={"email": "b@acme.example"})
    merge.lead_merge(
        actor=admin,
        keep_id=keep.pk,
        other_id=other.pk,
        keep_version=keep.version,
        other_version=other.version,
    )
    other.refresh_from_db()
    with pytest.raises(DomainError):
        lead_services.lead_restore(actor=admin, lead=other)
