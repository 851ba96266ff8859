"""A stage-history import, then the analytics: conversion and time in stage by hand."""

from fractions import Fraction as F

import pytest

from lejek.analytics import rebuild
from lejek.analytics.tests.helpers import report
from lejek.dataio.tests.helpers import run_file
from lejek.pipelines import services as pipeline_services
from lejek.pipelines.models import Deal, StageChange

pytestmark = pytest.mark.django_db

DEALS = [
    ["Record ID", "Deal Name", "Amount", "Deal Stage", "Create Date"],
    ["H-1", "Skips the demo", "1 000", "Discovery call", "2025-01-05T12:00:00Z"],
    ["H-2", "Goes back", "500", "Discovery call", "06.01.2025 13:00"],
    ["H-3", "Slow starter", "$2,000.00", "Discovery call", "02/01/2025 13:00"],
]
# Entered-at times in three formats; all are 12:00 UTC (13:00 in Warsaw in winter).
HISTORY = [
    ["Deal ID", "Deal Stage", "Entered At"],
    ["H-1", "Discovery call", "2025-01-05T12:00:00Z"],
    ["H-1", "Qualified", "10.01.2025 13:00"],
    ["H-1", "Product trial", "2025-01-20 13:00"],
    ["H-2", "Discovery call", "2025-01-06 13:00"],
    ["H-2", "Qualified", "08.01.2025 13:00"],
    ["H-2", "Product demo", "12/01/2025 13:00"],
    ["H-2", "Qualified", "2025-01-15T12:00:00Z"],
    ["H-3", "Discovery call", "01.02.2025 13:00"],
    ["H-3", "Qualified", "2025-02-11 13:00"],
    ["H-9", "Qualified", "2025-02-11 13:00"],
    ["H-3", "Nowhere", "2025-02-12 13:00"],
]


@pytest.fixture
def pipeline(admin):
    # Discovery call · Qualified · Product demo · Product trial · Final call · Won
    return pipeline_services.pipeline_create(actor=admin, template="probability_weighted")


def hand_figures():
    # Reached (skipped stages count once a later one is reached):
    #   H-1 Discovery, Qualified, (demo), Trial; H-2 Discovery, Qualified, Demo; H-3 Discovery,
    #   Qualified → 3, 3, 2, 1, 0, 0.
    reached = [3, 3, 2, 1, 0, 0]
    conversion = [1, F(2, 3), F(1, 2), 0, None, None]
    # Ended stays: Discovery H-1 5 d, H-2 2 d, H-3 10 d; Qualified H-1 10 d, H-2 4 d (its
    # second stay and H-3's are still open); Product demo H-2 3 d; nothing left Trial.
    days = [F(17, 3), 7, 3, None, None, None]
    return reached, conversion, days


def funnel(admin):
    steps = report(admin, "2025-01", "2025-03")["funnels"][0]["steps"]
    return (
        [s["reached"] for s in steps],
        [s["conversion"] for s in steps],
        [s["days_in_stage"] for s in steps],
    )


def test_stage_history_import_gives_the_hand_calculated_funnel(admin, pipeline):
    deals = run_file(admin, "deal", DEALS, source="hubspot")
    assert deals.report["created"] == 3
    job = run_file(admin, "stage_history", HISTORY, source="hubspot")
    assert (job.report["created"], job.report["rejected"]) == (9, 2)
    assert job.report["errors"] == [
        {"row": 11, "field": "deal", "column": "Deal ID",
         "message": "No deal imported from 'hubspot' with the id 'H-9'."},
        {"row": 12, "field": "stage", "column": "Deal Stage",
         "message": f"No stage 'Nowhere' in the pipeline '{pipeline.name}'."},
    ]  # fmt: skip
    assert funnel(admin) == hand_figures()
    # The deals sit where their history ends, and the history is a chain.
    h2 = Deal.objects.get(title="Goes back")
    assert h2.stage.name == "Qualified"
    chain = list(StageChange.objects.filter(deal=h2).order_by("at"))
    assert [(c.from_stage and c.from_stage.name, c.to_stage.name) for c in chain] == [
        (None, "Discovery call"),
        ("Discovery call", "Qualified"),
        ("Qualified", "Product demo"),
        ("Product demo", "Qualified"),
    ]


def test_rerun_and_rebuild_keep_the_figures(admin, pipeline):
    run_file(admin, "deal", DEALS, source="hubspot")
    run_file(admin, "stage_history", HISTORY, source="hubspot")
    changes = StageChange.objects.count()
    again = run_file(admin, "stage_history", HISTORY, source="hubspot")
    assert (again.report["created"], again.report["unchanged"]) == (0, 9)
    run_file(admin, "deal", DEALS, source="hubspot")  # re-importing the deals moves nothing
    assert StageChange.objects.count() == changes
    assert funnel(admin) == hand_figures()
    rebuild.rebuild()
    assert funnel(admin) == hand_figures()
