"""Command line: ``planner solve INPUT [--out DIR] [--solver highs|cbc] [--time-limit S]``.

Exit codes: 0 success, 1 internal error, 2 bad input, 3 solver failure or limit
reached without a feasible plan.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import traceback
from pathlib import Path

import pandas as pd

from planner.model import build_model
from planner.report import write_outputs
from planner.results import Results, collect
from planner.sizing import pair_table, size
from planner.solve import SOLVERS, SolveError, solve
from planner.workbook import InputError, read_scenario, write_template

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_SOLVER = 0, 1, 2, 3


def run(
    source: Path,
    out_dir: Path | None = None,
    solver: str = "highs",
    time_limit: float | None = None,
    integer: bool = False,
) -> tuple[Results, Path]:
    """The whole pipeline: read, size, build, solve, collect, report. Returns the results and HTML path."""
    scenario = read_scenario(source)
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer)
    solution = solve(model, solver=solver, time_limit=time_limit)
    results = collect(scenario, sizing, model, solution)
    out_dir = out_dir or Path("reports") / _stem(source)
    return results, write_outputs(results, out_dir)


def _stem(source: Path) -> str:
    return source.name if source.is_dir() else source.stem


SUMMARY_LINES = 8  # per list on the terminal; the report has them all


def _listed(lines: list[str]) -> None:
    for line in lines[:SUMMARY_LINES]:
        print(f"  {line}")
    if len(lines) > SUMMARY_LINES:
        print(f"  ... and {len(lines) - SUMMARY_LINES} more (see the report)")


def _print_summary(results: Results, html: Path) -> None:
    gap = "" if results.gap == 0 else ", gap unknown" if math.isnan(results.gap) else f", gap {results.gap:.3%}"
    print(f"{results.scenario}: {results.status} ({results.solver}, {results.solve_seconds:.2f} s{gap})")
    if results.status != "optimal":
        print("  the solver stopped early: this plan is feasible but not proven optimal")
    print(f"  score {results.objective:.4f} of {results.workloads['priority'].sum():.4f} "
          "(priority-weighted served share)")
    short = results.short_workloads()
    if short.empty:
        print("  every workload fully served")
    _listed([f"not fully served: {row.workload} ({row.kind}) at {100 * row.served_fraction:.2f}%"
             for row in short.itertuples()])
    binding = results.binding_power()
    if binding.empty:
        print("  power does not bind in any period")
    _listed([f"power binds in {row.period}: {row.power_mw_used:.1f} of {row.power_mw_budget:.1f} MW; "
             f"one more MW is worth {row.power_shadow_price:.4g} score" for row in binding.itertuples()])
    _listed([f"warning: {warning}" for warning in results.warnings])
    print(f"report: {html}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planner", description="AI data-centre capacity planner.")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="solve a scenario workbook and write its report")
    solve_cmd.add_argument("input", type=Path, help="scenario workbook (.xlsx) or folder of CSV files")
    solve_cmd.add_argument("--out", type=Path, help="output folder (default reports/<workbook name>)")
    solve_cmd.add_argument("--solver", choices=SOLVERS, default="highs")
    solve_cmd.add_argument("--time-limit", type=float, metavar="S", help="solver time limit in seconds")
    solve_cmd.add_argument("--integer", action="store_true",
                           help="mixed-integer plan: whole inference replicas, training runs at their minimum "
                                "scale or more")
    solve_cmd.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    size_cmd = commands.add_parser("size", help="show the sizing of every (workload, GPU type) pair")
    size_cmd.add_argument("input", type=Path, help="scenario workbook (.xlsx) or folder of CSV files")
    size_cmd.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    size_cmd.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    template_cmd = commands.add_parser(
        "template", help="write a workbook to start from: every sheet and column, notes, examples, drop-downs"
    )
    template_cmd.add_argument("output", type=Path, help="workbook to write (.xlsx)")
    template_cmd.add_argument("--force", action="store_true", help="overwrite an existing file")
    template_cmd.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _template(output: Path, force: bool) -> None:
    """``planner template OUT.xlsx``: write the starting workbook (refuses to overwrite without --force)."""
    if output.suffix.lower() != ".xlsx":
        raise InputError([f"{output}: the template is an .xlsx workbook; give a name ending in .xlsx"])
    if output.exists() and not force:
        raise InputError([f"{output}: the file exists; pass --force to overwrite it"])
    try:
        write_template(output)
    except OSError as error:
        raise InputError([f"{output}: cannot write the file ({error.strerror or error})"]) from None
    print(f"wrote {output}: fill it in (or try it as it is) with: planner solve {output}")


def _size(source: Path, as_json: bool) -> None:
    table = pair_table(size(read_scenario(source)))
    if as_json:
        keys = ["workload", "kind", "gpu", "flops", "gpu_hours", "tokens_per_s_per_gpu", "gpus_per_replica", "bound"]
        records = json.loads(table[keys].to_json(orient="records", double_precision=15))
        print(json.dumps(records, indent=2, ensure_ascii=False))
        return
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.float_format", "{:.4g}".format):
        print(table.fillna("").to_string(index=False))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "size":
            _size(args.input, args.json)
            return EXIT_OK
        if args.command == "template":
            _template(args.output, args.force)
            return EXIT_OK
        results, html = run(args.input, args.out, args.solver, args.time_limit, args.integer)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INPUT
    except SolveError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_SOLVER
    except Exception as error:  # the last line of defence: one line, not a traceback
        if args.debug:
            traceback.print_exc()
        else:
            print(f"internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)",
                  file=sys.stderr)
        return EXIT_INTERNAL
    try:
        _print_summary(results, html)
    except BrokenPipeError:  # the summary was piped into a reader that stopped early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
    return EXIT_OK
