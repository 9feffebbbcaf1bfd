"""The state of a warm kernel that one notebook could leave to the next, taken and compared.

:func:`take` runs inside the kernel (after the warm-up, and after every notebook) and returns
plain data: who the loaded ``helpers`` functions are, the public callables of the libraries
the notebooks use, pandas/numpy/Altair options, warnings filters, the working folder, the
environment, umask, recursion limit, builtins, signal handlers, the ``sys.modules`` entries
and the running threads. The report worker keeps the first one and calls
:func:`differences` on each later one; any difference retires the kernel. A module first imported
by a notebook (Altair, on a spec-cache miss) joins the kept state then (:func:`adopted`).

This is the second line of defence: only the suite's own notebooks, as committed, run on
a warm kernel at all (:mod:`helpers.run.isolation`), so what it catches is a known notebook
that changes shared state by accident. Code that means harm could also patch this check;
that is why unknown notebooks get a kernel of their own instead.

Standard library only at import: it must not change the state it measures.
"""

from __future__ import annotations

import os
import sys
from typing import Any

# Modules whose public callables a notebook could swap (pd.read_csv = ..., random.random = ...).
LIBRARIES = ("random", "os", "os.path", "json", "warnings", "io", "numpy", "numpy.random", "pandas", "altair")
_SHOWN = 3  # differences named per kind before "and N more"


def _callables(module: Any) -> dict[str, int]:
    return {
        name: id(obj)
        for name, obj in list(vars(module).items())
        if not name.startswith("_") and callable(obj) and type(obj).__name__ != "module"
    }


def _pandas_options(pd: Any) -> dict[str, str]:
    from pandas._config import config

    values = {}
    for key in sorted(config._registered_options):  # every option, as pd.describe_option lists them
        try:
            values[key] = repr(pd.get_option(key))
        except Exception:  # noqa: BLE001 - a deprecated option that warns or raises
            continue
    return values


def _altair(alt: Any) -> dict[str, str]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # alt.themes is deprecated in Altair 5.5; reading it must not warn
        found = {
            "data_transformers": repr((alt.data_transformers.active, alt.data_transformers.options)),
            "renderers": repr((alt.renderers.active, alt.renderers.options)),
        }
        theme = getattr(alt, "theme", None) or getattr(alt, "themes", None)
        if theme is not None:
            found["theme"] = repr(getattr(theme, "active", None))
    return found


def _signals() -> dict[str, str]:
    import signal

    handlers = {}
    for number in sorted(signal.valid_signals()):
        try:
            handler = signal.getsignal(number)
        except (ValueError, OSError):
            continue
        handlers[str(int(number))] = repr(handler) if isinstance(handler, int) else f"id {id(handler)}"
    return handlers


def take() -> dict[str, Any]:
    """The kernel's shared state now, as JSON-able data (called inside the kernel)."""
    import builtins
    import threading
    import warnings

    mask = os.umask(0)
    os.umask(mask)
    modules = dict(sys.modules)
    state: dict[str, Any] = {
        "cwd": os.getcwd(),
        "environ": dict(os.environ),
        "umask": oct(mask),
        "recursion limit": sys.getrecursionlimit(),
        "threads": sorted(t.name for t in threading.enumerate()),
        "warnings filters": [repr(f) for f in warnings.filters],
        "builtins": _callables(builtins) | {"__import__": id(builtins.__import__)},
        "signal handlers": _signals(),
        "sys.modules": {name: id(module) for name, module in modules.items()},
        # entries the import system did not put there under that name (os.path is posixpath: known at warm-up)
        "foreign modules": sorted(
            name for name, module in modules.items() if getattr(getattr(module, "__spec__", None), "name", name) != name
        ),
        "functions": {
            f"{name}.{attr}": ident
            for name, module in modules.items()
            if module is not None and (name in LIBRARIES or name == "helpers" or name.startswith("helpers."))
            for attr, ident in _callables(module).items()
        },
        "options": {},
    }
    if (np := modules.get("numpy")) is not None:
        state["options"].update({f"numpy {k}": repr(v) for k, v in np.geterr().items()})
        state["options"].update({f"numpy print {k}": repr(v) for k, v in np.get_printoptions().items()})
    if (pd := modules.get("pandas")) is not None:
        state["options"].update({f"pandas {k}": v for k, v in _pandas_options(pd).items()})
    if (alt := modules.get("altair")) is not None:
        state["options"].update({f"altair {k}": v for k, v in _altair(alt).items()})
    return state


def reseed() -> None:
    """Fresh entropy for ``random`` and numpy's global generator, as a new kernel would have."""
    import random

    random.seed()
    if (np := sys.modules.get("numpy")) is not None:
        np.random.seed()


def _named(kind: str, keys: list[str], verb: str) -> str:
    listed = ", ".join(keys[:_SHOWN]) + (f" and {len(keys) - _SHOWN} more" if len(keys) > _SHOWN else "")
    return f"{kind} {verb}: {listed}"


def _owner(kind: str, key: str, loaded: dict) -> bool:
    """Whether the module a new key belongs to was loaded at warm-up ('pandas' for 'pandas display.max_rows')."""
    if kind == "functions":
        return key.rpartition(".")[0] in loaded
    if kind == "options":
        return key.split(" ", 1)[0] in loaded
    return True


def adopted(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``before`` with what ``after`` holds of modules loaded since (Altair, imported by the first view built
    on a spec-cache miss): trusted on first use, so a later notebook that replaces one of their functions
    or options, or their ``sys.modules`` entry, differs. Called only when :func:`differences` found none."""
    loaded = before.get("sys.modules", {})
    out = dict(before)
    for kind in ("functions", "options"):
        old = before.get(kind, {})
        new = {k: v for k, v in after.get(kind, {}).items() if k not in old and not _owner(kind, k, loaded)}
        out[kind] = {**old, **new}
    out["sys.modules"] = {**{k: v for k, v in after.get("sys.modules", {}).items() if k not in loaded}, **loaded}
    return out


def differences(before: dict[str, Any], after: dict[str, Any], expected: dict[str, Any] | None = None) -> list[str]:
    """What differs between two :func:`take` results, one short phrase per kind; [] when nothing does.

    ``expected`` overrides values of ``before`` that the reset sets on purpose (the notebook's
    working folder, its environment variables). New ``sys.modules`` entries are allowed
    when the import system loaded them under that name (a notebook importing something new);
    an entry removed, replaced or planted is not.
    """
    base = {**before, **(expected or {})}
    found = []
    for kind in ("cwd", "umask", "recursion limit"):
        if base.get(kind) != after.get(kind):
            found.append(f"{kind} {base.get(kind)!r} -> {after.get(kind)!r}")
    before_threads, after_threads = base.get("threads", []), after.get("threads", [])
    if len(after_threads) != len(before_threads):
        extra = sorted(set(after_threads) - set(before_threads)) or after_threads
        found.append(f"threads {len(before_threads)} -> {len(after_threads)} ({', '.join(extra[:_SHOWN])})")
    if base.get("warnings filters") != after.get("warnings filters"):
        found.append("warnings filters changed")
    planted = sorted(set(after.get("foreign modules", [])) - set(base.get("foreign modules", [])))
    if planted:
        found.append(_named("sys.modules", planted, "planted (not loaded by the import system)"))
    loaded = base.get("sys.modules", {})
    for kind in ("environ", "options", "builtins", "signal handlers", "functions", "sys.modules"):
        old, new = base.get(kind, {}), after.get(kind, {})
        changed = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])
        removed = sorted(old.keys() - new.keys())
        # a name added to a module that was loaded at warm-up is planted; a module imported since brings its own
        added = [] if kind == "sys.modules" else sorted(k for k in new.keys() - old.keys() if _owner(kind, k, loaded))
        label = "environment variables" if kind == "environ" else kind
        replaced = "replaced" if kind in ("functions", "builtins") else "changed"
        for keys, verb in ((changed, replaced), (removed, "removed"), (added, "added")):
            if keys:
                found.append(_named(label, keys, verb))
    return found
