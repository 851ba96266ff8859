"""The deals list: visibility, filters, amounts per locale, bulk owner and stage, export."""

import csv
import io
from decimal import Decimal

import pytest

from lejek.accounts.models import User
from lejek.pipelines.models import Deal, StageChange
from lejek.web.tests import pages
from lejek.web.tests.pages import CAN_SEE, HOSTILE, client_for, count_queries, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(admin: User):  # type: ignore[no-untyped-def]
    return pages.pipeline(admin)


@pytest.mark.parametrize("persona", list(CAN_SEE))
def test_deal_list_per_persona(personas: dict[str, User], pipeline, persona: str) -> None:  # type: ignore[no-untyped-def]
    deal = pages.deal(personas["owner"], pipeline, title="Visible?")
    response = client_for(personas[persona]).get("/pipelines/deals/")
    assert response.status_code == 200
    assert (deal in response.context["rows"]) is CAN_SEE[persona]


def test_amounts_show_their_currency_in_the_readers_format(owner: User, pipeline) -> None:  # type: ignore[no-untyped-def]
    pages.deal(owner, pipeline, title="Big", amount=Decimal("1234567.50"), currency="PLN")
    client = client_for(owner)
    assert "1,234,567.50\xa0PLN" in text(client.get("/pipelines/deals/"))
    client.post("/account/language/", {"language": "pl", "next": "/"})
    body = text(client.get("/pipelines/deals/"))
    assert "1\xa0234\xa0567,50\xa0PLN" in body
    assert "Transakcje" in body and "Kwota" in body


def test_filters_sort_and_search(owner: User, pipeline) -> None:  # type: ignore[no-untyped-def]
    stages = list(pipeline.stages.active().order_by("order"))
    pages.deal(owner, pipeline, title="Alpha", amount="100", stage_id=stages[1].pk)
    pages.deal(owner, pipeline, title="Beta", amount="300")
    lost = pages.deal(owner, pipeline, title="Gamma", amount="200")
    Deal.objects.filter(pk=lost.pk).update(status=Deal.Status.LOST)
    client = client_for(owner)

    def titles(**params: str) -> list[str]:
        response = client.get("/pipelines/deals/", params)
        assert response.status_code == 200
        return [deal.title for deal in response.context["rows"]]

    assert titles(sort="-amount") == ["Beta", "Gamma", "Alpha"]
    assert titles(status="open", sort="title") == ["Alpha", "Beta"]
    assert titles(stage=str(stages[1].pk)) == ["Alpha"]
    assert titles(q="amm") == ["Gamma"]
    assert titles(no_next_activity="on", sort="title") == ["Alpha", "Beta"]
    assert client.get("/pipelines/deals/", {"stage": "999999"}).status_code == 422


def test_bulk_move_stage_through_the_service(owner: User, pipeline) -> None:  # type: ignore[no-untyped-def]
    deals = [pages.deal(owner, pipeline, title=t) for t in ["A", "B"]]
    target = pipeline.stages.active().order_by("order")[2]
    response = client_for(owner).post(
        "/pipelines/deals/",
        {"action": "move_stage", "ids": [d.pk for d in deals], "move_stage-stage": target.pk},
    )
    assert response.status_code == 303
    assert set(Deal.objects.values_list("stage_id", flat=True)) == {target.pk}
    assert StageChange.objects.filter(to_stage=target).count() == 2


def test_bulk_move_is_all_or_nothing(owner: User, pipeline) -> None:  # type: ignore[no-untyped-def]
    open_deal = pages.deal(owner, pipeline, title="Open one")
    won = pages.deal(owner, pipeline, title="Won one")
    Deal.objects.filter(pk=won.pk).update(status=Deal.Status.WON)
    target = pipeline.stages.active().order_by("order")[1]
    response = client_for(owner).post(
        "/pipelines/deals/",
        {"action": "move_stage", "ids": [open_deal.pk, won.pk], "move_stage-stage": target.pk},
    )
    assert response.status_code == 422
    body = text(response)
    assert "Won one" in body and "Reopen it before moving it" in body
    open_deal.refresh_from_db()
    assert open_deal.stage_id != target.pk
    assert StageChange.objects.filter(to_stage=target).count() == 0


def test_bulk_assign_owner_by_a_manager(
    manager: User, owner: User, teammate: User, pipeline
) -> None:  # type: ignore[no-untyped-def]
    deal = pages.deal(owner, pipeline)
    response = client_for(manager).post(
        "/pipelines/deals/",
        {"action": "assign_owner", "ids": [deal.pk], "assign_owner-owner": teammate.pk},
    )
    assert response.status_code == 303
    deal.refresh_from_db()
    assert deal.owner == teammate


def test_export_is_formula_safe(owner: User, pipeline) -> None:  # type: ignore[no-untyped-def]
    pages.deal(owner, pipeline, title="@SUM(A1:A9)", amount="10", currency="EUR")
    response = client_for(owner).get("/pipelines/deals/", {"export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][1] == "Title"
    assert rows[1][1] == "'@SUM(A1:A9)"
    assert rows[1][6:8] == ["10.00", "EUR"]


def test_hostile_titles_are_escaped(owner: User, pipeline) -> None:  # type: ignore[no-untyped-def]
    pages.deal(owner, pipeline, title=HOSTILE)
    assert HOSTILE not in text(client_for(owner).get("/pipelines/deals/"))


def test_deal_list_query_count_is_constant(
    owner: User, manager: User, admin: User, pipeline
) -> None:  # type: ignore[no-untyped-def]
    org = pages.organization(owner, "Acme")
    pages.deal(owner, pipeline, organization_id=org.pk)
    client = client_for(manager)
    before = count_queries(client, "/pipelines/deals/")
    other = pages.pipeline(admin, template="seven_stage")
    for index in range(8):
        org = pages.organization(owner, f"Org {index}")
        pages.deal(owner, other if index % 2 else pipeline, organization_id=org.pk)
    assert count_queries(client, "/pipelines/deals/") == before
