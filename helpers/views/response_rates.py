"""01 response rates: response, remission, relapse and pain relief on a 0–100 % axis.

Every filter and the colour-by switch are Vega-Lite params; the chart is built once from the
whole table. Figures that are not percentages (vote counts, pain scores) stay in the rows, the
count and the table, but are not drawn on a percent axis.
"""

from __future__ import annotations

from helpers.data.prepared import prepared
from helpers.views import core
from helpers.views.lazy import alt
from helpers.views.marks import percent_chart


def response_rates_view() -> core.View:
    """01: response, remission, relapse and pain relief; ketamine beside the usual-care comparators."""
    controls = core.controls_for("01_response_rates")

    def build(view: core.View) -> alt.LayerChart:
        return percent_chart(
            view,
            "datum.condition + ' · ' + datum.measure + ' · ' + datum.id",
            alt.EncodingSortField("condition"),
            "share of patients or of pain (%)",
            18,
        )

    return core.View(
        "01_response_rates",
        "Response, remission and relapse: what the documents claim",
        prepared("response_rates"),
        controls,
        build,
    )
