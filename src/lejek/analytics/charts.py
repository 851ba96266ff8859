"""Dashboard figures, built in Python with Plotly, and the tables behind each of them.

Every chart has a table with the same numbers (shown one click away and
exported as CSV/XLSX), so `tables()` is the single source for both. Labels are
plain `str` (gettext, not lazy): Plotly serialises its figures with its own JSON
encoder, which does not know Django's lazy strings.
"""

from functools import lru_cache
from typing import Any

import plotly.io
from django.utils.translation import gettext as _

from lejek.analytics import present

Table = dict[str, Any]  # {"key", "title", "header": [...], "rows": [[...]], "kinds": [...]}
COLORS = ("#0d6efd", "#6f42c1", "#198754", "#fd7e14", "#dc3545", "#20c997")


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    """Plotly's "plotly_white" look, as data, read once from the installed package."""
    return plotly.io.templates["plotly_white"].to_plotly_json()  # type: ignore[no-any-return]


def _ratio(value: Any) -> Any:
    return present.plain(present.RATIO, value)


def _percent(value: Any) -> float | None:
    number = present.plain(present.RATIO, value)
    return None if number is None else float(number * 100)


def funnel_for(report: dict[str, Any], pipeline_id: int | None) -> dict[str, Any] | None:
    funnels = report["funnels"]
    if pipeline_id is not None:
        funnels = [f for f in funnels if f["pipeline_id"] == pipeline_id]
    return funnels[0] if funnels else None


def tables(report: dict[str, Any], pipeline_id: int | None = None) -> dict[str, Table]:
    currency = report["reporting_currency"]
    current, previous = report["current"], report["previous"] or {}
    result: dict[str, Table] = {}
    result["metrics"] = {
        "title": _("Metrics"),
        "header": [_("Metric"), _("This period"), _("Previous period"), _("Change")],
        "rows": [
            [
                str(m.label),
                present.plain(m.kind, current.get(m.key)),
                present.plain(m.kind, previous.get(m.key)),
                _ratio(report["changes"].get(m.key)),
            ]
            for m in present.METRICS
        ],
    }
    funnel = funnel_for(report, pipeline_id)
    steps = funnel["steps"] if funnel else []
    result["funnel"] = {
        "title": _("Funnel: %(pipeline)s") % {"pipeline": funnel["pipeline"] if funnel else "—"},
        "header": [
            _("Stage"),
            _("Reached"),
            _("Won"),
            _("Conversion to next stage"),
            _("Drop-off"),
            _("Close rate"),
            _("Days in stage (mean)"),
        ],
        "rows": [
            [
                s["stage"],
                s["reached"],
                s["won"],
                _ratio(s["conversion"]),
                s["drop_off"],
                _ratio(s["close_rate"]),
                present.plain(present.NUMBER, s["days_in_stage"]),
            ]
            for s in steps
        ],
    }
    stages = [s for s in report["stages"] if pipeline_id is None or s["pipeline_id"] == pipeline_id]
    result["stages"] = {
        "title": _("Open pipeline by stage (%(currency)s)") % {"currency": currency},
        "header": [_("Pipeline"), _("Stage"), _("Deals"), _("Value"), _("Weighted value")],
        "rows": [
            [
                s["pipeline"],
                s["stage"],
                s["deals"],
                present.plain(present.MONEY, s["value"]),
                present.plain(present.MONEY, s["weighted"]),
            ]
            for s in stages
        ],
    }
    result["trend"] = {
        "title": _("By month"),
        "header": [
            _("Month"),
            _("New deals"),
            _("Won"),
            _("Lost"),
            _("Win rate"),
            _("Revenue won"),
            _("Average deal size"),
            _("Average sales cycle (days)"),
            _("Open opportunities"),
            _("Sales velocity (per day)"),
        ],
        "rows": [
            [
                f"{t['month']:%Y-%m}",
                t["new_deals"],
                t["won"],
                t["lost"],
                _ratio(t["win_rate"]),
                present.plain(present.MONEY, t["revenue_won"]),
                present.plain(present.MONEY, t["average_deal_size"]),
                present.plain(present.NUMBER, t["average_sales_cycle_days"]),
                t["open_opportunities"],
                present.plain(present.MONEY, t["sales_velocity"]),
            ]
            for t in report["trend"]
        ],
    }
    if report["groups"]:
        shown = [present.BY_KEY[k] for k in present.TILES]
        groups = {"owner": _("By owner"), "team": _("By team"), "source": _("By source")}
        result["groups"] = {
            "title": groups.get(report["group_by"], _("By month")),
            "header": [_("Group"), *[str(m.label) for m in shown]],
            "rows": [
                [g["label"], *[present.plain(m.kind, g["metrics"].get(m.key)) for m in shown]]
                for g in report["groups"]
            ],
        }
    return result


def _figure(traces: list[dict[str, Any]], title: str, **layout: Any) -> dict[str, Any]:
    """A Plotly figure as the plain dict Plotly.js draws.

    Written as data rather than through `plotly.graph_objects`, whose validation costs
    about 40 ms a figure; the tests check every figure against Plotly's schema.
    """
    return {
        "data": traces,
        "layout": {
            "title": {"text": title, "font": {"size": 15}},
            "margin": {"l": 40, "r": 20, "t": 50, "b": 40},
            "height": 320,
            "template": _template(),
            "showlegend": False,
            **layout,
        },
    }


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def figures(report: dict[str, Any], pipeline_id: int | None = None) -> dict[str, dict[str, Any]]:
    """Plotly figures as plain JSON-able dicts, keyed like the tables they chart."""
    currency = report["reporting_currency"]
    funnel = funnel_for(report, pipeline_id)
    steps = funnel["steps"] if funnel else []
    names = [s["stage"] for s in steps]
    result: dict[str, dict[str, Any]] = {}

    labels = []
    for s in steps:
        conversion = _percent(s["conversion"])
        labels.append(
            f"{s['reached']:,}"
            + (f" · → {conversion:.1f} % · −{s['drop_off']:,}" if conversion is not None else "")
        )
    title = _("Funnel: %(pipeline)s") % {"pipeline": funnel["pipeline"] if funnel else "—"}
    result["funnel"] = _figure(
        [
            {
                "type": "funnel",
                "y": names,
                "x": [s["reached"] for s in steps],
                "text": labels,
                "textinfo": "text",
                "marker": {"color": COLORS[0]},
            }
        ],
        title,
    )
    result["stage_bars"] = _figure(
        [
            {
                "type": "bar",
                "name": _("Conversion to next stage (%)"),
                "x": names[:-1],
                "y": [_percent(s["conversion"]) for s in steps[:-1]],
                "marker": {"color": COLORS[2]},
                "offsetgroup": "conversion",
            },
            {
                "type": "bar",
                "name": _("Days in stage (mean)"),
                "x": names,
                "y": [_number(s["days_in_stage"]) for s in steps],
                "marker": {"color": COLORS[3]},
                "offsetgroup": "days",
                "yaxis": "y2",
            },
        ],
        _("Conversion and time in stage"),
        barmode="group",
        showlegend=True,
        legend={"orientation": "h", "y": -0.25},
        yaxis={"title": {"text": "%"}},
        yaxis2={"title": {"text": _("days")}, "overlaying": "y", "side": "right"},
    )
    months = [f"{t['month']:%Y-%m}" for t in report["trend"]]
    result["velocity"] = _figure(
        [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": months,
                "y": [
                    _number(present.plain(present.MONEY, t["sales_velocity"]))
                    for t in report["trend"]
                ],
                "marker": {"color": COLORS[1]},
            }
        ],
        _("Sales velocity per day (%(currency)s)") % {"currency": currency},
    )
    result["win_rate"] = _figure(
        [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": months,
                "y": [_percent(t["win_rate"]) for t in report["trend"]],
                "marker": {"color": COLORS[4]},
            }
        ],
        _("Win rate by month (%)"),
        yaxis={"range": [0, 100]},
    )
    stages = [s for s in report["stages"] if pipeline_id is None or s["pipeline_id"] == pipeline_id]
    stage_names = [
        s["stage"] if pipeline_id is not None else f"{s['pipeline']}: {s['stage']}" for s in stages
    ]
    result["stages"] = _figure(
        [
            {
                "type": "bar",
                "name": name,
                "x": stage_names,
                "y": [_number(present.plain(present.MONEY, s[key])) or 0.0 for s in stages],
                "marker": {"color": color},
            }
            for name, key, color in (
                (_("Value"), "value", COLORS[0]),
                (_("Weighted value"), "weighted", COLORS[5]),
            )
        ],
        _("Open pipeline by stage (%(currency)s)") % {"currency": currency},
        barmode="group",
        showlegend=True,
        legend={"orientation": "h", "y": -0.35},
    )
    return result
