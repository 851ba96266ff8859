"""Turning forecast results into JSON: money and ratios as exact decimal strings."""

import dataclasses
import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from lejek.analytics.calc import decimal_places
from lejek.forecasting.methods.winmodel import CalibrationRow
from lejek.forecasting.models import Snapshot

SERIES = ("weighted", "commit", "best_case", "pipeline", "run_rate", "cycle_age", "p10", "p50",
          "p90", "mean")  # fmt: skip


def ratio(value: Fraction | float | None) -> str | None:
    if value is None:
        return None
    return str(decimal_places(Fraction(value)))


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return ratio(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _series(found: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {key: [str(v) for v in found[key]] for key in SERIES}
    out["open_deals"] = found["open_deals"]
    return out


def _calibration_row(row: CalibrationRow) -> dict[str, Any]:
    return {
        "low": ratio(row.low),
        "high": ratio(row.high),
        "observations": row.observations,
        "predicted": ratio(row.predicted),
        "observed": ratio(row.observed),
    }


def forecast_out(found: dict[str, Any]) -> dict[str, Any]:
    calibration = found["calibration"]
    return {
        "as_of": found["as_of"].isoformat(),
        "currency": found["currency"],
        "months": [f"{m:%Y-%m}" for m in found["months"]],
        "totals": _series(found["totals"]),
        "groups": [{"key": g["key"], "label": g["label"], **_series(g)} for g in found["groups"]],
        "run_rate_inputs": {
            k: plain(v) for k, v in dataclasses.asdict(found["run_rate_inputs"]).items()
        },
        "suggested_inputs": {
            k: plain(v) for k, v in dataclasses.asdict(found["suggested_inputs"]).items()
        },
        "calibration": {
            "observations": calibration["observations"],
            "error": ratio(calibration["error"]),
            "rows": [_calibration_row(r) for r in calibration["rows"]],
        },
        "unconvertible": found["unconvertible"],
    }


def backtest_out(found: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "currency": currency,
        "months": [
            {
                "month": f"{r['month']:%Y-%m}",
                "actual": str(r["actual"]),
                "open_deals": r["open_deals"],
                "p10": str(r["p10"]),
                "p90": str(r["p90"]),
                "forecasts": {k: str(v) for k, v in r["forecasts"].items()},
                "accuracy": {k: ratio(v) for k, v in r["accuracy"].items()},
            }
            for r in found["months"]
        ],
        "mean_accuracy": {k: ratio(v) for k, v in found["mean_accuracy"].items()},
        "recommended": found["recommended"],
        "range_coverage": ratio(found["range_coverage"]),
    }


def snapshot_out(snapshot: Snapshot, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": snapshot.pk,
        "kind": snapshot.kind,
        "as_of": snapshot.as_of.isoformat(),
        "horizon": snapshot.horizon,
        "currency": snapshot.currency,
        "owner_id": snapshot.owner_id,
        "team_id": snapshot.team_id,
        "pipeline_id": snapshot.pipeline_id,
        "created_at": snapshot.created_at.isoformat(),
        "values": [
            {
                "month": f"{r['month']:%Y-%m}",
                "method": r["method"],
                "forecast": str(r["forecast"]),
                "actual": None if r["actual"] is None else str(r["actual"]),
                "accuracy": ratio(r["accuracy"]),
            }
            for r in rows
        ],
    }
