"""Quotas: who may set them, CSV import (all or nothing, re-runnable), attainment."""

import datetime
from decimal import Decimal as D

import pytest

from lejek.analytics.filters import Period
from lejek.core.errors import Conflict, Forbidden, ValidationFailed, VersionConflict
from lejek.core.models import AuditEntry
from lejek.salesops import quotas, selectors
from lejek.salesops.models import Quota
from lejek.salesops.tests.helpers import month, pipeline, won_deal

pytestmark = pytest.mark.django_db

JAN = datetime.date(2025, 1, 1)


def test_manager_sets_team_quotas_rep_cannot(manager, owner, outsider, team_a) -> None:
    q = quotas.quota_create(
        actor=manager, user=owner, kind="month", period_start=JAN, amount=D("10000")
    )
    assert q.currency == "USD" and q.period == Period(JAN, JAN)
    assert AuditEntry.objects.filter(entity_type="quota", entity_id=q.pk).exists()
    quotas.quota_create(actor=manager, team=team_a, kind="quarter", period_start=JAN, amount=D(1))
    with pytest.raises(Forbidden):
        quotas.quota_create(
            actor=manager, user=outsider, kind="month", period_start=JAN, amount=D(1)
        )
    with pytest.raises(Forbidden):
        quotas.quota_create(
            actor=owner, user=owner, kind="month", period_start=month("2025-02"), amount=D(1)
        )
    with pytest.raises(Conflict):
        quotas.quota_create(actor=manager, user=owner, kind="month", period_start=JAN, amount=D(2))
    with pytest.raises(ValidationFailed):
        quotas.quota_create(
            actor=manager, user=owner, kind="quarter", period_start=month("2025-02"), amount=D(1)
        )


def test_update_checks_version(manager, owner) -> None:
    q = quotas.quota_create(actor=manager, user=owner, kind="month", period_start=JAN, amount=D(5))
    quotas.quota_update(actor=manager, quota=q, amount=D(7), version=1)
    assert Quota.objects.get().amount == D(7)
    with pytest.raises(VersionConflict):
        quotas.quota_update(actor=manager, quota=q, amount=D(8), version=1)


def test_import_all_or_nothing_and_rerun(admin, owner, teammate, team_a) -> None:
    bad = "user,period,amount\nowner,2025-01,10000\nnobody,2025-01,5\nteammate,2025-13,5\n"
    with pytest.raises(ValidationFailed) as caught:
        quotas.quotas_import(actor=admin, text=bad)
    assert "Row 3" in caught.value.message and "Row 4" in caught.value.message
    assert not Quota.objects.exists()
    good = (
        "\ufeffuser,team,period,amount\nowner,,2025-01,10000\nteammate,,2025-Q1,30000\n"
        ",Team A,2025-Q1,60000\n"
    )
    assert quotas.quotas_import(actor=admin, text=good) == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    again = good.replace("10000", "12000")
    assert quotas.quotas_import(actor=admin, text=again) == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
    }
    assert Quota.objects.get(user=teammate).kind == "quarter"


def test_attainment_and_rate(admin, manager, owner, teammate, team_a, outsider) -> None:
    p = pipeline(admin)
    won_deal(owner, p, 12000, "2025-01-02", "2025-01-20")
    won_deal(teammate, p, 9000, "2025-01-02", "2025-01-21")
    won_deal(outsider, p, 50000, "2025-01-02", "2025-01-21")
    for rep in (owner, teammate):
        quotas.quota_create(
            actor=manager, user=rep, kind="month", period_start=JAN, amount=D(10000)
        )
    quotas.quota_create(actor=manager, team=team_a, kind="month", period_start=JAN, amount=D(25000))
    found = selectors.attainment(manager, Period(JAN, JAN))
    by_user = {r["user"].username: r for r in found["reps"]}
    assert set(by_user) == {"owner", "teammate", "manager"}  # not the other team
    assert by_user["owner"]["attainment"] == D("1.2")
    assert by_user["teammate"]["attainment"] == D("0.9")
    assert by_user["manager"]["attainment"] is None
    assert found["attainment_rate"] == D(1) / 2
    assert found["teams"][0]["won"] == D(21000) and found["teams"][0]["attainment"] == D("0.84")
    # A quarter: three monthly quotas add up; a quarter quota is used as it is.
    q1 = Period(JAN, month("2025-03"))
    assert selectors.attainment(manager, q1)["reps"][1]["quota"] is None
