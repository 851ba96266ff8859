from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from lejek.contacts.models import Organization
from lejek.demo import bulk
from lejek.pipelines.models import Deal, Pipeline, Stage

pytestmark = pytest.mark.django_db


def test_rows_read_back_as_the_orm_would_store_them(owner):
    pipeline = Pipeline.objects.create(name="P")
    stage = Stage.objects.create(pipeline=pipeline, name="S", order=0, probability=10)
    warsaw = datetime(2025, 3, 30, 9, 15, tzinfo=ZoneInfo("Europe/Warsaw"))
    with transaction.atomic():
        [pk] = bulk.reserve_ids(Deal, 1)
        bulk.insert_rows(
            Deal,
            [
                {
                    "id": pk,
                    "owner_id": owner.pk,
                    "title": "Łódź: licences",
                    "pipeline_id": pipeline.pk,
                    "stage_id": stage.pk,
                    "amount": Decimal("1234.50"),
                    "currency": "PLN",
                    "expected_close_date": date(2025, 4, 30),
                    "objection_tags": ["risk", "timing"],
                    "created_at": warsaw,
                    "updated_at": warsaw,
                    "stage_entered_at": warsaw,
                }
            ],
        )
    deal = Deal.objects.get(pk=pk)
    assert deal.created_at == warsaw and deal.created_at.astimezone(UTC).hour == 7
    assert (deal.title, deal.amount, deal.expected_close_date) == (
        "Łódź: licences",
        Decimal("1234.50"),
        date(2025, 4, 30),
    )
    assert deal.objection_tags == ["risk", "timing"]
    # Defaults fill the columns a row leaves out.
    assert (deal.status, deal.version, deal.closed_at, deal.next_step) == ("open", 1, None, "")
    assert Deal.objects.filter(created_at__lt=datetime(2025, 3, 30, 7, 16, tzinfo=UTC)).count() == 1


def test_ids_reserved_for_explicit_rows_leave_the_sequence_usable(owner):
    with transaction.atomic():
        ids = bulk.reserve_ids(Organization, 3)
        rows = [{"id": pk, "owner_id": owner.pk, "name": f"Org {pk}"} for pk in ids]
        bulk.insert_rows(Organization, rows)
    assert len(set(ids)) == 3
    later = Organization.objects.create(owner=owner, name="Created by the ORM")
    assert later.pk > max(ids)
    with transaction.atomic():
        assert min(bulk.reserve_ids(Organization, 2)) > later.pk


def test_naive_datetimes_are_refused(owner):
    with pytest.raises(ValueError, match="aware"), transaction.atomic():
        bulk.insert_rows(
            Organization,
            [
                {
                    "owner_id": owner.pk,
                    "name": "Naive",
                    "created_at": datetime(2025, 1, 1),
                }
            ],
        )


@pytest.mark.parametrize("count", [1, 3, 6, 7])
def test_many_rows_a_statement_insert_every_row_once(owner, monkeypatch, count):
    """Full statements of ROWS_PER_INSERT rows, then one for the rest (on SQLite; COPY on
    PostgreSQL): every row arrives once, with its own values."""
    monkeypatch.setattr(bulk, "ROWS_PER_INSERT", 3)
    with transaction.atomic():
        ids = bulk.reserve_ids(Organization, count)
        bulk.insert_rows(
            Organization, [{"id": pk, "owner_id": owner.pk, "name": f"Org {pk}"} for pk in ids]
        )
    found = list(Organization.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "name"))
    assert found == [(pk, f"Org {pk}") for pk in ids]
