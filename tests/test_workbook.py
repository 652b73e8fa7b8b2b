"""Workbook reading and validation (planner/workbook.py).

Every problem names the file, the sheet, the row as the spreadsheet numbers it (header
row 1, first data row 2) and the column. In the xlsx form the place reads
``<file>, sheet '<sheet>', row N, column '<col>'``; in the CSV-folder form
``<folder>/<sheet>.csv, row N, column '<col>'``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import problems_reading
from conftest import gpu_row, inference_row, place, problems_of, scenario_tables, training_row, write_scenario
from planner.schema import SHEETS_BY_NAME
from planner.workbook import MAX_ERRORS_SHOWN, InputError, read_scenario

FORMATS = ["xlsx", "csv"]


def target(tmp_path: Path, fmt: str) -> Path:
    return tmp_path / ("scenario.xlsx" if fmt == "xlsx" else "scenario")


def the_problem(problems: list[str], prefix: str, *fragments: str) -> str:
    """Exactly one problem starts at ``prefix`` and contains every fragment."""
    hits = [p for p in problems if p.startswith(prefix) and all(f in p for f in fragments)]
    assert len(hits) == 1, f"expected one problem at {prefix!r} with {fragments}, got:\n" + "\n".join(problems)
    return hits[0]


# ---------------------------------------------------------------------------
# a valid scenario reads


@pytest.mark.parametrize("fmt", FORMATS)
def test_valid_scenario_reads(tmp_path, fmt):
    tables = scenario_tables(
        name="Site A", pue=1.3,
        periods=[("2026Q1", 2160.0, 50.0), ("2026Q2", 2184.0, 80.0)],
        fleet=[("G1", "2026Q1", 100.0), ("G1", "2026Q2", 300.0)],
        training=[training_row("T", start="2026Q1", deadline="2026Q2")],
        inference=[inference_row("S", start="2026Q2")],
    )
    path = write_scenario(tables, target(tmp_path, fmt))
    scenario = read_scenario(path)
    assert scenario.name == "Site A"
    assert scenario.pue == 1.3
    assert scenario.periods["period"].tolist() == ["2026Q1", "2026Q2"]
    assert scenario.periods["hours"].tolist() == [2160.0, 2184.0]
    assert scenario.fleet.loc["G1"].tolist() == [100.0, 300.0]
    assert scenario.training.loc[0, "active_params_b"] == 100.0  # defaults to params_b
    assert scenario.training.loc[0, "mfu"] == 0.5
    assert scenario.inference.loc[0, "start_period"] == "2026Q2"
    assert scenario.warnings == []


def test_optional_columns_take_their_defaults(tmp_path):
    """Every optional column left blank takes the default the schema states (idle_w -> 0,
    peak_factor -> 1, ...); a blank inference start_period means the first period."""
    tables = scenario_tables(
        periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
        gpus=[{"gpu": "G1", "bf16_tflops": 1000.0, "hbm_gb": 80.0, "hbm_tbps": 3.0, "it_w": 1400.0}],
        training=[{"workload": "T", "params_b": 70.0, "tokens_b": 100.0, "start_period": "P1",
                   "deadline_period": "P2", "priority": 1.0}],
        inference=[{"workload": "S", "params_b": 8.0, "tokens_per_day_b": 1.0, "priority": 1.0}],
    )
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    checked = 0
    for sheet, frame in (("gpus", scenario.gpus), ("training", scenario.training), ("inference", scenario.inference)):
        for column in SHEETS_BY_NAME[sheet].columns:
            if column.required or column.default is None or column.name not in frame:
                continue
            assert frame.loc[0, column.name] == column.default, (sheet, column.name)
            checked += 1
    assert checked >= 3  # at least idle_w, peak_factor and a training default
    assert scenario.gpus.loc[0, "idle_w"] == 0.0
    assert scenario.inference.loc[0, "peak_factor"] == 1.0
    assert scenario.inference.loc[0, "start_period"] == "P1"
    assert scenario.training.loc[0, "active_params_b"] == 70.0  # defaults to params_b
    assert scenario.inference.loc[0, "active_params_b"] == 8.0


def test_optional_columns_may_be_left_out(tmp_path):
    """A sheet without its optional columns reads like one with them blank."""
    tables = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
                             training=[training_row("T", deadline="P2")], inference=[inference_row("S")])
    for sheet in ("gpus", "training", "inference"):
        optional = [c.name for c in SHEETS_BY_NAME[sheet].columns if not c.required]
        blank = [c for c in optional if tables[sheet][c].isna().all()]
        tables[sheet] = tables[sheet].drop(columns=blank)
    with_blanks = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
                                  training=[training_row("T", deadline="P2")], inference=[inference_row("S")])
    short = read_scenario(write_scenario(tables, tmp_path / "short.xlsx"))
    full = read_scenario(write_scenario(with_blanks, tmp_path / "full.xlsx"))
    for attribute in ("gpus", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(short, attribute), getattr(full, attribute), check_dtype=False,
                                      check_like=True, obj=attribute)


def test_fleet_not_listed_is_zero(tmp_path):
    tables = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)], fleet=[("G1", "P2", 7.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.fleet.loc["G1", "P1"] == 0.0
    assert scenario.fleet.loc["G1", "P2"] == 7.0


def test_headers_are_case_and_space_insensitive(tmp_path):
    tables = scenario_tables()
    tables["periods"] = tables["periods"].rename(columns={"hours": " Hours ", "power_mw": "POWER_MW"})
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.periods.loc[0, "hours"] == 1000.0
    assert scenario.periods.loc[0, "power_mw"] == 100.0


def test_percent_and_thousands_separators_parse(tmp_path):
    """'40%' -> 0.4, '1,200' -> 1200, ' 2,184.5 ' -> 2184.5, '1e3' -> 1000."""
    tables = scenario_tables(fleet=[("G1", "P1", "1,200")], training=[training_row(mfu="40%")])
    tables["periods"] = pd.DataFrame({"period": ["P1"], "hours": [" 2,184.5 "], "power_mw": ["1e3"]})
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.training.loc[0, "mfu"] == pytest.approx(0.4)
    assert scenario.fleet.loc["G1", "P1"] == 1200.0
    assert scenario.periods.loc[0, "hours"] == 2184.5
    assert scenario.periods.loc[0, "power_mw"] == 1000.0
    assert scenario.periods["hours"].dtype == float


def test_csv_folder_reads_the_same_scenario_as_xlsx(tmp_path):
    tables = scenario_tables(
        name="same", pue=1.2,
        periods=[("2026Q1", 2160.0, 50.0), ("2026Q2", 2184.0, 80.5)],
        gpus=[gpu_row("H100", 989.0, 80.0, 3.35, 1400.0, 250.0), gpu_row("B200", 2250.0, 192.0, 8.0, 1900.0, 300.0)],
        fleet=[("H100", "2026Q1", 1000.0), ("B200", "2026Q2", 512.0)],
        training=[training_row("llm", params_b=70.0, tokens_b=15000.0, mfu=0.35, start="2026Q1", deadline="2026Q2")],
        inference=[inference_row("chat", params_b=70.0, start="2026Q2", peak_factor=2.0),
                   inference_row("moe", params_b=671.0, active_params_b=37.0, start="2026Q1")],
        throughput=[("chat", "H100", 1500.0)],
    )
    xlsx = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    csv = read_scenario(write_scenario(tables, tmp_path / "s_csv"))
    assert (xlsx.name, xlsx.pue) == (csv.name, csv.pue)
    for attribute in ("periods", "gpus", "fleet", "training", "inference", "throughput"):
        pd.testing.assert_frame_equal(getattr(xlsx, attribute), getattr(csv, attribute), check_dtype=False,
                                      obj=attribute)
    assert xlsx.warnings == csv.warnings == []


def test_blank_rows_are_skipped_and_rows_keep_spreadsheet_numbers(tmp_path):
    """A blank row 3 is skipped; the bad value on row 4 is reported as row 4."""
    tables = scenario_tables(
        periods=[("P1", 100.0, 10.0), (None, None, None), ("P2", "lots", 10.0)],
        fleet=[("G1", "P1", 5.0)],
    )
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    assert problems == [place(path, "periods", 4, "hours") + "expected a number in h, found 'lots'"]


# ---------------------------------------------------------------------------
# one problem each; parametrised over both forms where the place differs


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_sheet(tmp_path, fmt):
    tables = scenario_tables()
    del tables["gpus"]
    path = target(tmp_path, fmt)
    problems = problems_of(tables, path)
    assert f"{path}: missing sheet 'gpus'" in problems


def test_missing_optional_sheet_is_fine(tmp_path):
    tables = scenario_tables()
    assert "throughput" not in tables
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.throughput.empty
    assert list(scenario.throughput.columns) == [c.name for c in SHEETS_BY_NAME["throughput"].columns]


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_required_column(tmp_path, fmt):
    tables = scenario_tables()
    tables["periods"] = tables["periods"].drop(columns=["hours"])
    path = target(tmp_path, fmt)
    problems = problems_of(tables, path)
    the_problem(problems, place(path, "periods", column="hours"), "missing required column")


@pytest.mark.parametrize("fmt", FORMATS)
def test_blank_required_cell(tmp_path, fmt):
    tables = scenario_tables(training=[training_row("A"), training_row("B", priority=None)])
    path = target(tmp_path, fmt)
    problems = problems_of(tables, path)
    assert problems == [place(path, "training", 3, "priority") + "required value is blank"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_where_a_number_is_needed(tmp_path, fmt):
    tables = scenario_tables(gpus=[gpu_row("G1"), gpu_row("G2", hbm_gb="eighty")])
    path = target(tmp_path, fmt)
    problems = problems_of(tables, path)
    assert problems == [place(path, "gpus", 3, "hbm_gb") + "expected a number in GB, found 'eighty'"]


@pytest.mark.parametrize(
    "sheet, change, row, column, message",
    [
        ("periods", lambda t: t["periods"].assign(hours=0.0), 2, "hours", "must be > 0, found 0"),
        ("gpus", lambda t: t["gpus"].assign(it_w=-5.0), 2, "it_w", "must be > 0, found -5"),
        ("fleet", lambda t: t["fleet"].assign(installed=-1.0), 2, "installed", "must be >= 0, found -1"),
        ("training", lambda t: t["training"].assign(priority=0.0), 2, "priority", "must be > 0, found 0"),
        ("training", lambda t: t["training"].assign(tokens_b=-3.0), 2, "tokens_b", "must be > 0, found -3"),
        ("training", lambda t: t["training"].assign(mfu=1.2), 2, "mfu", "must be <= 1, found 1.2"),
        ("training", lambda t: t["training"].assign(mfu="120%"), 2, "mfu", "must be <= 1, found 1.2"),
        ("training", lambda t: t["training"].assign(mfu=0.0), 2, "mfu", "must be > 0, found 0"),
        ("periods", lambda t: t["periods"].assign(power_mw=-1.0), 2, "power_mw", "must be >= 0, found -1"),
    ],
    ids=["hours-zero", "it_w-negative", "installed-negative", "priority-zero", "tokens-negative", "mfu-above-1",
         "mfu-120-percent", "mfu-zero", "power-negative"],
)
def test_bounds(tmp_path, sheet, change, row, column, message):
    tables = scenario_tables()
    tables[sheet] = change(tables)
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    the_problem(problems, place(path, sheet, row, column), message)


def test_pue_below_one(tmp_path):
    """site is key/value rows: name on row 2, pue on row 3; the value column is named."""
    path = tmp_path / "s.xlsx"
    problems = problems_of(scenario_tables(pue=0.9), path)
    assert problems == [place(path, "site", 3, "value") + "must be >= 1, found 0.9"]


def test_site_missing_key(tmp_path):
    tables = scenario_tables()
    tables["site"] = {"name": "x"}
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    the_problem(problems, place(path, "site", column="key"), "missing key 'pue'")


@pytest.mark.parametrize("fmt", FORMATS)
def test_duplicate_names(tmp_path, fmt):
    tables = scenario_tables(
        gpus=[gpu_row("G1"), gpu_row("G1")],
        fleet=[("G1", "P1", 10.0)],
        training=[training_row("T"), training_row("U"), training_row("T")],
    )
    path = target(tmp_path, fmt)
    problems = problems_of(tables, path)
    the_problem(problems, place(path, "gpus", 3, "gpu"), "duplicate name 'G1'")
    the_problem(problems, place(path, "training", 4, "workload"), "duplicate name 'T'")
    assert len(problems) == 2


def test_duplicate_fleet_pair(tmp_path):
    tables = scenario_tables(fleet=[("G1", "P1", 10.0), ("G1", "P1", 20.0)])
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    the_problem(problems, place(path, "fleet", 3, "period"), "GPU 'G1' in period 'P1' is listed twice")


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_references_in_fleet(tmp_path, fmt):
    tables = scenario_tables(
        periods=[("2026Q1", 100.0, 10.0)],
        fleet=[("G1", "2026Q1", 10.0), ("H200", "2026Q1", 10.0), ("G1", "2026Q5", 10.0)],
        training=[training_row(start="2026Q1", deadline="2026Q1")],
    )
    path = target(tmp_path, fmt)
    problems = problems_of(tables, path)
    the_problem(problems, place(path, "fleet", 3, "gpu"), "unknown GPU 'H200'")
    hit = the_problem(problems, place(path, "fleet", 4, "period"), "unknown period '2026Q5'")
    assert "did you mean '2026Q1'?" in hit
    assert len(problems) == 2


def test_unknown_references_elsewhere(tmp_path):
    tables = scenario_tables(
        training=[training_row("T", start="P9", deadline="P1")],
        inference=[inference_row("S", start="Q1")],
        throughput=[("nobody", "G1", 10.0), ("S", "G7", 10.0)],
    )
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    the_problem(problems, place(path, "training", 2, "start_period"), "unknown period 'P9'")
    the_problem(problems, place(path, "inference", 2, "start_period"), "unknown period 'Q1'")
    the_problem(problems, place(path, "throughput", 2, "workload"), "'nobody'")
    the_problem(problems, place(path, "throughput", 3, "gpu"), "unknown GPU 'G7'")
    assert len(problems) == 4


def test_workload_name_shared_by_training_and_inference(tmp_path):
    tables = scenario_tables(training=[training_row("X")], inference=[inference_row("X")])
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    the_problem(problems, place(path, "inference", 2, "workload"), "'X' is also a training run")


@pytest.mark.parametrize("fmt", FORMATS)
def test_deadline_before_start(tmp_path, fmt):
    tables = scenario_tables(
        periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
        training=[training_row("ok", start="P1", deadline="P2"), training_row("late", start="P2", deadline="P1")],
    )
    path = target(tmp_path, fmt)
    problems = problems_of(tables, path)
    assert problems == [place(path, "training", 3, "deadline_period") + "deadline 'P1' is before the start 'P2'"]


def test_deadline_equal_to_start_is_fine(tmp_path):
    tables = scenario_tables(training=[training_row(start="P1", deadline="P1")])
    assert read_scenario(write_scenario(tables, tmp_path / "s.xlsx")).training.loc[0, "deadline_period"] == "P1"


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_workloads(tmp_path, fmt):
    tables = scenario_tables(training=[], inference=[])
    path = target(tmp_path, fmt)
    problems = problems_of(tables, path)
    assert problems == [f"{path}: no workloads: the training and inference sheets are both empty"]


def test_no_periods_and_no_gpus(tmp_path):
    tables = scenario_tables(periods=[], gpus=[], fleet=[], training=[], inference=[inference_row()])
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    the_problem(problems, place(path, "periods"), "no periods listed")
    the_problem(problems, place(path, "gpus"), "no GPU types listed")


@pytest.mark.parametrize("fmt", FORMATS)
def test_idle_draw_above_budget(tmp_path, fmt):
    """1000 GPUs x 200 W idle x PUE 1.25 = 0.25 MW > a 0.1 MW budget in P2 (row 3)."""
    tables = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 0.1)])
    path = target(tmp_path, fmt)
    problems = problems_of(tables, path)
    assert len(problems) == 1
    assert problems[0].startswith(place(path, "periods", 3, "power_mw"))
    assert "budget 0.1 MW is below the idle draw of the installed fleet (0.250 MW with PUE)" in problems[0]


def test_not_an_xlsx_file(tmp_path):
    path = tmp_path / "scenario.txt"
    path.write_text("period,hours\n")
    assert problems_reading(path) == [f"{path}: not a workbook (expected .xlsx or a folder of CSV files)"]


def test_xlsx_suffix_but_not_a_workbook(tmp_path):
    path = tmp_path / "scenario.xlsx"
    path.write_text("this is not a zip file\n")
    assert problems_reading(path) == [f"{path}: not a readable xlsx file (password protected or damaged?)"]


def test_empty_file(tmp_path):
    path = tmp_path / "scenario.xlsx"
    path.write_bytes(b"")
    assert problems_reading(path) == [f"{path}: the file is empty"]


def test_missing_file_and_empty_folder(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        read_scenario(tmp_path / "nope.xlsx")
    folder = tmp_path / "empty"
    folder.mkdir()
    with pytest.raises(InputError, match="no CSV files in the folder"):
        read_scenario(folder)


def test_empty_csv_sheet_is_reported_not_crashing(tmp_path):
    path = write_scenario(scenario_tables(), tmp_path / "s")
    (path / "gpus.csv").write_text("")
    problems = problems_reading(path)
    assert any(p.startswith(str(path / "gpus.csv")) and "missing required column" in p for p in problems)


# ---------------------------------------------------------------------------
# warnings and collection


def test_unknown_column_is_a_warning_with_a_suggestion(tmp_path):
    tables = scenario_tables()
    tables["training"] = tables["training"].assign(mfuu=0.3, notes="hello")
    tables["site"] = {"name": "x", "pue": 1.2, "peu": 1.3}
    path = write_scenario(tables, tmp_path / "s.xlsx")
    scenario = read_scenario(path)  # no InputError
    assert scenario.training.loc[0, "mfu"] == 0.5  # the misspelt column is ignored
    assert scenario.pue == 1.2
    assert f"{path}, sheet 'training': unknown column 'mfuu' ignored (did you mean 'mfu'?)" in scenario.warnings
    assert f"{path}, sheet 'training': unknown column 'notes' ignored" in scenario.warnings
    assert any(w.startswith(place(path, "site", 4, "key")) and "unknown key 'peu'" in w and "did you mean 'pue'" in w
               for w in scenario.warnings)
    assert len(scenario.warnings) == 3


def test_all_problems_collected_in_one_error(tmp_path):
    tables = scenario_tables(
        pue=0.5,
        periods=[("P1", "x", 10.0), ("P1", 100.0, 10.0)],
        gpus=[gpu_row(it_w=0.0)],
        fleet=[("G9", "P1", 1.0)],
        training=[training_row(mfu=2.0, priority=None)],
        inference=[inference_row(peak_factor=0.5)],
    )
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    expected = [
        (place(path, "site", 3, "value"), "must be >= 1"),
        (place(path, "periods", 2, "hours"), "expected a number"),
        (place(path, "periods", 3, "period"), "duplicate name 'P1'"),
        (place(path, "gpus", 2, "it_w"), "must be > 0"),
        (place(path, "fleet", 2, "gpu"), "unknown GPU 'G9'"),
        (place(path, "training", 2, "mfu"), "must be <= 1"),
        (place(path, "training", 2, "priority"), "required value is blank"),
        (place(path, "inference", 2, "peak_factor"), "must be >= 1"),
    ]
    for prefix, text in expected:
        the_problem(problems, prefix, text)
    assert len(problems) == len(expected)


def test_many_problems_are_all_kept_but_the_message_is_capped(tmp_path):
    rows = [gpu_row(f"G{i}", hbm_gb="?") for i in range(MAX_ERRORS_SHOWN + 5)]
    tables = scenario_tables(gpus=rows, fleet=[("G0", "P1", 1.0)])
    path = tmp_path / "s.xlsx"
    write_scenario(tables, path)
    with pytest.raises(InputError) as info:
        read_scenario(path)
    assert len(info.value.problems) == MAX_ERRORS_SHOWN + 5
    lines = str(info.value).splitlines()
    assert len(lines) == MAX_ERRORS_SHOWN + 1
    assert lines[-1] == "... and 5 more problems"


def test_idle_draw_problem_is_collected_with_the_others(tmp_path):
    tables = scenario_tables(periods=[("P1", 100.0, 0.1)], training=[training_row(mfu=2.0)])
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    the_problem(problems, place(path, "training", 2, "mfu"), "must be <= 1")
    the_problem(problems, place(path, "periods", 2, "power_mw"), "below the idle draw")


# ---------------------------------------------------------------------------
# blanks in text columns that also hold values (under pandas 3 a blank among strings becomes
# NaN, not None; an earlier reader crashed with TypeError from difflib here)


@pytest.mark.parametrize("fmt", FORMATS)
def test_optional_start_period_blank_in_some_rows(tmp_path, fmt):
    tables = scenario_tables(
        periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
        training=[],
        inference=[inference_row("early"), inference_row("late", start="P2")],
    )
    scenario = read_scenario(write_scenario(tables, target(tmp_path, fmt)))
    assert scenario.inference.set_index("workload")["start_period"].to_dict() == {"early": "P1", "late": "P2"}


@pytest.mark.parametrize(
    "sheet",
    ["fleet", "training"],
)
def test_blank_reference_cell_among_filled_ones(tmp_path, sheet):
    if sheet == "fleet":
        tables = scenario_tables(fleet=[("G1", "P1", 10.0), ("G1", None, 10.0)])
        column = "period"
    else:
        tables = scenario_tables(training=[training_row("A"), training_row("B", start=None)])
        column = "start_period"
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    assert problems == [place(path, sheet, 3, column) + "required value is blank"]


def test_blank_reference_cell_alone_is_reported(tmp_path):
    """The same blank, when no other row fills the column, is reported properly."""
    tables = scenario_tables(fleet=[("G1", None, 10.0)])
    path = tmp_path / "s.xlsx"
    problems = problems_of(tables, path)
    assert problems == [place(path, "fleet", 2, "period") + "required value is blank"]
