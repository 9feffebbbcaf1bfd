"""The notebooks' declarative views: ``view(notebook)`` builds one (data + params + encodings).

Each view module depends only on the data layer; renderers (``helpers.render``) depend on
views, and ``helpers.explore`` on both. Nothing here imports a renderer, so there is no
import circle.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

# notebook -> "module:function" that builds its view
BUILDERS = {
    "01_response_rates": "helpers.views.response_rates:response_rates_view",
    "02_relapse_timeline": "helpers.views.relapse_timeline:timeline_view",
    "03_prevalence": "helpers.views.prevalence:prevalence_view",
    "04_bioavailability": "helpers.views.bioavailability:bioavailability_view",
    "05_safety": "helpers.views.safety:safety_view",
    "06_history": "helpers.views.history:history_view",
    "07_claims_check": "helpers.views.claims_check:claims_view",
    "08_pk_simulator": "helpers.views.pk_simulator:pk_view",
}


@cache
def view(notebook: str):
    """The notebook's View, built once per process (the chart holds every row; controls filter in the page)."""
    try:
        module, function = BUILDERS[notebook].split(":")
    except KeyError:
        raise KeyError(f"no view for notebook {notebook!r}; choose one of: {', '.join(BUILDERS)}") from None
    return getattr(import_module(module), function)()
