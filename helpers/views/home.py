"""Where each figure lives: the notebook whose view shows a row id (for links with ``#highlight=``).

The site's figure finder and its document readers link a row to the one view that draws it or
lists it. The answer is read from the views themselves (their rows and extra tables), so a row
moved to another view is linked to its new home with no list to keep in step.
"""

from __future__ import annotations

from functools import cache

from helpers.views import BUILDERS, view


@cache
def row_homes() -> dict[str, str]:
    """Row id -> the first notebook (in notebook order) whose view holds that row."""
    homes: dict[str, str] = {}
    for notebook in BUILDERS:
        v = view(notebook)
        frames = [v.rows, *(e.frame for e in v.extras)]
        for frame in frames:
            if "id" not in frame.columns:
                continue
            for row_id in frame["id"].astype(str):
                homes.setdefault(row_id, notebook)
    return homes


def view_link(row_id: str, page: str = "{notebook}.html") -> str:
    """The link that opens a row's view with it highlighted, e.g. ``01_response_rates.html#highlight=resp-019``.

    ``page`` names a view's file from its notebook (the site puts them side by side). A row no
    view shows is an error naming it, not a dead link.
    """
    try:
        notebook = row_homes()[row_id]
    except KeyError:
        raise KeyError(f"no view shows row {row_id!r}; every figure row should have a home view") from None
    return f"{page.format(notebook=notebook)}#highlight={row_id}"
