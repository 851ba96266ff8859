"""Commission plan pages: create and change plans through forms (tiers as rows, rates as
percentages), errors per field with nothing saved, stale versions refused, only
administrators change anything, reps put on plans and taken off, statements follow."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lejek.core.models import AuditEntry
from lejek.salesops import plans, statements
from lejek.salesops.models import CommissionAssignment, CommissionPlan
from lejek.salesops.tests.helpers import month, pipeline, plan_for, won_deal

pytestmark = pytest.mark.django_db

SENIOR = {
    "name": "Senior",
    "kind": "linear",
    "base_pay": "3 000,50",
    "rate": "12.5",
    "target": "25000",
    "tier_above_0": "2",
    "tier_rate_0": "20",
    "tier_above_1": "1.5",
    "tier_rate_1": "15",
    "is_active": "on",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section(response, element_id: str) -> str:
    """The text of one table or form of a page, from its id to its end tag."""
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    end = html.index("</table>" if "<table" in html[start - 80 : start] else "</form>", start)
    return html[start:end]


def test_create_a_plan_with_tiers(admin) -> None:
    c = client_for(admin)
    page = c.get("/salesops/plans/")
    assert page.status_code == 200 and 'id="plan-new"' in page.content.decode()
    assert 'nav-link active" href="/salesops/plans/">Commission plans' in page.content.decode()
    statements_page = c.get("/salesops/statements/").content.decode()
    assert 'href="/salesops/plans/" id="plans-link"' in statements_page
    assert "No commission plans yet." in section(page, "plan-list")
    response = c.post("/salesops/plans/", SENIOR)
    plan = CommissionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/salesops/plans/{plan.pk}/"
    assert (plan.name, plan.kind, plan.base_pay, plan.rate, plan.target) == (
        "Senior",
        "linear",
        D("3000.50"),
        D("0.125"),
        D("25000"),
    )
    # Rows come back sorted by threshold, rates as shares.
    assert plan.tiers == [{"above": "1.5", "rate": "0.15"}, {"above": "2", "rate": "0.2"}]
    assert plan.is_active and plan.version == 1
    assert AuditEntry.objects.filter(entity_type="commissionplan", entity_id=plan.pk).exists()
    listed = section(c.get("/salesops/plans/"), "plan-list")
    assert f'href="/salesops/plans/{plan.pk}/">Senior</a>' in listed
    assert "12.5 %" in listed and "3,000.50 USD" in listed and "25,000.00 USD" in listed
    assert "15.0 % above 1.5× target" in listed and "20.0 % above 2× target" in listed
    form = section(c.get(f"/salesops/plans/{plan.pk}/"), "plan-edit")
    assert 'name="version" value="1"' in form
    assert 'name="rate" value="12.5"' in form and 'name="tier_rate_0" value="15"' in form
    assert 'name="tier_above_1" value="2"' in form and 'name="tier_above_2" value=""' in form


def test_edit_a_plan(admin) -> None:
    plan = plan_for(admin, name="Junior", tiers=[{"above": "1.5", "rate": "0.2"}])
    c = client_for(admin)
    data = {
        "version": "1",
        "name": "Junior 2025",
        "kind": "linear",
        "base_pay": "3000",
        "rate": "11",
        "target": "12000",
        "tier_above_0": "",
        "tier_rate_0": "",
        "tier_above_1": "3",
        "tier_rate_1": "25",
    }
    response = c.post(f"/salesops/plans/{plan.pk}/", data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.name, plan.kind, plan.rate, plan.target, plan.version) == (
        "Junior 2025",
        "linear",
        D("0.11"),
        D("12000"),
        2,
    )
    assert plan.tiers == [{"above": "3", "rate": "0.25"}] and plan.is_active is False
    changed = set(
        AuditEntry.objects.filter(entity_type="commissionplan", field__gt="").values_list(
            "field", flat=True
        )
    )
    assert changed == {"name", "kind", "rate", "target", "tiers", "is_active"}
    terms = section(c.get(f"/salesops/plans/{plan.pk}/"), "plan-terms")
    assert "11.0 %" in terms and "25.0 % above 3× target" in terms and "Linear" in terms


def test_errors_per_field_save_nothing(admin) -> None:
    c = client_for(admin)
    bad = {**SENIOR, "rate": "150", "base_pay": "lots", "tier_above_0": "0.5"}
    bad |= {"tier_above_1": "", "tier_rate_1": "15", "tier_above_2": "2", "tier_rate_2": "7"}
    bad |= {"tier_above_3": "2", "tier_rate_3": "9"}
    response = c.post("/salesops/plans/", bad)
    assert response.status_code == 422 and not CommissionPlan.objects.exists()
    assert set(response.context["form"].errors) == {
        "rate",
        "base_pay",
        "tier_above_0",
        "tier_above_1",
        "tier_above_3",
    }
    form = section(response, "plan-new")
    assert 'id="id_rate-error">Ensure this value is less than or equal to 100.' in form
    assert 'id="id_base_pay-error">Enter a number.' in form
    assert 'id="id_tier_above_1-error">Give the multiple of the target.' in form
    assert 'id="id_tier_above_3-error">Another tier starts at this multiple.' in form
    assert 'name="name" value="Senior"' in form  # what was typed is kept
    # The service's own checks land on their field too.
    plan = plan_for(admin, name="Junior")
    taken = c.post("/salesops/plans/", {**SENIOR, "name": "Junior"})
    assert taken.status_code == 422 and CommissionPlan.objects.count() == 1
    assert 'id="id_name-error">A plan with this name exists.' in section(taken, "plan-new")
    # An edit with one bad field changes none of the good ones.
    edit = {**SENIOR, "version": "1", "rate": "20", "tier_rate_0": "abc"}
    response = c.post(f"/salesops/plans/{plan.pk}/", edit)
    assert response.status_code == 422 and 'id="id_tier_rate_0-error"' in response.content.decode()
    plan.refresh_from_db()
    assert (plan.name, plan.rate, plan.version, plan.tiers) == ("Junior", D("0.1000"), 1, [])


def test_a_stale_version_is_a_conflict(admin) -> None:
    plan = plan_for(admin, name="Junior")
    c = client_for(admin)
    assert 'name="version" value="1"' in section(c.get(f"/salesops/plans/{plan.pk}/"), "plan-edit")
    plans.plan_update(actor=admin, plan=plan, data={"rate": D("0.12")}, version=1)
    response = c.post(f"/salesops/plans/{plan.pk}/", {**SENIOR, "version": "1"})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert 'id="plan-conflict"' in response.content.decode()
    plan.refresh_from_db()
    assert (plan.name, plan.rate, plan.version) == ("Junior", D("0.1200"), 2)


def test_only_administrators_change_plans(admin, manager, owner, outsider) -> None:
    plan = plan_for(admin, owner, name="Junior")
    for user in (manager, owner):
        c = client_for(user)
        page = c.get("/salesops/plans/")
        assert page.status_code == 200 and "Junior" in section(page, "plan-list")
        assert 'id="plan-new"' not in page.content.decode()
        detail = c.get(f"/salesops/plans/{plan.pk}/").content.decode()
        assert 'id="plan-edit"' not in detail and 'id="plan-assign"' not in detail
        assert c.post("/salesops/plans/", SENIOR).status_code == 403
        edit = {**SENIOR, "version": "1"}
        assert c.post(f"/salesops/plans/{plan.pk}/", edit).status_code == 403
        assign = {"rep": user.pk}
        assert c.post(f"/salesops/plans/{plan.pk}/assign/", assign).status_code == 403
        end = f"/salesops/plans/{plan.pk}/reps/{owner.pk}/unassign/"
        assert c.post(end).status_code == 403
    plan.refresh_from_db()
    assert CommissionPlan.objects.count() == 1 and (plan.name, plan.version) == ("Junior", 1)
    assert list(CommissionAssignment.objects.values_list("user_id", flat=True)) == [owner.pk]
    # Reps of another team do not see who is on the plan.
    hidden = client_for(outsider).get(f"/salesops/plans/{plan.pk}/")
    assert "No reps on this plan." in section(hidden, "plan-reps")
    assert "Owner" in section(client_for(manager).get(f"/salesops/plans/{plan.pk}/"), "plan-reps")
    assert Client().get("/salesops/plans/").status_code == 302


def test_assign_move_and_take_off_a_rep(admin, owner) -> None:
    junior = plan_for(admin, name="Junior")
    senior = plan_for(admin, name="Senior", target="25000")
    c = client_for(admin)
    assert c.post(f"/salesops/plans/{junior.pk}/assign/", {"rep": owner.pk}).status_code == 302
    assignment = CommissionAssignment.objects.get(user=owner)
    assert assignment.plan == junior
    since = f"{timezone.localtime(assignment.assigned_at):%Y-%m-%d}"
    reps = section(c.get(f"/salesops/plans/{junior.pk}/"), "plan-reps")
    assert "Owner" in reps and since in reps
    history = section(c.get(f"/salesops/plans/{junior.pk}/"), "plan-history")
    assert "Owner" in history and "Assigned to this plan" in history and "Admin" in history
    listed = section(c.get("/salesops/plans/"), "plan-list")
    assert f'Owner <span class="text-body-secondary">· {since}' in listed
    bad = c.post(f"/salesops/plans/{junior.pk}/assign/", {"rep": 999_999})
    assert bad.status_code == 422 and "is-invalid" in section(bad, "plan-assign")
    # Moving the rep to another plan shows on both plans' histories.
    assert c.post(f"/salesops/plans/{senior.pk}/assign/", {"rep": owner.pk}).status_code == 302
    assert CommissionAssignment.objects.get(user=owner).plan == senior
    assert "Moved to Senior" in section(c.get(f"/salesops/plans/{junior.pk}/"), "plan-history")
    assert "No reps on this plan." in section(c.get(f"/salesops/plans/{junior.pk}/"), "plan-reps")
    page = c.get(f"/salesops/plans/{senior.pk}/")
    assert "Moved here from Junior" in section(page, "plan-history")
    # Taking the rep off: the assignment ends, the history says so; twice is a conflict.
    end = f"/salesops/plans/{senior.pk}/reps/{owner.pk}/unassign/"
    assert c.post(end).status_code == 302
    assert not CommissionAssignment.objects.exists()
    assert "Taken off the plan" in section(c.get(f"/salesops/plans/{senior.pk}/"), "plan-history")
    assert c.post(end).status_code == 409
    entries = AuditEntry.objects.filter(entity_type="user", entity_id=owner.pk)
    assert list(entries.order_by("id").values_list("old_value", "new_value")) == [
        (None, str(junior.pk)),
        (str(junior.pk), str(senior.pk)),
        (str(senior.pk), None),
    ]


def test_statement_computed_afterwards_uses_the_assigned_plan(admin, owner) -> None:
    p = pipeline(admin)
    plan_for(admin, owner, name="Junior")  # the rep's plan until the page moves them
    won_deal(owner, p, 20000, "2025-01-02", "2025-01-10")
    c = client_for(admin)
    data = {**SENIOR, "name": "Accelerated", "kind": "cliff", "base_pay": "3000", "rate": "10"}
    data |= {"target": "10000", "tier_above_0": "1.5", "tier_rate_0": "20"}
    data |= {"tier_above_1": "", "tier_rate_1": ""}
    assert c.post("/salesops/plans/", data).status_code == 302
    plan = CommissionPlan.objects.get(name="Accelerated")
    assert c.post(f"/salesops/plans/{plan.pk}/assign/", {"rep": owner.pk}).status_code == 302
    statement = statements.statement_compute(actor=admin, rep=owner, month=month("2025-01"))
    # 10 % on the first 15,000 (1.5 × target), 20 % on the 5,000 above it.
    assert statement.plan == plan and statement.revenue == D("20000.00")
    assert statement.commission == D("2500.00") and statement.total_pay == D("5500.00")
    assert statement.terms["tiers"] == [{"above": "1.5", "rate": "0.2"}]


def test_the_list_reads_in_a_fixed_number_of_queries(admin, owner, teammate, manager) -> None:
    plan_for(admin, owner, name="Junior")
    c = client_for(admin)
    with CaptureQueriesContext(connection) as few:
        c.get("/salesops/plans/")
    plan_for(admin, teammate, manager, name="Senior", tiers=[{"above": "2", "rate": "0.3"}])
    with CaptureQueriesContext(connection) as more:
        page = c.get("/salesops/plans/")
    assert len(more) == len(few)
    senior = section(page, "plan-list").split('data-plan="')[2]
    assert "Senior" in senior and "Teammate" in senior and "Manager" in senior
    assert "30.0 % above 2× target" in senior and "Owner" not in senior
