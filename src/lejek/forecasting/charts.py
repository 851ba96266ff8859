"""The forecast page's tables and Plotly figures (plain dicts; labels plain `str`)."""

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from lejek.analytics.charts import COLORS, _figure

Table = dict[str, Any]


def method_labels() -> dict[str, str]:
    return {
        "weighted": _("Stage-weighted"),
        "commit": _("Commit"),
        "best_case": _("Best case"),
        "run_rate": _("Historical run-rate"),
        "cycle_age": _("Cycle age"),
        "p10": _("Probabilistic P10"),
        "p50": _("Probabilistic P50"),
        "p90": _("Probabilistic P90"),
        "probabilistic": _("Probabilistic (P50)"),
    }


SIDE_BY_SIDE = ("weighted", "commit", "best_case", "run_rate", "cycle_age", "p10", "p50", "p90")


def tables(found: dict[str, Any], accuracy_rows: list[dict[str, Any]]) -> dict[str, Table]:
    labels, currency, totals = method_labels(), found["currency"], found["totals"]
    months = [f"{m:%Y-%m}" for m in found["months"]]
    result: dict[str, Table] = {
        "methods": {
            "title": _("Forecast by month (%(currency)s)") % {"currency": currency},
            "header": [_("Month"), *(labels[k] for k in SIDE_BY_SIDE)],
            "rows": [
                [month, *(totals[k][i] for k in SIDE_BY_SIDE)] for i, month in enumerate(months)
            ],
        },
        "teams": {
            "title": _("Commit, best case and weighted per group (%(currency)s, whole horizon)")
            % {"currency": currency},
            "header": [_("Group"), labels["commit"], labels["best_case"], labels["weighted"]],
            "rows": [
                [g["label"], sum(g["commit"]), sum(g["best_case"]), sum(g["weighted"])]
                for g in found["groups"]
            ],
        },
        "calibration": {
            "title": _("Calibration of the learned win chances"),
            "header": [_("Predicted chance"), _("Closed stays"), _("Mean predicted"), _("Won")],
            "rows": [
                [
                    f"{row.low:.0%}–{row.high:.0%}",
                    row.observations,
                    None if row.predicted is None else round(row.predicted, 4),
                    None if row.observed is None else round(row.observed, 4),
                ]
                for row in found["calibration"]["rows"]
            ],
        },
        "accuracy": {
            "title": _("Forecast accuracy of saved snapshots"),
            "header": [
                _("Saved on"),
                _("Month"),
                _("Method"),
                _("Forecast"),
                _("Won"),
                _("Accuracy"),
            ],
            "rows": [
                [
                    r["as_of"],
                    f"{r['month']:%Y-%m}",
                    labels.get(r["method"], r["method"]),
                    r["forecast"],
                    r["actual"],
                    None if r["accuracy"] is None else round(float(r["accuracy"]), 4),
                ]
                for r in accuracy_rows
            ],
        },
    }
    return result


def fan_chart(found: dict[str, Any]) -> dict[str, Any]:
    months = [f"{m:%Y-%m}" for m in found["months"]]
    totals = found["totals"]
    labels = method_labels()

    def numbers(key: str) -> list[float]:
        return [float(v) for v in totals[key]]

    traces: list[dict[str, Any]] = [
        {"type": "scatter", "x": months, "y": numbers("p10"), "name": labels["p10"],
         "mode": "lines", "line": {"width": 0}, "showlegend": False},
        {"type": "scatter", "x": months, "y": numbers("p90"), "name": labels["p90"],
         "mode": "lines", "line": {"width": 0}, "fill": "tonexty",
         "fillcolor": "rgba(13,110,253,0.2)"},
        {"type": "scatter", "x": months, "y": numbers("p50"), "name": labels["p50"],
         "mode": "lines+markers", "line": {"color": COLORS[0]}},
        {"type": "scatter", "x": months, "y": numbers("weighted"), "name": labels["weighted"],
         "mode": "lines+markers", "line": {"color": COLORS[3], "dash": "dot"}},
        {"type": "scatter", "x": months, "y": numbers("commit"), "name": labels["commit"],
         "mode": "lines+markers", "line": {"color": COLORS[2], "dash": "dash"}},
    ]  # fmt: skip
    title = _("Probabilistic range P10–P90 (%(currency)s)") % {"currency": found["currency"]}
    return _figure(traces, title, showlegend=True)


def accuracy_chart(accuracy_rows: list[dict[str, Any]]) -> dict[str, Any]:
    labels = method_labels()
    series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in accuracy_rows:
        if row["accuracy"] is not None:
            series[row["method"]].append((f"{row['month']:%Y-%m}", float(row["accuracy"]) * 100))
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": labels.get(method, method),
            "x": [x for x, _ in points],
            "y": [y for _, y in points],
            "line": {"color": COLORS[index % len(COLORS)]},
        }
        for index, (method, points) in enumerate(sorted(series.items()))
    ]
    return _figure(traces, _("Forecast accuracy by month (%)"), showlegend=True)
