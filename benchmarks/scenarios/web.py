"""The pages a rep lives in: the board, a deal's page, a person's page, and global search.

- the board of the pipeline with the most open deals (its open-deal count is in
  the row's name; the issue's target is 10,000 open deals in one pipeline);
- a deal page and a person page, ids spread over the tables;
- global search (people, organizations, deals, leads) as the administrator, who
  sees every record: surnames that exist (prefixes of 3–6 letters), an e-mail
  prefix, and text that matches nothing.

The demo has half as many people as deals. LEJEK_BENCH_PEOPLE=1000000 first
tops the people up to that many (copies of existing people with another e-mail
address, so surnames repeat as in a real address book) and says so in the rows.
"""

import os
import random
from collections.abc import Callable
from typing import Any


def requests(
    client: Any, admin: Any, unavailable: type[Exception]
) -> list[tuple[str, str, Callable[[], Any]]]:
    from django.db.models import Count, Max, Min
    from django.test import Client

    from lejek.contacts.models import Person
    from lejek.pipelines.models import Deal

    page = Client()
    page.force_login(admin)
    busiest = (
        Deal.objects.filter(status="open")
        .values("pipeline_id")
        .annotate(n=Count("id"))
        .order_by("-n", "pipeline_id")
        .first()
    )
    if busiest is None:
        raise unavailable("no open deals")
    pipeline_id, open_deals = busiest["pipeline_id"], busiest["n"]
    rng = random.Random(7)

    def spread(model: Any) -> list[int]:
        bounds = model.objects.aggregate(low=Min("id"), high=Max("id"))
        picks = [rng.randint(bounds["low"], bounds["high"]) for _ in range(200)]
        return sorted(model.objects.filter(id__in=picks).values_list("id", flat=True))[:100]

    top_up(Person, int(os.environ.get("LEJEK_BENCH_PEOPLE", "0")))
    deal_ids, person_ids = spread(Deal), spread(Person)
    people = list(Person.objects.filter(id__in=person_ids).values_list("last_name", "email")[:50])
    prefixes = [last[: 3 + i % 4] for i, (last, _) in enumerate(people) if len(last) >= 3]
    emails = [email[:6] for _, email in people if email]
    turn = {"deal": 0, "person": 0, "q": 0, "email": 0}

    def cycle(kind: str, values: list[Any]) -> Any:
        turn[kind] += 1
        return values[turn[kind] % len(values)]

    def get(path: str, marker: bytes, **params: Any) -> Callable[[], Any]:
        def call() -> Any:
            response = page.get(path() if callable(path) else path, query_params=params or None)
            if response.status_code != 200 or marker not in response.content:
                raise unavailable(f"{response.status_code} from {path}")
            return response

        return call

    def search(values: list[str], kind: str) -> Callable[[], Any]:
        def call() -> Any:
            q = cycle(kind, values)
            response = page.get("/search/", query_params={"q": q})
            if response.status_code != 200:
                raise unavailable(f"search answered {response.status_code}")
            return response

        return call

    people_count = Person.objects.count()
    return [
        (
            f"board page: the pipeline with the most open deals ({open_deals:,})",
            "GET /pipelines/board/{id}/",
            get(f"/pipelines/board/{pipeline_id}/", b"board"),
        ),
        (
            "deal page",
            "GET /pipelines/deals/{id}/",
            get(lambda: f"/pipelines/deals/{cycle('deal', deal_ids)}/", b'id="lost-title"'),
        ),
        (
            "person page",
            "GET /contacts/people/{id}/",
            get(lambda: f"/contacts/people/{cycle('person', person_ids)}/", b"<h1"),
        ),
        (
            f"search: surname prefixes ({people_count:,} people)",
            "GET /search/?q=…",
            search(prefixes or ["Now"], "q"),
        ),
        (
            f"search: e-mail prefixes ({people_count:,} people)",
            "GET /search/?q=…",
            search(emails or ["jan.no"], "email"),
        ),
        (
            "search: no match",
            "GET /search/?q=…",
            search(["Qxzvw", "Zzyqx", "Xqqzv"], "q"),
        ),
    ]


def top_up(model: Any, wanted: int) -> None:
    """Copy existing people (with new e-mail addresses) until there are `wanted`."""
    from django.db import connection, transaction

    table = model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        while (have := model.objects.count()) < wanted:
            batch = min(have, wanted - have, 200_000)
            cursor.execute(
                f"INSERT INTO {table} (created_at, updated_at, version, deleted_at, first_name,"  # noqa: S608
                " last_name, email, phone, job_title, organization_id, owner_id)"
                " SELECT created_at, updated_at, version, deleted_at, first_name, last_name,"
                " CASE WHEN email = '' THEN '' ELSE 'x' || email END, phone, job_title,"
                f" organization_id, owner_id FROM {table} ORDER BY id LIMIT %s",
                [batch],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
