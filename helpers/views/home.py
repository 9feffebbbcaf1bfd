"""Where each figure lives: the notebook whose view shows a row id (for links with ``#highlight=``).

The site's figure finder and its document readers link a row to the one view that draws it or
lists it. The answer is read from the views themselves (their rows and extra tables), so a row
moved to another view is linked to its new home with no list to keep in step. A row the
view's defaults hide is linked with the one setting that shows it (``showing_link``), so
the link opens on the figure, not on a note that it is filtered out.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote

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


def _candidates(param: Any) -> list[Any]:
    """Values of one control to try, other than its default: every choice, or a number's ends."""
    if param.type == "choice":
        return [c for c in param.choices if c != param.default]
    if param.type in ("int", "number"):
        return [v for v in (param.minimum, param.maximum) if v is not None and v != param.default]
    if param.type == "bool":
        return [not param.default]
    return []


def hash_text(value: Any) -> str:
    """A value as the page hash and the command line write it (``helpers.params.verdict.parse_text`` reads it back)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@cache
def _shown_ids(notebook: str, name: str | None = None, value: Any = None) -> frozenset[str] | None:
    """Row ids the view keeps (main rows and extra tables) with one control moved, or at the defaults.

    ``None`` when the rules refuse that value with the other defaults.
    """
    v = view(notebook)
    try:
        checked = v.validate({} if name is None else {name: value})
    except Exception:  # noqa: BLE001 - a refused combination (ParameterError): this value is not a way
        return None
    targets = ["rows", *(e.name for e in v.extras if "id" in e.frame.columns)]
    return frozenset(i for t in targets for i in v.filter(checked, t)["id"].astype(str))


def settings_showing(notebook: str, row_id: str) -> dict[str, Any] | None:
    """The control settings (one control moved off its default, or none) under which the view keeps the row.

    Asked of the view's own filters (``View.filter``, as the page filters), main rows and extra
    tables alike. ``None`` when no single control's value keeps it.
    """
    if row_id in (_shown_ids(notebook) or ()):
        return {}
    for control in view(notebook).controls:
        if control.filters:
            for value in _candidates(control.param):
                if row_id in (_shown_ids(notebook, control.name, value) or ()):
                    return {control.name: value}
    return None


def showing_link(row_id: str, page: str = "{notebook}.html") -> str:
    """The row's view link (``view_link``), with the settings that show it when the defaults hide it.

    ``03_prevalence.html#denominator=population&highlight=prev-001``: the view opens on the row,
    not on a note that it is filtered out. A row no single setting shows keeps the plain link.
    """
    link = view_link(row_id, page)
    settings = settings_showing(row_homes()[row_id], row_id)
    if not settings:
        return link
    page, _, highlight = link.partition("#")
    moved = "&".join(f"{quote(name)}={quote(hash_text(value))}" for name, value in settings.items())
    return f"{page}#{moved}&{highlight}"
