"""The core API requests: organization and deal lists, details, and a stage move.

Ids are drawn spread over each table (not just the newest rows) with a fixed seed.
"""

import random
from collections.abc import Callable
from typing import Any


def requests(
    client: Any, admin: Any, unavailable: type[Exception]
) -> list[tuple[str, str, Callable[[], Any]]]:
    """(name, path shown, a callable doing one request and checking its answer)."""
    rng = random.Random(1)
    from django.db.models import Count

    from lejek.contacts.models import Organization
    from lejek.pipelines.models import Deal, Stage

    def get(path: str, **params: Any) -> Any:
        response = client.get(path, query_params=params or None)
        if response.status_code != 200:
            raise unavailable(f"GET {path} answered {response.status_code}")
        return response.json()

    org_ids = sample_ids(Organization, rng)
    deal_ids = sample_ids(Deal, rng)
    # The pipeline with the most deals: the filter that has the most rows to search.
    busiest = (
        Deal.objects.values("pipeline_id").annotate(n=Count("id")).order_by("-n", "pipeline_id")
    ).first()
    pipeline_id = busiest["pipeline_id"] if busiest else 0
    cycle = {"org": 0, "deal": 0}

    def next_id(kind: str, ids: list[int]) -> int:
        cycle[kind] += 1
        return ids[cycle[kind] % len(ids)]

    def filtered() -> Any:
        body = get("/api/v1/deals", pipeline_id=pipeline_id, status="open", page_size=50)
        if any(item["pipeline"]["id"] != pipeline_id for item in body["items"]):
            raise unavailable("the pipeline filter was not applied")
        return body

    return [
        (
            "organization list",
            "GET /api/v1/organizations?page_size=50",
            lambda: get("/api/v1/organizations", page_size=50),
        ),
        (
            "organization detail",
            "GET /api/v1/organizations/{id}",
            lambda: get(f"/api/v1/organizations/{next_id('org', org_ids)}"),
        ),
        ("deal list", "GET /api/v1/deals?page_size=50", lambda: get("/api/v1/deals", page_size=50)),
        (
            "deal list by pipeline and status",
            "GET /api/v1/deals?pipeline_id=…&status=open&page_size=50",
            filtered,
        ),
        (
            "deal detail",
            "GET /api/v1/deals/{id}",
            lambda: get(f"/api/v1/deals/{next_id('deal', deal_ids)}"),
        ),
        (
            "deal stage move",
            "POST /api/v1/deals/{id}/move",
            mover(client, Deal, Stage, unavailable),
        ),
    ]


def sample_ids(model: Any, rng: random.Random, size: int = 100) -> list[int]:
    """Ids spread over the table (not just the newest rows), drawn without reading them all."""
    from django.db.models import Max, Min

    bounds = model.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return [0]
    picks = [rng.randint(bounds["low"], bounds["high"]) for _ in range(size * 2)]
    found = list(model.objects.filter(id__in=picks).values_list("id", flat=True))
    return sorted(found)[:size] or [bounds["low"]]


def mover(
    client: Any, deal_model: Any, stage_model: Any, unavailable: type[Exception]
) -> Callable[[], Any]:
    """Moves open deals, 50 in turn, between the first two stages of their pipeline.

    In turn rather than one deal over and over: a single row rewritten hundreds of
    times measures PostgreSQL's dead-row cleanup more than a rep's move.
    """
    pool: list[dict[str, Any]] = []
    turn = [0]

    def setup() -> None:
        stages_of: dict[int, list[int]] = {}
        for deal in deal_model.objects.filter(status="open").order_by("id")[:2000]:
            if deal.pipeline_id not in stages_of:
                stages_of[deal.pipeline_id] = list(
                    stage_model.objects.active()
                    .filter(pipeline_id=deal.pipeline_id)
                    .order_by("order", "id")
                    .values_list("id", flat=True)
                )
            stages = stages_of[deal.pipeline_id]
            # Two early stages of a pipeline with at least three: never the winning one.
            if len(stages) >= 3 and deal.stage_id in stages[:2]:
                pool.append(
                    {
                        "id": deal.pk,
                        "version": deal.version,
                        "stages": stages[:2],
                        "i": stages.index(deal.stage_id),
                    }
                )
            if len(pool) == 50:
                return
        if not pool:
            raise unavailable("no open deal in an early stage of a pipeline with three stages")

    def move() -> Any:
        if not pool:
            setup()
        turn[0] += 1
        state = pool[turn[0] % len(pool)]
        state["i"] += 1
        payload = {"stage_id": state["stages"][state["i"] % 2], "version": state["version"]}
        response = client.post(
            f"/api/v1/deals/{state['id']}/move", data=payload, content_type="application/json"
        )
        if response.status_code != 200:
            raise unavailable(f"move answered {response.status_code}: {response.content[:200]!r}")
        body = response.json()
        state["version"] = body["version"]
        return body

    return move
