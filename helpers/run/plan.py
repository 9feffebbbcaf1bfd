"""What a report run will do, decided and checked before anything executes.

``plan_runs`` turns notebook names, parameter sets (``--params-file``) and ``-p``
overrides into validated :class:`RunTask` objects, or raises one
``ParameterError``/``OutputPathError`` that lists every problem, so a teacher fixes
them in one go and nothing has run (exit status 2).

What it refuses, and why:

- a parameter name, type or value the notebook's spec (``helpers.params.declare``) or its
  cross-parameter rules (``helpers.params.rules``, e.g. notebook 08's dose limit) reject:
  papermill only warns about unknown names, and a kernel would fail late;
- two notebook arguments that name the same notebook (``01`` and
  ``01_response_rates``): they would write the same files;
- an output folder among the sources (``notebooks/``, ``data/``, the ``helpers``
  package) or one that cannot be written;
- a parameter file larger than :data:`helpers.run.paramfile.MAX_PARAM_FILE_BYTES` or using YAML aliases
  (``*name``): a 339-byte file of nested aliases expands to gigabytes. Keys are read
  as the text written, so an unquoted ``01:`` stays ``"01"`` (YAML 1.1 would read
  the octal number 1).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

from helpers.params import NOTEBOOKS, ParameterError, bounded, read
from helpers.params.rules import shown
from helpers.paths import NOTEBOOK_DIR, ROOT  # noqa: F401 - ROOT re-exported for the pool and worker
from helpers.render.slides import DEFAULT_SIZE
from helpers.run.outdir import OutputPathError, check_out_dir, timeout_message  # noqa: F401 - re-exported

DEFAULT_OUT = Path("reports")
DEFAULT_SET = "default"
FORMATS = ("html", "png", "svg")
SIZE_LIMITS = (320, 7680)  # px each side of a slide image: a small projector to 8K
SIZE_RATIOS = (1.0, 2.4)  # width / height of a slide: square to ultra-wide (16:9 is 1.78, 4:3 is 1.33)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_LABEL = 80  # characters of a run's readable parameter label before it is cut and hashed
MAX_LISTED = 10  # names listed in one message before "... and N more"


def size_message(text: Any) -> str:
    low, high = SIZE_LIMITS
    return (
        f"--size must be WIDTHxHEIGHT in whole pixels, each from {low} to {high}, and landscape: width / height "
        f"from {SIZE_RATIOS[0]:g} to {SIZE_RATIOS[1]:g} (e.g. --size 1920x1080 for 16:9, --size 1024x768 for 4:3); "
        f"got {shown(str(text))}"
    )


def parse_size(text: str) -> tuple[int, int]:
    """``--size`` text as (width, height) pixels; ValueError with :func:`size_message` when it is not one."""
    match = re.fullmatch(r"([1-9][0-9]{0,4})[x×]([1-9][0-9]{0,4})", text.strip())
    if not match:
        raise ValueError(size_message(text))
    width, height = int(match[1]), int(match[2])
    if not size_ok((width, height)):
        raise ValueError(size_message(text))
    return width, height


def size_ok(size: Any) -> bool:
    """Whether ``size`` is (width, height) whole pixels within ``SIZE_LIMITS`` and ``SIZE_RATIOS``."""
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        return False
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in size):
        return False
    width, height = size
    low, high = SIZE_LIMITS
    return low <= width <= high and low <= height <= high and SIZE_RATIOS[0] <= width / height <= SIZE_RATIOS[1]


# --- plan: what runs, with which parameters, into which files ---------------------------------


@dataclass(frozen=True)
class RunTask:
    """One notebook run, fully resolved and validated; picklable for the worker processes."""

    notebook: str
    source: str
    set_name: str
    run_name: str
    params: dict[str, Any]
    out_dir: str
    formats: tuple[str, ...] = ("html",)  # always holds "html"; "png"/"svg" add slide images
    show_code: bool = False
    timeout: int | None = None
    size: tuple[int, int] = DEFAULT_SIZE  # pixels of every slide image (--size WxH)
    runtime_file: str | None = None
    fresh_kernel: bool = False  # True: a new kernel for this run (--fresh-kernels), not a warm one
    batch: tuple[str, ...] = ()  # every run name of the batch: links between reports may point to them
    # the code digest (helpers.run.isolation) this notebook must still have to run on a shared warm kernel;
    # None: a kernel of its own. Set by plan_runs for the suite's committed notebooks only.
    warm_digest: str | None = None

    def path(self, suffix: str) -> Path:
        """An output file of this run, e.g. ``path(".html")``."""
        return Path(self.out_dir) / f"{self.run_name}{suffix}"

    @property
    def chart_dir(self) -> Path:
        return Path(self.out_dir) / self.run_name

    def report_links(self) -> dict[str, str]:
        """Notebook name -> the report file beside this one that a link to that notebook opens.

        Candidates are the reports this batch writes and those already in the output folder.
        A notebook's report of the same parameter set is preferred, then its default run, then
        the first by name.
        """
        own_set = self.run_name.partition("__")[2]
        folder = Path(self.out_dir)
        found = {p.stem for p in folder.glob("*__*.html")} if folder.is_dir() else set()
        sets: dict[str, list[str]] = {}
        for name in sorted(n for n in found | set(self.batch) if not n.endswith(".FAILED")):
            notebook, _, set_name = name.partition("__")  # run names are <notebook>__<set>, both safe_name'd
            sets.setdefault(notebook, []).append(set_name)
        best = {
            nb: own_set if own_set in names else DEFAULT_SET if DEFAULT_SET in names else names[0]
            for nb, names in sets.items()
        }
        return {nb: f"{nb}__{set_name}.html" for nb, set_name in best.items()}


@dataclass
class RunResult:
    """What one run produced: status ``ok`` or ``FAILED``, wall time, files, and where it failed."""

    notebook: str
    set_name: str
    run_name: str
    params: dict[str, Any]
    status: str
    seconds: float
    outputs: list[str] = field(default_factory=list)
    charts: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)  # what the run log should say besides the status

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def short_hash(value: Any) -> str:
    """Eight hex digits that depend only on ``value`` (stable across runs and machines)."""
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def safe_name(text: str) -> str:
    """``text`` reduced to ``[A-Za-z0-9._-]`` and usable as one file name, never a path.

    Slashes, ``..`` and leading dots cannot survive, so a set name cannot steer
    a file out of the output folder. When anything was changed, a hash of the
    original is appended so that two different names never share files.
    """
    cleaned = _UNSAFE.sub("_", text)
    cleaned = re.sub(r"\.{2,}", "_", cleaned).strip("._-")[:80] or "set"
    return cleaned if cleaned == text else f"{cleaned}-{short_hash(text)}"


def _slug(value: Any) -> str:
    """A parameter value as file-name text: numbers without a trailing .0, lists joined by '-',
    anything outside ``[A-Za-z0-9._]`` turned into '-'."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, (list, tuple)):
        text = "-".join(str(v) for v in value)
    else:
        text = str(value)
    return re.sub(r"_{2,}", "_", re.sub(r"[^A-Za-z0-9._]+", "-", text)).strip("-._") or "x"


def readable_label(values: Mapping[str, Any]) -> str:
    """``condition-fibromyalgia__arm-ketamine`` for ``-p`` values: the run's name says what it shows.

    Safe as one file name (``[A-Za-z0-9._-]``, no leading dot). A name over
    :data:`MAX_LABEL` characters is cut and ends in a hash of the values, so two cut names
    never meet; names that still collide in one batch get a hash suffix in :func:`plan_runs`.
    """
    label = "__".join(f"{_slug(name)}-{_slug(value)}" for name, value in values.items())
    if len(label) > MAX_LABEL:
        label = f"{label[: MAX_LABEL - 9].rstrip('-_.')}-{short_hash(dict(values))}"
    return label


def available_notebooks(notebook_dir: Path) -> list[str]:
    """The ``.ipynb`` names (without suffix) in a folder, sorted."""
    return sorted(p.stem for p in Path(notebook_dir).glob("*.ipynb") if not p.name.startswith("."))


def default_notebooks(notebook_dir: Path = NOTEBOOK_DIR) -> list[str]:
    """Every notebook with a parameter spec that exists in the folder: the ``--all`` set."""
    present = set(available_notebooks(notebook_dir))
    return [name for name in NOTEBOOKS if name in present]


def resolve_notebook(name: str, notebook_dir: Path = NOTEBOOK_DIR) -> tuple[str, Path]:
    """``(name, path)`` for a notebook given as a name, a unique prefix such as ``01``, or a file path."""
    text = str(name)
    if text.endswith(".ipynb") or os.sep in text or "/" in text:
        path = Path(text).expanduser()
        if not path.is_file():
            raise ParameterError(f"notebook file {shown(text)} does not exist")
        return path.stem, path.resolve()
    names = available_notebooks(notebook_dir)
    if text in names:
        return text, (Path(notebook_dir) / f"{text}.ipynb").resolve()
    matches = [n for n in names if n.startswith(text)]
    if len(matches) == 1:
        return matches[0], (Path(notebook_dir) / f"{matches[0]}.ipynb").resolve()
    options = ", ".join(matches if matches else names) or "(none found)"
    problem = "matches several notebooks" if matches else "is not a notebook"
    raise ParameterError(f"{shown(text)} {problem}; choose one of: {options}")


def as_text(value: Any) -> str:
    """A parameter value from a params file as the text it stands for: YAML scalars are read as the
    text written (see :class:`_ParamFileLoader`), and a list such as ``[IV, oral]`` is 'IV,oral'."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    return shown(value)


def _pairs(values: Any) -> list[tuple[str, str]]:
    """A parameter mapping's (name, text) pairs, repeats kept (the verdict refuses them)."""
    items = getattr(values, "pairs", None)
    items = items if items is not None else list(values.items())
    return [(str(k), as_text(v)) for k, v in items]


def _check(notebook: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Validated parameters (defaults filled in) from text pairs; notebooks without a spec take none."""
    if notebook not in NOTEBOOKS:
        if pairs:
            unknown = sorted({n for n, _ in pairs})
            names = ", ".join(shown(name) for name in unknown[:MAX_LISTED])
            more = f" and {len(unknown) - MAX_LISTED:,} more" if len(unknown) > MAX_LISTED else ""
            raise ParameterError(
                f"notebook {notebook}: unknown parameter(s) {names}{more}; "
                "valid: (none: this notebook has no parameter declarations in helpers/params/notebooks.py)"
            )
        return {}
    return read(notebook, pairs).raise_if_refused()


def plan_runs(
    notebooks: Sequence[str] | None = None,
    param_sets: Mapping[str, Mapping[str, Mapping[str, Any] | None]] | None = None,
    out_dir: str | Path = DEFAULT_OUT,
    *,
    overrides: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
    notebook_dir: str | Path = NOTEBOOK_DIR,
    formats: Sequence[str] = ("html",),
    show_code: bool = False,
    timeout: int | None = None,
    size: tuple[int, int] | None = None,
) -> list[RunTask]:
    """Every run, validated, before anything executes; raises ParameterError or OutputPathError.

    ``param_sets`` maps a set name to ``{notebook: {parameter: value}}`` (the
    ``--params-file`` format); each set runs the notebooks it names, limited to
    ``notebooks`` when those are given. Without sets every chosen notebook runs
    once with its defaults. ``overrides`` (``-p`` name/text pairs) apply on top, to each
    notebook that takes that parameter (to the one notebook, unknown names included, when one
    runs). Every value is text read by ``helpers.params.read``: one verdict on every surface.
    ``formats`` adds slide images ("png", "svg") to the HTML report, which every run writes;
    ``size`` is their (width, height) in pixels (default 1920 x 1080), only with those formats.
    All problems are collected into one error so a teacher fixes them in one go.
    """
    notebook_dir = Path(notebook_dir)
    errors: list[str] = []
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1):
        errors.append(timeout_message(timeout))
    bad_formats = sorted(set(formats) - set(FORMATS))
    if bad_formats:
        errors.append(f"unknown format(s) {', '.join(bad_formats)}; choose from: {', '.join(FORMATS)}")
    if size is not None and not size_ok(size):
        errors.append(size_message("x".join(map(str, size)) if isinstance(size, (tuple, list)) else size))
    elif size is not None and not set(formats) & {"png", "svg"}:
        errors.append("--size sets the size of slide images: give it with --format png or --format svg")

    chosen: dict[str, Path] = {}
    given: dict[str, str] = {}  # resolved name -> the argument that named it first
    for name in notebooks if notebooks else default_notebooks(notebook_dir):
        try:
            resolved, path = resolve_notebook(name, notebook_dir)
        except ParameterError as error:
            errors.append(str(error))
            continue
        if resolved in given:
            same = "the same notebook" if chosen[resolved] == path else f"two notebooks called {resolved}"
            errors.append(
                f"notebook arguments {shown(given[resolved])} and {shown(name)} both name {resolved} "
                f"({same}); their reports would share files. Give each notebook once"
            )
            continue
        given[resolved], chosen[resolved] = str(name), path

    runs: list[tuple[str, str, dict[str, Any]]] = []  # (set name, notebook, values)
    sources = dict(chosen)
    if param_sets is None:
        runs = [(DEFAULT_SET, nb, []) for nb in chosen]
    else:
        if not isinstance(param_sets, Mapping) or not param_sets:
            errors.append("the parameter file holds no parameter sets; see reports.example.yaml")
            param_sets = {}
        for set_name, entries in param_sets.items():
            if not isinstance(entries, Mapping):
                errors.append(f"parameter set {shown(set_name)} must map notebook names to parameters")
                continue
            for key, values in entries.items():
                try:
                    resolved, path = resolve_notebook(str(key), notebook_dir)
                except ParameterError as error:
                    errors.append(f"parameter set {shown(set_name)}: {error}")
                    continue
                values = {} if values in (None, "") else values
                if not isinstance(values, Mapping):
                    errors.append(
                        f"parameter set {shown(set_name)}, notebook {resolved}: parameters must be name: value"
                    )
                    continue
                if notebooks and resolved not in chosen:
                    continue
                sources.setdefault(resolved, path)
                runs.append((str(set_name), resolved, _pairs(values or {})))

    cli = [(str(k), str(v)) for k, v in (overrides.items() if isinstance(overrides, Mapping) else overrides or ())]
    takes = {nb: [p.name for p in NOTEBOOKS.get(nb, ())] for _, nb, _ in runs}  # declaration order
    single = len(takes) == 1  # one notebook: its own verdict names unknown and repeated parameters
    unknown = [] if single else [n for n in dict.fromkeys(n for n, _ in cli) if not any(n in p for p in takes.values())]
    if unknown:  # one entry, names capped: 10,000 unknown names print one short message, not 10,000 listings
        names = ", ".join(shown(name) for name in unknown[:MAX_LISTED])
        more = f" and {len(unknown) - MAX_LISTED:,} more" if len(unknown) > MAX_LISTED else ""
        offered = {nb: ", ".join(params) or "(none: it takes no parameters)" for nb, params in takes.items()}
        if len(offered) == 1:
            [(nb, valid)] = offered.items()
            errors.append(f"notebook {nb}: unknown parameter {names}{more}; valid: {valid}")
        else:
            listing = "".join(f"\n  {nb}: {valid}" for nb, valid in list(offered.items())[:MAX_LISTED])
            if len(offered) > MAX_LISTED:
                listing += f"\n  ... and {len(offered) - MAX_LISTED} more notebooks"
            them = "it" if len(unknown) == 1 else "them"
            errors.append(
                f"unknown parameter{'s' if len(unknown) > 1 else ''} {names}{more}: no chosen notebook takes {them}. "
                f"Valid:{listing}"
            )

    tasks: list[RunTask] = []
    seen: dict[str, tuple[str, str]] = {}
    for set_name, nb, values in runs:
        applied = [(k, v) for k, v in cli if single or k in takes[nb]]
        overridden = {k for k, _ in applied}
        try:
            checked = _check(nb, [(k, v) for k, v in values if k not in overridden] + applied)
        except ParameterError as error:
            where = "" if set_name == DEFAULT_SET else f"parameter set {shown(set_name)}, "
            errors.append("\n".join(f"{where}{line}" for line in str(error).splitlines()))
            continue
        label = set_name
        if applied:  # readable: 01_response_rates__condition-fibromyalgia (issue 19), a set's name kept in front
            named = readable_label({k: checked[k] for k in dict.fromkeys(k for k, _ in applied)})
            label = named if param_sets is None else f"{safe_name(set_name)}__{named}"
        run_name = f"{safe_name(nb)}__{label if applied else safe_name(label)}"
        if run_name in seen:
            if seen[run_name] == (nb, set_name) and param_sets is not None:
                errors.append(f"parameter set {shown(set_name)} lists notebook {nb} twice")
            elif seen[run_name] != (nb, set_name):
                errors.append(
                    f"parameter sets {shown(seen[run_name][1])} and {shown(set_name)} would write the same files"
                )
            continue
        seen[run_name] = (nb, set_name)
        tasks.append(
            RunTask(
                nb,
                str(sources[nb]),
                label,
                run_name,
                checked,
                str(out_dir),
                tuple(dict.fromkeys(("html", *formats))),  # the HTML report always; images come in addition
                show_code,
                timeout,
                tuple(size or DEFAULT_SIZE),
            )
        )

    if not errors and not tasks:
        errors.append("nothing to run: no chosen notebook appears in the chosen parameter sets")
    if errors:
        raise ParameterError("\n".join(bounded(errors)))  # 10,000 unknown names print 11 entries
    out = check_out_dir(out_dir, [Path(s) for s in sources.values()], notebook_dir)
    from helpers.run.isolation import known_digest

    batch = tuple(task.run_name for task in tasks)
    return [  # absolute out_dir: workers run elsewhere
        _replace(task, out_dir=str(out), batch=batch, warm_digest=known_digest(task.source)) for task in tasks
    ]


# --- parameter files ---------------------------------------------------------------------------
