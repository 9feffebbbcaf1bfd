"""Parameter files: YAML sets of notebooks and parameter values, read as the text written.

Read through a size cap, without aliases, and with every plain scalar kept as text
(``weight_kg: 070`` is '070', read as 70 by the parameter verdict; never YAML 1.1's octal 56),
and with repeated keys kept so the verdict refuses them.

Only a regular file is read, and at most MAX_PARAM_FILE_BYTES + 1 bytes of it, from the open
file (``stat`` said 0 bytes for ``/dev/zero`` and ``/dev/stdin``, which then ran out of memory;
a FIFO hung). ``-`` and ``/dev/stdin`` are refused like any other pipe or device: a parameter
file is a file someone wrote and can name in a report, and one-off values go in ``-p``.
Nesting is limited to MAX_DEPTH levels (330 nested brackets, 666 bytes, were a RecursionError).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from helpers.params import ParameterError, shown
from helpers.paths import NotRegularFile, read_regular

MAX_PARAM_FILE_BYTES = 256 * 1024  # reports.example.yaml is about 1 kB
# sets -> notebooks -> parameters -> a list value is 4; the composer recurses once per level
MAX_DEPTH = 8


class _TooDeep(yaml.YAMLError):
    """Nesting beyond MAX_DEPTH, stopped before the composer recurses that far."""

    def __init__(self, mark):
        super().__init__()
        self.problem_mark = mark


class _Pairs(dict):
    """A YAML mapping that also keeps its (key, value) pairs in order, repeated keys included."""

    pairs: list


class _ParamFileLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases, with every plain scalar read as the text written.

    Aliases (``*name``) are refused: nine nested levels of them make a few hundred bytes
    expand to gigabytes. Scalars are text, so ``01:`` names notebook 01, ``weight_kg: 070``
    is the text '070' (70 kg, not YAML 1.1's octal 56) and ``infusion_min: 1:30`` is refused
    with a message instead of becoming 90: the parameter verdict reads the text.
    Repeated keys are kept (``_Pairs.pairs``) so the verdict can refuse them.
    """

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            return "tag:yaml.org,2002:str"
        return super().resolve(kind, value, implicit)

    _depth = 0

    def compose_node(self, parent, index):
        if self._depth >= MAX_DEPTH:
            raise _TooDeep(self.peek_event().start_mark)
        self._depth += 1
        try:
            return self._compose_node(parent, index)
        finally:
            self._depth -= 1

    def _compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"YAML aliases (*{event.anchor[:40]}) are not allowed in a parameter file; write each value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        mapping = _Pairs(super().construct_mapping(node, deep=True))
        mapping.pairs = [
            (self.construct_object(k, deep=True), self.construct_object(v, deep=True)) for k, v in node.value
        ]
        return mapping


# Mappings are built whole (not by PyYAML's two-step generator, which copies them into a plain dict
# and loses the pairs); aliases are refused, so no mapping can contain itself.
_ParamFileLoader.add_constructor("tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node))


def _not_regular(path: Path, kind: str) -> ParameterError:
    return ParameterError(
        f"parameter file {path} is {kind}, not a regular file; write the sets to a file and name it "
        "(one-off values go in -p name=value)"
    )


def _read_capped(path: Path) -> bytes:
    """At most MAX_PARAM_FILE_BYTES + 1 bytes of a regular file, read from the open file (not stat)."""
    try:
        content = read_regular(path, MAX_PARAM_FILE_BYTES)
    except NotRegularFile as error:
        raise _not_regular(path, error.kind) from None
    except FileNotFoundError:
        raise ParameterError(f"parameter file {path} does not exist") from None
    except PermissionError:
        raise ParameterError(f"parameter file {path} cannot be read (permission denied)") from None
    if len(content) > MAX_PARAM_FILE_BYTES:
        raise ParameterError(
            f"parameter file {path} is larger than {MAX_PARAM_FILE_BYTES:,} bytes; at most {MAX_PARAM_FILE_BYTES:,} "
            "are allowed (a parameter file names a few notebooks and values; see reports.example.yaml)"
        )
    return content


def read_param_file(path: str | Path) -> Any:
    """The YAML document of a parameter file, or ParameterError naming the file and the rule it broke."""
    path = Path(path)
    try:
        text = _read_capped(path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParameterError(f"parameter file {path} is not UTF-8 text (byte {error.start})") from None
    try:
        return yaml.load(text, Loader=_ParamFileLoader)  # noqa: S506 - a SafeLoader subclass
    except _TooDeep as error:
        mark = error.problem_mark
        raise ParameterError(
            f"parameter file {path} nests deeper than {MAX_DEPTH} levels at line {mark.line + 1}, column "
            f"{mark.column + 1}; a parameter file is sets of notebooks of parameters (see reports.example.yaml)"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = str(getattr(error, "problem", None) or error).splitlines()[0][:200]
        raise ParameterError(f"parameter file {path} is not valid YAML: {where}{problem}") from None


def load_param_file(path: str | Path, chosen: Sequence[str] | None = None) -> dict[str, dict]:
    """The named parameter sets of a YAML file, optionally only ``chosen`` ones (``--set``)."""
    data = read_param_file(path)
    if not isinstance(data, dict) or not data:
        raise ParameterError(
            f"parameter file {path} must map set names to {{notebook: {{parameter: value}}}}; see reports.example.yaml"
        )
    data = {str(k): v for k, v in data.items()}
    if chosen:
        unknown = [name for name in chosen if name not in data]
        if unknown:
            raise ParameterError(
                f"parameter set(s) {', '.join(shown(n) for n in unknown)} not in {path}; "
                f"choose one of: {', '.join(n if len(n) <= 40 else n[:37] + '...' for n in list(data)[:30])}"
            )
        data = {name: data[name] for name in dict.fromkeys(chosen)}
    return data
