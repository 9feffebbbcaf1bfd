"""Keep ``rfc3987_syntax`` out of every kernel until an IRI is actually checked.

Why: ``import altair`` imports jsonschema, whose ``jsonschema._format`` imports
``rfc3987_syntax`` to register the "iri" and "iri-reference" format checkers, and that
module builds about 35 Lark Earley parsers at import time: about 2 s of every kernel
start, every Voilà student and every report run (python-jsonschema/jsonschema#1428).
Nothing in the suite validates IRIs.

How, without weakening any validation: while ``jsonschema._format`` executes, the name
``rfc3987_syntax`` resolves to a small stand-in whose ``is_valid_syntax`` imports the
real module on its first call and delegates to it. jsonschema registers its IRI checkers
as before, and they give the same answers; only the cost moves to the first IRI checked,
which in this suite is never. The stand-in is removed from ``sys.modules`` as soon as
``jsonschema._format`` has run, so ``import rfc3987_syntax`` anywhere else gets the real
module. This lives in our code, not in site-packages, so it survives every reinstall;
the GPL ``rfc3987`` package (which jsonschema would prefer) is not an option for this
MIT project.

Installed by ``helpers/__init__.py``; :func:`install` is idempotent and does nothing when
jsonschema's formats are already imported or ``rfc3987_syntax`` is not installed.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
from typing import Any

HEAVY = "rfc3987_syntax"
HOST = "jsonschema._format"


def _real() -> Any:
    return importlib.import_module(HEAVY)


def _stand_in() -> types.ModuleType:
    module = types.ModuleType(HEAVY, "Stand-in for rfc3987_syntax: imports the real module on first use.")

    def is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
        return _real().is_valid_syntax(*args, **kwargs)

    module.is_valid_syntax = is_valid_syntax
    return module


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        saved = sys.modules.get(HEAVY)
        sys.modules[HEAVY] = _stand_in()
        try:
            self.loader.exec_module(module)
        finally:
            if saved is None:
                sys.modules.pop(HEAVY, None)
            else:
                sys.modules[HEAVY] = saved


class _Finder(importlib.abc.MetaPathFinder):
    """Wraps the loader of ``jsonschema._format`` once, then steps aside."""

    def find_spec(self, name, path=None, target=None):
        if name != HOST:
            return None
        uninstall()
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


_FINDER = _Finder()


def install() -> None:
    if HOST in sys.modules or HEAVY in sys.modules or _FINDER in sys.meta_path:
        return
    if importlib.util.find_spec(HEAVY) is None:
        return
    sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
