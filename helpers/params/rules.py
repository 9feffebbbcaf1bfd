"""The error every parameter check raises, and how a value is shown in a message.

Every value shown in a message is cut to a readable length by :func:`shown` (a parameter
file can hold megabytes). The rules themselves are declared with the parameters
(``helpers.params.notebooks``) and applied by ``helpers.params.verdict``.
"""

from __future__ import annotations

import reprlib
from typing import Any

SHOWN_CHARS = 80  # longest value shown in an error message

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = SHOWN_CHARS
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6
_repr.maxlevel = 3


class ParameterError(ValueError):
    """A parameter name, type or value that a notebook does not accept."""


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """``repr(value)`` cut to about ``limit`` characters, without building the full repr first.

    A nested list of half a million items (a YAML alias bomb) is shown as ``[[[...], ...], ...]``
    in microseconds, never as a 500 MB message.
    """
    if isinstance(value, str) and len(value) > limit:
        return f"{value[: limit - 20]!r}... ({len(value):,} chars)"
    text = _repr.repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text):,} chars)"
