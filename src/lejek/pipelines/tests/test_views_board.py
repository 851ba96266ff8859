"""The board page, its column pages and moving deals through the view."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lejek.accounts.models import User
from lejek.core.models import AuditEntry
from lejek.pipelines import views
from lejek.pipelines.models import Deal, Pipeline, StageChange
from lejek.pipelines.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(admin: User) -> Pipeline:
    return factories.pipeline(admin)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def board_url(pipeline: Pipeline, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/pipelines/board/{pipeline.pk}/" + (f"?{query}" if query else "")


def move(client: Client, deal: Deal, stage: Any, version: int, query: str = "") -> Any:
    return client.post(
        f"/pipelines/deals/{deal.pk}/move/{query}",
        {"stage_id": stage.pk, "version": version},
        headers={"accept": "application/json"},
    )


def test_board_needs_login(client: Client, pipeline: Pipeline) -> None:
    response = client.get(board_url(pipeline))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_default_board_is_the_last_one_seen_else_the_first(
    client: Client, owner: User, admin: User, pipeline: Pipeline
) -> None:
    second = factories.pipeline(admin, template="sales_cycle")
    login(client, owner)
    assert client.get("/pipelines/board/")["Location"] == f"/pipelines/board/{pipeline.pk}/"
    assert client.get(board_url(second)).status_code == 200
    assert client.get("/pipelines/board/")["Location"] == f"/pipelines/board/{second.pk}/"
    second.is_active = False
    second.save()
    assert client.get("/pipelines/board/")["Location"] == f"/pipelines/board/{pipeline.pk}/"
    assert client.get(board_url(second)).status_code == 404


def test_no_pipeline_yet_says_so(client: Client, owner: User) -> None:
    response = login(client, owner).get("/pipelines/board/")
    assert response.status_code == 200
    assert "No pipeline yet" in response.content.decode()


def test_rep_sees_only_own_deals_manager_the_team(
    client: Client, owner: User, teammate: User, manager: User, outsider: User, pipeline: Pipeline
) -> None:
    factories.deal(owner, pipeline, title="Owner deal", amount="1000", currency="PLN")
    factories.deal(teammate, pipeline, title="Teammate deal", amount="500", currency="PLN")
    factories.deal(outsider, pipeline, title="Outsider deal", amount="700", currency="PLN")

    body = login(client, owner).get(board_url(pipeline)).content.decode()
    assert "Owner deal" in body and "Teammate deal" not in body and "Outsider deal" not in body

    response = login(Client(), manager).get(board_url(pipeline))
    body = response.content.decode()
    assert "Owner deal" in body and "Teammate deal" in body and "Outsider deal" not in body
    first = response.context["columns"][0]
    assert first["count"] == 2
    assert first["totals"] == [
        {"currency": "PLN", "amount": pytest.approx(1500), "weighted": pytest.approx(150)}
    ]


def test_cards_show_stale_and_missing_next_activity(
    client: Client, owner: User, pipeline: Pipeline
) -> None:
    stale = factories.deal(owner, pipeline, title="Gone quiet")
    Deal.objects.filter(pk=stale.pk).update(
        stage_entered_at=timezone.now() - datetime.timedelta(days=40)
    )
    fresh = factories.deal(owner, pipeline, title="Planned")
    Deal.objects.filter(pk=fresh.pk).update(
        next_activity_at=timezone.now() + datetime.timedelta(days=2)
    )
    body = login(client, owner).get(board_url(pipeline)).content.decode()
    stale_card = body[body.index(f'id="deal-{stale.pk}"') :]
    stale_card = stale_card[: stale_card.index("</article>")]
    assert "is-stale" in body[body.index(f'id="deal-{stale.pk}"') - 200 :][:400]
    assert "Stale" in stale_card and "No next step" in stale_card
    assert "40 d" in stale_card
    fresh_card = body[body.index(f'id="deal-{fresh.pk}"') :]
    fresh_card = fresh_card[: fresh_card.index("</article>")]
    assert "Stale" not in fresh_card and "No next step" not in fresh_card


def test_filters_narrow_cards_and_totals(
    client: Client, manager: User, teammate: User, pipeline: Pipeline
) -> None:
    factories.deal(manager, pipeline, title="Alpha licences", amount="100", source="referral")
    factories.deal(teammate, pipeline, title="Beta support", amount="300", source="event")
    login(client, manager)

    by_search = client.get(board_url(pipeline, q="alpha"))
    assert "Alpha licences" in by_search.content.decode()
    assert "Beta support" not in by_search.content.decode()
    assert by_search.context["columns"][0]["count"] == 1

    by_owner = client.get(board_url(pipeline, owner=teammate.pk))
    assert by_owner.context["columns"][0]["totals"][0]["amount"] == 300

    by_source = client.get(board_url(pipeline, source="referral"))
    assert by_source.context["summary"]["count"] == 1

    closing = client.get(board_url(pipeline, close="this_month"))
    assert closing.context["summary"]["count"] == 0

    ignored = client.get(board_url(pipeline, owner="not-a-number", close="someday"))
    assert ignored.status_code == 200
    assert ignored.context["summary"]["count"] == 2


def test_board_query_count_does_not_grow_with_deals(
    client: Client, owner: User, pipeline: Pipeline
) -> None:
    stages = list(pipeline.stages.active())
    login(client, owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(board_url(pipeline)).status_code == 200
        return len(queries)

    factories.deal(owner, pipeline, stage_id=stages[0].pk)
    client.get(board_url(pipeline))  # warm up: the session remembers the board once
    few = count()
    for index in range(12):
        factories.deal(owner, pipeline, title=f"D{index}", stage_id=stages[index % 3].pk)
    assert count() == few


def test_columns_come_in_pages(
    client: Client, owner: User, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "CARDS_PER_PAGE", 2)
    stage = pipeline.stages.active().first()
    assert stage is not None
    deals = [factories.deal(owner, pipeline, title=f"Deal {i}") for i in range(5)]
    login(client, owner)
    response = client.get(board_url(pipeline))
    column = response.context["columns"][0]
    assert [d.pk for d in column["cards"]] == [deals[4].pk, deals[3].pk]
    assert column["next_offset"] == 2
    assert "Load more" in response.content.decode()

    url = f"/pipelines/board/{pipeline.pk}/stages/{stage.pk}/cards/?offset=2"
    page = client.get(url)
    assert [d.pk for d in page.context["cards"]] == [deals[2].pk, deals[1].pk]
    last = client.get(f"/pipelines/board/{pipeline.pk}/stages/{stage.pk}/cards/?offset=4")
    assert [d.pk for d in last.context["cards"]] == [deals[0].pk]
    assert "Load more" not in last.content.decode()
    assert client.get(url.replace("offset=2", "offset=x")).status_code == 200


def test_move_writes_history_and_returns_fresh_columns(
    client: Client, owner: User, pipeline: Pipeline
) -> None:
    deal = factories.deal(owner, pipeline, title="Moving", amount="1000", currency="USD")
    target = factories.stage(pipeline, "Product trial")
    response = move(login(client, owner), deal, target, deal.version)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True
    assert body["deal"] == {"id": deal.pk, "version": 2, "stage_id": target.pk}
    assert 'data-version="2"' in body["card"]
    head = body["columns"][str(target.pk)]
    assert ">1</span>" in head and "1,000 USD" in head and "600" in head
    change = StageChange.objects.filter(deal=deal).last()
    assert change is not None and change.to_stage == target and change.actor == owner
    assert AuditEntry.objects.filter(
        entity_type="deal", entity_id=deal.pk, action=AuditEntry.Action.STAGE_CHANGED
    ).exists()


def test_stale_version_changes_nothing_and_says_why(
    client: Client, owner: User, pipeline: Pipeline
) -> None:
    deal = factories.deal(owner, pipeline)
    Deal.objects.filter(pk=deal.pk).update(version=F("version") + 1)
    target = factories.stage(pipeline, "Qualified")
    response = move(login(client, owner), deal, target, 1)
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["message"]
    deal.refresh_from_db()
    assert deal.stage.name == "Discovery call"
    assert StageChange.objects.filter(deal=deal).count() == 1


@pytest.mark.parametrize(
    ("who", "status"), [("teammate", 404), ("outsider", 404), ("manager", 200), ("admin", 200)]
)
def test_who_may_move_a_deal(
    client: Client, personas: dict[str, User], pipeline: Pipeline, who: str, status: int
) -> None:
    deal = factories.deal(personas["owner"], pipeline)
    response = move(login(client, personas[who]), deal, factories.stage(pipeline, "Won"), 1)
    assert response.status_code == status
    if status == 404:
        assert "not found" in response.json()["message"]


def test_closed_deals_and_bad_input_are_refused(
    client: Client, owner: User, pipeline: Pipeline
) -> None:
    deal = factories.deal(owner, pipeline)
    Deal.objects.filter(pk=deal.pk).update(status=Deal.Status.WON)
    login(client, owner)
    closed = move(client, deal, factories.stage(pipeline, "Qualified"), 1)
    assert closed.status_code == 409
    assert "Reopen it" in closed.json()["message"]
    Deal.objects.filter(pk=deal.pk).update(status=Deal.Status.OPEN)
    for data in ({}, {"stage_id": "x", "version": 1}, {"stage_id": 10**30, "version": 1}):
        bad = client.post(
            f"/pipelines/deals/{deal.pk}/move/", data, headers={"accept": "application/json"}
        )
        assert bad.status_code == 422, data
    missing = client.post(
        f"/pipelines/deals/{deal.pk}/move/",
        {"stage_id": 999_999, "version": 1},
        headers={"accept": "application/json"},
    )
    assert missing.status_code == 404
    assert client.get(f"/pipelines/deals/{deal.pk}/move/").status_code == 405


def test_move_without_script_redirects_with_a_message(
    client: Client, owner: User, pipeline: Pipeline
) -> None:
    deal = factories.deal(owner, pipeline)
    response = login(client, owner).post(
        f"/pipelines/deals/{deal.pk}/move/",
        {"stage_id": factories.stage(pipeline, "Qualified").pk, "version": 1},
        follow=True,
    )
    assert response.status_code == 200
    assert "Moved to Qualified." in response.content.decode()


def test_titles_are_escaped(client: Client, owner: User, pipeline: Pipeline) -> None:
    factories.deal(owner, pipeline, title="<script>alert(1)</script>")
    body = login(client, owner).get(board_url(pipeline)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_stage_gate_blocks_reps_and_managers_may_override(
    client: Client, owner: User, manager: User, admin: User
) -> None:
    outbound = factories.pipeline(admin, template="outbound_b2b")
    demo = factories.stage(outbound, "Demo/intro meeting booked")
    proposal = factories.stage(outbound, "Proposal or contract considered")
    deal = factories.deal(owner, outbound, stage_id=demo.pk)
    version = Deal.objects.get(pk=deal.pk).version

    blocked = move(login(client, owner), deal, proposal, version)
    assert blocked.status_code == 409
    body = blocked.json()
    assert body["code"] == "gate_blocked" and body["can_override"] is False
    assert body["message"].startswith("This stage is not complete yet. Still to do:")

    boss = login(Client(), manager)
    assert move(boss, deal, proposal, version).json()["can_override"] is True
    overridden = boss.post(
        f"/pipelines/deals/{deal.pk}/move/",
        {"stage_id": proposal.pk, "version": version, "override_reason": "Signed on paper"},
        headers={"accept": "application/json"},
    )
    assert overridden.status_code == 200, overridden.content
    change = StageChange.objects.filter(deal=deal).last()
    assert change is not None and change.reason == StageChange.Reason.OVERRIDE
    assert AuditEntry.objects.filter(
        entity_id=deal.pk, action=AuditEntry.Action.OVERRIDE, note="Signed on paper"
    ).exists()


def test_the_deal_page_offers_managers_the_override(
    manager: User, owner: User, admin: User
) -> None:
    outbound = factories.pipeline(admin, template="outbound_b2b")
    demo = factories.stage(outbound, "Demo/intro meeting booked")
    proposal = factories.stage(outbound, "Proposal or contract considered")
    deal = factories.deal(owner, outbound, stage_id=demo.pk)
    version = Deal.objects.get(pk=deal.pk).version
    data = {"stage_id": proposal.pk, "version": version}
    rep = login(Client(), owner).post(
        f"/pipelines/deals/{deal.pk}/move/", data, headers={"HX-Request": "true"}
    )
    assert rep.status_code == 409 and "override_reason" not in rep.content.decode()
    boss = login(Client(), manager).post(
        f"/pipelines/deals/{deal.pk}/move/", data, headers={"HX-Request": "true"}
    )
    assert boss.status_code == 409 and 'name="override_reason"' in boss.content.decode()


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("pl", ["Nowa transakcja", "2 otwarte transakcje", "Brak kolejnego kroku", "1\xa0000 PLN"]),
        ("ru", ["Новая сделка", "2 открытые сделки", "Нет следующего шага", "1\xa0000 PLN"]),
    ],
)
def test_board_speaks_polish_and_russian(
    client: Client, owner: User, pipeline: Pipeline, language: str, phrases: list[str]
) -> None:
    factories.deal(owner, pipeline, amount="1000", currency="PLN")
    factories.deal(owner, pipeline)
    response = login(client, owner).get(board_url(pipeline), headers={"accept-language": language})
    body = response.content.decode()
    for phrase in phrases:
        assert phrase in body, phrase
