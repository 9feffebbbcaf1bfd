"""05 safety: adverse-effect rates by dose context and population, on a 0–100 % axis."""

from __future__ import annotations

from helpers.data.prepared import prepared
from helpers.views import core
from helpers.views.lazy import alt
from helpers.views.marks import percent_chart


def safety_view() -> core.View:
    """05: adverse-effect rates by dose context and population."""
    controls = core.controls_for("05_safety")

    def build(view: core.View) -> alt.LayerChart:
        return percent_chart(
            view,
            "datum.effect + ' · ' + slice(datum.population, 0, 40)",
            alt.EncodingSortField("value_high", order="descending"),
            "share of people (%)",
            22,
        )

    return core.View(
        "05_safety",
        "Adverse effects: share of people affected",
        prepared("adverse_effects"),
        controls,
        build,
        table_columns=(
            "id",
            "value_label",
            "effect",
            "population",
            "dose_context",
            "evidence_kind",
            "source_label",
            "quote",
        ),
    )
