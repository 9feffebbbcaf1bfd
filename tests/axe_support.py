"""axe-core in the browser tests: run it offline, describe what it finds, fail on serious or critical.

axe-core comes with axe-playwright-python and is injected from the installed package (no network).
Every violation, whatever its impact, is written to ``artifacts/accessibility/<page>.txt``.
"""

from __future__ import annotations

import browser_support as bs

BLOCKING = {"serious", "critical"}
ARTIFACTS = bs.ROOT / "artifacts" / "accessibility"
# axe.run(context, options) with both passed as JSON (Axe.run formats them with Python's repr).
AXE_RUN_JS = "([context, options]) => axe.run(context || document, options)"
AXE_OPTIONS = {"resultTypes": ["violations"]}


def axe_violations(page, context: dict | None = None) -> list[dict]:
    """axe-core's violations on ``page`` (within ``context``: axe's include/exclude selectors)."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    return page.evaluate(AXE_RUN_JS, [context, AXE_OPTIONS])["violations"]


def describe(violations: list[dict], targets: int = 3) -> str:
    lines = []
    for v in violations:
        where = "; ".join(
            " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
            for node in v["nodes"][:targets]
        )
        more = f" (+{len(v['nodes']) - targets} more)" if len(v["nodes"]) > targets else ""
        lines.append(f"  {v['id']} [{v['impact']}] x{len(v['nodes'])}: {v['help']}\n      at {where}{more}")
    return "\n".join(lines)


def assert_accessible(page, where: str, context: dict | None = None) -> list[dict]:
    """Fail on serious or critical violations; record them all. Returns every violation."""
    violations = axe_violations(page, context)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in where)
    (ARTIFACTS / f"{name}.txt").write_text(f"{where}: {len(violations)} violation(s)\n{describe(violations)}\n")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{where}: {len(blocking)} serious or critical accessibility violation(s):\n" + describe(
        blocking
    )
    return violations


def assert_charts_described(page, notebook: str, root: str = "") -> None:
    """Each chart has a text alternative: its view's description, as the accessible name of a graphic."""
    from helpers.views import view

    description = view(notebook).base_spec.get("description")
    assert description and len(description) > 40, f"{notebook}: the view has no description to read out"
    charts = page.evaluate(
        """(root) => Array.from(document.querySelectorAll(root + ' .vega-embed')).map(
             (el) => ({role: el.getAttribute('role'), label: el.getAttribute('aria-label')}))""",
        root,
    )
    assert charts, f"{notebook}: no chart on the page"
    for chart in charts:
        assert chart["role"] in {"img", "figure", "graphics-document"}, (notebook, chart)
        assert chart["label"] == description, (notebook, chart, description)
