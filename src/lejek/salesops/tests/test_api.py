"""The API: status codes, permissions and one happy path per endpoint group."""

from decimal import Decimal as D

import pytest

from lejek.salesops.tests.helpers import clock, pipeline, plan_for, t, won_deal

pytestmark = pytest.mark.django_db


def test_quota_endpoints(api_as, manager, owner, outsider, team_a) -> None:
    api = api_as(manager)
    made = api.post(
        "salesops/quotas", {"user_id": owner.pk, "period_start": "2025-01-01", "amount": "10000"}
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["amount"] == "10000.00" and body["period_end"] == "2025-01-01"
    assert (
        api.post(
            "salesops/quotas", {"user_id": outsider.pk, "period_start": "2025-01-01", "amount": "1"}
        ).status_code
        == 403
    )
    assert (
        api.post(
            "salesops/quotas", {"user_id": owner.pk, "period_start": "2025-01-01", "amount": "1"}
        ).status_code
        == 409
    )
    assert (
        api.post(
            "salesops/quotas", {"user_id": owner.pk, "period_start": "2025-01-02", "amount": "1"}
        ).status_code
        == 422
    )
    assert (
        api.post(
            "salesops/quotas", {"user_id": owner.pk, "period_start": "2025-02-01", "amount": "-1"}
        ).status_code
        == 422
    )
    patched = api.patch(f"salesops/quotas/{body['id']}", {"amount": "12000", "version": 1})
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert (
        api.patch(f"salesops/quotas/{body['id']}", {"amount": "1", "version": 1}).status_code == 409
    )
    assert (
        api_as(outsider)
        .patch(f"salesops/quotas/{body['id']}", {"amount": "1", "version": 2})
        .status_code
        == 404
    )
    assert [q["id"] for q in api_as(owner).get("salesops/quotas").json()] == [body["id"]]
    assert api_as(outsider).get("salesops/quotas").json() == []
    imported = api.post(
        "salesops/quotas/import", {"csv": "user,period,amount\nteammate,2025-Q1,300\n"}
    )
    assert imported.status_code == 422  # no such user: teammate fixture not loaded
    assert "Row 2" in imported.json()["detail"]
    ok = api.post("salesops/quotas/import", {"csv": "team,period,amount\nTeam A,2025-Q1,30000\n"})
    assert ok.json() == {"created": 1, "updated": 0, "unchanged": 0}
    att = api.get("salesops/attainment", start="2025-01", end="2025-01")
    assert att.status_code == 200 and att.json()["reps_with_quota"] == 1
    assert api.delete(f"salesops/quotas/{body['id']}").status_code == 204
    assert api_as(None).get("salesops/quotas").status_code == 401


def test_plan_and_statement_endpoints(api_as, admin, manager, owner, outsider) -> None:
    p = pipeline(admin)
    won_deal(owner, p, 12000, "2025-01-02", "2025-01-10")
    plan_body = {
        "name": "Junior",
        "base_pay": "3000",
        "rate": "0.10",
        "target": "10000",
        "tiers": [{"above": "1.5", "rate": "0.2"}],
    }
    assert api_as(manager).post("salesops/plans", plan_body).status_code == 403
    made = api_as(admin).post("salesops/plans", plan_body)
    assert made.status_code == 201, made.json()
    plan = made.json()
    assert plan["tiers"] == [{"above": "1.5", "rate": "0.2"}]
    bad = api_as(admin).post(
        "salesops/plans", {**plan_body, "name": "X", "tiers": [{"above": "0.5", "rate": "0.1"}]}
    )
    assert bad.status_code == 422
    assert (
        api_as(admin).post(f"salesops/plans/{plan['id']}/assign", {"user_id": owner.pk}).status_code
        == 204
    )
    computed = api_as(manager).post("salesops/statements/compute", {"month": "2025-01"})
    assert computed.status_code == 200
    [statement] = computed.json()
    assert statement["commission"] == "1200.00" and statement["total_pay"] == "4200.00"
    assert (
        api_as(owner).post("salesops/statements/compute", {"month": "2025-01"}).status_code == 403
    )
    assert statement["stale"] is None  # lists say nothing of the deals now
    detail = api_as(owner).get(f"salesops/statements/{statement['id']}")
    assert detail.status_code == 200 and detail.json()["stale"] is False
    [line] = detail.json()["lines"]
    assert (line["id"], line["deal_title"], line["revenue"]) == (None, "Deal 12000", "12000.00")
    assert api_as(outsider).get(f"salesops/statements/{statement['id']}").status_code == 404
    assert (
        api_as(owner)
        .post(f"salesops/statements/{statement['id']}/approve", {"version": statement["version"]})
        .status_code
        == 403
    )
    approved = api_as(manager).post(
        f"salesops/statements/{statement['id']}/approve", {"version": statement["version"]}
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["stale"] is False
    [line] = approved.json()["lines"]
    assert isinstance(line["id"], int) and line["deal_title"] == "Deal 12000"
    again = api_as(manager).post(
        f"salesops/statements/{statement['id']}/approve", {"version": approved.json()["version"]}
    )
    assert again.status_code == 409
    assert (
        api_as(manager).post(f"salesops/statements/{statement['id']}/reconcile").status_code == 200
    )
    assert len(api_as(manager).get("salesops/statements", month="2025-01").json()) == 1


def test_a_stale_draft_over_the_api(api_as, admin, manager, owner) -> None:
    """The detail says a draft is stale once a counted deal changed; approving it is a 409
    that writes nothing; recomputed, it is approved with the lines it then lists."""
    from lejek.pipelines import services as pipeline_services
    from lejek.salesops.models import Statement, StatementLine

    p = pipeline(admin)
    plan_for(admin, owner)
    deal = won_deal(owner, p, 12000, "2025-01-02", "2025-01-10")
    [statement] = api_as(manager).post("salesops/statements/compute", {"month": "2025-01"}).json()
    url = f"salesops/statements/{statement['id']}"
    deal.refresh_from_db()
    pipeline_services.deal_update(
        actor=owner, deal=deal, data={"amount": D(9000)}, version=deal.version
    )
    detail = api_as(manager).get(url).json()
    assert detail["stale"] is True and detail["revenue"] == "12000.00"
    assert [(ln["deal_title"], ln["revenue"]) for ln in detail["lines"]] == [
        ("Deal 12000", "9000.00")
    ]
    refused = api_as(manager).post(f"{url}/approve", {"version": detail["version"]})
    assert refused.status_code == 409
    assert "deals changed since this draft was computed" in refused.json()["detail"]
    assert Statement.objects.get().status == "draft" and StatementLine.objects.count() == 0

    api_as(manager).post("salesops/statements/compute", {"month": "2025-01"})
    detail = api_as(manager).get(url).json()
    assert detail["stale"] is False and detail["revenue"] == "9000.00"
    approved = api_as(manager).post(f"{url}/approve", {"version": detail["version"]})
    assert approved.status_code == 200 and approved.json()["stale"] is False
    assert [(ln["deal_title"], ln["revenue"]) for ln in approved.json()["lines"]] == [
        ("Deal 12000", "9000.00")
    ]


def test_audit_scorecard_planner_endpoints(api_as, admin, manager, owner, outsider) -> None:
    p = pipeline(admin)
    from lejek.salesops.tests.helpers import History

    deal = History(owner, p).deal("2025-03-01", title="Open one")
    with clock(t("2025-03-12")):
        queue = api_as(manager).get("salesops/audit")
        assert queue.status_code == 200
        assert [i["title"] for i in queue.json()["items"]] == ["Open one"]
        assert queue.json()["items"][0]["flags"] == ["no_next_activity", "missing_amount"]
        recorded = api_as(manager).post(
            "salesops/audit/reviews",
            {"deal_id": deal.pk, "still_qualified": True, "next_action": "Call"},
        )
        assert recorded.status_code == 201
        assert api_as(manager).get("salesops/audit").json()["reviewed"] == 1
        assert (
            api_as(outsider)
            .post("salesops/audit/reviews", {"deal_id": deal.pk, "still_qualified": True})
            .status_code
            == 404
        )
        assert (
            api_as(manager)
            .post("salesops/audit/reviews", {"deal_id": deal.pk, "still_qualified": "yes"})
            .status_code
            == 422
        )
    card = api_as(manager).get("salesops/scorecard", start="2025-02", end="2025-02")
    assert card.status_code == 200 and "quadrant_rule" in card.json()
    assert api_as(manager).get("salesops/scorecard", start="2025-13").status_code == 422
    plan = api_as(manager).get(
        "salesops/planner",
        target="40000",
        weeks=10,
        reps=2,
        deal_size="2000",
        lead_to_conversation="0.2",
        conversation_to_meeting="0.25",
        meeting_to_proposal="0.4",
        proposal_to_won="0.5",
    )
    assert plan.status_code == 200, plan.json()
    steps = {s["step"]: s for s in plan.json()["steps"]}
    assert steps["deals"]["total"] == 20 and steps["meetings"]["per_week"] == 10
    assert steps["leads"]["per_rep_week"] == 100 and plan.json()["fallback"] == []
    assert api_as(manager).get("salesops/planner", target="0").status_code == 422
