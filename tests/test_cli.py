"""The command line, end to end: ``python -m planner solve ...`` in a subprocess, plus a few
in-process runs of ``planner.cli`` where a failure has to be injected."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, inference_row, scenario_tables, training_row, write_scenario
import planner
from planner import cli, report
from planner.results import TOLERANCE
from planner.solve import DEFAULT_MIP_GAP
from planner.workbook import read_scenario

DEFAULT_SCENARIO = ROOT / "inputs" / "sovereign-200mw.xlsx"
XSS = "<script>alert(1)</script>"

TOP_KEYS = {"scenario", "status", "objective", "periods", "workloads", "allocation"}
PERIOD_KEYS = {"period", "power_mw_budget", "power_mw_used", "power_shadow_price"}
WORKLOAD_KEYS = {"workload", "kind", "first_period", "last_period", "priority", "served_fraction", "gpu_hours"}
ALLOCATION_KEYS = {"workload", "gpu", "period", "gpus"}


def planner_cli(args: list[str], cwd: Path, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planner", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def valid_tables(service_name: str = "chat") -> dict:
    """Two periods; power binds in P1 (5.5 MW - 2.5 MW idle = 3 MW = 2000 GPUs in use)."""
    return scenario_tables(
        name="cli test",
        periods=[("P1", 1000.0, 5.5), ("P2", 1000.0, 100.0)],
        fleet=[("G1", "P1", 10_000.0), ("G1", "P2", 10_000.0)],
        training=[training_row("pretrain", start="P1", deadline="P2", tokens_b=40_000.0)],
        inference=[inference_row(service_name, tokens_per_day_b=86.4, priority=2.0)],
        throughput=[(service_name, "G1", 1000.0)],
    )


def bad_tables() -> dict:
    """Three problems: hours not a number, mfu above 1, an unknown GPU in the fleet."""
    tables = valid_tables()
    tables["periods"] = tables["periods"].astype(object)
    tables["periods"].loc[0, "hours"] = "lots"
    tables["training"].loc[0, "mfu"] = 1.5
    tables["fleet"].loc[1, "gpu"] = "H999"
    return tables


def test_solve_writes_the_three_outputs(tmp_path, subprocess_env):
    """Exit 0; with no --out the report goes to reports/<workbook name>/ under the working folder."""
    write_scenario(valid_tables(), tmp_path / "site.xlsx")
    done = planner_cli(["solve", "site.xlsx"], tmp_path, subprocess_env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = tmp_path / "reports" / "site"
    for name in ("index.html", "summary.json", "results.xlsx"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    assert str(Path("reports") / "site" / "index.html") in done.stdout

    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert TOP_KEYS <= set(doc), TOP_KEYS - set(doc)
    assert doc["scenario"] == "cli test"
    assert doc["status"] == "optimal"
    assert isinstance(doc["objective"], float)
    assert [p["period"] for p in doc["periods"]] == ["P1", "P2"]
    for item in doc["periods"]:
        assert PERIOD_KEYS <= set(item)
        assert item["power_mw_used"] <= item["power_mw_budget"] * (1 + 1e-9)
    assert doc["periods"][0]["power_shadow_price"] > 0  # power binds in P1
    assert doc["periods"][1]["power_shadow_price"] == 0
    assert {w["workload"] for w in doc["workloads"]} == {"pretrain", "chat"}
    for item in doc["workloads"]:
        assert WORKLOAD_KEYS <= set(item)
        assert 0 <= item["served_fraction"] <= 1
        assert item["kind"] in ("training", "inference")
    assert doc["allocation"], "something is allocated"
    for item in doc["allocation"]:
        assert ALLOCATION_KEYS <= set(item)
        assert item["gpus"] > 0
    score = sum(w["priority"] * w["served_fraction"] for w in doc["workloads"])
    assert doc["objective"] == pytest.approx(score, rel=1e-9)
    assert doc["objective_possible"] == pytest.approx(sum(w["priority"] for w in doc["workloads"]), rel=1e-12)

    book = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert {"periods", "workloads", "allocation"} <= set(book.sheetnames)
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "cli test" in html and "pretrain" in html


def test_summary_json_keeps_every_digit_and_writes_nothing_known_as_null_and_a_blank(tmp_path):
    """summary.json carries each number as the plan holds it (a fixed count of decimals once cut a
    price of -5.99e-05 to 11 significant figures, so it disagreed with results.xlsx and sweep.json);
    what is not known is null in JSON and a blank cell in results.xlsx."""
    results, _ = cli.run(write_scenario(valid_tables(), tmp_path / "site.xlsx"), tmp_path / "first")
    results.fleet["fleet_shadow_price"] = -5.991725090325481e-05
    results.periods["power_price_holds_mw"] = [np.nan, 1.5]
    report.write_outputs(results, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "summary.json").read_text(), parse_constant=pytest.fail)
    assert [f["fleet_shadow_price"] for f in doc["fleet"]] == results.fleet["fleet_shadow_price"].tolist()
    assert [p["power_price_holds_mw"] for p in doc["periods"]] == [None, 1.5]
    assert [p["energy_mwh"] for p in doc["periods"]] == results.periods["energy_mwh"].tolist()
    sheet = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")["periods"]
    column = [cell.value for cell in sheet[1]].index("power_price_holds_mw") + 1
    assert [sheet.cell(row, column).value for row in (2, 3)] == [None, 1.5]


def test_results_xlsx_columns_show_their_headings_and_names_whole(tmp_path):
    """At Excel's default width (8.43 characters) 'power_mw_idle_unused' and 'H100-SXM-80GB' were cut off by
    the next column; each column is now as wide as its heading beside the filter button, or its longest name."""
    cli.run(DEFAULT_SCENARIO, tmp_path / "out")
    book = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")
    for sheet in book.worksheets:
        widths = {c: d.width for d in sheet.column_dimensions.values() for c in range(d.min, d.max + 1)}
        for column in sheet.iter_cols(min_row=1):
            texts = [str(cell.value) for cell in column[1:] if isinstance(cell.value, str)]
            shown = widths.get(column[0].column, 8.43)  # Excel's default, where the file sets none
            assert shown >= min(max(len(column[0].value) + 3, *map(len, texts), 0), 48), (sheet.title, column[0].value)


def test_bad_input_exits_2_with_one_line_per_problem(tmp_path, subprocess_env):
    """Exit 2; each problem on its own line of stderr naming file, sheet, row and column; no
    traceback; a previous report in the --out folder is left as it was; nothing else is written."""
    path = write_scenario(bad_tables(), tmp_path / "bad.xlsx")
    previous = tmp_path / "out"
    previous.mkdir()
    (previous / "index.html").write_text("previous report")
    (previous / "summary.json").write_text("{}")
    before = sorted(p.name for p in tmp_path.iterdir())

    done = planner_cli(["solve", "bad.xlsx", "--out", "out"], tmp_path, subprocess_env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 3, done.stderr
    assert lines[0].startswith("error: ")
    lines[0] = lines[0].removeprefix("error: ")
    where = {f"{path.name}, sheet 'periods', row 2, column 'hours'",
             f"{path.name}, sheet 'training', row 2, column 'mfu'",
             f"{path.name}, sheet 'fleet', row 3, column 'gpu'"}
    for place in where:
        assert sum(place in line for line in lines) == 1, (place, lines)
    assert done.stdout == ""

    assert (previous / "index.html").read_text() == "previous report"
    assert sorted(p.name for p in previous.iterdir()) == ["index.html", "summary.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no partial or staging folder
    assert not (tmp_path / "reports").exists()


def test_missing_input_exits_2(tmp_path, subprocess_env):
    done = planner_cli(["solve", "nope.xlsx", "--out", "out"], tmp_path, subprocess_env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == ["error: nope.xlsx: no such file or folder"]
    assert not (tmp_path / "out").exists()


def test_failure_while_writing_keeps_previous_report(tmp_path, monkeypatch, capsys):
    """A crash while the report is being written (here: rendering the HTML) exits 1 with one
    line, keeps the earlier report and leaves no staging folder behind."""
    source = write_scenario(valid_tables(), tmp_path / "site.xlsx")
    out = tmp_path / "reports" / "site"
    out.mkdir(parents=True)
    (out / "index.html").write_text("previous report")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("planner.report.render_html", broken)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["solve", str(source)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.strip().splitlines() == [
        f"internal error: {source}: RuntimeError: disk on fire (rerun with --debug for the traceback)"
    ]
    assert (out / "index.html").read_text() == "previous report"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]  # no '.site.*' staging folder


def test_successful_rerun_replaces_previous_report(tmp_path, monkeypatch):
    source = write_scenario(valid_tables(), tmp_path / "site.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("old")
    (out / ".DS_Store").write_text("left by a file browser")
    results, html = cli.run(source, out)
    assert html == out / "index.html" and html.read_text() != "old"
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "results.xlsx", "summary.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site.xlsx"]
    assert results.status == "optimal"


def test_a_report_never_replaces_a_folder_holding_anything_else(tmp_path, capsys):
    """A report replaces its folder whole: pointed at the scenario's own CSV folder, at a folder of
    other reports, or at a file, the planner refuses before solving and leaves everything as it was."""
    csv_folder = write_scenario(valid_tables(), tmp_path / "site")
    csv_files = sorted(p.name for p in csv_folder.iterdir())
    assert cli.main(["solve", str(csv_folder), "--out", str(csv_folder)]) == cli.EXIT_INPUT
    assert capsys.readouterr().err == (
        f"error: {csv_folder}: cannot write the report there: the folder holds {', '.join(csv_files[:3])} and "
        f"{len(csv_files) - 3} more, which the report would replace; give --out a new folder, or one that holds "
        "only an earlier report\n")
    assert sorted(p.name for p in csv_folder.iterdir()) == csv_files

    reports = tmp_path / "reports"
    assert cli.main(["solve", str(csv_folder), "--out", str(reports / "site")]) == cli.EXIT_OK
    assert cli.main(["solve", str(csv_folder), "--out", str(reports)]) == cli.EXIT_INPUT  # other reports inside
    assert "the folder holds site, which the report would replace" in capsys.readouterr().err
    assert sorted(p.name for p in (reports / "site").iterdir()) == sorted(report.REPORT_FILES)

    workbook = write_scenario(valid_tables(), tmp_path / "site.xlsx")
    other = write_scenario(valid_tables(), tmp_path / "other.xlsx")
    for out, sweep in ((workbook, False), (workbook / "sub", False), (workbook, True)):
        inputs = [str(workbook), str(other)] if sweep else [str(workbook)]
        assert cli.main(["solve", *inputs, "--out", str(out)]) == cli.EXIT_INPUT
        what = "sweep" if sweep else "report"
        assert capsys.readouterr().err == f"error: {out}: cannot write the {what} there: {workbook} is a file, not a folder\n"
    assert read_scenario(workbook).periods.shape[0] == 2  # the workbook is untouched


@pytest.mark.parametrize("lock", [".~lock.results.xlsx#", "~$results.xlsx"])  # LibreOffice's, Excel's
def test_a_report_whose_workbook_is_open_elsewhere_is_refused_saying_so(tmp_path, capsys, lock):
    """A spreadsheet program keeps a lock file beside results.xlsx while it has it open: the refusal says the
    file is open, rather than naming the lock file as something the report would replace."""
    workbook = write_scenario(valid_tables(), tmp_path / "site.xlsx")
    out = tmp_path / "out"
    assert cli.main(["solve", str(workbook), "--out", str(out)]) == cli.EXIT_OK
    (out / lock).write_text("user")
    capsys.readouterr()
    assert cli.main(["solve", str(workbook), "--out", str(out)]) == cli.EXIT_INPUT
    assert capsys.readouterr().err == (f"error: {out}: cannot write the report there: results.xlsx is open in "
                                       "another program (its lock file is in the folder); close it there and try "
                                       "again\n")
    assert (out / lock).exists()


def test_a_report_folder_that_cannot_be_written_is_refused_in_one_line(tmp_path, monkeypatch):
    """Found only while writing (a full disk, say): refused by folder, nothing left behind."""
    results, _ = cli.run(write_scenario(valid_tables(), tmp_path / "site.xlsx"), tmp_path / "first")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "write_data", full)
    with pytest.raises(report.ReportFolderError, match="out: cannot write the report \\(No space left on device\\)"):
        report.write_outputs(results, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first", "site.xlsx"]


def test_html_escapes_workload_names(tmp_path):
    """A workload named <script>alert(1)</script> appears escaped in index.html, never raw."""
    source = write_scenario(valid_tables(service_name=XSS), tmp_path / "xss.xlsx")
    results, html_path = cli.run(source, tmp_path / "out")
    assert XSS in set(results.workloads["workload"])
    html = html_path.read_text(encoding="utf-8")
    assert XSS not in html
    assert "alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;script&gt;alert(1)&lt;&#x2F;script&gt;" in html
    doc = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert XSS in {w["workload"] for w in doc["workloads"]}  # JSON keeps the name as given


def test_results_xlsx_holds_every_row_of_every_table(tmp_path):
    """Each sheet reads back equal to the table it came from (missing values and empty texts as blank cells)."""
    results, _ = cli.run(DEFAULT_SCENARIO, tmp_path / "out")
    book = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name=None, engine="openpyxl")
    tables = {"periods": report._periods_sheet(results), "workloads": results.workloads,
              "allocation": results.allocation, "gpus_by_period": report._gpus_by_period(results),
              "fleet": results.fleet, "training_progress": results.training, "inference_coverage": results.inference,
              "power_serves": results.power_serves, "training_sizing": report._training_sizing(results),
              "inference_sizing": results.sizing.inference_rates}
    assert set(tables) | {"plan"} == set(book) and list(book)[0] == "plan"
    plan = book["plan"].set_index("key")["value"]
    assert plan["scenario"] == results.scenario and plan["status"] == "optimal"
    assert float(plan["score"]) == pytest.approx(results.objective, rel=1e-12)
    assert any(t.isna().any().any() for t in tables.values())  # so that blanks are checked too
    for name, table in tables.items():
        read = book[name]
        assert list(read.columns) == list(table.columns), name
        assert len(read) == len(table), name
        for column in table.columns:
            expected, got = table[column].reset_index(drop=True), read[column]
            expected = expected.mask(expected.astype(str) == "")  # an empty text is an empty cell
            assert (expected.isna() == got.isna()).all(), (name, column)
            if pd.api.types.is_numeric_dtype(expected) and not pd.api.types.is_bool_dtype(expected):
                np.testing.assert_allclose(got[expected.notna()].astype(float), expected.dropna().astype(float),
                                           rtol=1e-12, err_msg=f"{name}.{column}")
            else:
                assert got[expected.notna()].astype(str).tolist() == expected.dropna().astype(str).tolist(), (
                    name, column)


@pytest.mark.skipif(not DEFAULT_SCENARIO.exists(), reason=f"default scenario {DEFAULT_SCENARIO} not present yet")
def test_default_scenario_solves(tmp_path):
    """inputs/sovereign-200mw.xlsx: optimal, the three outputs written, power binds somewhere."""
    results, html = cli.run(DEFAULT_SCENARIO, tmp_path / "out")
    assert results.status == "optimal"
    for name in ("index.html", "summary.json", "results.xlsx"):
        assert (tmp_path / "out" / name).is_file(), name
    assert (results.periods["power_shadow_price"] > 0).any()
    assert (results.periods["power_mw_used"] <= results.periods["power_mw_budget"] * (1 + 1e-6) + 1e-9).all()
    assert results.workloads["served_fraction"].between(0, 1).all()
    doc = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert doc["status"] == "optimal"
    assert any(p["power_shadow_price"] > 0 for p in doc["periods"])


def test_solver_failure_exits_3_and_writes_nothing(tmp_path, monkeypatch, capsys):
    """A solver that stops without a plan: exit 3, one line on stderr, no output folder."""
    import planner.cli as cli
    from planner.solve import SolveError

    def failing_solve(*args, **kwargs):
        raise SolveError("highs stopped without a feasible plan (TimeLimit)")

    source = write_scenario(scenario_tables(), tmp_path / "s.xlsx")
    monkeypatch.setattr(cli, "solve", failing_solve)
    assert cli.main(["solve", str(source), "--out", str(tmp_path / "out")]) == cli.EXIT_SOLVER
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {source}: highs stopped without a feasible plan (TimeLimit)"]
    assert not (tmp_path / "out").exists()


def test_the_command_line_runs_from_a_thread_other_than_the_main_one(tmp_path, capsys):
    """Another program may call ``main`` from a thread of its own, where Python takes no signal handlers: it solves
    and writes its report as from the main thread (Ctrl-C is left to that program)."""
    import threading

    out, code = tmp_path / "out", []
    worker = threading.Thread(target=lambda: code.append(cli.main(["solve", str(DEFAULT_SCENARIO), "--out", str(out)])))
    worker.start()
    worker.join()
    assert code == [cli.EXIT_OK]
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "results.xlsx", "summary.json"]
    assert json.loads((out / "summary.json").read_text())["status"] == "optimal"


def test_a_plan_stopped_before_its_optimum_claims_no_limits(tmp_path, capsys, stopped_early):
    """An LP stopped at its time limit with a plan keeps it, but the duals of an unfinished simplex
    price nothing: no 'power does not bind', prices null, the report says what limits the plan is not
    known."""
    out = tmp_path / "out"
    assert cli.main(["solve", str(ROOT / "inputs" / "sovereign-200mw.xlsx"), "--out", str(out)]) == cli.EXIT_OK
    terminal = capsys.readouterr().out
    assert "timelimit" in terminal and "no shadow prices" in terminal and "does not bind" not in terminal
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "timelimit" and summary["gap"] is None
    assert all(p["power_shadow_price"] is None for p in summary["periods"])
    assert all(f["fleet_shadow_price"] is None for f in summary["fleet"])
    html = (out / "index.html").read_text()
    assert "This plan has no shadow prices" in html and "What limits it is not known" in html
    assert "Power is never the limit" not in html and "binds in no period" not in html


def test_a_linear_plan_stopped_before_its_first_iteration_is_no_plan(tmp_path, capsys):
    """Given a tenth of a millisecond, HiGHS stops where it starts: feasible, with no GPU given to anything.
    That is no plan (a longer limit that stops it mid-way has none either): exit 3, nothing written."""
    out = tmp_path / "out"
    source = ROOT / "inputs" / "sovereign-200mw.xlsx"
    assert cli.main(["solve", str(source), "--time-limit", "0.0001", "--out", str(out)]) == cli.EXIT_SOLVER
    assert capsys.readouterr().err == f"error: {source}: highs stopped without a feasible plan (TimeLimit)\n"
    assert not out.exists()


def test_a_power_price_that_holds_for_no_more_mw_is_not_given_a_reach_of_0(tmp_path):
    """Power binds in P1 (0.75 MW above the idle floor for 500 of T1's GPUs); were the price to hold for 0 MW
    more (power and another limit reached at once), the terminal says it holds at that point only."""
    results = cli.run(write_scenario(scenario_tables(periods=[("P1", 1000.0, 1.0)]), tmp_path / "s"),
                      tmp_path / "report")[0]
    assert "for at least the next" in "\n".join(cli._summary(results, tmp_path / "in.xlsx", tmp_path))
    results.periods["power_price_holds_mw"] = 0.0
    line = next(line for line in cli._summary(results, tmp_path / "in.xlsx", tmp_path) if "power binds in P1" in line)
    assert "score per MW more at this point only: it holds for no more MW" in line
    assert "for at least the next" not in line


def test_summary_lists_are_capped(tmp_path, capsys):
    """Hundreds of workloads cut short: the terminal shows a few and counts the rest."""
    import planner.cli as cli

    tables = scenario_tables(
        periods=[("P1", 1000.0, 0.3)],
        training=[training_row(f"T{i:02d}") for i in range(20)],
    )
    source = write_scenario(tables, tmp_path / "s.xlsx")
    assert cli.main(["solve", str(source), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.count("not fully served:") == cli.SUMMARY_LINES
    assert "more (see the report)" in out


def test_periods_where_power_binds_alike_are_one_line(tmp_path, capsys):
    """Twelve months at one budget, a service short of power in each, and a thirteenth month of a budget twice as
    large: eleven lines alike but for their month are one, naming them in a span, not eight lines and '3 more'
    (the last month has a budget of its own, and a line of its own); the order is the prices'."""
    periods = [(f"2027-{m:02d}", 730.0, 0.3) for m in range(1, 13)]
    periods[6] = ("2027-07", 730.0, 0.6)
    tables = scenario_tables(periods=periods, fleet=[("G1", p, 1000.0) for p, _, _ in periods], training=[],
                             inference=[inference_row("S", tokens_per_day_b=864.0)], throughput=[("S", "G1", 1000.0)])
    source = write_scenario(tables, tmp_path / "s.xlsx")
    assert cli.main(["solve", str(source), "--out", str(tmp_path / "out")]) == 0
    binds = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  power binds")]
    assert [line.split(":")[0] for line in binds] == ["  power binds in 2027-01 to 2027-06 and 2027-08 to 2027-12",
                                                       "  power binds in 2027-07"]


def _sweep_inputs(folder: Path) -> list[str]:
    """a.xlsx and the CSV folder c solve (c is power-short everywhere); b.xlsx has three problems."""
    write_scenario(valid_tables(), folder / "a.xlsx")
    write_scenario(bad_tables(), folder / "b.xlsx")
    tight = valid_tables()
    tight["site"]["name"] = f"tight site {XSS}"
    tight["periods"]["power_mw"] = 3.0
    write_scenario(tight, folder / "c")
    return ["a.xlsx", "b.xlsx", "c"]


def test_sweep_solves_every_input_past_a_bad_one(tmp_path, subprocess_env):
    """Several inputs: each solved into reports/<name>/, summaries in input order, the bad one named
    on stderr and left unwritten, a closing tally, and the bad input's exit code."""
    done = planner_cli(["solve", *_sweep_inputs(tmp_path)], tmp_path, subprocess_env)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "b.xlsx" in done.stderr and "periods" in done.stderr
    lines = done.stdout.splitlines()
    # each block names its input: the site's name alone would not tell a workbook's variants apart
    assert [line.split(": ")[0] for line in lines if ": optimal (" in line] == [
        "cli test (a.xlsx)", f"tight site {XSS} (c)"]
    assert [line for line in lines if line.startswith("report: ")] == [
        f"report: {Path('reports/a/index.html')}", f"report: {Path('reports/c/index.html')}"]
    assert lines[-5:-3] == ["3 scenarios: 2 solved, 1 bad input", "  scores, and against the baseline (a.xlsx):"]
    assert lines[-1] == f"sweep summary: {Path('reports/sweep.html')}"
    reports = tmp_path / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["a", "c", "sweep.html", "sweep.json"]
    scores = {name: json.loads((reports / name / "summary.json").read_text())["objective"] for name in ("a", "c")}
    assert scores["c"] < scores["a"]
    # the sweep at a glance: each solved scenario's score, and against the first solved where no --baseline is given
    assert [line.split() for line in lines[-3:-1]] == [
        [f"{scores['a']:.4f}", "baseline", "a.xlsx"], [f"{scores['c']:.4f}", f"{scores['c'] - scores['a']:+.4f}", "c"]]

    # the sweep's summary: a row per input, in order, the failed one with its error
    rows = json.loads((reports / "sweep.json").read_text())
    assert [(r["input"], r["status"]) for r in rows] == [
        ("a.xlsx", "optimal"), ("b.xlsx", "bad input"), ("c", "optimal")]
    assert [r["objective"] for r in rows] == [scores["a"], None, scores["c"]]
    assert rows[1]["error"].startswith("b.xlsx") and rows[1]["report"] is None
    assert [r["report"] for r in rows] == ["a/index.html", None, "c/index.html"]  # relative: the folder may move
    assert rows[2]["scenario"] == f"tight site {XSS}" and rows[2]["power_binding_periods"] == 2
    assert rows[2]["power_shadow_price_max"] > 0
    for row, name in ((rows[0], "a"), (rows[2], "c")):  # key figures as the scenario's own summary gives them
        workloads = json.loads((reports / name / "summary.json").read_text())["workloads"]
        assert row["workloads"] == len(workloads)
        assert row["fully_served"] == sum(w["served_fraction"] >= 1 - TOLERANCE for w in workloads)
        assert row["objective_possible"] == pytest.approx(sum(w["priority"] for w in workloads))
        assert row["score_share"] == pytest.approx(row["objective"] / row["objective_possible"])
    assert rows[2]["fully_served"] < rows[0]["fully_served"]
    assert len({tuple(sorted(r)) for r in rows}) == 1  # the same keys in every row
    html = (reports / "sweep.html").read_text()
    assert XSS not in html and "&lt;script&gt;" in html
    links = re.findall(r'<a href="([^"]+)"', html)
    assert links == ["a/index.html", "c/index.html"]
    assert all((reports / link).is_file() for link in links)


def test_sweep_in_parallel_matches_one_at_a_time(tmp_path, subprocess_env):
    """--jobs 2 prints the same summaries in the same order and writes the same plans as --jobs 1."""
    inputs = _sweep_inputs(tmp_path)
    serial = planner_cli(["solve", *inputs, "--out", "one"], tmp_path, subprocess_env)
    parallel = planner_cli(["solve", *inputs, "--out", "two", "--jobs", "2"], tmp_path, subprocess_env)
    assert (serial.returncode, parallel.returncode) == (2, 2)
    untimed = [re.sub(r"highs, [0-9.]+ s", "highs", done.stdout) for done in (serial, parallel)]
    assert untimed[1].replace("two", "one") == untimed[0]
    assert parallel.stderr == serial.stderr
    for name in ("a", "c"):
        one = json.loads((tmp_path / "one" / name / "summary.json").read_text())
        two = json.loads((tmp_path / "two" / name / "summary.json").read_text())
        assert two["objective"] == pytest.approx(one["objective"], rel=1e-9)
        assert two["allocation"] == one["allocation"]


@pytest.mark.parametrize("solver, banner", [("highs", "Running HiGHS"), ("cbc", "Welcome to the CBC MILP Solver")])
def test_solver_log_goes_to_stderr_alone(solver, banner, tmp_path, subprocess_env):
    """--solver-log: the solver's own log on standard error, after a line naming the scenario and one
    naming the solve; standard output and the plan are as without it (scripts read both)."""
    write_scenario(valid_tables(), tmp_path / "s.xlsx")
    plain, logged = [planner_cli(["solve", "s.xlsx", "--solver", solver, "--out", out, *flag], tmp_path,
                                 subprocess_env) for out, flag in (("plain", []), ("logged", ["--solver-log"]))]
    assert (plain.returncode, logged.returncode) == (0, 0), logged.stderr
    assert plain.stderr == ""
    assert logged.stderr.splitlines()[:2] == [f"s.xlsx: solving with {solver}", "solving the linear program"]
    assert banner in logged.stderr and "Optimal" in logged.stderr
    untimed = [re.sub(rf"{solver}, [0-9.]+ s", solver, done.stdout) for done in (plain, logged)]
    assert untimed[1].replace("logged", "plain") == untimed[0]
    plans = [json.loads((tmp_path / out / "summary.json").read_text()) for out in ("plain", "logged")]
    for doc in plans:  # the two runs' own times, which may fall in different minutes
        del doc["solve_seconds"], doc["made_utc"]
    assert plans[1] == plans[0]


def test_solver_log_names_each_solve_of_an_integer_plan(tmp_path, subprocess_env):
    """--integer --solver-log: the relaxation, the completion of each rounded plan, of the best with whole replicas
    added where it leaves room, and branch and bound (which the default scenario needs for a gap of 1e-7, and
    does not close in seconds: its time limit stops it) each log their solve after a line naming it."""
    done = planner_cli(["solve", str(DEFAULT_SCENARIO), "--integer", "--gap", "1e-7", "--time-limit", "2", "--out",
                        "out", "--solver-log"], tmp_path, subprocess_env)
    assert done.returncode == 0, done.stderr
    stages = re.split(r"^(solving the relaxation|completing .*|searching by branch and bound)$",
                      done.stderr, flags=re.MULTILINE)
    assert stages[1::2] == ["solving the relaxation", "completing rounded plan 1 of 2",
                            "completing rounded plan 2 of 2",
                            "completing the plan with whole replicas added where it leaves room",
                            "searching by branch and bound"]
    assert [re.search(r"^(LP|MIP) has \d+ rows", log, flags=re.MULTILINE)[1] for log in stages[2::2]] == [
        "LP", "LP", "LP", "LP", "MIP"]


def test_a_sweep_names_the_scenario_before_each_solver_log(tmp_path, subprocess_env):
    """A sweep solved one scenario after another logs each in turn, after a line naming it."""
    for name in ("a.xlsx", "b.xlsx"):
        write_scenario(valid_tables(), tmp_path / name)
    done = planner_cli(["solve", "a.xlsx", "b.xlsx", "--solver-log"], tmp_path, subprocess_env)
    assert done.returncode == 0, done.stderr
    logs = re.split(r"^(\S+): solving with highs$", done.stderr, flags=re.MULTILINE)
    assert logs[:2] == ["", "a.xlsx"] and logs[3] == "b.xlsx"
    assert all("Objective value" in log for log in logs[2::2])


def test_solver_log_is_refused_with_jobs(tmp_path, capsys):
    """Scenarios solved at once would mix their logs: --solver-log with --jobs 2 is refused before
    anything is solved."""
    sources = [str(write_scenario(valid_tables(), tmp_path / name)) for name in ("a.xlsx", "b.xlsx")]
    code = cli.main(["solve", *sources, "--solver-log", "--jobs", "2", "--out", str(tmp_path / "out")])
    assert code == cli.EXIT_INPUT
    error = capsys.readouterr().err
    assert error.startswith("error: --solver-log") and "--jobs" in error
    assert not (tmp_path / "out").exists()


def test_a_sweep_with_jobs_from_a_deleted_folder_is_refused_in_one_line(tmp_path, capsys, monkeypatch):
    """Workers start in the current folder: where it was deleted, the sweep ended as an internal error without a
    path (FileNotFoundError from os.getcwd as the workers were spawned)."""
    sources = [str(write_scenario(valid_tables(), tmp_path / name)) for name in ("a.xlsx", "b.xlsx")]
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    code = cli.main(["solve", *sources, "--jobs", "2", "--out", str(tmp_path / "out")])
    assert code == cli.EXIT_INPUT
    assert capsys.readouterr().err == ("error: the current folder no longer exists, and --jobs starts its workers "
                                       "there: change to a folder that exists, or give --jobs 1\n")
    assert not (tmp_path / "out").exists()


def test_solver_log_of_one_input_is_shown_whatever_jobs_says(tmp_path, capsys):
    """One input is solved on its own whatever --jobs says: its log cannot mix with another's."""
    source = str(write_scenario(valid_tables(), tmp_path / "a.xlsx"))
    assert cli.main(["solve", source, "--solver-log", "--jobs", "2", "--out", str(tmp_path / "out")]) == cli.EXIT_OK
    assert capsys.readouterr().err.startswith(f"{source}: solving with highs")


def test_sweep_inputs_sharing_a_report_folder_are_refused(tmp_path, capsys):
    """a.xlsx and the folder a would both write reports/a: exit 2 before anything is solved."""
    write_scenario(valid_tables(), tmp_path / "a.xlsx")
    write_scenario(valid_tables(), tmp_path / "a")
    code = cli.main(["solve", str(tmp_path / "a.xlsx"), str(tmp_path / "a"), "--out", str(tmp_path / "out")])
    assert code == cli.EXIT_INPUT
    assert "share the report folder 'a'" in capsys.readouterr().err


def test_the_same_input_given_twice_is_named_as_such(tmp_path, capsys):
    """a.xlsx given twice (a script's glob and its list may both give it) was
    refused as two inputs sharing a report folder, with 'rename one', which cannot help: the
    message says the input is given more than once, and nothing is solved. The same workbook under a name of
    its own (a link) is not one input given twice: it gets a report of its own."""
    write_scenario(valid_tables(), tmp_path / "a.xlsx")
    workbook = str(tmp_path / "a.xlsx")
    code = cli.main(["solve", workbook, workbook, "--out", str(tmp_path / "out")])
    assert code == cli.EXIT_INPUT
    err = capsys.readouterr().err
    assert "the same input is given more than once" in err and "rename" not in err
    assert not (tmp_path / "out").exists()
    (tmp_path / "b.xlsx").symlink_to(tmp_path / "a.xlsx")  # under a name of its own: a report of its own
    assert cli.main(["solve", workbook, str(tmp_path / "b.xlsx"), "--out", str(tmp_path / "out")]) == cli.EXIT_OK


def test_a_sweep_tells_what_changed_against_the_baseline_given(tmp_path, capsys, monkeypatch):
    """--baseline names one of the inputs, as given or by another path to it; a link given as an input of its own
    is that input, not the file it leads to. Not one of the inputs, the file of two, or no sweep: exit 2 before
    anything is solved. A baseline without a plan is said to be passed over."""
    for name in ("a.xlsx", "b.xlsx"):
        write_scenario(valid_tables(), tmp_path / name)
    write_scenario(bad_tables(), tmp_path / "bad.xlsx")
    (tmp_path / "c.xlsx").symlink_to(tmp_path / "a.xlsx")
    (tmp_path / "d.xlsx").symlink_to(tmp_path / "a.xlsx")
    monkeypatch.chdir(tmp_path)
    for inputs, baseline, marked in ((["a.xlsx", "b.xlsx"], "./b.xlsx", [False, True]),
                                     (["a.xlsx", "b.xlsx"], None, [True, False]),
                                     (["a.xlsx", "c.xlsx"], "c.xlsx", [False, True]),
                                     (["c.xlsx", "b.xlsx"], str(tmp_path / "a.xlsx"), [True, False])):
        given = [] if baseline is None else ["--baseline", baseline]
        assert cli.main(["solve", *inputs, *given, "--out", "out", "--outputs", "json"]) == cli.EXIT_OK
        assert [row["baseline"] for row in json.loads(Path("out/sweep.json").read_text())] == marked
    capsys.readouterr()
    assert cli.main(["solve", "a.xlsx", "b.xlsx", "bad.xlsx", "--baseline", "bad.xlsx", "--out", "out"]) == 2
    assert ("--baseline bad.xlsx has no plan in this sweep: what changed is told against the first scenario solved\n"
            in capsys.readouterr().out)
    assert [row["baseline"] for row in json.loads(Path("out/sweep.json").read_text())] == [True, False, False]
    assert cli.main(["solve", "a.xlsx", "bad.xlsx", "--baseline", "bad.xlsx", "--out", "one"]) == 2
    assert "--baseline" not in capsys.readouterr().out  # one solved: nothing to tell against it
    for inputs, baseline, error in (
            (["a.xlsx", "c.xlsx"], "b.xlsx",
             "error: b.xlsx: --baseline must be one of the inputs, and is none of the 2 given\n"),
            (["c.xlsx", "d.xlsx"], "a.xlsx",
             "error: a.xlsx: --baseline is the same file as c.xlsx and d.xlsx; give one of them as it is given among "
             "the inputs\n"),
            (["b.xlsx"], "b.xlsx", "error: --baseline names the input a sweep tells the others' changes against: give "
                                   "several inputs\n")):
        assert cli.main(["solve", *inputs, "--baseline", baseline, "--out", "refused"]) == cli.EXIT_INPUT
        assert capsys.readouterr().err == error
    assert not Path("refused").exists()


def test_a_link_in_a_loop_given_twice_is_bad_input_not_an_internal_error(tmp_path, monkeypatch, capsys):
    """a -> b -> a, given twice (or with another link to it of the same name): finding whether the inputs are
    one stopped the planner with an internal error (RuntimeError, exit 1); they are refused as one input given
    twice, exit 2."""
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a").symlink_to(Path("..", "a"))
    monkeypatch.chdir(tmp_path)
    for inputs in (["a", "a"], ["a", "d/a"]):
        assert cli.main(["solve", *inputs, "--out", "out"]) == cli.EXIT_INPUT
        assert capsys.readouterr().err == (f"error: {', '.join(inputs)}: the same input is given more than once; "
                                           "give it once\n")


def test_a_sweep_summary_that_cannot_be_written_exits_2_in_one_line(tmp_path, monkeypatch, capsys):
    """A full disk while writing sweep.json: one line naming the folder, exit 2 (as for a report), the
    scenarios' own reports kept and no staging file left behind."""
    inputs = [str(write_scenario(valid_tables(), tmp_path / f"{name}.xlsx")) for name in ("a", "b")]
    out = tmp_path / "out"
    real = Path.write_text

    def full(path, *args, **kwargs):
        if path.name.startswith(".sweep.json."):
            raise OSError(28, "No space left on device")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    assert cli.main(["solve", *inputs, "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: {out}: cannot write the sweep's summary (No space left on device)\n"
    assert sorted(p.name for p in out.iterdir()) == ["a", "b"]
    assert all((out / name / "index.html").is_file() for name in ("a", "b"))


def test_a_sweep_scenario_whose_report_cannot_be_written_is_a_write_failure_not_bad_input(tmp_path, monkeypatch,
                                                                                            capsys):
    """A full disk while writing one scenario's report: exit 2 as documented, but its row and the tally called the
    input bad, sending a user to look for a mistake in a workbook that has none."""
    inputs = [str(write_scenario(valid_tables(), tmp_path / f"{name}.xlsx")) for name in ("a", "b")]
    out = tmp_path / "out"
    real = report._WRITERS["html"]

    def full_for_b(results, path):
        if path.parent.name.startswith(".b."):  # b's staging folder
            raise OSError(28, "No space left on device")
        real(results, path)

    monkeypatch.setitem(report._WRITERS, "html", full_for_b)
    assert cli.main(["solve", *inputs, "--out", str(out)]) == cli.EXIT_INPUT
    shown = capsys.readouterr()
    assert f"error: {out / 'b'}: cannot write the report (No space left on device)" in shown.err
    assert shown.out.splitlines()[-2] == "2 scenarios: 1 solved, 1 write failure"
    rows = json.loads((out / "sweep.json").read_text())
    assert [(r["status"], r["error"]) for r in rows] == [
        ("optimal", None), ("write failure", f"{out / 'b'}: cannot write the report (No space left on device)")]


def test_a_sweep_makes_its_folder_before_any_scenario_so_none_takes_it_away(tmp_path, monkeypatch):
    """A scenario whose report fails takes away the folders it made; in a sweep with --jobs another worker
    may be writing into them: the sweep makes its folder first, so no scenario makes (or removes) it."""
    inputs = [str(write_scenario(valid_tables(), tmp_path / f"{name}.xlsx")) for name in ("a", "b")]
    made = []
    real = report._remove_empty
    monkeypatch.setattr(report, "_remove_empty", lambda folders: made.append(list(folders)) or real(folders))

    def full_disk(results, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(report._WRITERS, "json", full_disk)
    out = tmp_path / "new" / "sweep"
    assert cli.main(["solve", *inputs, "--out", str(out), "--outputs", "json"]) == cli.EXIT_INPUT
    assert made == [[], []]
    assert sorted(p.name for p in out.iterdir()) == ["sweep.html", "sweep.json"]


def test_a_linked_csv_folder_reports_under_the_name_given(tmp_path, monkeypatch):
    """current -> v2 (a link to a CSV folder, as versioned scenarios are kept): reports/current, as a
    link to a workbook reports under the link's name; '.' reports under the folder's own name."""
    folder = write_scenario(valid_tables(), tmp_path / "v2")
    (tmp_path / "current").symlink_to(folder, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["solve", "current", "--outputs", "json"]) == cli.EXIT_OK
    assert (tmp_path / "reports" / "current" / "summary.json").is_file()
    monkeypatch.chdir(folder)
    assert cli._stem(Path(".")) == "v2" and cli._stem(Path("..")) == tmp_path.name


def test_a_workbook_named_dot_reports_under_its_whole_name(tmp_path, monkeypatch):
    """'..xlsx' reported into reports/ itself, the folder of every report (refused once another was there), and
    '...xlsx' into the folder above it: each reports under its whole name."""
    monkeypatch.chdir(tmp_path)
    for name in ("..xlsx", "...xlsx"):
        write_scenario(valid_tables(), tmp_path / name)
        assert cli.main(["solve", name, "--outputs", "json"]) == cli.EXIT_OK
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["...xlsx", "..xlsx"]
    assert (tmp_path / "reports" / "..xlsx" / "summary.json").is_file()


def test_a_link_to_a_deleted_file_is_named_as_such_not_as_missing(tmp_path, monkeypatch, capsys):
    """current/periods.csv -> ../v1/periods.csv, and v1 since deleted: the file is there, as a link, so
    "missing file 'periods.csv'" misled; the link is named with where it leads, exit 2. Likewise for
    an input that is itself such a link."""
    current = write_scenario(valid_tables(), tmp_path / "current")
    (current / "periods.csv").unlink()
    (current / "periods.csv").symlink_to(Path("..", "v1", "periods.csv"))
    (tmp_path / "latest").symlink_to("v3", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for given, link, target in (("current", Path("current", "periods.csv"), tmp_path / "v1" / "periods.csv"),
                                ("latest", "latest", tmp_path / "v3")):
        assert cli.main(["size", given]) == cli.EXIT_INPUT
        printed = capsys.readouterr()
        assert printed.err.splitlines() == [f"error: {link}: a link to {target.resolve()}, which does not exist"]
        assert printed.out == ""


def test_links_in_a_loop_are_named_as_such_not_as_missing(tmp_path, monkeypatch, capsys):
    """current/periods.csv -> periods.csv (itself), and a -> b -> a: "no such file or folder" and "too many
    levels of symbolic links" said nothing a planner could act on; the loop is named, exit 2."""
    current = write_scenario(valid_tables(), tmp_path / "current")
    (current / "periods.csv").unlink()
    (current / "periods.csv").symlink_to("periods.csv")
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    monkeypatch.chdir(tmp_path)
    for given, link in (("current", Path("current", "periods.csv")), ("a", "a")):
        assert cli.main(["size", given]) == cli.EXIT_INPUT
        printed = capsys.readouterr()
        assert printed.err.splitlines() == [f"error: {link}: a link that leads back to itself, or through too "
                                            "many links to follow; point it at the file"]


@pytest.mark.parametrize("command", ["size", "solve"])
def test_a_file_in_a_folder_that_may_not_be_entered_is_named_as_not_readable(command, tmp_path, monkeypatch, capsys):
    """A workbook, or a CSV folder's sheet file, linked from a folder that may not be entered (mode 000), was
    called missing, or stopped the planner with an internal error (Python 3.12): it is named as not readable,
    with where the link leads, exit 2; likewise a workbook given by its path through that folder."""
    locked = tmp_path / "locked"
    locked.mkdir()
    write_scenario(valid_tables(), locked / "s.xlsx")
    current = write_scenario(valid_tables(), tmp_path / "current")
    (current / "periods.csv").rename(locked / "periods.csv")
    (current / "periods.csv").symlink_to(locked / "periods.csv")
    (tmp_path / "s.xlsx").symlink_to(locked / "s.xlsx")
    monkeypatch.chdir(tmp_path)
    locked.chmod(0)
    try:
        if os.access(locked, os.X_OK):
            pytest.skip("the folder's mode does not keep this user out (root)")
        denied = "not readable (permission denied on a folder on the way to it)"
        target = locked.resolve()
        for given, link, why in (("current", "current/periods.csv", f"a link to {target / 'periods.csv'}, which is "
                                  f"{denied}"),
                                 ("s.xlsx", "s.xlsx", f"a link to {target / 's.xlsx'}, which is {denied}"),
                                 ("locked/s.xlsx", "locked/s.xlsx", denied)):
            assert cli.main([command, given]) == cli.EXIT_INPUT
            printed = capsys.readouterr()
            assert printed.err.splitlines() == [f"error: {link}: {why}"]
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("command", ["size", "solve"])
def test_an_input_behind_a_folder_that_may_not_be_entered_is_not_refused_as_an_argument(command, tmp_path,
                                                                                       monkeypatch, capsys):
    """The check that refuses a name the system cannot look up let no input behind a folder that may not be
    entered reach the reader, which names it as not readable. The folder's refusal is made here as the system
    makes it for a user its mode keeps out (root, who runs the test above, is let in)."""
    stat = os.stat

    def refused(path, *args, **kwargs):
        if "locked" in Path(os.fsdecode(path)).parts:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return stat(path, *args, **kwargs)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "stat", refused)
    assert cli.main([command, "locked/s.xlsx"]) == cli.EXIT_INPUT
    assert capsys.readouterr().err == (
        "error: locked/s.xlsx: not readable (permission denied on a folder on the way to it)\n")


def test_an_input_named_like_the_sweep_summary_is_refused_before_solving(tmp_path, capsys):
    """A workbook sweep.html.xlsx would have its report folder where the sweep writes sweep.html: every
    scenario was solved, then the summary failed. Now refused first, naming the input."""
    inputs = [write_scenario(valid_tables(), tmp_path / name) for name in ("a.xlsx", "sweep.html.xlsx")]
    code = cli.main(["solve", *map(str, inputs), "--out", str(tmp_path / "out")])
    assert code == cli.EXIT_INPUT
    assert capsys.readouterr().err == (f"error: {inputs[1]}: its report folder would take the name of the sweep's "
                                       "summary, 'sweep.html'; rename it\n")
    assert not (tmp_path / "out").exists()


def test_an_input_named_where_another_report_keeps_its_earlier_one_is_refused_before_solving(tmp_path, capsys):
    """A report is swapped in with the one before it kept aside as '.x.old' for a moment: a workbook .x.old.xlsx
    in the same sweep had its report deleted by x's, silently, its link in the summary dead."""
    inputs = [write_scenario(valid_tables(), tmp_path / name) for name in (".x.old.xlsx", "x.xlsx")]
    assert cli.main(["solve", *map(str, inputs), "--out", str(tmp_path / "out")]) == cli.EXIT_INPUT
    assert capsys.readouterr().err == (f"error: {inputs[0]}: its report folder would take the name '.x.old', under "
                                       "which another input's earlier report is kept while the new one replaces it; "
                                       "rename it\n")
    assert not (tmp_path / "out").exists()


def test_outputs_chooses_the_files_written_and_replaces_an_earlier_report_whole(tmp_path, capsys):
    """--outputs json writes summary.json alone, even over a full earlier report (no stale page is
    left beside a newer plan), and the terminal and a sweep's summary point to it."""
    workbook = write_scenario(valid_tables(), tmp_path / "site.xlsx")
    out = tmp_path / "site"
    assert cli.main(["solve", str(workbook), "--out", str(out)]) == cli.EXIT_OK
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "results.xlsx", "summary.json"]
    full = json.loads((out / "summary.json").read_text())
    capsys.readouterr()

    assert cli.main(["solve", str(workbook), "--out", str(out), "--outputs", "json"]) == cli.EXIT_OK
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]
    assert json.loads((out / "summary.json").read_text())["objective"] == full["objective"]
    assert capsys.readouterr().out.splitlines()[-1] == f"report: {out / 'summary.json'}"

    assert cli.main(["solve", str(workbook), "--out", str(out), "--outputs", " XLSX, html "]) == cli.EXIT_OK
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "results.xlsx"]
    assert capsys.readouterr().out.splitlines()[-1] == f"report: {out / 'index.html'}"

    other = write_scenario(valid_tables(), tmp_path / "other.xlsx")
    sweep = tmp_path / "sweep"
    assert cli.main(["solve", str(workbook), str(other), "--out", str(sweep), "--outputs", "json"]) == cli.EXIT_OK
    rows = json.loads((sweep / "sweep.json").read_text())
    assert [r["report"] for r in rows] == ["site/summary.json", "other/summary.json"]
    assert sorted(p.name for p in (sweep / "other").iterdir()) == ["summary.json"]


def test_write_outputs_refuses_an_unknown_output_before_writing(tmp_path):
    results, _ = cli.run(write_scenario(valid_tables(), tmp_path / "site.xlsx"), tmp_path / "first")
    for outputs in (["html", "pdf"], []):
        with pytest.raises(ValueError, match="expected one or more of html, json, xlsx"):
            report.write_outputs(results, tmp_path / "out", outputs)
    assert not (tmp_path / "out").exists()
    report.write_outputs(results, tmp_path / "out", "json")  # one name alone, not its letters
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["summary.json"]


@pytest.mark.parametrize("outputs", ["", ",", "pdf", "html,pdf", "none,json"])
def test_outputs_must_name_known_files(outputs, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["solve", "x.xlsx", "--outputs", outputs])
    assert stop.value.code == 2
    assert (f"expected one or more of html, json, xlsx, comma-separated, or none alone, got '{outputs}'"
            in capsys.readouterr().err)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_sweep_with_outputs_none_writes_its_summary_alone(tmp_path, capsys, jobs):
    """--outputs none: no scenario's folder, only sweep.json and sweep.html, whose rows link to no report; inputs of
    one name in two folders, which would share a report folder, are no clash there. One input alone is refused
    (nothing would be written), as is an input given twice."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        write_scenario(valid_tables(), tmp_path / folder / "site.xlsx")
    sweep = tmp_path / "sweep"
    inputs = [str(tmp_path / "a" / "site.xlsx"), str(tmp_path / "b" / "site.xlsx")]
    assert cli.main(["solve", *inputs, "--out", str(sweep), "--outputs", "none", "--jobs", jobs]) == cli.EXIT_OK
    assert sorted(p.name for p in sweep.iterdir()) == ["sweep.html", "sweep.json"]
    rows = json.loads((sweep / "sweep.json").read_text())
    assert [(r["status"], r["report"]) for r in rows] == [("optimal", None), ("optimal", None)]
    html = " ".join((sweep / "sweep.html").read_text().split())
    assert "<a href" not in html and "reports were not written (<code>--outputs none</code>)" in html
    out = capsys.readouterr().out
    assert "report:" not in out and out.splitlines()[-1] == f"sweep summary: {sweep / 'sweep.html'}"
    assert cli.main(["solve", inputs[0], "--out", str(tmp_path / "one"), "--outputs", "none"]) == cli.EXIT_INPUT
    assert "with one input nothing would be written" in capsys.readouterr().err
    twice = ["solve", *inputs, inputs[1], "--out", str(tmp_path / "one"), "--outputs", "none"]
    assert cli.main(twice) == cli.EXIT_INPUT
    assert f"{inputs[1]}, {inputs[1]}: the same input is given more than once" in capsys.readouterr().err
    assert not (tmp_path / "one").exists()


def test_lines_cut_short_point_to_the_report_only_where_one_is_written():
    lines = [f"line {k}" for k in range(cli.SUMMARY_LINES + 2)]
    assert cli._first_lines(lines)[-1] == "  ... and 2 more (see the report)"
    assert cli._first_lines(lines, in_report=False)[-1] == "  ... and 2 more"  # --outputs none


def test_a_stopped_sweep_resumes_where_it_stopped(tmp_path, capsys, monkeypatch):
    """--resume keeps the rows of sweep.json solved from the same inputs with the same options, their reports as
    written, and solves the others, saying why: one stopped, one whose input changed, one whose report lost a file,
    one whose report another run replaced, one whose row was edited by hand; with other options, all of them. A
    summary that cannot be read is said, and every scenario solved."""
    monkeypatch.chdir(tmp_path)
    inputs = [str(write_scenario(valid_tables(), tmp_path / f"s{k}.xlsx")) for k in range(7)]
    assert cli.main(["solve", *inputs, "--resume", "--outputs", "json,xlsx"]) == cli.EXIT_OK
    assert "--resume: no earlier summary (reports/sweep.json): every scenario is solved" in capsys.readouterr().out
    summary = tmp_path / "reports" / "sweep.json"
    rows = json.loads(summary.read_text())
    assert rows[0]["input_sha256"] == hashlib.sha256(Path(inputs[0]).read_bytes()).hexdigest()
    assert rows[0]["solve_options"] == {"solver": "highs", "time_limit_s": None, "integer": False, "gap_limit": None,
                                        "power_step_mw": None, "outputs": ["json", "xlsx"],
                                        "planner_version": planner.__version__}
    rows[1] = {**rows[1], "status": "interrupted", "error": "not solved: the sweep was stopped (Ctrl-C) before it"}
    rows[5]["served"] = "all of it"
    summary.write_text(json.dumps(rows))
    changed = valid_tables()
    changed["periods"].loc[0, "power_mw"] = 6.0
    write_scenario(changed, Path(inputs[2]))
    (tmp_path / "reports" / "s3" / "results.xlsx").unlink()
    assert cli.main(["solve", inputs[4], "--out", "reports/s4", "--outputs", "json,xlsx", "--integer"]) == 0
    capsys.readouterr()

    def solved_again(*options: str) -> tuple[list[str], str]:
        assert cli.main(["solve", *inputs, "--outputs", "json,xlsx", "--resume", *options]) == cli.EXIT_OK
        out = capsys.readouterr().out
        solved = [line.split("(")[1].split(")")[0] for line in out.splitlines() if ": optimal (" in line]
        kept = [line.split("(")[1].split(")")[0] for line in out.splitlines() if "): kept, as solved before" in line]
        assert sorted(solved + kept) == inputs
        return solved, out.splitlines()[len(kept)]

    assert solved_again() == (inputs[1:6], "--resume: 2 of 7 scenarios kept from reports/sweep.json; 1 not solved "
                              "there; 1 whose input changed since; 2 whose report changed since, or is gone; 1 whose "
                              "row does not read as one (edited by hand?)")
    rows_after = json.loads(summary.read_text())
    assert [row["report"] for row in rows_after] == [f"s{k}/summary.json" for k in range(7)]
    assert rows_after[0] == {**rows[0], "baseline": True} and rows_after[6] == rows[6]
    assert solved_again()[0] == []
    assert solved_again("--jobs", "2")[0] == []
    assert solved_again("--time-limit", "60") == (inputs, "--resume: 0 of 7 scenarios kept from reports/sweep.json; "
                                                          "7 solved there with other options")
    older = [{key: value for key, value in row.items() if key != "report_sha256"} for row in rows_after]
    summary.write_text(json.dumps([{**older[0], "input": "x\u0000y"}, *older[1:]]))
    assert solved_again()[1] == ("--resume: 0 of 7 scenarios kept from reports/sweep.json; 1 not in it (inputs are "
                                 "found there as given, from the folder it was made in); 6 whose fields are not this "
                                 "planner's (an earlier planner's, or edited by hand)")
    summary.write_text(json.dumps([{key: value for key, value in row.items() if key != "alike_but_budget"}
                                   for row in rows_after]))  # a planner before the chart's lines
    assert solved_again()[1] == ("--resume: 0 of 7 scenarios kept from reports/sweep.json; 7 whose fields are not "
                                 "this planner's (an earlier planner's, or edited by hand)")
    summary.write_text("[1, NaN]")
    assert cli.main(["solve", *inputs, "--resume", "--outputs", "json,xlsx", "--time-limit", "60"]) == cli.EXIT_OK
    assert (f"warning: --resume cannot read {Path('reports') / 'sweep.json'} (NaN is not JSON): every scenario is "
            "solved") in capsys.readouterr().err
    assert cli.main(["solve", *inputs, "--outputs", "none"]) == cli.EXIT_OK  # no reports: kept without
    assert cli.main(["solve", *inputs, "--outputs", "none", "--resume"]) == cli.EXIT_OK
    assert "--resume: 7 of 7 scenarios kept" in capsys.readouterr().out
    assert cli.main(["solve", inputs[0], "--resume"]) == cli.EXIT_INPUT
    assert "--resume goes on with a sweep" in capsys.readouterr().err


@pytest.mark.parametrize("seconds", ["0", "-1", "nan", "inf", "ten"])
def test_a_time_limit_must_be_some_seconds(seconds, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["solve", "x.xlsx", "--time-limit", seconds])
    assert stop.value.code == 2
    assert f"expected a number of seconds above 0, got '{seconds}'" in capsys.readouterr().err


@pytest.mark.parametrize("jobs", ["0", "two", "-1"])
def test_jobs_must_be_a_positive_whole_number(jobs, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["solve", "x.xlsx", "--jobs", jobs])
    assert stop.value.code == 2
    assert "expected a whole number of 1 or more" in capsys.readouterr().err


def test_integer_plan_states_the_gap_allowed(tmp_path, capsys):
    """--integer --gap 0.5%: summary.json, the terminal and the report carry the gap allowed; a
    linear plan has none."""
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    assert cli.main(["solve", str(source), "--integer", "--gap", "0.5%", "--out", str(tmp_path / "mip")]) == 0
    terminal = capsys.readouterr().out
    assert "stops within 0.5%" in terminal and "those of the plan with fractional replicas" in terminal
    assert "A whole-replica plan: what binds below" in (tmp_path / "mip" / "index.html").read_text()
    doc = json.loads((tmp_path / "mip" / "summary.json").read_text())
    assert doc["gap_limit"] == pytest.approx(0.005)
    assert 0 <= doc["gap"] <= 0.005
    assert "the solver stops once within 0.50%" in (tmp_path / "mip" / "index.html").read_text()
    assert cli.main(["solve", str(source), "--out", str(tmp_path / "lp")]) == 0
    linear = json.loads((tmp_path / "lp" / "summary.json").read_text())
    assert linear["gap_limit"] is None and linear["gap"] == 0.0  # a proven LP optimum
    capsys.readouterr()
    assert cli.main(["solve", str(source), "--integer", "--out", str(tmp_path / "default")]) == 0
    assert json.loads((tmp_path / "default" / "summary.json").read_text())["gap_limit"] == DEFAULT_MIP_GAP
    assert "stops within 2%" in capsys.readouterr().out


def test_a_warning_reaches_the_terminal_and_summary_json(tmp_path, capsys):
    """A misspelt optional column is read past with a warning: shown on the terminal (on standard
    error, the summary on standard output), kept in summary.json, and the run still succeeds (exit
    codes are the documented numbers)."""
    tables = valid_tables()
    tables["training"] = tables["training"].rename(columns={"mfu": "mfuu"})
    source = write_scenario(tables, tmp_path / "s.xlsx")
    assert cli.main(["solve", str(source), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr()
    assert "warning:" not in printed.out
    terminal = [line for line in printed.err.splitlines() if line.startswith("warning:")]
    warnings = json.loads((tmp_path / "out" / "summary.json").read_text())["warnings"]
    assert len(terminal) == 1 and "mfuu" in terminal[0] and "mfu" in terminal[0]
    assert len(warnings) == 1 and warnings[0] in terminal[0]
    assert (cli.EXIT_OK, cli.EXIT_INTERNAL, cli.EXIT_INPUT, cli.EXIT_SOLVER, cli.EXIT_INTERRUPTED) == (0, 1, 2, 3, 130)


def test_help_gives_the_exit_codes_and_every_default(capsys):
    """`planner solve --help` gave neither the exit codes a script tests nor --solver's default."""
    for argv in (["--help"], ["solve", "--help"]):
        with pytest.raises(SystemExit) as stop:
            cli.main(argv)
        assert stop.value.code == 0
        shown = " ".join(capsys.readouterr().out.split())  # as argparse wraps it to the terminal's width
        assert ("exit codes: 0 success, 1 internal error, 2 bad input or write failure, 3 solver failure, 130 "
                "interrupted (Ctrl-C), 143 terminated (SIGTERM)") in shown
    assert "--out DIR" in shown and "--solver {highs,cbc} the solver (default highs)" in shown


def test_a_name_the_system_refuses_is_a_bad_argument(capsys):
    """A name longer than a file system takes (255 bytes) was an internal error (OSError, exit 1),
    as input, report folder or template alike: it is a bad argument, named with the system's reason."""
    long = "x" * 300
    for argv, argument in ((["solve", long], "INPUT"), (["solve", "s.xlsx", "--out", long], "--out"),
                           (["size", long], "input"), (["template", long], "output")):
        with pytest.raises(SystemExit) as stop:
            cli.main(argv)
        assert stop.value.code == 2
        assert capsys.readouterr().err.endswith(f"error: argument {argument}: {long}: File name too long\n")


def test_gap_needs_integer_and_a_fraction_below_one(tmp_path, capsys):
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    assert cli.main(["solve", str(source), "--gap", "0.01", "--out", str(tmp_path / "out")]) == cli.EXIT_INPUT
    assert "--gap applies to --integer plans" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    for bad in ("1", "150%", "-0.1", "tight"):
        with pytest.raises(SystemExit) as stop:
            cli.main(["solve", str(source), "--integer", "--gap", bad])
        assert stop.value.code == 2
        assert f"expected a fraction from 0 up to 1, or a percentage, got '{bad}'" in capsys.readouterr().err


def test_a_gap_of_0_without_a_time_limit_is_warned_of_before_solving(tmp_path, capsys, monkeypatch):
    """--gap 0 (or -0) may mean hours of branch and bound: said at once, not after; with a --time-limit
    it is bounded, and not warned of."""
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    given = []
    monkeypatch.setattr(cli, "_solve_all", lambda sources, out, options, *rest: given.append(options.gap) or 0)
    for gap, limit, warned in (("-0", [], True), ("0%", ["--time-limit", "5"], False), ("1e-5", [], False)):
        assert cli.main(["solve", str(source), "--integer", "--gap", gap, *limit]) == cli.EXIT_OK
        assert ("warning: --gap 0 asks for a proven optimum" in capsys.readouterr().err) == warned
    assert [math.copysign(1, gap) for gap in given] == [1, 1, 1]


@pytest.mark.parametrize("warm_start", [[], ["--warm-start"]])
def test_a_worker_that_dies_fails_its_own_scenario_and_the_sweep_goes_on(tmp_path, subprocess_env, warm_start):
    """--jobs: a worker killed mid-solve (for lack of memory, say) ends the whole pool, and every scenario not
    finished with it; each is solved again in a worker of its own, so that only the one whose worker dies again
    is an internal error, with a hint, and the others are solved (they used to be called internal errors too).
    With --warm-start (a pool per worker) the other pool solves on."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(  # a scenario named 'dies' kills the process that reads it
        "import os\n"
        "import planner.workbook\n"
        "read = planner.workbook.read_scenario\n"
        "def read_or_die(source, *args, **kwargs):\n"
        "    if os.path.basename(str(source)) == 'dies.xlsx':\n"
        "        os._exit(9)\n"
        "    return read(source, *args, **kwargs)\n"
        "planner.workbook.read_scenario = read_or_die\n")
    env = dict(subprocess_env, PYTHONPATH=f"{hook}{os.pathsep}{subprocess_env['PYTHONPATH']}")
    names = ["a", "dies", "b", "c"]
    sources = [str(write_scenario(valid_tables(), tmp_path / f"{name}.xlsx")) for name in names]
    done = subprocess.run([sys.executable, "-m", "planner", "solve", *sources, "--jobs", "2", *warm_start, "--out",
                           str(tmp_path / "out"), "--outputs", "json"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == cli.EXIT_INTERNAL
    assert done.stderr == (f"internal error: {sources[1]}: the process solving it stopped abruptly (out of "
                           "memory?); try fewer --jobs\n")
    assert "4 scenarios: 3 solved, 1 internal error" in done.stdout
    rows = json.loads((tmp_path / "out" / "sweep.json").read_text(encoding="utf-8"))
    assert [row["status"] for row in rows] == ["optimal", "internal error", "optimal", "optimal"]
    if warm_start:  # the second pool's worker kept its basis: c starts from b
        assert [row["warm_started_from"] for row in rows] == [None, None, None, sources[2]]


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path, monkeypatch, capsys):
    """Ctrl-C while solving: one line, exit code 130, no output folder and no staging folder."""
    import planner.cli as cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    monkeypatch.setattr(cli, "solve", interrupted)
    assert cli.main(["solve", str(source), "--out", str(tmp_path / "out" / "s")]) == cli.EXIT_INTERRUPTED
    assert capsys.readouterr().err.strip() == "interrupted"
    assert not (tmp_path / "out").exists()


def test_ctrl_c_while_the_libraries_load_exits_130_without_a_traceback(subprocess_env):
    """Loading pandas, PuLP and HiGHS takes about half a second, before the command's own handling of Ctrl-C
    is in place: a key pressed then (here raised as PuLP is imported) is met as at any later moment."""
    code = ("import runpy, sys\n"
            "class CtrlC:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'pulp':\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, CtrlC())\n"
            "sys.argv = ['planner', 'solve', 'x.xlsx']\n"
            "runpy.run_module('planner', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env,
                          timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (cli.EXIT_INTERRUPTED, "interrupted\n", "")


def test_a_sweep_stopped_by_ctrl_c_replaces_the_earlier_summary(tmp_path, monkeypatch, capsys):
    """The summary of an earlier sweep into the same folder must not stand for this one: the new
    one lists the scenarios solved before the key, and the rest as not solved, and the terminal says where."""
    sources = [write_scenario(valid_tables(), tmp_path / f"s{i}.xlsx") for i in range(3)]
    out = tmp_path / "out"
    assert cli.main(["solve", *map(str, sources), "--out", str(out)]) == cli.EXIT_OK
    capsys.readouterr()
    plan = cli.plan

    def key_on_the_second(source, *args):
        if source == sources[1]:
            raise KeyboardInterrupt
        return plan(source, *args)

    monkeypatch.setattr(cli, "plan", key_on_the_second)
    assert cli.main(["solve", *map(str, sources), "--out", str(out)]) == cli.EXIT_INTERRUPTED
    rows = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert [row["status"] for row in rows] == ["optimal", "interrupted", "interrupted"]
    assert "the sweep was stopped" in (out / "sweep.html").read_text(encoding="utf-8")
    shown = capsys.readouterr()
    assert shown.err.strip().endswith("interrupted")
    assert shown.out.splitlines()[-1] == f"sweep summary: {out / 'sweep.html'}"


def test_a_sweep_stopped_by_sigterm_says_so_in_its_summary(tmp_path, monkeypatch, capsys):
    """A sweep stopped by SIGTERM (a cancelled CI job) wrote 'stopped (Ctrl-C)' into sweep.json for
    the scenarios it left unsolved, a key nobody pressed: the summary names the signal."""
    sources = [write_scenario(valid_tables(), tmp_path / f"s{i}.xlsx") for i in range(3)]
    out = tmp_path / "out"
    plan = cli.plan

    def terminated_on_the_second(source, *args):
        if source == sources[1]:
            raise cli.Terminated
        return plan(source, *args)

    monkeypatch.setattr(cli, "plan", terminated_on_the_second)
    assert cli.main(["solve", *map(str, sources), "--out", str(out)]) == cli.EXIT_TERMINATED
    rows = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert [row["error"] for row in rows] == [
        None, "not solved: the sweep was stopped (SIGTERM) while it was being solved",
        "not solved: the sweep was stopped (SIGTERM) before it started"]
    assert "Ctrl-C" not in (out / "sweep.html").read_text(encoding="utf-8")
    assert capsys.readouterr().err.strip().endswith("terminated")


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, cli.EXIT_INTERRUPTED), (signal.SIGTERM, cli.EXIT_TERMINATED)],
                         ids=["ctrl-c", "sigterm"])
def test_a_sweep_stopped_as_a_report_lands_lists_that_scenario_as_solved(tmp_path, monkeypatch, capsys, ctrl_c_raises,
                                                                         signum, code):
    """The signal arrives the moment the second scenario's report folder is moved into place, before
    the sweep has recorded it: the report is there, whole, so the summary lists the scenario as solved
    with its report (not as stopped while being solved) and the terminal shows it; the third is not started."""
    sources = [write_scenario(valid_tables(), tmp_path / f"s{i}.xlsx") for i in range(3)]
    out = tmp_path / "out"
    rename = Path.rename

    def signal_as_the_report_lands(self, target):
        moved = rename(self, target)
        if Path(target) == out / "s1":
            signal.raise_signal(signum)
        return moved

    monkeypatch.setattr(Path, "rename", signal_as_the_report_lands)
    assert cli.main(["solve", *map(str, sources), "--out", str(out)]) == code
    rows = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert [(row["status"], row["report"]) for row in rows] == [
        ("optimal", "s0/index.html"), ("optimal", "s1/index.html"), ("interrupted", None)]
    key = cli.Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
    assert rows[2]["error"] == cli.stopped_why(cli.QUEUED, key)
    assert re.search(r"<strong>The sweep was stopped</strong> before 1 of its scenarios was done",
                     (out / "sweep.html").read_text(encoding="utf-8"))
    assert f"report: {out / 's1' / 'index.html'}" in capsys.readouterr().out.splitlines()
    assert sorted(p.name for p in out.iterdir()) == ["s0", "s1", "sweep.html", "sweep.json"]
    assert sorted(p.name for p in (out / "s1").iterdir()) == ["index.html", "results.xlsx", "summary.json"]


@pytest.mark.parametrize("moment", ["solved", "writing"])
def test_a_sweep_stopped_before_a_solved_scenario_s_report_is_in_place_says_so_and_keeps_the_earlier_one(
        tmp_path, monkeypatch, moment):
    """Ctrl-C once the second scenario is solved, before its report is written (as its terminal lines
    are made, or as the report is being written): the summary says it was solved but its report not
    written, and its folder holds the earlier sweep's report, byte for byte, with no staging folder."""
    sources = [write_scenario(valid_tables(), tmp_path / f"s{i}.xlsx") for i in range(3)]
    out = tmp_path / "out"
    assert cli.main(["solve", *map(str, sources), "--out", str(out)]) == cli.EXIT_OK
    earlier = {p.name: p.read_bytes() for p in (out / "s1").iterdir()}
    summary, write_xlsx = cli._summary, report._WRITERS["xlsx"]

    def key_as_the_second_is_solved(results, source, path):
        if path.parent.name == "s1":
            raise KeyboardInterrupt
        return summary(results, source, path)

    def key_while_writing_the_second(results, path):
        write_xlsx(results, path)
        if path.parent.name.startswith(".s1."):
            raise KeyboardInterrupt

    if moment == "solved":
        monkeypatch.setattr(cli, "_summary", key_as_the_second_is_solved)
    else:
        monkeypatch.setitem(report._WRITERS, "xlsx", key_while_writing_the_second)
    assert cli.main(["solve", *map(str, sources), "--out", str(out)]) == cli.EXIT_INTERRUPTED
    rows = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert [row["error"] for row in rows] == [
        None, "solved, but the sweep was stopped (Ctrl-C) before its report was written",
        "not solved: the sweep was stopped (Ctrl-C) before it started"]
    assert rows[1]["report"] is None
    assert {p.name: p.read_bytes() for p in (out / "s1").iterdir()} == earlier
    assert sorted(p.name for p in out.iterdir()) == ["s0", "s1", "s2", "sweep.html", "sweep.json"]


def test_a_name_that_is_not_utf_8_is_shown_escaped_on_a_strict_terminal(tmp_path, subprocess_env):
    """Outside the C locale Python writes to a terminal strictly: a report folder or template named in
    Latin-1 (an 'é' from an old archive) was written, then the line naming it ended the run as an
    internal error (exit 1). The byte is shown escaped, as on standard error."""
    strict = {**subprocess_env, "PYTHONIOENCODING": "utf-8:strict"}
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    latin_1 = b"r\xe9".decode("utf-8", "surrogateescape")  # as Python reads the name from the disk
    done = planner_cli(["solve", str(source), "--out", latin_1], tmp_path, strict)
    assert done.returncode == cli.EXIT_OK, done.stderr
    assert done.stdout.splitlines()[-1] == "report: r\\udce9/index.html"
    done = planner_cli(["template", f"{latin_1}.xlsx"], tmp_path, strict)
    assert done.returncode == cli.EXIT_OK, done.stderr
    assert done.stdout.startswith("wrote r\\udce9.xlsx: ")


def test_a_sweep_with_an_input_whose_name_is_not_utf_8_writes_its_summary(tmp_path):
    """An input named in Latin-1 (an 'é' from an old archive) made the sweep an internal error at
    its summary, its reports written: the summary holds the name as JSON reads back to the same
    file, and links the report by its name's bytes."""
    latin_1 = b"sc\xe9n.xlsx".decode("utf-8", "surrogateescape")  # as Python reads the name from the disk
    sources = [write_scenario(valid_tables(), tmp_path / latin_1), write_scenario(valid_tables(), tmp_path / "b.xlsx")]
    out = tmp_path / "out"
    assert cli.main(["solve", *map(str, sources), "--out", str(out)]) == cli.EXIT_OK
    rows = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert [Path(row["input"]) for row in rows] == sources
    assert (out / rows[0]["report"]).is_file()
    assert '<a href="sc%E9n/index.html">' in (out / "sweep.html").read_text(encoding="utf-8")


def settled_pool(settle):
    """A stand-in for the sweep's pool of workers whose futures stand as ``settle(k, future, *arguments)``
    leaves the k-th (its result or exception set, or left queued) when the sweep collects them."""
    from concurrent.futures import Future

    class Pool:
        def __init__(self, *args, **kwargs):
            self.futures = []

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, fn, *arguments):
            future = Future()
            settle(len(self.futures), future, *arguments)
            self.futures.append(future)
            return future

    return Pool


def test_a_sweep_with_jobs_stopped_lists_every_finished_scenario_and_says_which_were_started(
        tmp_path, monkeypatch, capsys):
    """Ctrl-C with --jobs 2 while the first scenario is being solved: the second, finished
    meanwhile, was written and listed in sweep.json but not shown on the terminal. It is shown
    now; and the first, stopped while being solved, is told from one stopped while its report was
    being written and from those never started (one a worker took after the key, one still queued)."""
    sources = [write_scenario(valid_tables(), tmp_path / f"s{i}.xlsx") for i in range(5)]
    out = tmp_path / "out"

    def settle(k, future, source, out_dir, options):
        if k == 0:
            future.set_exception(KeyboardInterrupt())  # stopped while being solved
        elif k == 1:
            future.set_result(cli.solve_one(source, out_dir, options))
        elif k == 2:
            future.set_exception(cli.Stopped(cli.QUEUED))  # taken by a worker after the key
        elif k == 3:
            future.set_exception(cli.Stopped(cli.WRITING))
        # the last is still queued

    monkeypatch.setattr(cli, "ProcessPoolExecutor", settled_pool(settle))
    assert cli.main(["solve", *map(str, sources), "--out", str(out), "--jobs", "2"]) == cli.EXIT_INTERRUPTED
    captured = capsys.readouterr()
    assert f"report: {out / 's1' / 'index.html'}" in captured.out.splitlines()
    rows = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    stages = [cli.SOLVING, None, cli.QUEUED, cli.WRITING, cli.QUEUED]
    assert [row["error"] for row in rows] == [stage and cli.stopped_why(stage, KeyboardInterrupt()) for stage in stages]
    assert captured.err.strip().endswith("interrupted")


def test_a_sweep_with_jobs_stopped_as_an_outcome_is_printed_prints_it_once(tmp_path, monkeypatch, capsys,
                                                                          ctrl_c_raises):
    """--jobs: Ctrl-C just after the first scenario's lines are printed, before it is recorded as done, does
    not print them again with the scenarios that finished late."""
    sources = [write_scenario(valid_tables(), tmp_path / f"s{i}.xlsx") for i in range(2)]
    out = tmp_path / "out"

    def settle(k, future, source, out_dir, options):
        future.set_result(cli.solve_one(source, out_dir, options))

    show = cli._show

    def key_once_shown(outcome):
        show(outcome)
        if outcome.row["input"] == str(sources[0]):
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(cli, "ProcessPoolExecutor", settled_pool(settle))
    monkeypatch.setattr(cli, "_show", key_once_shown)
    assert cli.main(["solve", *map(str, sources), "--out", str(out), "--jobs", "2"]) == cli.EXIT_INTERRUPTED
    lines = capsys.readouterr().out.splitlines()
    assert [lines.count(f"report: {out / name / 'index.html'}") for name in ("s0", "s1")] == [1, 1]


def test_a_sweep_worker_sent_sigterm_while_writing_takes_its_staging_away_then_ends(tmp_path, monkeypatch,
                                                                                  ctrl_c_raises):
    """SIGTERM sent to a whole sweep reaches its workers too, as does the pool's own, to end its workers once
    one has died: a worker writing a report stops it as Ctrl-C would, taking its staging folder away, then ends
    (killed outright, it left a half-written report folder behind; carrying on, it held up the pool's end)."""
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")

    class Ended(BaseException):
        pass

    def sigterm_while_writing(results, path):
        path.write_text("half a summary")
        signal.raise_signal(signal.SIGTERM)

    def end(code):
        raise Ended(code)

    monkeypatch.setitem(report._WRITERS, "json", sigterm_while_writing)
    monkeypatch.setattr(os, "_exit", end)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(Ended) as ended:
            cli._solve_in_worker(source, tmp_path / "out", cli.SolveOptions())
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert ended.value.args == (cli.EXIT_TERMINATED,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def test_a_sweep_worker_stopped_as_the_report_lands_returns_the_scenario_solved(tmp_path, monkeypatch, ctrl_c_raises):
    """--jobs: in a worker, Ctrl-C the moment a report folder is moved into place leaves the scenario
    solved, its outcome returned to the sweep (which would count it as stopped while being solved);
    Ctrl-C while the report is being written says so."""
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    out = tmp_path / "out"
    rename = Path.rename

    def key_as_the_report_lands(self, target):
        moved = rename(self, target)
        if Path(target) == out:
            signal.raise_signal(signal.SIGINT)
        return moved

    def key_while_writing(results, path):
        raise KeyboardInterrupt

    def in_worker(out_dir: Path) -> cli.Outcome | KeyboardInterrupt:
        """What the worker hands the sweep: an outcome, or how it was stopped."""
        try:
            return cli._solve_in_worker(source, out_dir, cli.SolveOptions())
        except KeyboardInterrupt as stopped:
            return stopped

    with monkeypatch.context() as patched:
        patched.setattr(Path, "rename", key_as_the_report_lands)
        outcome = in_worker(out)
    assert isinstance(outcome, cli.Outcome) and outcome.row["report"] == str(out / "index.html")
    monkeypatch.setitem(report._WRITERS, "json", key_while_writing)
    stopped = in_worker(tmp_path / "again")
    assert isinstance(stopped, cli.Stopped) and stopped.stage == cli.WRITING


def test_ctrl_c_stops_a_solve_under_way(tmp_path, ctrl_c_raises):
    """A real SIGINT 0.3 s into a solve that takes seconds (155,000 columns): HiGHS stops at its next
    check rather than at the end (its status says the limit stopped it) and the interrupt is raised."""
    import os
    import threading
    import time

    import highspy

    from planner.bench import floor_lp
    from planner.sizing import size
    from planner.solve import _run_interruptibly
    from planner.synthetic import synthetic_tables
    from planner.workbook import read_scenario, write_workbook

    write_workbook(synthetic_tables(1500, 8, 12, seed=1, whole_horizon=True), tmp_path / "big")
    scenario = read_scenario(tmp_path / "big")
    highs, _ = floor_lp(scenario, size(scenario))
    started, run = threading.Event(), highs.run

    def run_once_started():
        started.set()
        return run()

    def press_ctrl_c():  # counted from the solve's start, however long a loaded machine takes to reach it
        started.wait()
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)

    highs.run = run_once_started
    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    with pytest.raises(KeyboardInterrupt):
        _run_interruptibly(highs)
    presser.join()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kTimeLimit


STUCK_SOLVER = """
import ctypes
import signal
from planner.solve import _run_interruptibly

# the keys are seen through the wakeup descriptor alone, whether or not the lock below is reached yet
signal.signal(signal.SIGINT, lambda *_: None)

class Stuck:
    '''A solver deep in a stretch of C++ that never reads its time limit, deaf to signals.'''
    def setOptionValue(self, name, value):
        print("option", name, value, flush=True)

    def run(self):
        mutex, libc = ctypes.create_string_buffer(64), ctypes.CDLL(None)  # zeroed: an unlocked mutex
        libc.pthread_mutex_lock(mutex)
        print("solving", flush=True)
        libc.pthread_mutex_lock(mutex)  # locking it again waits for ever, signals or not

_run_interruptibly(Stuck())
print("returned", flush=True)
"""


@pytest.mark.parametrize("again", [False, True], ids=["once", "again as its files go"])
def test_a_cbc_solve_stopped_ends_cbc_and_removes_its_files(tmp_path, ctrl_c_raises, again):
    """PuLP waits on CBC's process: Ctrl-C (or SIGTERM) there must not leave it solving on with no one to read
    its plan, nor its model and solution files behind (a stand-in for CBC that would take a minute here), even
    where the key comes again as they are removed."""
    import threading
    import time

    from planner.model import build_model
    from planner.sizing import size
    from planner.solve import CbcCommand

    stand_in = tmp_path / "cbc"
    stand_in.write_text("#!/bin/sh\nexec sleep 60\n")
    stand_in.chmod(0o755)
    solver = CbcCommand(path=str(stand_in), msg=False)
    solver.tmpDir = str(tmp_path / "files")
    Path(solver.tmpDir).mkdir()
    scenario = read_scenario(write_scenario(valid_tables(), tmp_path / "s.xlsx"))
    model = build_model(scenario, size(scenario))
    main = threading.get_ident()

    def press() -> None:
        for _ in range(600):
            if getattr(solver, "_started", None) is not None and solver._started.processes:
                signal.pthread_kill(main, signal.SIGINT)
                return
            time.sleep(0.05)

    threading.Thread(target=press, daemon=True).start()
    if again:
        delete = solver.delete_tmp_files

        def key_again(*files):
            signal.raise_signal(signal.SIGINT)
            delete(*files)

        solver.delete_tmp_files = key_again
    with pytest.raises(KeyboardInterrupt):
        model.problem.solve(solver)
    [process] = solver._started.processes
    assert process.poll() == -signal.SIGKILL
    assert list(Path(solver.tmpDir).iterdir()) == []


def test_a_second_ctrl_c_quits_a_solver_that_does_not_stop(tmp_path):
    """The first Ctrl-C asks the solver to stop; one that does not is named within moments, and a
    second Ctrl-C ends the process at once with exit code 130."""
    process = subprocess.Popen([sys.executable, "-c", STUCK_SOLVER], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "solving\n"
        process.send_signal(signal.SIGINT)
        assert process.stdout.readline() == "option time_limit 0.0\n"  # the watcher asked it to stop
        assert process.stderr.readline() == "stopping the solver; press Ctrl-C again to quit at once\n"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == cli.EXIT_INTERRUPTED
        assert process.stdout.read() == "" and process.stderr.read() == "interrupted\n"
    finally:
        process.kill()


@pytest.mark.parametrize("signum, warm_start", [(signal.SIGINT, []), (signal.SIGTERM, []),
                                                (signal.SIGINT, ["--warm-start"])])
def test_ctrl_c_stops_a_sweep_with_jobs_at_once(tmp_path, signum, warm_start, ctrl_c_raises):
    """Ctrl-C (sent, as a terminal does, to every process of the command) as the workers start:
    no scenario is started after it, none is left half-written, no worker dies with a traceback,
    and the sweep exits 130 rather than solving the rest first. A scenario a worker finished before
    the key (on a loaded machine, it may) keeps its whole report. SIGTERM sent to them all (`timeout`, a
    cancelled CI job) does the same, exit 143. (Scenarios this small are seldom mid-write when the signal
    lands: a worker writing is tested by test_a_sweep_worker_sent_sigterm_while_writing_takes_its_staging_away.)"""
    import os

    process, sources, _ = _sweep_with_workers(tmp_path, extra=warm_start)
    out = tmp_path / "out"
    os.killpg(process.pid, signum)
    stdout, stderr = process.communicate(timeout=120)
    key = cli.Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
    assert process.returncode == (cli.EXIT_TERMINATED if signum == signal.SIGTERM else cli.EXIT_INTERRUPTED)
    assert stderr == ("terminated\n" if signum == signal.SIGTERM else "interrupted\n")
    # the summary says what happened; a report folder is there, whole, only for a scenario it lists as solved
    rows = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert [row["input"] for row in rows] == sources
    interrupted = [row for row in rows if row["status"] == "interrupted"]
    # how far each got depends on the machine's load: one may have been solved and its report under way
    stopped = [cli.stopped_why(stage, key) for stage in (cli.QUEUED, cli.SOLVING, cli.WRITING)]
    assert interrupted and all(row["error"] in stopped for row in interrupted)
    solved = sorted(Path(row["input"]).stem for row in rows if row not in interrupted)
    assert sorted(p.name for p in out.iterdir()) == sorted(["sweep.html", "sweep.json", *solved])
    for folder in solved:
        assert sorted(p.name for p in (out / folder).iterdir()) == ["index.html", "results.xlsx", "summary.json"]


def _sweep_with_workers(tmp_path, count: int = 4, extra: list[str] = ()) -> tuple[subprocess.Popen, list[str],
                                                                                   list[int]]:
    """A sweep of ``count`` scenarios with --jobs 2 (and ``extra`` options), in its own session, once both workers
    and the resource tracker are there and the sweep heeds Ctrl-C again: the process, its inputs and the PIDs of
    its children."""
    import time

    sources = [str(write_scenario(valid_tables(), tmp_path / f"s{i}.xlsx")) for i in range(count)]
    process = subprocess.Popen([sys.executable, "-m", "planner", "solve", *sources, "--jobs", "2", *extra, "--out",
                                str(tmp_path / "out")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    children: list[str] = []
    while process.poll() is None:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        ignored = re.search(r"SigIgn:\s*([0-9a-f]+)", Path(f"/proc/{process.pid}/status").read_text()).group(1)
        if len(children) >= 3 and not int(ignored, 16) & 1 << (signal.SIGINT - 1):
            break
        time.sleep(0.01)
    assert process.poll() is None, "the sweep ended before both its workers were seen"
    return process, sources, [int(pid) for pid in children]


def _ended(pids: list[int], within_s: float = 60.0) -> bool:
    """Whether every process of ``pids`` has ended (or is a zombie) within ``within_s``."""
    import time

    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if Path(f"/proc/{pid}/stat").exists()
                 and Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"]
        if not alive:
            return True
        time.sleep(0.1)
    return False


def test_sigterm_stops_a_sweep_as_ctrl_c_does(tmp_path, ctrl_c_raises):
    """SIGTERM to the planner alone (a CI job cancelled, docker stop): its workers used to solve on
    after it exited, holding the caller's pipes open, and no summary was written. Now it stops the
    sweep as Ctrl-C does, writes the summary and exits 143, and no worker outlives it."""
    process, sources, workers = _sweep_with_workers(tmp_path)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == cli.EXIT_TERMINATED == 143
    assert stderr.splitlines()[-1] == "terminated"
    rows = json.loads((tmp_path / "out" / "sweep.json").read_text(encoding="utf-8"))
    assert [row["input"] for row in rows] == sources and rows[-1]["status"] == "interrupted"
    assert _ended(workers)


def test_workers_of_a_killed_sweep_end_with_it(tmp_path, ctrl_c_raises):
    """SIGKILL cannot be caught: the workers notice their sweep is gone and end themselves."""
    process, _, workers = _sweep_with_workers(tmp_path, count=8)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=120)  # returns once no process holds the pipes: the workers have ended
    assert _ended(workers)


def test_size_piped_into_a_reader_that_stops_early_exits_quietly(tmp_path, subprocess_env):
    """`planner size --json | head -c 10`: the sizing of 300 workloads (far more than a pipe holds)
    meets a closed pipe, which is no error of the planner's."""
    from planner.synthetic import synthetic_tables
    from planner.workbook import write_workbook

    source = tmp_path / "big.xlsx"
    write_workbook(synthetic_tables(300, 4, 2, seed=1), source)
    process = subprocess.Popen([sys.executable, "-m", "planner", "size", str(source), "--json"], cwd=tmp_path,
                               env=subprocess_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(10) == b'[\n  {\n    '
    process.stdout.close()
    assert process.wait(timeout=120) == cli.EXIT_OK
    assert process.stderr.read() == b""


def test_debug_goes_before_or_after_the_command_and_options_are_never_abbreviated(capsys):
    parser = cli._parser()
    assert parser.parse_args(["--debug", "solve", "x.xlsx"]).debug
    assert parser.parse_args(["solve", "x.xlsx", "--debug"]).debug
    assert not parser.parse_args(["solve", "x.xlsx"]).debug
    with pytest.raises(SystemExit) as stop:
        parser.parse_args(["solve", "x.xlsx", "--t", "5"])  # '--time-limit'? a script's meaning must not drift
    assert stop.value.code == 2 and "unrecognized arguments: --t" in capsys.readouterr().err


def test_a_folder_given_as_dot_reports_under_its_own_name(tmp_path, monkeypatch):
    folder = write_scenario(valid_tables(), tmp_path / "site-a")
    monkeypatch.chdir(folder)
    assert cli.main(["solve", "."]) == cli.EXIT_OK
    assert (folder / "reports" / "site-a" / "index.html").is_file()


def test_the_current_folder_or_the_root_as_the_report_folder_is_refused(tmp_path, monkeypatch, capsys):
    """--out . (or '', or '/') was an internal error (StopIteration, exit 1); the current folder by its
    full name, if empty, was replaced by the report, leaving the shell in a deleted folder. Both are
    refused as bad input, and nothing is written."""
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    for out in (".", "", str(here)):
        assert cli.main(["solve", str(source), "--out", out]) == cli.EXIT_INPUT
        assert capsys.readouterr().err == (f"error: {Path(out)}: cannot write the report there: it is the current "
                                           "folder, which the report would replace whole; give --out a new folder, "
                                           f"such as {Path(out) / 'report'}\n")
    assert cli.main(["solve", str(source), "--out", "/"]) == cli.EXIT_INPUT
    assert capsys.readouterr().err.startswith("error: /: cannot write the report there: it is a mount point")
    assert list(here.iterdir()) == []


def test_an_output_folder_that_cannot_be_made_is_refused_before_solving(tmp_path, monkeypatch, capsys):
    def no_solving(*args, **kwargs):
        raise AssertionError("solved before the output folder was checked")

    monkeypatch.setattr(cli, "solve", no_solving)
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    for inputs, folder in (([source], "out"), ([source, source.with_name("t.xlsx")], "out/s")):
        assert cli.main(["solve", *map(str, inputs), "--out", "/proc/planner-no-such/out"]) == cli.EXIT_INPUT
        # named by the folder the report would go to, not by the folder the check was made in
        assert capsys.readouterr().err.startswith(f"error: /proc/planner-no-such/{folder}: cannot write the report "
                                                  "there: cannot make a folder in /proc (")


def test_a_sweep_summary_that_is_a_folder_is_refused_before_solving(tmp_path, monkeypatch, capsys):
    """A folder named sweep.json where the sweep's summary goes: every scenario was solved first,
    then the sweep ended with 'out: cannot write the sweep's summary (Is a directory)', naming
    neither file. It is refused before anything is solved, naming the folder in the way."""
    def no_solving(*args, **kwargs):
        raise AssertionError("solved before the sweep's summary was checked")

    monkeypatch.setattr(cli, "solve", no_solving)
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    (tmp_path / "out" / "sweep.json").mkdir(parents=True)
    out = tmp_path / "out"
    assert cli.main(["solve", str(source), str(source.with_name("t.xlsx")), "--out", str(out)]) == cli.EXIT_INPUT
    assert capsys.readouterr().err == (f"error: {out / 'sweep.json'}: cannot write the sweep's summary there: "
                                       "it is a folder, not a file\n")
    assert sorted(path.name for path in out.iterdir()) == ["sweep.json"]


def test_size_leaves_out_columns_no_pair_fills(tmp_path, capsys):
    """days_at_max_gpus is blank on every row unless a run gives max_gpus: shown only then."""
    tables = valid_tables()
    for max_gpus, shown in ((None, False), (1000, True)):
        tables["training"]["max_gpus"] = max_gpus
        assert cli.main(["size", str(write_scenario(tables, tmp_path / f"{shown}.xlsx"))]) == cli.EXIT_OK
        header = capsys.readouterr().out.splitlines()[0].split()
        assert ("days_at_max_gpus" in header) == shown and "gpu_hours" in header


def test_size_as_json_gives_every_column_of_the_table(tmp_path, capsys):
    """The JSON lacked min_gpus, days_at_max_gpus and source, which the table showed."""
    tables = valid_tables()
    tables["training"]["max_gpus"] = 1000
    assert cli.main(["size", str(write_scenario(tables, tmp_path / "s.xlsx")), "--json"]) == cli.EXIT_OK
    records = json.loads(capsys.readouterr().out)
    assert {"min_gpus", "days_at_max_gpus", "source", "bound"} <= set(records[0])
    training = next(r for r in records if r["kind"] == "training")
    assert training["days_at_max_gpus"] == pytest.approx(training["gpu_hours"] / 1000 / 24)
    assert training["source"] == "estimated" and training["tokens_per_s_per_gpu"] is None


def test_size_shows_the_warnings_solve_would(tmp_path, capsys):
    tables = valid_tables()
    tables["inference"] = tables["inference"].rename(columns={"peak_factor": "peak_facter"})
    source = write_scenario(tables, tmp_path / "s.xlsx")
    assert cli.main(["size", str(source)]) == cli.EXIT_OK
    assert "unknown column 'peak_facter' ignored (did you mean 'peak_factor'?)" in capsys.readouterr().err


def test_sweep_inputs_whose_report_folders_differ_only_in_case_are_refused(tmp_path, capsys):
    """s.xlsx and S.xlsx get the folders s and S: two on Linux, one on a disk that ignores case
    (macOS, Windows, or wherever the reports are copied), where one report would overwrite the
    other. Refused before anything is solved, naming both."""
    sources = [write_scenario(valid_tables(), tmp_path / name) for name in ("s.xlsx", "S.xlsx")]
    out = tmp_path / "out"
    assert cli.main(["solve", *map(str, sources), "--out", str(out)]) == cli.EXIT_INPUT
    assert capsys.readouterr().err == (
        f"error: {sources[0]}, {sources[1]}: these inputs would share a report folder on a disk that ignores "
        "case (macOS, Windows), as 's' and 'S'; rename one\n")
    assert not out.exists()


@pytest.mark.parametrize("closed", [1, 2])
def test_a_closed_standard_stream_neither_fails_the_run_nor_reaches_the_report(tmp_path, subprocess_env, closed):
    """`planner solve ... >&-` failed as an internal error (no report); with `2>&-` the report was written and
    then the run failed. A closed stream is opened on the null device: the run succeeds and the solvers' prints,
    which would land in the next file opened, are not in the report."""
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    done = subprocess.run([sys.executable, "-m", "planner", "solve", str(source), "--solver-log", "--out", "out"],
                          cwd=tmp_path, env=subprocess_env, timeout=120, preexec_fn=lambda: os.close(closed),
                          stdout=subprocess.DEVNULL if closed == 2 else None,
                          stderr=subprocess.DEVNULL if closed == 1 else None)
    assert done.returncode == 0
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["status"] == "optimal"
    assert "HiGHS" not in (tmp_path / "out" / "index.html").read_text()


def test_an_unknown_option_is_told_with_its_commands_usage(capsys):
    """`planner solve x.xlsx --bogus` showed the usage of `planner`, which lists no option of solve's."""
    with pytest.raises(SystemExit) as stop:
        cli.main(["solve", "x.xlsx", "--bogus"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: planner solve ") and err.endswith("planner solve: error: unrecognized arguments: "
                                                                    "--bogus\n")


def test_a_gap_allowed_just_under_100_percent_does_not_read_as_100(tmp_path, capsys):
    source = write_scenario(valid_tables(), tmp_path / "s.xlsx")
    assert cli.main(["solve", str(source), "--integer", "--gap", "99.9999%", "--out", str(tmp_path / "out")]) == 0
    assert "stops within 99.9999%" in capsys.readouterr().out


def test_lines_print_control_characters_escaped_but_a_json_document_as_json_writes_it(capsys):
    """Messages write control characters as escapes; JSON escapes its own, and '\\x85' there would not be JSON."""
    cli._print(["a\x1bb"], sys.stdout)
    cli._print([json.dumps({"x": "\x85"}, ensure_ascii=False)], sys.stdout, document=True)
    first, second, _ = capsys.readouterr().out.split("\n")
    assert first == "a\\x1bb" and json.loads(second) == {"x": "\x85"}


def test_start_up_leaves_solver_log_readers_and_scipy_unimported_until_used(subprocess_env):
    """PuLP imports orloge, a reader of other solvers' logs built on pydantic (0.2 s of a 0.68 s start-up), which a
    plan solved with HiGHS never uses: it is imported on first use, and then works as imported at start-up.
    scipy.optimize (0.3 s more) serves only the reason given a run that must finish left out."""
    code = ("import sys, planner.cli, pulp.core.lp_stats as stats\n"
            "print(sorted({'orloge.cbc', 'cpsat_logutils', 'pydantic', 'scipy.optimize'} & set(sys.modules)))\n"
            "print(stats.orloge.get_solver('CBC').__name__, type(sys.modules['orloge']).__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=subprocess_env)
    assert out.stdout.splitlines() == ["[]", "CBC module"]
    # a submodule imported first is loaded once: the package's classes are those its modules define
    code = ("import planner\nfrom orloge.base import LogFile\nimport orloge\n"
            "print(issubclass(orloge.CBC, LogFile), orloge.base.LogFile is LogFile)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=subprocess_env)
    assert out.stdout.splitlines() == ["True True"]
