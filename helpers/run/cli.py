"""Headless report runs: every notebook executed with papermill into offline HTML.

``python -m helpers.run.cli`` (or ``make report``) runs the notebooks, each with
one or more named parameter sets, and writes for every run the executed
notebook and a self-contained HTML report into ``reports/``. The HTML needs no
kernel and no network: charts are drawn by the Vega bundle from vl-convert,
included once per file. ``--format png`` and ``--format svg`` add slide images of
every chart (``<out>/<run>/chart-N.png|svg``) to the HTML report, never instead of it;
an image prints its sources and the educational-use note under the chart, since
nobody can hover or click a slide, and names the run's filter in its title. Slides are
1920 x 1080 pixels (16:9, for a projector) unless ``--size WxH`` says otherwise.

Examples::

    python -m helpers.run.cli --all
    python -m helpers.run.cli --list                       # notebooks, parameters, accepted values
    python -m helpers.run.cli 01 -p condition fibromyalgia
    python -m helpers.run.cli --params-file reports.example.yaml --set fibromyalgia_handout
    python -m helpers.run.cli 02 03 --jobs 2 --format png --out handouts/    # HTML and slide images
    python -m helpers.run.cli 06 --format png --size 1024x768                 # slides for a 4:3 projector

The parts live in three modules, all importable from here: ``helpers.run.plan``
(what runs, checked before anything runs), ``helpers.run.execute`` and ``helpers.run.pool``
(executing on warm kernels, stopping cleanly on SIGINT/SIGTERM); this module keeps
the HTML report and the command line.

Why it is built this way:

- every parameter is checked against ``helpers.params.declare`` *before* anything runs,
  because papermill only warns about unknown names and a typo would otherwise
  give a report of the defaults;
- the kernel runs with ``KETAMINE_REPORT=1``, so explorers display static
  Vega-Lite specs and tables instead of widgets that need a live kernel;
- each file is written to a temporary name and renamed when complete, so a
  failed re-run never leaves a half-written report over a good one;
- a failing notebook never stops the others; its partial notebook is kept as
  ``<run>.FAILED.ipynb`` and the summary names the failing cell;
- a batch reuses ``--jobs`` warm kernels (the imports are paid once per kernel, and the
  user namespace is emptied between notebooks); ``--fresh-kernels`` starts a new
  kernel per notebook;
- SIGTERM, SIGHUP or Ctrl-C stops every worker and kernel at once, writes nothing after the
  signal and prints what had completed.

Exit status: 0 when every run succeeded, 1 when any run failed, 2 when the
command line, a parameter or the output folder is wrong (nothing has run),
and after a signal 128 + its number: 129 after SIGHUP (the terminal closed),
130 after Ctrl-C (SIGINT) and 143 after SIGTERM. Each prints what had completed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence

from helpers.params import NOTEBOOKS, ParameterError
from helpers.run.execute import interrupted_summary, job_limit, run_tasks, summary
from helpers.run.paramfile import load_param_file
from helpers.run.plan import (
    DEFAULT_OUT,
    FORMATS,
    OutputPathError,
    default_notebooks,
    parse_size,
    plan_runs,
    timeout_message,
)
from helpers.run.pool import RunInterrupted

# --- command line -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.report",
        description="Run the notebooks headlessly into offline HTML reports (educational use only).",
        epilog="Examples: --all | 01 -p condition fibromyalgia | --params-file reports.example.yaml --set "
        "fibromyalgia_handout | 02 --format png --out handouts/",
    )
    parser.add_argument("notebooks", nargs="*", help="notebook names, prefixes (01) or .ipynb paths; default: all")
    parser.add_argument("--all", action="store_true", help="run every notebook (the default)")
    parser.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help=(
            "set a parameter for every chosen notebook that takes it; the value is read as text "
            "(decimal numbers: 070 is 70; true/false; a choice as listed by --list)"
        ),
    )
    parser.add_argument("--params-file", help="YAML file of named parameter sets: {set: {notebook: {name: value}}}")
    parser.add_argument("--set", action="append", dest="sets", metavar="NAME", help="run only this set (repeatable)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: reports/)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="parallel runs, each on its own kernel (default and maximum: the CPU count, and free memory / 200 MB)",
    )
    parser.add_argument(
        "--format",
        action="append",
        dest="formats",
        choices=FORMATS,
        help="png or svg (repeatable): slide images of every chart in <out>/<run>/chart-N.png|svg, "
        "in addition to the HTML report, which is always written (html is accepted and adds nothing)",
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        help="pixels of each slide image (with --format png/svg), landscape, e.g. 1280x720; default: 1920x1080 (16:9)",
    )
    parser.add_argument("--show-code", action="store_true", help="include code cells in the HTML")
    parser.add_argument(
        "--timeout",
        type=int,
        default=None,
        help="seconds (at least 1) allowed per cell and per reset between notebooks (default: no limit)",
    )
    parser.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="a new kernel for every notebook (full isolation; slower) instead of reusing warm kernels",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--list", action="store_true", help="list the notebooks and their parameters, run nothing")
    return parser


def describe_parameters(notebooks: Iterable[str]) -> str:
    """Each notebook's parameters with default and accepted values, from their declarations (``--list``)."""
    lines = []
    for name in notebooks:
        lines.append(name)
        declared = NOTEBOOKS.get(name)
        for p in declared or ():
            lines.append(f"  {p.name} (default {p.default!r}): {p.help}; {p.accepts()}")
        for rule in getattr(declared, "rules", ()):
            lines.append(f"  rule: {rule.ok}")
        if not declared:
            lines.append("  (no parameters)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status: 0 ok, 1 a run failed, 2 bad input (nothing ran), 130/143 stopped."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C before the runs started (while checking): nothing ran
        print("Interrupted before anything ran.", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.all and args.notebooks:
        parser.error("give notebook names or --all, not both")
    if args.sets and not args.params_file:
        parser.error("--set needs --params-file")
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.timeout is not None and args.timeout < 1:  # 0 or -1 would mean "no limit" to nbclient
        parser.error(timeout_message(args.timeout))
    size = None
    if args.size is not None:
        try:
            size = parse_size(args.size)
        except ValueError as error:
            parser.error(str(error))
    if args.list:
        print(describe_parameters(default_notebooks()))
        return 0
    overrides = [(name, value) for name, value in args.param]
    try:
        sets = load_param_file(args.params_file, args.sets) if args.params_file else None
        tasks = plan_runs(
            args.notebooks or None,
            sets,
            args.out,
            overrides=overrides,
            formats=args.formats or ("html",),
            show_code=args.show_code,
            timeout=args.timeout,
            size=size,
        )
    except (ParameterError, OutputPathError) as error:
        print(f"Nothing was run.\n{error}", file=sys.stderr)
        return 2
    jobs, lowered = job_limit(args.jobs)
    if lowered:
        print(lowered, file=sys.stderr)
    try:
        results = run_tasks(tasks, jobs, progress=not args.quiet, fresh_kernels=args.fresh_kernels)
    except RunInterrupted as stop:
        print(interrupted_summary(stop))
        return stop.exit_status
    print(summary(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
