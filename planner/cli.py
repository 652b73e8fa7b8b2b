"""Command line: ``planner solve INPUT [INPUT ...] [--out DIR] [--solver highs|cbc] [--time-limit S]
[--integer [--gap G]] [--power-step MW] [--jobs N] [--warm-start] [--outputs LIST|none] [--solver-log]
[--baseline INPUT] [--resume]``, ``planner vary INPUT --out DIR [--power PCTS] [--fleet PCTS] [--demand PCTS]
[--delay PERIODS] [--periods NAMES] [--gpus NAMES] [--services NAMES]``, ``planner size INPUT [--json]`` and
``planner template OUT.xlsx [--force]``.

Exit codes: 0 success, 1 internal error, 2 bad input or a report that cannot be written (a write failure), 3
solver failure or limit reached without a feasible plan, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
Given several inputs (a sweep), every scenario is solved even when one fails, and the exit code is that of the
first that failed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import json
import math
import multiprocessing
import os
import shlex
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import planner
from planner.files import digest, file_in_path, set_aside_name, signals_held
from planner.model import build_model
from planner.report import (OUTPUTS, REPORT_FILES, ReportFolderError, chosen_outputs, json_records, main_file,
                            report_folder_problem, write_outputs)
from planner.results import Results, collect, holds_nothing
from planner.schema import CEILINGS
from planner.sizing import pair_table, size
from planner.solve import DEFAULT_MIP_GAP, SOLVERS, SolveError, WarmStart, solve
from planner.spelling import periods_in_runs, precision_apart, printable, significant
from planner.svg import decimals_apart, percent_text, thousands
from planner.sweep import ROW_FIELDS, SWEEP_FILES, failed_row, readable, score_lines, solved_row, write_sweep
from planner.variants import AS_IS, DELAY, SCALED, WITHIN, delays, percentages, write_variants
from planner.workbook import InputError, read_scenario, write_template

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_SOLVER = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # as shells report Ctrl-C
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled, ``docker stop``), which stops the planner as Ctrl-C does: a sweep's
    workers stop too, and its summary says what was left unsolved."""


def _terminate(signum, frame):
    raise Terminated


@dataclass(frozen=True)
class SolveOptions:
    """The ``planner solve`` options that apply to every scenario of a call."""

    solver: str = "highs"
    time_limit: float | None = None  # seconds
    integer: bool = False
    gap: float = DEFAULT_MIP_GAP  # relative; a mixed-integer solve stops once proven this close
    debug: bool = False
    outputs: tuple[str, ...] = tuple(OUTPUTS)  # which of the report's files to write; none: a sweep's summary alone
    solver_log: bool = False  # the solver's own log shown on standard error as it solves
    power_step_mw: float | None = None  # what this much budget more and less is worth per period, worked out
    warm_start: bool = False  # each LP (or relaxation) started from the last one's optimal basis, where it fits

    def recorded(self) -> dict:
        """What of these options a plan and its report depend on, as a sweep's row keeps it (not ``warm_start``: a
        plan from a basis is as optimal), and the planner's version: ``--resume`` keeps the rows solved with the
        same."""
        return {"solver": self.solver, "time_limit_s": self.time_limit, "integer": self.integer,
                "gap_limit": self.gap if self.integer else None, "power_step_mw": self.power_step_mw,
                "outputs": list(self.outputs), "planner_version": planner.__version__}


def run(source: Path, out_dir: Path | None = None, options: SolveOptions = SolveOptions()) -> tuple[Results, Path]:
    """The whole pipeline: read, size, build, solve, collect, report. Returns the results and the path
    of the report's main file (the HTML, unless ``options.outputs`` leaves it out)."""
    results = plan(source, options)
    return results, write_outputs(results, out_dir or Path("reports") / _stem(source), options.outputs)


def plan(source: Path, options: SolveOptions, warm: WarmStart | None = None) -> Results:
    """The pipeline up to the report: read, size, build, solve, collect. ``warm``: the basis kept from the
    last LP solved (see :class:`WarmStart`), to start from and to leave this one's in, pending."""
    scenario = read_scenario(source)
    sizing = size(scenario)
    model = build_model(scenario, sizing, options.integer)
    if options.solver_log:  # a sweep's logs follow one another: each says whose it is
        _print([f"{source}: solving with {options.solver}"], sys.stderr)
    solution = solve(model, solver=options.solver, time_limit=options.time_limit, msg=options.solver_log,
                     gap=options.gap, power_step_mw=options.power_step_mw, warm=warm)
    return collect(scenario, sizing, model, solution)


def _stem(source: Path) -> str:
    """The name of an input's report folder: a workbook's name, or the CSV folder's as given (a link's
    own name, as for a workbook), or for '.' and '..' the folder they stand for. A source that cannot be
    reached counts as a workbook, and reading it says why (Path.is_dir would raise there on Python 3.12). A
    workbook whose name without its suffix is '.' or '..' ('..xlsx') keeps its suffix: the folder would be the
    one that holds every report, or the one above it."""
    if not os.path.isdir(source):
        return source.stem if source.stem not in (".", "..") else source.name
    return source.name if source.name not in ("", "..") else (source.resolve().name or "scenario")


SUMMARY_LINES = 8  # per list on the terminal; the report has them all


def _first_lines(lines: list[str], in_report: bool = True) -> list[str]:
    """The first :data:`SUMMARY_LINES` of ``lines``, indented, and a count of the rest (which the report holds, where
    one is written)."""
    shown = [f"  {line}" for line in lines[:SUMMARY_LINES]]
    if len(lines) > SUMMARY_LINES:
        shown.append(f"  ... and {len(lines) - SUMMARY_LINES} more{' (see the report)' if in_report else ''}")
    return shown


def _alike_in_periods(said: list[tuple[str, str, str]], periods: list[str]) -> list[str]:
    """Lines ``what in period: how`` of ``said`` (what, period, how), in their order; lines alike but for their
    period are one, naming its periods in the horizon's order: 30 months where power binds at one price are a line,
    not eight lines told apart by their month alone and 22 more out of sight."""
    alike: dict[tuple[str, str], set[str]] = {}
    for what, period, how in said:
        alike.setdefault((what, how), set()).add(period)
    return [f"{what} in {periods_in_runs(periods, [p in named for p in periods])}: {how}"
            for (what, how), named in alike.items()]


def _reach(holds: float, amount: float, unit: str) -> str:
    """How far a price of a limit on ``amount`` holds, for a sentence that states it: ``holds`` more of ``unit``."""
    if math.isnan(holds):
        return ""
    if holds_nothing(holds, amount):
        return f" at this point only: it holds for no more {unit}, another limit being reached there too"
    return f", for at least the next {thousands(holds)} {unit}"


def _summary(results: Results, source: Path, report: Path | None) -> list[str]:
    """The terminal summary of one solved scenario: score, what is cut, where power and GPUs bind. It starts with
    the input as well as the site's name, which a sweep's variants of one workbook share."""
    def first(lines: list[str]) -> list[str]:
        return _first_lines(lines, in_report=report is not None)

    decimals = decimals_apart(results.gap, results.gap_limit, 3)  # a gap above its limit never reads as it
    gap = ("" if results.gap == 0 else ", gap unknown" if math.isnan(results.gap)
           else f", gap {percent_text(100 * results.gap, decimals)}")
    if results.gap_limit is not None:
        allowed = 100 * results.gap_limit  # in 3 significant figures, or as many as keep 99.9999 from reading 100
        limit = (significant(allowed, precision_apart(allowed, 100.0, significant, range(3, 10))) + "%" if decimals == 3
                 else percent_text(allowed, decimals))
        gap += f", stops within {limit}"
    warm = "" if results.warm_started_from is None else f", from the optimal basis of {results.warm_started_from}"
    lines = [f"{results.scenario} ({source}): {results.status} ({results.solver}, {results.solve_seconds:.2f} s{gap}"
             f"{warm})"]
    if results.status != "optimal":
        lines.append("  the solver stopped early: this plan is feasible but not proven optimal")
    lines.append(f"  score {results.objective:.4f} of {results.score_possible():.4f} "
                 "(priority-weighted served share)")
    short = results.short_workloads()
    if short.empty:
        lines.append("  every workload fully served")
    lines += first([
        f"not fully served: {row.workload} ({row.kind}) at {percent_text(100 * row.served_fraction, 2)} of "
        + ("its FLOPs by its deadline" if row.kind == "training" else "its peak demand")
        for row in short.itertuples()
    ])
    binding = results.binding_power()
    if not results.priced():
        lines.append("  no shadow prices: the solver stopped before the optimum, so what binds is not known")
    elif results.prices_from_relaxation():
        lines.append("  what binds, and its prices" + (" and power steps" if results.power_step_mw else "")
                     + f", are those of the plan with {results.relaxed_as()}")
        if results.relaxation_apart():
            relaxed = results.relaxation_score()
            lines.append(f"  which scores {relaxed:.4f}: {results.held_by()} cost "
                         f"this plan {relaxed - results.objective:.4f} points, so more power or "
                         "GPUs may serve more here than its prices say")
    elif binding.empty:
        lines.append("  power does not bind in any period")
    # a price per MW holds only so far (often less than a whole MW): stated per MW, with its reach
    periods = results.periods["period"].tolist()
    lines += first(_alike_in_periods([
        ("power binds", row.period, f"{thousands(row.power_mw_used)} of {thousands(row.power_mw_budget)} MW; "
         f"worth {row.power_shadow_price:.4g} score per MW more"
         + _reach(row.power_price_holds_mw, row.power_mw_budget, "MW")
         + (f"; GPUs left unused draw {thousands(row.power_mw_idle_unused)} MW of it idle" if held else ""))
        for row, held in zip(binding.itertuples(), results.idle_holds_power()[binding.index])
    ], periods))
    if results.priced() and results.gap_limit is None:  # a price of 0 there says what a MW more is worth, not less
        lines += first(_alike_in_periods([
            ("power used in full", row.period, f"{thousands(row.power_mw_used)} of {thousands(row.power_mw_budget)} "
             "MW, but a MW more would serve nothing more; fewer may cost score"
             + (" (--power-step MW works out how much; a step over "
                f"{thousands(row.power_mw_budget - row.power_mw_idle)} MW would leave less than the idle draw)"
                if results.power_step_mw is None else ""))
            for row in results.full_power().itertuples()
        ], periods))
    # GPUs, not power, can be what cuts work short: a price per GPU net of its idle draw
    lines += first(_alike_in_periods([
        (f"{row.gpu} binds", row.period, f"{thousands(row.gpus_in_use)} of {thousands(row.installed)} GPUs in use; "
         f"worth {row.fleet_shadow_price:.4g} score per GPU more"
         + _reach(row.fleet_price_holds_gpus, row.installed, "GPUs"))
        for row in results.binding_fleet().itertuples()
    ], periods))
    lines += first(_power_steps(results))
    return lines if report is None else [*lines, f"report: {report}"]


def _power_steps(results: Results) -> list[str]:
    """What ``--power-step`` MW more and fewer are worth: in every period at once, then in each period alone where
    either is worth something."""
    if results.power_step_mw is None:
        return []
    step = f"{thousands(results.power_step_mw)} MW"
    periods = results.periods
    if not results.power_steps_worked_out():
        return [f"what {step} more or fewer is worth is not worked out: {results.why_no_power_steps()}"]

    def worth(where: str, up: float, down: float, no_plan: str) -> str:
        less = (f"{step} less {no_plan}" if no_plan else
                f"{step} less: not worked out (no time left)" if math.isnan(down) else f"{step} less loses {down:.4g}")
        more = ("not worked out (no time left)" if math.isnan(up) else "gains nothing" if up == 0 else
                f"gains {up:.4g} score")
        return f"{step} more power {where} {more}; {less}"

    def why_no_plan(row, why: str) -> str:
        if why == "budget":
            return f"is more than the whole budget ({thousands(row.power_mw_budget)} MW)"
        if why == "idle_draw":
            left, idle = _told_apart(row.power_mw_budget - results.power_step_mw, row.power_mw_idle)
            return f"would leave {left} MW, under what the installed fleet draws idle ({idle} MW)"
        return ""

    lines = [worth(f"in {row.period}", row.power_step_up_points, row.power_step_down_points, why_no_plan(row, why))
             for row, why in zip(periods.itertuples(), results.no_plan_with_less_power())
             if row.power_step_up_points != 0 or row.power_step_down_points != 0]
    # first, as the terminal shows so many lines: a contract for the whole horizon
    up, down = results.horizon_power_steps()
    if not lines and up == 0 and down == 0:
        return [f"{step} more or fewer power is worth nothing in any period: each budget has that much spare"]
    onward = {"budget": "is more than some period's whole budget",
              "idle_draw": "would leave some period under what its installed fleet draws idle", "": ""}
    return [worth("in every period", up, down, onward[results.no_plan_with_less_power(onward=True).iloc[0]])] + lines


def _told_apart(less: float, more: float) -> tuple[str, str]:
    """Two figures, ``less`` below ``more``, as :func:`thousands` writes them, or with the decimals it takes (up
    to 3) for them not to read the same."""
    decimals = precision_apart(less, more, _with_decimals, range(4))
    return _with_decimals(less, decimals), _with_decimals(more, decimals)


def _with_decimals(figure: float, decimals: int) -> str:
    return f"{figure:,.{decimals}f}" if decimals else thousands(figure)


# why a scenario has no plan (its sweep row's status), with its exit code: a report that cannot be written (a full
# disk, a folder that is not a report's) exits as bad input does, but its row and the tally say the input was fine
FAILURES = {"bad input": EXIT_INPUT, "write failure": EXIT_INPUT, "solver failure": EXIT_SOLVER,
            "internal error": EXIT_INTERNAL}


@dataclass
class Outcome:
    """What solving one scenario printed (``out`` to stdout, ``err`` to stderr), its exit code,
    and its row of a sweep's summary."""

    code: int
    row: dict
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)


# how far a scenario got (see Progress); WRITING: solved, its report not yet in place
QUEUED, SOLVING, WRITING = "queued", "solving", "writing"


@dataclass
class Progress:
    """How far one scenario got, so that a sweep stopped at any moment says truthfully what became of
    it: its ``stage``, and its ``outcome`` once known (a solved scenario's in one step with its report
    landing: never a report written for a scenario counted as stopped)."""

    stage: str = QUEUED
    outcome: Outcome | None = None

    def record(self, outcome: Outcome) -> None:
        self.outcome = outcome


def solve_one(source: Path, out_dir: Path | None, options: SolveOptions, progress: Progress | None = None,
              warm: WarmStart | None = None) -> Outcome:
    """Solve one scenario and write its outputs (none without ``out_dir``: a sweep's row alone), following it in
    ``progress``, from and into ``warm`` (see :func:`plan`); never raises but on Ctrl-C (a sweep goes on past a bad
    scenario)."""
    progress = progress or Progress()
    progress.stage = SOLVING
    try:
        fingerprint = digest(source)  # before reading: a file changed meanwhile is not kept by --resume as solved
        results = plan(source, options, warm)
        progress.stage = WRITING
        report = None if out_dir is None else main_file(out_dir, options.outputs)
        row = solved_row(source, results, report, fingerprint, options.recorded())
        # warnings on standard error, as for `planner size`: a script keeping 2> has them all
        solved = Outcome(EXIT_OK, row, out=_summary(results, source, report),
                         err=[f"warning: {warning}" for warning in results.warnings])
        if out_dir is None:
            progress.record(solved)
        else:
            def landed() -> None:  # the report as written, by which --resume knows it
                solved.row["report_sha256"] = digest(out_dir, _report_file)
                progress.record(solved)

            write_outputs(results, out_dir, options.outputs, landed=landed)
        if warm is not None:  # a plan written: the next may start from its basis
            warm.commit()
    except InputError as error:
        progress.record(_failed(source, "bad input", str(error)))
    except ReportFolderError as error:
        progress.record(_failed(source, "write failure", str(error)))
    except SolveError as error:
        progress.record(_failed(source, "solver failure", f"{source}: {error}"))
    except Exception as error:  # the last line of defence: one line, not a traceback
        why = f"{source}: {type(error).__name__}: {error}"
        progress.record(_failed(source, "internal error", why, traceback.format_exc().rstrip() if options.debug
                                else f"internal error: {why} (rerun with --debug for the traceback)"))
    return progress.outcome


def _failed(source: Path, status: str, why: str, shown: str | None = None) -> Outcome:
    """A scenario without a plan: ``status`` (a key of :data:`FAILURES`, which gives the exit code) and ``why`` in
    its summary row, and ``shown`` (default 'error: why') on stderr."""
    return Outcome(FAILURES[status], failed_row(source, status, why), err=[shown or f"error: {why}"])


def _out_dirs(sources: list[Path], out: Path | None, reports: bool = True) -> list[Path | None]:
    """One output folder per input: ``--out`` itself for a single input, else ``<--out or reports>/<name>``;
    refused if one could not take its report (see :func:`report_folder_problem`). Without ``reports`` (a sweep's
    summary alone), None each, the sweep's folder checked alone."""
    if len(sources) == 1:
        folders = [out or Path("reports") / _stem(sources[0])]
    elif not reports:  # no folder to share: an input given twice is refused still
        paths = [os.path.realpath(source) for source in sources]  # Path.resolve raises on links in a loop
        if twice := [_clash([s for s, p in zip(sources, paths) if p == path])
                     for path, count in Counter(paths).items() if count > 1]:
            raise InputError(twice)
        _sweep_folder_problems(out or Path("reports"))
        return [None] * len(sources)
    else:
        # folders whose names differ only in case are one on macOS and Windows disks (and once copied there)
        names = Counter(_stem(source).casefold() for source in sources)
        clashes = sorted(name for name, count in names.items() if count > 1)
        if clashes:
            raise InputError([_clash([s for s in sources if _stem(s).casefold() == name]) for name in clashes])
        summaries = [source for source in sources if _stem(source).casefold() in SWEEP_FILES]
        if summaries:
            raise InputError([f"{source}: its report folder would take the name of the sweep's summary, "
                              f"'{_stem(source)}'; rename it" for source in summaries])
        aside = {set_aside_name(_stem(source)).casefold() for source in sources}  # where a report's earlier one waits
        if kept_aside := [source for source in sources if _stem(source).casefold() in aside]:
            raise InputError([f"{source}: its report folder would take the name '{_stem(source)}', under which "
                              "another input's earlier report is kept while the new one replaces it; rename it"
                              for source in kept_aside])
        root = out or Path("reports")
        _sweep_folder_problems(root)
        folders = [root / _stem(source) for source in sources]
    problems = [problem for folder in folders if (problem := report_folder_problem(folder)) is not None]
    first_in = {folder.parent: folder for folder in reversed(folders)}  # one check per parent, named by its first
    problems += [problem for folder in first_in.values() if (problem := _unwritable(folder)) is not None]
    if problems:  # before anything is solved
        raise InputError(problems)
    return folders


def _sweep_folder_problems(root: Path) -> None:
    """Refuse a sweep whose summary could not be written into ``root``."""
    if (blocking := file_in_path(root)) is not None:
        raise InputError([f"{root}: cannot write the sweep there: {blocking} is a file, not a folder"])
    if folders := [root / name for name in SWEEP_FILES if (root / name).is_dir()]:
        raise InputError([f"{folder}: cannot write the sweep's summary there: it is a folder, not a file"
                          for folder in folders])


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError([f"{folder}: cannot make the folder ({error.strerror or error})"]) from None


def _clash(sources: list[Path]) -> str:
    """Why ``sources``, which would share a report folder (their names the same, or the same but for
    case, as a disk that ignores case sees them), are refused: one input given more than once is
    named as such, since renaming it would not help."""
    shown = ", ".join(map(str, sources))
    if len({os.path.realpath(source) for source in sources}) == 1:  # Path.resolve raises on links in a loop
        return f"{shown}: the same input is given more than once; give it once"
    names = list(dict.fromkeys(_stem(source) for source in sources))
    if len(names) == 1:
        return f"{shown}: these inputs would share the report folder '{names[0]}'; rename one"
    return (f"{shown}: these inputs would share a report folder on a disk that ignores case (macOS, Windows), "
            f"as {' and '.join("'" + name + "'" for name in names)}; rename one")


def _unwritable(folder: Path) -> str | None:
    """Why the report folder ``folder`` cannot be made (None if it can), found by making and removing a
    folder beside it, or in the nearest of its parents that exists: nothing is left behind."""
    existing = next(part for part in (*folder.parents, folder.parent) if part.is_dir())  # '.' is its own parent
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".planner-check-", dir=existing))
    except OSError as error:
        why = error.strerror or error
        return f"{folder}: cannot write the report there: cannot make a folder in {existing} ({why})"
    return None


def _baseline(sources: list[Path], baseline: Path | None) -> int | None:
    """Which of a sweep's ``sources`` is its ``--baseline`` (None where none is given): the input given by that
    path, or else the one that is the same file or folder; refused where it is none of them, or several, or there is
    no sweep."""
    if baseline is None:
        return None
    if len(sources) == 1:
        raise InputError(["--baseline names the input a sweep tells the others' changes against: give several inputs"])
    # as given first: a link given as an input of its own is that input, not the one it leads to
    given = [i for i, source in enumerate(sources) if source.absolute() == baseline.absolute()]
    same = given or [i for i, source in enumerate(sources) if _same_file(source, baseline)]
    if len(same) > 1:
        raise InputError([f"{baseline}: --baseline is the same file as {' and '.join(str(sources[i]) for i in same)}; "
                          "give one of them as it is given among the inputs"])
    if not same:
        raise InputError([f"{baseline}: --baseline must be one of the inputs, and is none of the {len(sources)} given"])
    return same[0]


def _same_file(one: Path, other: Path) -> bool:
    """Whether two paths lead to one file or folder (on a disk that ignores case, whatever their case); False where
    either cannot be looked at."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _solve_all(sources: list[Path], out: Path | None, options: SolveOptions, jobs: int, baseline: int | None,
               resume: bool = False) -> int:
    """Solve every input, ``jobs`` at a time, printing each outcome in input order; the first failure's code.
    ``baseline``: the position of the input a sweep's summary tells what changed against; ``resume``: keep the rows
    of the sweep's earlier summary that :func:`_kept` finds still hold, and solve the rest."""
    out_dirs = _out_dirs(sources, out, reports=bool(options.outputs))
    root = out or Path("reports")
    if len(sources) > 1:
        # the sweep's folder, made before any scenario: one whose report failed would take away the folders
        # it made (report.write_outputs), and so one that another worker is writing into
        _make_folder(root)
    kept = _kept(sources, out_dirs, root, options) if resume else {}
    progress = [Progress(outcome=Outcome(EXIT_OK, kept[i]) if i in kept else None) for i in range(len(sources))]
    todo = [i for i in range(len(sources)) if i not in kept]
    stopped = None
    try:
        if todo:
            _solve_into([progress[i] for i in todo], [sources[i] for i in todo], [out_dirs[i] for i in todo],
                        options, jobs)
    except KeyboardInterrupt as key:
        stopped = key  # the summary is written still: else an earlier sweep's would stand for this one
    if len(sources) > 1:
        rows = [failed_row(source, "interrupted", stopped_why(p.stage, stopped)) if p.outcome is None
                else p.outcome.row for source, p in zip(sources, progress)]
        html = write_sweep(rows, root, baseline)
    if stopped is not None:
        if len(sources) > 1:  # what was solved before the stop, and what was not, is there
            _print([f"sweep summary: {html}"], sys.stdout)
        raise stopped
    failed = [p.outcome for p in progress if p.outcome.code != EXIT_OK]
    if len(sources) > 1:
        kinds = Counter(outcome.row["status"] for outcome in failed)
        tally = [f"{len(sources) - len(failed)} solved"] + [
            f"{kinds[label]} {label}{'s' if kinds[label] > 1 else ''}" for label in FAILURES if kinds[label]]
        compared = len(sources) - len(failed) > 1  # two solved scenarios or more: there is something to compare
        passed_over = [] if baseline is None or not compared or progress[baseline].outcome.code == EXIT_OK else [
            f"--baseline {sources[baseline]} has no plan in this sweep: what changed is told against the first "
            "scenario solved"]
        _print([f"{len(sources)} scenarios: {', '.join(tally)}", *passed_over, *score_lines(rows, baseline),
                f"sweep summary: {html}"], sys.stdout)
    return failed[0].code if failed else EXIT_OK


def _kept(sources: list[Path], out_dirs: list[Path | None], root: Path, options: SolveOptions) -> dict[int, dict]:
    """With ``--resume``, the rows of the sweep's earlier summary in ``root`` (by input position) that still hold, said
    on the terminal with why the others do not: solved, from an input at the same place whose files are unchanged
    (:func:`planner.files.digest`), with the same options (:meth:`SolveOptions.recorded`), its report where this
    sweep writes it and as it was written. A summary that cannot be read is said on standard error."""
    summary = root / SWEEP_FILES[0]
    try:
        rows = json.loads(summary.read_text(encoding="utf-8"), parse_constant=_refuse)
        if not isinstance(rows, list):
            raise ValueError("not a sweep's summary, a list of rows")
    except FileNotFoundError:
        _print([f"--resume: no earlier summary ({summary}): every scenario is solved"], sys.stdout)
        return {}
    except (OSError, ValueError) as error:
        _print([f"warning: --resume cannot read {summary} ({getattr(error, 'strerror', None) or error}): every "
                "scenario is solved"], sys.stderr)
        return {}
    earlier = {os.path.realpath(row["input"]): row for row in rows if isinstance(row, dict)
               and isinstance(row.get("input"), str) and "\0" not in row["input"]}  # no path holds a NUL
    kept, why = {}, Counter()
    for i, (source, out_dir) in enumerate(zip(sources, out_dirs)):
        row = earlier.get(os.path.realpath(source))
        report = None if out_dir is None else main_file(out_dir, options.outputs)
        if (reason := _not_kept(row, source, out_dir, root, report, options)) is not None:
            why[reason] += 1
            continue
        kept[i] = {**row, "input": str(source), "report": None if report is None else str(report)}
        _print([f"{row['scenario']} ({source}): kept, as solved before (score {row['objective']:.4f} of "
                f"{row['objective_possible']:.4f})"], sys.stdout)
    _print([f"--resume: {len(kept)} of {len(sources)} scenarios kept from {summary}"
            + "".join(f"; {count} {reason}" for reason, count in why.items())], sys.stdout)
    return kept


def _not_kept(row: dict | None, source: Path, out_dir: Path | None, root: Path, report: Path | None,
              options: SolveOptions) -> str | None:
    """Why the earlier summary's ``row`` for ``source`` is not kept (see :func:`_kept`), None where it is."""
    if row is None:
        return "not in it (inputs are found there as given, from the folder it was made in)"
    if set(row) != ROW_FIELDS:
        return "whose fields are not this planner's (an earlier planner's, or edited by hand)"
    if not readable(row):
        return "whose row does not read as one (edited by hand?)"
    if row["error"] is not None:
        return "not solved there"
    if row["solve_options"] != options.recorded():
        return "solved there with other options"
    if row["input_sha256"] is None or row["input_sha256"] != digest(source):
        return "whose input changed since"
    if row["report"] != (None if report is None else Path(os.path.relpath(report, root)).as_posix()) or (
            out_dir is not None and row["report_sha256"] != digest(out_dir, _report_file)):
        return "whose report changed since, or is gone"
    return None


def _report_file(name: str) -> bool:
    return name in REPORT_FILES


def _refuse(constant: str) -> None:
    """NaN and Infinity, which Python's JSON reader takes and a sweep's summary never holds, refused."""
    raise ValueError(f"{constant} is not JSON")


# why a scenario of a stopped sweep has no new report, by how far it got; {} is what stopped the sweep
STOPPED = {
    QUEUED: "not solved: the sweep was stopped ({}) before it started",
    SOLVING: "not solved: the sweep was stopped ({}) while it was being solved",
    WRITING: "solved, but the sweep was stopped ({}) before its report was written",
}


def stopped_why(stage: str, key: KeyboardInterrupt) -> str:
    """Why a scenario stopped at ``stage`` by ``key`` (Ctrl-C or SIGTERM) has no new report."""
    return STOPPED[stage].format("SIGTERM" if isinstance(key, Terminated) else "Ctrl-C")


class Stopped(KeyboardInterrupt):
    """A scenario a sweep's worker was stopped at (see :class:`Progress`): ``stage`` is QUEUED for one it
    took after the sweep was stopped, and did not start."""

    def __init__(self, stage: str):
        super().__init__(stage)
        self.stage = stage


def _solve_into(progress: list[Progress], sources: list[Path], out_dirs: list[Path], options: SolveOptions,
                jobs: int) -> None:
    """Solve the inputs, following each in ``progress``, by position; on Ctrl-C, those with an outcome
    are printed, and the stage of the others says how far they got."""
    if jobs > 1 and len(sources) > 1:
        stopped = multiprocessing.get_context("spawn").Event()
        with contextlib.ExitStack() as pools:
            lanes = [(pools.enter_context(_workers(workers, stopped)), lane)
                     for lane, workers in _lanes(len(sources), jobs, options.warm_start)]
            futures = _handed_over(lanes, sources, out_dirs, options)
            try:
                for scenario, future, source, out_dir in zip(progress, futures, sources, out_dirs):
                    outcome = _collected(future)
                    if outcome is None:  # a worker died, and with it the pool: solved again, alone, to find which
                        outcome = _solved_alone(source, out_dir, options, stopped)
                    _show_and_record(scenario, outcome)
            except KeyboardInterrupt:
                _stop_sweep(futures, stopped)
                # scenarios finished while those before them in input order were still under way:
                # printed now, in input order (after those printed already, which came before them)
                late = {}
                for i, future in enumerate(futures):
                    if progress[i].outcome is not None or future.cancelled():  # printed, or never handed to a worker
                        continue
                    if (error := future.exception()) is None:
                        late[i] = future.result()
                    else:
                        progress[i].stage = error.stage if isinstance(error, Stopped) else SOLVING
                for i in sorted(late):
                    _show_and_record(progress[i], late[i])
                raise
    else:
        warm = WarmStart() if options.warm_start else None
        for scenario, source, out_dir in zip(progress, sources, out_dirs):
            try:
                solve_one(source, out_dir, options, scenario, warm)
            finally:  # shown even if the sweep was stopped once it had its outcome
                if scenario.outcome is not None:
                    _show(scenario.outcome)


_sweep_stopped = None  # in a sweep's worker: the event set once Ctrl-C stops the sweep
_worker_basis = WarmStart()  # in a sweep's worker: the optimal basis of the last LP it solved, with --warm-start


ORPHAN_CHECK_S = 1.0  # how often a sweep's worker checks that the sweep is still there


def _start_worker(stopped, parent: int) -> None:
    """A sweep's worker: knows the sweep's stop event, and ends itself if the sweep's process
    (``parent``, passed in since it may die while the worker starts) dies without stopping it
    (SIGKILL), rather than solve on and hold the caller's pipes open for ever."""
    global _sweep_stopped
    _sweep_stopped = stopped

    def end_if_orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_S)
        os._exit(EXIT_TERMINATED)

    threading.Thread(target=end_if_orphaned, name="sweep-watch", daemon=True).start()


def _solve_in_worker(source: Path, out_dir: Path, options: SolveOptions) -> Outcome:
    """:func:`solve_one` in a sweep's worker. Ctrl-C reaches the workers too (the terminal sends it to
    every process of the command): it interrupts the scenario under way, while between scenarios
    the worker ignores it rather than die with a traceback. A scenario handed over before the sweep
    was stopped is not started. One stopped raises :class:`Stopped`, saying how far it got, but one
    whose report landed as the key was pressed is solved."""
    progress = Progress()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # before the check: see _stop_sweep
    # SIGTERM, sent to the whole sweep (`timeout`, a cancelled CI job) or by the pool to end its workers (one of
    # them having died), stops the scenario as Ctrl-C does, its staging taken away, then ends the worker, rather
    # than kill it mid-write
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if _sweep_stopped is None or not _sweep_stopped.is_set():
            solve_one(source, out_dir, options, progress, _worker_basis if options.warm_start else None)
    except Terminated:
        os._exit(EXIT_TERMINATED)
    except KeyboardInterrupt:
        pass  # progress says how far it got
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # an idle worker holds nothing: ended at once
    if progress.outcome is None:
        raise Stopped(progress.stage)
    return progress.outcome


def _stop_sweep(futures: list[Future], stopped) -> None:
    """After Ctrl-C: drop the scenarios not started and wait for those under way, which the same key
    interrupted, to stop. A further Ctrl-C reaches their workers too (a second one quits a solver
    that does not stop, see :func:`planner.solve._run_interruptibly`), not this wait."""
    stopped.set()
    # a worker that took a scenario as the key was pressed, while it still ignored the key, is
    # interrupted now (idle ones ignore it)
    for worker in multiprocessing.active_children():
        with contextlib.suppress(ProcessLookupError):  # ended meanwhile
            os.kill(worker.pid, signal.SIGINT)
    under_way = [future for future in futures if not future.cancel()]  # (a cancelled one never counts as done)
    while True:
        try:
            wait(under_way)
            return
        except KeyboardInterrupt:
            continue


def _lanes(count: int, jobs: int, warm_start: bool) -> list[tuple[list[int], int]]:
    """The positions of the scenarios each pool of a sweep takes, and its number of workers. One pool of ``jobs``
    workers, each taking the next scenario as it comes free; with --warm-start, ``jobs`` pools of one worker, each
    taking a run of neighbours in input order, so a plan starts from the basis of the one before it, the same in
    every run of the sweep, rather than from whichever its worker happened to solve last."""
    jobs = min(jobs, count)
    if not warm_start:
        return [(list(range(count)), jobs)]
    bounds = [count * lane // jobs for lane in range(jobs + 1)]
    return [(list(range(start, end)), 1) for start, end in zip(bounds, bounds[1:])]


def _workers(count: int, stopped) -> ProcessPoolExecutor:
    """A pool of ``count`` sweep workers, spawned: a fresh interpreter each, free of this process's solver and
    BLAS threads (see :func:`_start_worker`)."""
    return ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                               initargs=(stopped, os.getpid()))


def _handed_over(lanes: list[tuple[ProcessPoolExecutor, list[int]]], sources: list[Path], out_dirs: list[Path],
                 options: SolveOptions) -> list[Future]:
    """The scenarios given to the pools' workers, each pool those at its positions (see :func:`_lanes`), as futures
    by position. The workers start as their first scenario is handed over: ignoring Ctrl-C, inherited, until
    :func:`_solve_in_worker` has a scenario under way (else a key pressed as they import kills them)."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        futures: dict[int, Future] = {}
        for pool, lane in lanes:
            futures.update((i, pool.submit(_solve_in_worker, sources[i], out_dirs[i], options)) for i in lane)
        return [futures[i] for i in range(len(sources))]
    finally:
        signal.signal(signal.SIGINT, previous)


def _collected(future: Future) -> Outcome | None:
    """A worker's outcome; None where a worker died (killed for lack of memory, say), which ends the whole pool:
    every scenario it had not finished, whichever worker had it, fails so."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _solved_alone(source: Path, out_dir: Path, options: SolveOptions, stopped) -> Outcome:
    """A scenario of a sweep whose pool a dying worker ended, solved in a worker of its own: the sweep goes on,
    and the scenario whose worker dies again is known, an internal error with a hint."""
    with _workers(1, stopped) as pool:
        [future] = _handed_over([(pool, [0])], [source], [out_dir], options)
        try:
            outcome = _collected(future)
        except KeyboardInterrupt:  # stopped here, not left to solve on while the pool is shut down
            _stop_sweep([future], stopped)
            raise
    if outcome is None:
        why = f"{source}: the process solving it stopped abruptly (out of memory?); try fewer --jobs"
        return _failed(source, "internal error", why, f"internal error: {why}")
    return outcome


def _show_and_record(scenario: Progress, outcome: Outcome) -> None:
    """Print ``outcome`` and record it for ``scenario`` as one step: Ctrl-C between the two would leave it
    printed but not recorded, and so printed again with the scenarios that finished late."""
    with signals_held():
        _show(outcome)
        scenario.record(outcome)


def _show(outcome: Outcome) -> None:
    _print(outcome.err, sys.stderr)
    _print(outcome.out, sys.stdout)


def _print(lines: list[str], stream, document: bool = False) -> None:
    """Print ``lines``, control characters written as escapes (:func:`planner.spelling.printable`: names and paths
    as text, not as commands to a terminal) but in a ``document`` (JSON, which escapes its own); a character the
    stream cannot encode (a byte of a file name that is not UTF-8, on a terminal Python writes to strictly) is
    shown escaped, as on standard error, not an error once the report is written."""
    encoding = stream.encoding or "utf-8"
    try:
        for line in lines:
            if not document:
                line = printable(line, line_breaks=True)
            if stream.errors == "strict":
                line = line.encode(encoding, "backslashreplace").decode(encoding)
            print(line, file=stream, flush=True)
    except BrokenPipeError:  # the output was piped into a reader that stopped early
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())  # no second error at exit


EXIT_CODES = (f"exit codes: {EXIT_OK} success, "
              + ", ".join(f"{code} " + " or ".join(label for label in FAILURES if FAILURES[label] == code)
                          for code in sorted(set(FAILURES.values())))
              + f", {EXIT_INTERRUPTED} interrupted (Ctrl-C), {EXIT_TERMINATED} terminated (SIGTERM)")


def _parser() -> argparse.ArgumentParser:
    # no abbreviated options: '--t 5' in a script would change meaning once another option begins so
    parser = argparse.ArgumentParser(prog="planner", description="AI data-centre capacity planner.", allow_abbrev=False,
                                     epilog=EXIT_CODES)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{solve,vary,size,template}")
    solve_cmd = commands.add_parser("solve", help="solve scenario workbooks and write their reports",
                                    allow_abbrev=False,
                                    epilog=f"{EXIT_CODES}; a sweep exits with the code of the first scenario that "
                                           "failed")
    solve_cmd.add_argument("inputs", type=_input, nargs="+", metavar="INPUT",
                           help="scenario workbook (.xlsx) or folder of CSV files; several make a sweep")
    solve_cmd.add_argument("--out", type=_path, metavar="DIR",
                           help="output folder (default reports/<workbook name>); with several inputs, the "
                                "folder that receives one subfolder per input and the sweep's summary "
                                "(default reports)")
    solve_cmd.add_argument("--solver", choices=SOLVERS, default="highs", help="the solver (default highs)")
    solve_cmd.add_argument("--time-limit", type=_seconds, metavar="S",
                           help="solver time limit in seconds, per scenario")
    solve_cmd.add_argument("--integer", action="store_true",
                           help="mixed-integer plan: whole inference replicas, training runs at their minimum "
                                "scale or more, and runs whose must_finish is yes given all their FLOPs or none")
    solve_cmd.add_argument("--gap", type=_gap, metavar="G",
                           help=f"with --integer: stop once the plan is proven within G of the best possible "
                                f"score (a fraction, or a percentage such as 0.5%%; default {DEFAULT_MIP_GAP:.0%}%)")
    solve_cmd.add_argument("--jobs", type=positive_int, default=1, metavar="N",
                           help="scenarios solved at once, each in its own process (default 1)")
    solve_cmd.add_argument("--solver-log", action="store_true",
                           help="show the solver's own log (iterations, objective, branch and bound's gap) as it "
                                "solves, on standard error; not for several inputs with --jobs above 1")
    solve_cmd.add_argument("--power-step", type=_megawatts, metavar="MW",
                           help="also work out exactly what MW more and MW fewer of power budget are worth in "
                                "each period, alone and from then on, by solving again from the optimum (HiGHS; "
                                "with --integer, the plan with fractional replicas, no run minimums and runs that "
                                "must finish done in part)")
    solve_cmd.add_argument("--warm-start", action="store_true",
                           help="in a sweep, start each linear plan (with --integer, its relaxation) from the "
                                "optimal basis of the last one written in the same process, where their LPs have the "
                                "same columns and rows and the power budgets above idle draw, the GPU counts and each "
                                "other kind of limit moved by at most 15%% all told: several times faster between "
                                "scenarios close in their limits (budgets a few percent apart: give them in order; one "
                                "period's budget or one GPU type's fleet far apart), in token volumes or in a few "
                                "priorities. As optimal, but where plans tie for the optimum another of them may be "
                                "chosen (HiGHS)")
    solve_cmd.add_argument("--resume", action="store_true",
                           help="in a sweep, keep the scenarios its earlier summary (sweep.json in the same folder) "
                                "has solved from the same inputs, unchanged, with the same options, their reports in "
                                "place, and solve the rest: a stopped sweep goes on where it stopped")
    solve_cmd.add_argument("--baseline", type=_input, metavar="INPUT",
                           help="in a sweep, the input whose plan the sweep's summary tells the others' changes "
                                "against, workload by workload (default the first solved)")
    solve_cmd.add_argument("--outputs", type=_outputs, default=tuple(OUTPUTS), metavar="LIST",
                           help="which files to write, comma-separated: html (index.html), json (summary.json), "
                                "xlsx (results.xlsx); default all three. In a sweep, none writes no scenario's own "
                                "files, only the sweep's summary (sweep.json, sweep.html): the fastest")
    solve_cmd.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    vary_cmd = commands.add_parser("vary", help="write variants of a scenario for a sweep: its power budgets, fleet "
                                   "or token volumes scaled", allow_abbrev=False,
                                   epilog="then: planner solve DIR/* (see planner solve --help)")
    vary_cmd.add_argument("input", type=_input, help="scenario workbook (.xlsx) or folder of CSV files")
    vary_cmd.add_argument("--out", type=_path, required=True, metavar="DIR",
                          help="the folder the variants are written into, a folder of CSV files each")
    for what, scales in SCALED.items():
        kept_by = " and ".join(f"--{key}" for key, kept_to in WITHIN.items() if what in kept_to.figures)
        vary_cmd.add_argument(f"--{what}", type=_figures_of(functools.partial(percentages, zero=what == "fleet")),
                              metavar="PCTS", help=f"{scales} (or those {kept_by} name), at these percentages of the "
                                                   "scenario's: 80,90,100 or 80:120:10")
    vary_cmd.add_argument("--delay", type=_figures_of(delays), metavar="PERIODS",
                          help=f"{DELAY} (or of those --gpus names): 0,1,2 or 0:4:1")
    for key, kept_to in WITHIN.items():
        figures = " and ".join("--" + what for what in kept_to.figures)
        spans = " or first:last (2027Q1:2027Q4)" if key == "periods" else ""
        vary_cmd.add_argument(f"--{key}", metavar="NAMES",
                              help=f"keep {figures} to these {kept_to.kind}s alone, comma-separated{spans} (a name "
                                   "with a comma given alone)")
    vary_cmd.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    size_cmd = commands.add_parser("size", help="show the sizing of every (workload, GPU type) pair",
                                   allow_abbrev=False)
    size_cmd.add_argument("input", type=_input, help="scenario workbook (.xlsx) or folder of CSV files")
    size_cmd.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    size_cmd.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    template_cmd = commands.add_parser(
        "template", help="write a workbook to start from: every sheet and column, notes, examples, drop-downs",
        allow_abbrev=False,
    )
    template_cmd.add_argument("output", type=_path, help="workbook to write (.xlsx)")
    template_cmd.add_argument("--force", action="store_true", help="overwrite an existing file")
    template_cmd.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for command in (solve_cmd, vary_cmd, size_cmd, template_cmd):  # an unknown option told with its command's usage
        command.set_defaults(command_parser=command)
    return parser


def _path(text: str, *, read: bool = False) -> Path:
    """A file or folder name the system can look up: one it refuses (a name too long, a folder it may not
    enter) is a bad argument, not an internal error once a check or the report first touches it. An input
    (``read``) behind a folder that may not be entered is let through: reading it names it as not readable,
    and where a link to it leads."""
    path = Path(text)
    try:
        path.exists()
    except OSError as error:
        if not (read and isinstance(error, PermissionError)):
            raise argparse.ArgumentTypeError(f"{text}: {error.strerror or error}") from None
    return path


def _input(text: str) -> Path:
    """:func:`_path` of an input: see there."""
    return _path(text, read=True)


def positive_int(text: str) -> int:
    """An argument that must be a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got '{text}'")
    return value


def _above_zero(unit: str, least: float = 0.0, most: float = math.inf) -> Callable[[str], float]:
    """The parser of a finite amount above 0 in ``unit``, and from ``least`` up to ``most`` where given."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not 0 < value < math.inf:
            raise argparse.ArgumentTypeError(f"expected a number of {unit} above 0, got '{text}'")
        if not least <= value <= most:
            raise argparse.ArgumentTypeError(f"expected {least:g} to {most:g} {unit}, got '{text}'")
        return value
    return parse


# a power step from a watt (less is the solver's noise) to the budget a workbook may give (a step past 1e20 MW
# was taken by HiGHS as no limit at all, and its loss as nothing)
_seconds, _megawatts = _above_zero("seconds"), _above_zero("MW", 1e-6, CEILINGS["MW"])


NO_OUTPUTS = "none"  # --outputs none: in a sweep, no scenario's own files; its summary alone


def _outputs(text: str) -> tuple[str, ...]:
    """A comma-separated choice of the report's files (see :func:`planner.report.chosen_outputs`), or none."""
    parts = [part.strip().lower() for part in text.split(",") if part.strip()]
    if parts == [NO_OUTPUTS]:
        return ()
    try:
        return chosen_outputs(parts)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{error}, comma-separated, or {NO_OUTPUTS} alone, got '{text}'") from None



def _gap(text: str) -> float:
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 up to 1, or a percentage, got '{text}'")
    return value + 0.0  # -0 is 0


def _figures_of(parse: Callable[[str], list[float]]) -> Callable[[str], list[float]]:
    """An option's type: its figures as ``parse`` takes them, what it expects told as argparse tells a bad value."""
    def figures(text: str) -> list[float]:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return figures


def _vary(source: Path, out: Path, steps: dict[str, list[float] | None], named: dict[str, str]) -> None:
    """``planner vary``: write the variants of ``steps`` (figures by :data:`AS_IS` key, None where not given), kept to
    the periods, GPU types and services ``named`` (by :data:`WITHIN` key, as given)."""
    given = {what: values for what, values in steps.items() if values is not None}
    if not given:
        raise InputError([f"give what to vary: {', '.join('--' + what for what in SCALED)}, each as percentages "
                          "of the scenario's (80,90,100 or 80:120:10), or --delay, in periods (0,1,2)"])
    if (blocking := file_in_path(out)) is not None:
        raise InputError([f"{out}: cannot write the variants there: {blocking} is a file, not a folder"])
    if os.path.abspath(out) == os.path.abspath("reports"):  # solving them would take their folders for reports
        raise InputError([f"{out}: planner solve writes its reports there; give another --out (variants, say)"])
    try:
        folders, warnings = write_variants(source, out, given, named)
    except OSError as error:
        raise InputError([f"{out}: cannot write the variants ({error.strerror or error})"]) from None
    _print([f"warning: {warning}" for warning in warnings], sys.stderr)
    # the folder's variants by a pattern where it holds these alone, else one by one
    alone = {entry.name for entry in os.scandir(out)} == {folder.name for folder in folders}
    inputs = [_argument(out) + os.sep + "*"] if alone else [_argument(folder) for folder in folders]
    unscaled = [folder for folder, values in zip(folders, itertools.product(*given.values()))
                if all(value == AS_IS[what] for what, value in zip(given, values))]
    baseline = [f"--baseline {_argument(unscaled[0])}"] if unscaled and len(folders) > 1 else []
    names = [folder.name for folder in folders]
    listed = ", ".join(names if len(names) <= SUMMARY_LINES else [*names[:3], "...", names[-1]])
    _print([f"wrote {len(folders)} variant{'s' if len(folders) != 1 else ''} of {source} in {out}: {listed}",
            f"solve {'them as a sweep' if len(folders) > 1 else 'it'}: planner solve {' '.join(inputs + baseline)}"],
           sys.stdout)


def _argument(path: Path) -> str:
    """``path`` as a shell takes it: quoted, and a relative one beginning with '-' begun with './', not an option."""
    text = str(path)
    return shlex.quote(os.path.join(".", text) if text.startswith("-") else text)


def _template(output: Path, force: bool) -> None:
    """``planner template OUT.xlsx``: write the starting workbook (refuses to overwrite without --force)."""
    if output.suffix.lower() != ".xlsx":
        raise InputError([f"{output}: the template is an .xlsx workbook; give a name ending in .xlsx"])
    if output.is_dir():
        raise InputError([f"{output}: is a folder; give the workbook's file name"])
    if output.exists() and not force:
        raise InputError([f"{output}: the file exists; pass --force to overwrite it"])
    if (blocking := file_in_path(output.parent)) is not None:
        raise InputError([f"{output}: cannot write the file there: {blocking} is a file, not a folder"])
    if not output.parent.is_dir():
        raise InputError([f"{output}: the folder {output.parent} does not exist"])
    try:
        write_template(output)
    except OSError as error:
        raise InputError([f"{output}: cannot write the file ({error.strerror or error})"]) from None
    _print([f"wrote {output}: fill it in (or try it as it is) with: planner solve {output}"], sys.stdout)


def _size(source: Path, as_json: bool) -> None:
    scenario = read_scenario(source)
    _print([f"warning: {warning}" for warning in scenario.warnings], sys.stderr)
    table = pair_table(size(scenario))
    if as_json:  # every column the table can show, null where it does not apply
        records = json_records(table, list(table.columns))
        _print([json.dumps(records, indent=2, ensure_ascii=False, allow_nan=False)], sys.stdout, document=True)
        return
    shown = table.dropna(axis="columns", how="all")  # a column no pair fills (no run gives max_gpus, say) is noise
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.float_format", "{:.4g}".format):
        _print([shown.to_string(index=False, na_rep="")], sys.stdout)


def main(argv: list[str] | None = None) -> int:
    args, unknown = _parser().parse_known_args(argv)
    if unknown:  # argparse would tell of it with the usage of `planner`, not of the command it follows
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if threading.current_thread() is not threading.main_thread():  # signal handlers can be set there only
        return _command(args)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _command(args)
    finally:  # as it was: main may be called from a program of its own
        signal.signal(signal.SIGTERM, previous)


def _current_folder_exists() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return False
    return True


def _command(args: argparse.Namespace) -> int:
    """Run the parsed command; its exit code."""
    try:
        if args.command == "size":
            _size(args.input, args.json)
        elif args.command == "template":
            _template(args.output, args.force)
        elif args.command == "vary":
            _vary(args.input, args.out, {what: getattr(args, what) for what in AS_IS},
                  {key: getattr(args, key) for key in WITHIN if getattr(args, key) is not None})
        else:
            if args.gap is not None and not args.integer:
                raise InputError(["--gap applies to --integer plans; a linear plan is always solved to optimality"])
            if args.solver_log and args.jobs > 1 and len(args.inputs) > 1:
                raise InputError(["--solver-log shows one solve at a time: scenarios solved at once (--jobs above 1) "
                                  "would mix their logs; give --jobs 1"])
            if args.jobs > 1 and len(args.inputs) > 1 and not _current_folder_exists():
                raise InputError(["the current folder no longer exists, and --jobs starts its workers there: change "
                                  "to a folder that exists, or give --jobs 1"])
            if args.power_step is not None and args.solver != "highs":
                raise InputError(["--power-step solves the plan again from HiGHS's optimal basis: not with "
                                  "--solver cbc"])
            if args.warm_start and args.solver != "highs":
                raise InputError(["--warm-start starts HiGHS's simplex from the last plan's optimal basis: not with "
                                  "--solver cbc"])
            if args.resume and len(args.inputs) == 1:
                raise InputError(["--resume goes on with a sweep: give its inputs, two or more"])
            if not args.outputs and len(args.inputs) == 1:
                raise InputError(["--outputs none writes a sweep's summary alone (sweep.json, sweep.html): with one "
                                  "input nothing would be written; give two inputs or more, or choose the files"])
            baseline = _baseline(args.inputs, args.baseline)
            gap = DEFAULT_MIP_GAP if args.gap is None else args.gap
            if gap == 0 and args.time_limit is None:
                # before anything is solved: a proof of optimality can take longer than anyone waits
                print("warning: --gap 0 asks for a proven optimum, which may take hours even for a dozen "
                      "workloads; give a --time-limit too, or a gap such as 1e-5", file=sys.stderr, flush=True)
            options = SolveOptions(args.solver, args.time_limit, args.integer, gap, args.debug, args.outputs,
                                   args.solver_log, args.power_step, args.warm_start)
            return _solve_all(args.inputs, args.out, options, args.jobs, baseline, args.resume)
    except (InputError, ReportFolderError) as error:
        _print([f"error: {error}"], sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt as key:  # outputs are written atomically: nothing half-written is left
        terminated = isinstance(key, Terminated)
        print("terminated" if terminated else "interrupted", file=sys.stderr)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    except Exception as error:  # the last line of defence: one line, not a traceback
        if args.debug:
            traceback.print_exc()
        else:
            _print([f"internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)"],
                   sys.stderr)
        return EXIT_INTERNAL
    return EXIT_OK
