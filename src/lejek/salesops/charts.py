"""The quadrant scatter chart as a plain Plotly figure (labels plain `str`)."""

from typing import Any

from django.utils.translation import gettext as _

from lejek.analytics.charts import COLORS, _figure
from lejek.salesops import calc

QUADRANT_COLORS = {
    calc.RISING: COLORS[2],
    calc.FALLING: COLORS[3],
    calc.IMPROVING: COLORS[0],
    calc.DECLINING: COLORS[4],
}


def quadrant_chart(board: dict[str, Any]) -> dict[str, Any]:
    """x: attainment − team median (points); y: change from the previous period (points)."""
    traces = []
    for key, label in calc.QUADRANT_LABELS.items():
        rows = board["quadrants"][key]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": str(_(label)),
                "x": [round(float(r["x"]) * 100, 1) for r in rows],
                "y": [round(float(r["y"]) * 100, 1) for r in rows],
                "text": [str(r["user"].display_name) for r in rows],
                "textposition": "top center",
                "marker": {"size": 12, "color": QUADRANT_COLORS[key]},
            }
        )
    return _figure(
        traces,
        str(_("Rep quadrants")),
        showlegend=True,
        xaxis={"title": {"text": str(_("Attainment vs team median (points)"))}, "zeroline": True},
        yaxis={"title": {"text": str(_("Change from previous period (points)"))}, "zeroline": True},
    )
