"""One test per input validation rule: each asserts the exact file, sheet, row and column.

Places read ``<file>, sheet '<sheet>', row N, column '<col>': <problem>`` for a workbook
and ``<folder>/<sheet>.csv, row N, column '<col>': ...`` for a folder of CSVs; rows are
numbered as the spreadsheet numbers them (header row 1, first data row 2). Every problem
is collected in one pass and reported together; unknown columns and keys are warnings.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import pandas as pd
import pytest

from conftest import problems_reading
from conftest import gpu_row, inference_row, scenario_tables, training_row, write_scenario
from conftest import place as where
from conftest import problems_of as problems
from planner.cli import EXIT_INPUT, main
from planner import schema
from planner.schema import SHEETS
from planner.workbook import MAX_ERRORS_SHOWN, InputError, read_scenario


def one(found: list[str], prefix: str, *fragments: str) -> str:
    hits = [p for p in found if p.startswith(prefix) and all(f in p for f in fragments)]
    assert len(hits) == 1, f"want one problem at {prefix!r} with {fragments}; got:\n" + "\n".join(found)
    return hits[0]


# ---------------------------------------------------------------------------
# structure


def test_missing_sheet(target):
    tables = scenario_tables()
    del tables["gpus"], tables["fleet"]
    missing = ["missing file 'gpus.csv'", "missing file 'fleet.csv'"] if target.suffix != ".xlsx" else [
        "missing sheet 'gpus'", "missing sheet 'fleet'"]  # in a folder of CSV files a sheet is a file
    assert problems(tables, target) == [f"{target}: {m}" for m in missing]


@pytest.mark.parametrize("sheet", ["gpus", "periods"])
def test_a_missing_sheet_does_not_make_every_reference_to_it_a_problem(tmp_path, sheet):
    tables = scenario_tables(inference=[inference_row()], throughput=[("S1", "G1", 10.0)])
    del tables[sheet]
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [f"{path}: missing sheet '{sheet}'"]


def test_missing_sheet_suggests_a_misnamed_one(tmp_path):
    tables = scenario_tables()
    tables["trainings"] = tables.pop("training")
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [f"{path}: missing sheet 'training' (is it the sheet 'trainings'?)"]


def test_missing_required_column(target):
    tables = scenario_tables()
    tables["periods"] = tables["periods"].drop(columns=["hours"])
    tables["fleet"] = tables["fleet"].drop(columns=["installed"])
    assert problems(tables, target) == [
        where(target, "periods", column="hours") + "missing required column (headings found in row 1: 'period', "
                                                   "'power_mw')",
        where(target, "fleet", column="installed") + "missing required column (headings found in row 1: 'gpu', "
                                                     "'period')",
    ]


def test_a_missing_column_names_the_heading_it_may_be(target):
    """'power (MW)' reads as the column 'power', not 'power_mw': the problem points at it."""
    tables = scenario_tables()
    tables["periods"] = tables["periods"].rename(columns={"power_mw": "power (MW)"})
    assert problems(tables, target) == [
        where(target, "periods", column="power_mw") + "missing required column (is it the column 'power'? "
                                                      "headings found in row 1: 'period', 'hours', 'power')",
    ]


@pytest.mark.parametrize("heading, unit", [("power_mw (kW)", "MW"), ("power_mw [GW]", "MW"),
                                           ("power_mw (kW, facility)", "MW")])
def test_a_heading_in_another_unit_is_refused(target, heading, unit):
    """A unit in brackets after a heading is the column's own or an error: budgets typed in kW under
    'power_mw (kW)' would otherwise be read as MW, a thousand times too large."""
    tables = scenario_tables()
    tables["periods"] = tables["periods"].rename(columns={"power_mw": heading})
    given = heading.split(" ", 1)[1][1:-1]
    assert problems(tables, target) == [
        where(target, "periods", 1, "power_mw") + f"the heading gives the unit '{given}', but the column takes "
        f"{unit}: convert the values to {unit} and head the column 'power_mw' or 'power_mw ({unit})'",
    ]


def test_headings_in_their_own_units_are_read(target):
    tables = scenario_tables()
    tables["periods"] = tables["periods"].rename(columns={"power_mw": "Power MW (MW)", "hours": "hours [hours]"})
    # a unit of the column's own, or a note that names no other unit
    tables["gpus"] = tables["gpus"].rename(columns={"it_w": "it_w (W/GPU)", "hbm_tbps": "hbm_tbps (TB/s)",
                                                    "bf16_tflops": "bf16_tflops (dense)", "hbm_gb": "hbm_gb (GB)"})
    tables["training"] = tables["training"].rename(columns={"mfu": "mfu (%)", "priority": "priority (1 = lowest)",
                                                            "tokens_b": "tokens_b (B tokens)",
                                                            "params_b": "params_b (total)",
                                                            "active_params_b": "active_params_b (billions)"})
    tables["fleet"] = tables["fleet"].rename(columns={"installed": "installed (count)"})
    plain = read_scenario(write_scenario(scenario_tables(), target.with_name("plain" + target.suffix)))
    headed = read_scenario(write_scenario(tables, target))
    for name in ("periods", "gpus", "fleet", "training"):
        pd.testing.assert_frame_equal(getattr(headed, name), getattr(plain, name), obj=name)


def test_a_fraction_headed_in_percent_takes_percentages_or_fractions(target):
    """'mfu (%)' over 40 and 35 means 40% and 35%; over 0.4 and 0.35 (a spreadsheet's cells shown as
    percentages) the fractions themselves; over 0.4 and 35 nothing certain: 35 is refused."""
    def mfu(values, name):
        tables = scenario_tables(training=[training_row(f"T{i}", mfu=v) for i, v in enumerate(values)])
        tables["training"] = tables["training"].rename(columns={"mfu": "mfu (%)"})
        return write_scenario(tables, target.with_name(name + target.suffix))

    assert read_scenario(mfu([40.0, 35.0], "percent")).training["mfu"].tolist() == pytest.approx([0.40, 0.35])
    assert read_scenario(mfu([0.4, 0.35], "fraction")).training["mfu"].tolist() == pytest.approx([0.40, 0.35])
    with pytest.raises(InputError) as error:
        read_scenario(mfu([0.4, 35.0], "mixed"))
    assert "column 'mfu'" in str(error.value) and "35" in str(error.value)


def test_site_missing_key(tmp_path):
    tables = scenario_tables()
    tables["site"] = {"name": "x"}
    path = tmp_path / "s.xlsx"
    one(problems(tables, path), where(path, "site", column="key"), "missing key 'pue'")


def test_unknown_column_is_a_warning_naming_the_nearest_known_one(target):
    tables = scenario_tables()
    tables["periods"] = tables["periods"].assign(powr_mw=5.0)
    tables["training"] = tables["training"].assign(mfuu=0.3, notes="hello")
    tables["site"] = {"name": "x", "pue": 1.2, "peu": 1.3}
    scenario = read_scenario(write_scenario(tables, target))
    assert scenario.warnings == [
        where(target, "periods") + "unknown column 'powr_mw' ignored (did you mean 'power_mw'?)",
        where(target, "training") + "unknown column 'mfuu' ignored (did you mean 'mfu'?)",
        where(target, "training") + "unknown column 'notes' ignored",
        where(target, "site", 4, "key") + "unknown key 'peu' ignored (did you mean 'pue'?)",
    ]
    assert scenario.training.loc[0, "mfu"] == 0.5  # the misspelt column does not stand in for the real one
    assert scenario.pue == 1.2


def test_what_the_planner_leaves_unread_is_a_warning(target):
    """Values under no heading (beside a merged heading cell, say), a copy of a sheet under another
    name, and a period with no GPUs (a totals row below the periods, say) change nothing or
    everything without a word otherwise."""
    tables = scenario_tables(periods=[("P1", 1000.0, 100.0), ("P2", 1000.0, 100.0)], fleet=[("G1", "P1", 1000.0)])
    tables["periods"] = tables["periods"].assign(**{"": ["a note", None]})
    tables["periods"] = tables["periods"].assign(**{"(notes)": ["headed by a note alone", None]})
    tables["training (2)"] = tables["training"]
    tables["Pricing"] = tables["training"]  # an extra sheet of the user's own: not a copy of one read
    tables["througput"] = pd.DataFrame({"workload": ["S1"], "gpu": ["G1"], "tokens_per_s_per_gpu": [1e4]})
    scenario = read_scenario(write_scenario(tables, target))
    assert scenario.throughput.empty
    assert sorted(scenario.warnings) == sorted([
        where(target, "periods") + "column D has values but no heading in row 1: ignored",
        where(target, "training (2)") + "not read (the planner reads the sheet 'training')",
        where(target, "througput") + ("not read (is it the sheet 'throughput'?)" if target.suffix == ".xlsx" else
                                      "not read (is it the file 'throughput.csv'?)"),
        f"{target}: period 'P2' has no GPUs installed (sheet 'fleet'): no workload runs in it",
    ])


def test_names_typed_with_another_encoding_of_the_same_letters_match(target):
    """'Grâce-B200' composed (NFC, as most keyboards type it) in one sheet and decomposed (NFD, as
    some systems save it) in another is the same name."""
    composed, decomposed = "Gr\u00e2ce-B200", "Gra\u0302ce-B200"
    tables = scenario_tables(gpus=[gpu_row(composed)], fleet=[(decomposed, "P1", 1000.0)])
    scenario = read_scenario(write_scenario(tables, target))
    assert list(scenario.gpus["gpu"]) == [composed] and scenario.fleet.loc[composed, "P1"] == 1000.0


def test_heading_given_twice(tmp_path):
    path = tmp_path / "s.xlsx"
    write_scenario(scenario_tables(), path)
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["periods"]["D1"] = "Hours"
    book["periods"]["D2"] = 5
    book.save(path)
    assert problems_reading(path) == [
        where(path, "periods", 1, "hours") + "the heading appears in more than one column (B and D); keep one"
    ]


def test_empty_csv_sheet_is_reported_not_crashing(tmp_path):
    path = write_scenario(scenario_tables(), tmp_path / "s")
    (path / "gpus.csv").write_text("")
    assert problems_reading(path) == [f"{path / 'gpus.csv'}: the file is empty"]


# ---------------------------------------------------------------------------
# cells


def test_blank_required_cell(target):
    """Two blank in one row: one line naming both columns; a third in another row: a line of its own."""
    tables = scenario_tables(training=[training_row("A"), training_row("B", tokens_b=None, priority=None),
                                       training_row("C", params_b=None)])
    assert problems(tables, target) == [  # in the columns' order, as found
        where(target, "training", 4, "params_b") + "required value is blank",
        where(target, "training", 3)[:-2] + ", columns 'tokens_b' and 'priority': required value is blank",
    ]


@pytest.mark.parametrize("sheet", ["fleet", "training"])
def test_blank_reference_cell_among_filled_ones(tmp_path, sheet):
    """Under pandas 3 a blank among strings reads as NaN, not None; an earlier reader crashed
    on it with a TypeError from difflib."""
    if sheet == "fleet":
        tables = scenario_tables(fleet=[("G1", "P1", 10.0), ("G1", None, 10.0)])
        column = "period"
    else:
        tables = scenario_tables(training=[training_row("A"), training_row("B", start=None)])
        column = "start_period"
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, sheet, 3, column) + "required value is blank"]


def test_blank_reference_cell_alone_is_reported(tmp_path):
    """The same blank, when no other row fills the column, is reported properly."""
    tables = scenario_tables(fleet=[("G1", None, 10.0)])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "fleet", 2, "period") + "required value is blank"]


def test_text_where_a_number_is_needed(target):
    tables = scenario_tables(gpus=[gpu_row("G1"), gpu_row("G2", hbm_gb="eighty")], fleet=[("G1", "P1", "lots")])
    assert problems(tables, target) == [
        where(target, "gpus", 3, "hbm_gb") + "expected a number in GB, found 'eighty'",
        where(target, "fleet", 2, "installed") + "expected a number in GPUs, found 'lots'",
    ]


def test_a_value_just_past_its_bound_is_shown_with_the_figures_that_tell_them_apart(tmp_path):
    """A formula's float noise (=0.3+0.7) can land just past a bound: 'must be <= 1, found 1' read as nonsense."""
    path = tmp_path / "s"
    tables = scenario_tables(training=[training_row("T1", mfu=1.0000001)], pue=10.0000004)
    assert problems(tables, path) == [
        where(path, "training", 2, "mfu") + "must be <= 1, found 1.0000001",
        where(path, "site", 3, "value") + "must be <= 10, found 10.0000004",
    ]


def test_text_longer_than_a_spreadsheet_cell_holds_is_refused(tmp_path):
    """A CSV cell may hold more than Excel's 32,767 characters a cell: such a name could not be written to
    results.xlsx whole, and cut short there it would no longer join summary.json's."""
    path = tmp_path / "s"
    longest = "w" * 32_767
    tables = scenario_tables(training=[training_row(longest)], inference=[inference_row("s" * 32_768)])
    assert problems(tables, path) == [where(path, "inference", 2, "workload") + "the text is 32,768 characters "
                                      "long, more than a spreadsheet's cell holds (32,767), so results.xlsx could "
                                      "not hold it: shorten it"]


@pytest.mark.parametrize(
    "sheet, column, value, message",
    [
        ("gpus", "bf16_tflops", -1000.0, "must be > 0, found -1000"),
        ("gpus", "hbm_gb", 0.0, "must be > 0, found 0"),
        ("gpus", "it_w", -5.0, "must be > 0, found -5"),
        ("training", "params_b", -7.0, "must be > 0, found -7"),
        ("training", "tokens_b", -3.0, "must be > 0, found -3"),
        ("training", "priority", 0.0, "must be > 0, found 0"),
        ("fleet", "installed", -10.0, "must be >= 0, found -10"),
        ("gpus", "idle_w", -1.0, "must be >= 0, found -1"),
        ("periods", "power_mw", -1.0, "must be >= 0, found -1"),
    ],
    ids=["bf16-negative", "hbm-zero", "it_w-negative", "params-negative", "tokens-negative", "priority-zero",
         "installed-negative", "idle-negative", "power-negative"],
)
def test_negative_or_zero_where_positive_is_needed(tmp_path, sheet, column, value, message):
    tables = scenario_tables()
    tables[sheet] = tables[sheet].assign(**{column: value})
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, sheet, 2, column) + message]


@pytest.mark.parametrize("value, message", [(1.5, "must be <= 1, found 1.5"), (0.0, "must be > 0, found 0"),
                                            ("140%", "must be <= 1, found 1.4"), (-0.2, "must be > 0, found -0.2"),
                                            (40, "must be <= 1, found 40 (a share: for 40%, type 40% or 0.4)")])
def test_fraction_outside_zero_to_one(tmp_path, value, message):
    tables = scenario_tables(training=[training_row(mfu=value)])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "training", 2, "mfu") + message]


def test_fraction_of_exactly_one_is_fine(tmp_path):
    tables = scenario_tables(training=[training_row(mfu="100%")])
    assert read_scenario(write_scenario(tables, tmp_path / "s.xlsx")).training.loc[0, "mfu"] == 1.0


def test_implausibly_large_number(target):
    tables = scenario_tables(periods=[("P1", 1e300, 10.0)])
    assert problems(tables, target) == [where(target, "periods", 2, "hours") + "must be <= 100000, found 1e+300: "
                                        "implausibly large"]


def test_implausibly_small_positive_number(target):
    """2e-313 B parameters passed as positive and overflowed the model's arithmetic into an
    internal error; a positive figure below 1e-12 in its unit is now refused as a slip."""
    tables = scenario_tables(training=[training_row(params_b=2.2250738585e-313)])
    assert problems(tables, target) == [where(target, "training", 2, "params_b") + "must be >= 1e-12, found "
                                        "2.22507e-313: implausibly small"]


def test_pue_below_one(target):
    """site is key/value rows: name on row 2, pue on row 3; the value column is named."""
    assert problems(scenario_tables(pue=0.95), target) == [
        where(target, "site", 3, "value") + "must be >= 1, found 0.95"
    ]


def test_duplicate_names(target):
    tables = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0), ("P1", 100.0, 10.0)],
                             gpus=[gpu_row("G1"), gpu_row("G1")], fleet=[("G1", "P1", 1.0)],
                             training=[training_row("T"), training_row("U"), training_row("T")])
    assert problems(tables, target) == [
        where(target, "periods", 4, "period") + "duplicate name 'P1'",
        where(target, "gpus", 3, "gpu") + "duplicate name 'G1'",
        where(target, "training", 4, "workload") + "duplicate name 'T'",
    ]


def test_names_match_after_trimming_spaces_so_padded_duplicates_are_caught(tmp_path):
    tables = scenario_tables(gpus=[gpu_row("G1"), gpu_row("  G1 ")], fleet=[("G1", "P1", 1.0)])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "gpus", 3, "gpu") + "duplicate name 'G1'"]


def test_duplicate_fleet_pair(tmp_path):
    tables = scenario_tables(fleet=[("G1", "P1", 10.0), ("G1", "P1", 20.0)])
    path = tmp_path / "s.xlsx"
    one(problems(tables, path), where(path, "fleet", 3, "period"), "GPU 'G1' in period 'P1' is listed twice")


def test_names_that_differ_only_in_case_are_read_as_two_and_warned_of(tmp_path):
    """'G1' and 'g1' are two GPU types to the planner, where Excel's lookups and drop-downs take them for one."""
    tables = scenario_tables(gpus=[gpu_row("G1"), gpu_row("g1"), gpu_row("G2"), gpu_row("GPU-3"), gpu_row("gpu-3")],
                             fleet=[("G1", "P1", 1.0)])
    path = tmp_path / "s.xlsx"
    scenario = read_scenario(write_scenario(tables, path))
    assert scenario.gpus["gpu"].tolist() == ["G1", "g1", "G2", "GPU-3", "gpu-3"]
    assert scenario.warnings == [
        f"{path}, sheet 'gpus': '{a}' (row {i}) and '{b}' (row {i + 1}) differ only in case: they are read as two, "
        "each named in the other sheets by its exact spelling (a spreadsheet's lookups would take them for one)"
        for a, b, i in (("G1", "g1", 2), ("GPU-3", "gpu-3", 5))]


def test_names_that_differ_only_in_the_form_of_their_characters_are_read_as_two_and_warned_of(tmp_path):
    """A full-width 'ｌｍ-7b' (typed with an East Asian input method) and 'lm-7b' look alike to a reader; 'ﬁne-tune'
    (a ligature) and 'Fine-tune' differ in form and case. Each pair is two workloads, and warned of."""
    tables = scenario_tables(training=[training_row("ｌｍ-7b"), training_row("lm-7b"), training_row("ﬁne-tune"),
                                       training_row("Fine-tune")])
    path = tmp_path / "s.xlsx"
    scenario = read_scenario(write_scenario(tables, path))
    assert scenario.training["workload"].tolist() == ["ｌｍ-7b", "lm-7b", "ﬁne-tune", "Fine-tune"]
    assert scenario.warnings == [
        f"{path}, sheet 'training': '{a}' (row {i}) and '{b}' (row {i + 1}) differ only in the form of their "
        f"characters (full-width, ligatures, superscripts){case}: they are read as two, each named in the other "
        "sheets by its exact spelling (a reader would take them for one)"
        for a, b, i, case in (("ｌｍ-7b", "lm-7b", 2, ""), ("ﬁne-tune", "Fine-tune", 4, " and in case"))]


def test_names_apart_by_case_folding_alone_are_said_to_differ_in_case(tmp_path):
    """'straße' and 'STRASSE' fold to one name, no character of either in another form: they differ in case."""
    tables = scenario_tables(training=[training_row("straße"), training_row("STRASSE")])
    path = tmp_path / "s.xlsx"
    assert read_scenario(write_scenario(tables, path)).warnings == [
        f"{path}, sheet 'training': 'straße' (row 2) and 'STRASSE' (row 3) differ only in case: they are read as two, "
        "each named in the other sheets by its exact spelling (a spreadsheet's lookups would take them for one)"]


def test_a_name_typed_full_width_in_another_sheet_is_answered_with_the_name_meant(tmp_path):
    tables = scenario_tables(gpus=[gpu_row("H100")], fleet=[("Ｈ１００", "P1", 100.0)])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "fleet", 2, "gpu") + "unknown GPU 'Ｈ１００' (did you mean 'H100'?)"]


def test_a_fleet_pair_listed_twice_is_not_counted_twice_against_the_budget(tmp_path):
    """10,000 G1 draw 2.5 MW idle (200 W x PUE 1.25), within the 4 MW budget; counted twice they would be 5 MW,
    an error the user did not make."""
    tables = scenario_tables(periods=[("P1", 1000.0, 4.0)], fleet=[("G1", "P1", 10_000.0), ("G1", "P1", 10_000.0)])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "fleet", 3, "period") + "GPU 'G1' in period 'P1' is listed twice"]


def test_duplicate_throughput_pair(target):
    tables = scenario_tables(inference=[inference_row("S")], throughput=[("S", "G1", 10.0), ("S", "G1", 20.0)])
    assert problems(tables, target) == [
        where(target, "throughput", 3, "gpu") + "workload 'S' on GPU 'G1' is listed twice"
    ]


def test_a_measured_training_rate_above_the_gpus_peak_is_refused(tmp_path):
    """5,000 TFLOP/s a GPU on a 1,000 TFLOP/s GPU (an FP8 figure for a BF16 run, or a sparse one): a run planned
    at five times what its GPUs can do. The run's precision sets the peak."""
    tables = scenario_tables(gpus=[gpu_row(fp8_tflops=2000.0)],
                             training=[training_row(), training_row("T2", precision="fp8")],
                             throughput=[dict(workload="T1", gpu="G1", train_tflops_per_gpu=1500.0),
                                         dict(workload="T2", gpu="G1", train_tflops_per_gpu=1500.0)])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [
        where(path, "throughput", 2, "train_tflops_per_gpu") + "1500 TFLOP/s is above G1's bf16 peak (1000): give the "
        "TFLOP/s one GPU delivers to the run (model FLOPs: 6 x active parameters per token trained), at most its peak"]


def test_a_measured_figure_a_workload_does_not_use_is_warned_of(tmp_path):
    """A service's row with a training rate too, and a run's with a tokens rate: the figure its kind does not use
    was dropped without a word."""
    tables = scenario_tables(inference=[inference_row()], training=[training_row()],
                             throughput=[dict(workload="S1", gpu="G1", tokens_per_s_per_gpu=100.0,
                                              train_tflops_per_gpu=400.0),
                                         dict(workload="T1", gpu="G1", tokens_per_s_per_gpu=100.0,
                                              train_tflops_per_gpu=400.0)])
    path = tmp_path / "s.xlsx"
    assert read_scenario(write_scenario(tables, path)).warnings == [
        f"{path}, sheet 'throughput', row 2, column 'train_tflops_per_gpu': not used: 'S1' is an inference service",
        f"{path}, sheet 'throughput', row 3, column 'tokens_per_s_per_gpu': not used: 'T1' is a training run"]


def test_a_measured_figure_refused_is_told_once(tmp_path):
    tables = scenario_tables(throughput=[dict(workload="T1", gpu="G1", train_tflops_per_gpu=0.0)])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "throughput", 2, "train_tflops_per_gpu") + "must be > 0, found 0"]


def test_two_spellings_of_one_catalogue_gpu_are_warned_of(tmp_path):
    """'H100-SXM' and 'H100 SXM' both take the catalogue's H100-SXM figures, and are planned as two fleets."""
    tables = scenario_tables(gpus=[{"gpu": "H100-SXM"}, {"gpu": "H100 SXM"}, {"gpu": "h100 sxm"}])
    path = tmp_path / "s.xlsx"
    warnings = read_scenario(write_scenario(tables, path)).warnings
    assert f"{path}, sheet 'gpus': 'H100-SXM' (row 2), 'H100 SXM' (row 3) and 'h100 sxm' (row 4) are both the " \
           "catalogue's 'H100-SXM': they are read as two GPU types, each named in the other sheets by its exact " \
           "spelling" in warnings


# ---------------------------------------------------------------------------
# references between sheets


def test_unknown_gpu(target):
    tables = scenario_tables(fleet=[("G1", "P1", 1.0), ("g1", "P1", 1.0), ("X", "P1", 1.0)])
    assert problems(tables, target) == [
        where(target, "fleet", 3, "gpu") + "unknown GPU 'g1' (did you mean 'G1'?)",
        where(target, "fleet", 4, "gpu") + "unknown GPU 'X'",
    ]


def test_unknown_period(target):
    tables = scenario_tables(periods=[("2026Q1", 100.0, 10.0)], fleet=[("G1", "2026Q1", 1.0), ("G1", "2026Q5", 1.0)],
                             training=[training_row(start="2026Q1", deadline="2026Q5")])
    assert problems(tables, target) == [
        where(target, "fleet", 3, "period") + "unknown period '2026Q5' (did you mean '2026Q1'?)",
        where(target, "training", 2, "deadline_period") + "unknown period '2026Q5' (did you mean '2026Q1'?)",
    ]


def test_unknown_workload(target):
    tables = scenario_tables(inference=[inference_row("chat")], throughput=[("chta", "G1", 100.0)])
    found = problems(tables, target)
    assert len(found) == 1
    one(found, where(target, "throughput", 2, "workload"), "unknown", "'chta'", "did you mean 'chat'?")


def test_unknown_references_in_start_periods_and_throughput(tmp_path):
    tables = scenario_tables(
        training=[training_row("T", start="P9", deadline="P1")],
        inference=[inference_row("S", start="Q1")],
        throughput=[("nobody", "G1", 10.0), ("S", "G7", 10.0)],
    )
    path = tmp_path / "s.xlsx"
    found = problems(tables, path)
    one(found, where(path, "training", 2, "start_period"), "unknown period 'P9'")
    one(found, where(path, "inference", 2, "start_period"), "unknown period 'Q1'")
    one(found, where(path, "throughput", 2, "workload"), "'nobody'")
    one(found, where(path, "throughput", 3, "gpu"), "unknown GPU 'G7'")
    assert len(found) == 4


def test_workload_name_shared_by_training_and_inference(tmp_path):
    tables = scenario_tables(training=[training_row("X")], inference=[inference_row("X")])
    path = tmp_path / "s.xlsx"
    one(problems(tables, path), where(path, "inference", 2, "workload"), "'X' is also a training run")


def test_deadline_before_start(target):
    tables = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
                             training=[training_row("ok", start="P1", deadline="P2"),
                                       training_row("late", start="P2", deadline="P1")])
    assert problems(tables, target) == [
        where(target, "training", 3, "deadline_period") + "deadline 'P1' is before the start 'P2'"
    ]


def quarters(*labels: str, power_mw: float = 10.0) -> dict:
    """Tables whose periods are ``labels`` (2190 h each) with one G1 installed in each: the rest as
    scenario_tables gives it."""
    return scenario_tables(periods=[(p, 2190.0, power_mw) for p in labels],
                           fleet=[("G1", p, 1.0) for p in labels],
                           training=[training_row(start=labels[0], deadline=labels[0])])


@pytest.mark.parametrize("labels, row, message", [
    (("2026Q1", "2026Q3", "2026Q2"), 4, "period '2026Q2' is listed after '2026Q3'"),
    (("2026-01-01", "2026-07-01", "2026-04-01"), 4, "period '2026-04-01' is listed after '2026-07-01'"),
    (("Q1 2026", "Q2 2026", "Q4 2025"), 4, "period 'Q4 2025' is listed after 'Q2 2026'"),
    (("2026H1", "2026-07", "2026"), 4, "period '2026' is listed after '2026-07'"),
    (("2027", "2026"), 3, "period '2026' is listed after '2027'"),
    (("Jan 2026", "2026-March", "Feb. 2026"), 4, "period 'Feb. 2026' is listed after '2026-March'"),
    (("2026/01", "2026/03", "2026/02/15"), 4, "period '2026/02/15' is listed after '2026/03'"),
    (("01/2026", "03/2026", "02-2026"), 4, "period '02-2026' is listed after '03/2026'"),
])
def test_periods_out_of_time_order(tmp_path, labels, row, message):
    """Windows follow the rows' order, so a quarter typed above the one before it moves every window:
    where each label says when it starts (a date cell reads as 2026-07-01), the order is checked."""
    path = tmp_path / "s.xlsx"
    assert problems(quarters(*labels), path) == [
        where(path, "periods", row, "period") + message + " but does not start later: list the periods in time order"]


def test_periods_out_of_time_order_are_told_once_and_windows_not_judged_by_them(tmp_path):
    """Q2 typed above Q1: the order is refused; a run from Q1 to Q2 is not also said to end before it starts
    (it does not, in time), nor a repeated period told both as repeated and as out of order."""
    tables = quarters("2026Q2", "2026Q1", "2026Q3", "2026Q1")
    tables["fleet"] = tables["fleet"].drop_duplicates()
    tables["training"] = pd.DataFrame([training_row(start="2026Q1", deadline="2026Q2")])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [
        where(path, "periods", 5, "period") + "duplicate name '2026Q1'",
        where(path, "periods", 3, "period") + "period '2026Q1' is listed after '2026Q2' but does not start later: "
        "list the periods in time order"]


@pytest.mark.parametrize("periods, row, message", [
    ([("2026", 8760.0), ("2026Q4", 2208.0)], 2,
     "period '2026' has 8,760 hours, but '2026Q4', listed next, starts 6,552 hours after it"),
    ([("2026Q1", 2160.0), ("2026-02", 672.0)], 2,
     "period '2026Q1' has 2,160 hours, but '2026-02', listed next, starts 744 hours after it"),
    ([("2026-01-01", 8760.0), ("2026-04-01", 2184.0)], 2,  # months' dates given a year's hours
     "period '2026-01-01' has 8,760 hours, but '2026-04-01', listed next, starts 2,160 hours after it"),
    ([("2026Q3", 2208.0), ("2026Q4", 8760.0)], 3, "period '2026Q4' has 8,760 hours, more than the 2,208 its name "
     "spans"),
])
def test_periods_whose_hours_run_into_the_next_are_refused(tmp_path, periods, row, message):
    """A year then a quarter of it, a quarter then a month of it: the same time counted twice (a horizon of
    10,968 h for 2026 and its last quarter). Told where labels say when periods start, and where a quarter's,
    half's or year's label says when it ends."""
    labels = [label for label, _ in periods]
    tables = quarters(*labels)
    tables["periods"]["hours"] = [hours for _, hours in periods]
    path = tmp_path / "s.xlsx"
    overlap = "" if "spans" in message else ": the periods overlap, counting the same time twice"
    assert problems(tables, path) == [where(path, "periods", row, "hours") + message + overlap]


@pytest.mark.parametrize("periods", [
    [(f"2026-{m:02d}", 730.0) for m in range(1, 13)],  # months of average length, February's 672 h included
    [(f"2026-{m:02d}-01", 744.0) for m in range(1, 13)],  # months of 31 days, as dates
    [("2026Q1", 2190.0), ("2026Q2", 2190.0), ("2026Q3", 2190.0), ("2026Q4", 2190.0)],
    [("2026-01", 2190.0), ("2026-04", 2190.0), ("2026H2", 4416.0), ("2028", 8784.0)],  # quarters by first month
    [("2026", 2000.0), ("2027", 8000.0)],  # hours short of the span: time a plan leaves out
    [("2026-01-31", 744.0), ("2026-02-28", 672.0), ("2026-03-31", 744.0)],  # months by the day they close
])
def test_periods_of_average_or_shorter_length_are_fine(tmp_path, periods):
    tables = quarters(*[label for label, _ in periods])
    tables["periods"]["hours"] = [hours for _, hours in periods]
    assert list(read_scenario(write_scenario(tables, tmp_path / "s")).periods["hours"]) == [h for _, h in periods]


@pytest.mark.parametrize("labels", [("2025Q4", "2026Q1", "2026-04", "2026H2", "2027"), ("P2", "P1", "P3"),
                                    ("2026Q2", "2026Q1", "spring"),
                                    ("9999Q3", "9999Q4"), ("9999H1", "9999H2"), ("9998", "9999")])  # end in 10000
def test_periods_in_time_order_or_named_without_a_date_are_fine(tmp_path, labels):
    """Labels in order, in any mix of forms, pass; so do labels that do not all say when they start."""
    assert list(read_scenario(write_scenario(quarters(*labels), tmp_path / "s")).periods["period"]) == list(labels)


def test_a_totals_row_under_a_single_period_is_refused_by_its_name(tmp_path):
    tables = quarters("2026")
    tables["periods"].loc[1] = ("Total", 2190.0, 10.0)
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [
        where(path, "periods", 3, "period") + "'Total' looks like a totals row, not a period (its name): delete the row"]


@pytest.mark.parametrize("label, hours, why", [
    ("Total", 999.0, "its name"), ("Summe:", 999.0, "its name"),
    ("2026-2027", 3 * 2190.0, "its hours are those of all the periods above, and it has no GPUs"),
])
def test_a_totals_row_under_the_periods_is_refused(tmp_path, label, hours, why):
    """A totals row would be one more period, which every service counts as unserved (a score 23% low
    and every power price halved, on an eight-quarter case): refused by name, or as the last row, with
    no GPUs, whose hours are the sum of those above."""
    tables = quarters("2026Q1", "2026Q2", "2026Q3")
    tables["periods"].loc[3] = (label, hours, 30.0)
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [
        where(path, "periods", 5, "period") + f"'{label}' looks like a totals row, not a period ({why}): delete the row"]


@pytest.mark.parametrize("labels", [("2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027"), ("2026H1", "2026H2", "2027")])
def test_a_later_year_as_long_as_the_periods_above_is_a_period_without_gpus(tmp_path, labels):
    """2027 after 2026's quarters, its fleet not yet entered: as long as those above, and without GPUs, but it
    starts after them, so it is a period (with a warning that nothing runs in it), not a totals row."""
    tables = quarters(*labels)
    tables["periods"]["hours"] = [8760.0 / (len(labels) - 1)] * (len(labels) - 1) + [8760.0]
    tables["fleet"] = tables["fleet"][tables["fleet"]["period"] != "2027"]
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    assert list(scenario.periods["period"]) == list(labels)
    assert any("period '2027' has no GPUs installed" in warning for warning in scenario.warnings)


def test_a_last_period_as_long_as_those_above_is_fine_where_it_has_gpus(tmp_path):
    """Quarters of 2190 h then a half-year of 4380 h: the same hours as the rows above, but GPUs are
    installed in it, so it is a period."""
    tables = quarters("2026Q1", "2026Q2", "2026H2")
    tables["periods"].loc[2, "hours"] = 4380.0
    assert list(read_scenario(write_scenario(tables, tmp_path / "s")).periods["hours"]) == [2190.0, 2190.0, 4380.0]


def test_an_empty_fleet_is_refused(target):
    tables = scenario_tables()
    tables["fleet"] = tables["fleet"].iloc[:0]
    assert problems(tables, target) == [
        where(target, "fleet") + "no GPUs listed: give how many of each type are installed in each period"]


def test_a_name_with_two_characters_swapped_is_suggested_before_one_with_one_changed(tmp_path):
    """H100-SXM typed right in the fleet, but H100-SMX in the gpus sheet: the fleet row is pointed to
    the GPU type meant, not to H200-SXM, which differs by one character and which difflib ranks alike."""
    tables = scenario_tables(gpus=[gpu_row("H100-SMX"), gpu_row("H200-SXM")],
                             fleet=[("H100-SXM", "P1", 8.0), ("H200-SXM", "P1", 8.0)])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "fleet", 2, "gpu") + "unknown GPU 'H100-SXM' (did you mean 'H100-SMX'?)"]


def test_budgets_that_read_as_kw_are_warned_of(tmp_path):
    """6,000 to 60,000 typed as power_mw for a fleet drawing 1.75 MW at full use (1000 G1 of 1400 W,
    PUE 1.25): kW typed under MW. A budget to spare, under 1 GW, is not warned of."""
    def warnings(budgets: list[float]) -> list[str]:
        tables = scenario_tables(periods=[(f"P{i}", 1000.0, mw) for i, mw in enumerate(budgets, start=1)])
        return read_scenario(write_scenario(tables, tmp_path / f"s{budgets[0]:g}")).warnings

    path = tmp_path / "s6000"
    assert warnings([6000.0, 60000.0]) == [
        f"{path / 'periods.csv'}, column 'power_mw': every period's budget is 100 times or more what its GPUs draw at "
        "full use (P1: 6,000 MW against 1.75 MW); power_mw is in MW: was it typed in kW?"]
    assert warnings([900.0, 900.0]) == []  # 514 times the draw, but under 1 GW
    assert warnings([6000.0, 100.0]) == []  # one period within 100 times its draw


def test_deadline_equal_to_start_is_fine(tmp_path):
    tables = scenario_tables(training=[training_row(start="P1", deadline="P1")])
    assert read_scenario(write_scenario(tables, tmp_path / "s.xlsx")).training.loc[0, "deadline_period"] == "P1"


def test_period_with_zero_hours(target):
    tables = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 0, 10.0)])
    assert problems(tables, target) == [where(target, "periods", 3, "hours") + "must be > 0, found 0"]


def test_inference_model_that_fits_no_gpu(target):
    """2,000B parameters x 2 bytes = 4,000 GB > 64 x 60 GB x 90% = 3,456 GB on the largest GPU."""
    tables = scenario_tables(
        gpus=[gpu_row("small", hbm_gb=40.0), gpu_row("large", hbm_gb=60.0)],
        inference=[inference_row("fits", params_b=70.0), inference_row("huge", params_b=2000.0)],
    )
    assert problems(tables, target) == [
        where(target, "inference", 3, "params_b") + "a 2000B-parameter model fits no GPU type: its bf16 weights "
        "(4,000 GB) exceed 64 GPUs x 60 GB x 90% usable on the largest, 'large' (3,456 GB)"
    ]


def test_a_model_just_inside_64_gpus_is_accepted(tmp_path):
    tables = scenario_tables(gpus=[gpu_row(hbm_gb=60.0)], inference=[inference_row(params_b=1728.0)])
    read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))  # 3,456 GB of weights: exactly full


def test_no_workloads(target):
    tables = scenario_tables(training=[], inference=[])
    assert problems(tables, target) == [f"{target}: no workloads: the training and inference sheets are both empty"]


def test_no_periods_and_no_gpus(tmp_path):
    tables = scenario_tables(periods=[], gpus=[], fleet=[], training=[], inference=[inference_row()])
    path = tmp_path / "s.xlsx"
    found = problems(tables, path)
    one(found, where(path, "periods"), "no periods listed")
    one(found, where(path, "gpus"), "no GPU types listed")


def test_idle_draw_above_the_draw_in_use(target):
    tables = scenario_tables(gpus=[gpu_row(it_w=700.0, idle_w=900.0)])
    assert problems(tables, target) == [
        where(target, "gpus", 2, "idle_w") + "idle draw 900 W is above the draw in use (it_w 700 W)"
    ]


def test_idle_draw_above_budget(target):
    """1000 GPUs x 200 W idle x PUE 1.25 = 0.25 MW > a 0.1 MW budget in P2 (row 3)."""
    tables = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 0.1)])
    assert problems(tables, target) == [
        where(target, "periods", 3, "power_mw") + "budget 0.1 MW is below the idle draw of the installed fleet "
        "(0.250 MW with PUE); if GPUs left unused are switched off, give their type an idle_w of 0 (or its standby "
        "draw) in the gpus sheet"
    ]


def test_idle_above_budget_is_collected_with_other_problems(tmp_path):
    tables = scenario_tables(periods=[("P1", 100.0, 0.1)], training=[training_row(mfu=2.0)])
    path = tmp_path / "s.xlsx"
    found = problems(tables, path)
    one(found, where(path, "training", 2, "mfu"), "must be <= 1")
    one(found, where(path, "periods", 2, "power_mw"), "below the idle draw")
    assert len(found) == 2


def test_budget_equal_to_the_idle_draw_is_accepted(tmp_path):
    """1.1 x 50 W x 1000 / 1e6 = 0.055000000000000005 in floating point: equal, not above."""
    tables = scenario_tables(pue=1.1, periods=[("P1", 1000.0, 0.055)], gpus=[gpu_row(idle_w=50.0)])
    read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))


def test_every_problem_is_reported_in_one_pass(tmp_path):
    tables = scenario_tables(
        pue=0.8,
        periods=[("P1", 0, 10.0), ("P1", 100.0, 10.0)],
        gpus=[gpu_row(hbm_gb="eighty", it_w=0.0), gpu_row("G2", it_w=500.0, idle_w=600.0)],
        fleet=[("G1", "P9", 1.0), ("G9", "P1", 1.0)],
        training=[training_row(start="P1", deadline="P0", mfu=2.0, priority=None)],
        inference=[inference_row(params_b=-1.0, peak_factor=0.5)],
    )
    path = tmp_path / "s.xlsx"
    found = problems(tables, path)
    expected = [
        (where(path, "site", 3, "value"), "must be >= 1"),
        (where(path, "periods", 2, "hours"), "must be > 0"),
        (where(path, "periods", 3, "period"), "duplicate name 'P1'"),
        (where(path, "gpus", 2, "hbm_gb"), "expected a number in GB"),
        (where(path, "gpus", 2, "it_w"), "must be > 0"),
        (where(path, "gpus", 3, "idle_w"), "above the draw in use"),
        (where(path, "fleet", 2, "period"), "unknown period 'P9'"),
        (where(path, "fleet", 3, "gpu"), "unknown GPU 'G9'"),
        (where(path, "training", 2, "deadline_period"), "unknown period 'P0'"),
        (where(path, "training", 2, "mfu"), "must be <= 1"),
        (where(path, "training", 2, "priority"), "required value is blank"),
        (where(path, "inference", 2, "params_b"), "must be > 0"),
        (where(path, "inference", 2, "peak_factor"), "must be >= 1"),
    ]
    for prefix, text in expected:
        one(found, prefix, text)
    assert len(found) == len(expected)


def test_many_problems_are_all_kept_but_the_message_is_capped(tmp_path):
    rows = [gpu_row(f"G{i}", hbm_gb=f"?{i}") for i in range(MAX_ERRORS_SHOWN + 5)]
    tables = scenario_tables(gpus=rows, fleet=[("G0", "P1", 1.0)])
    path = tmp_path / "s.xlsx"
    write_scenario(tables, path)
    with pytest.raises(InputError) as info:
        read_scenario(path)
    assert len(info.value.problems) == MAX_ERRORS_SHOWN + 5
    lines = str(info.value).splitlines()
    assert len(lines) == MAX_ERRORS_SHOWN + 1
    assert lines[-1] == "... and 5 more problems"


# ---------------------------------------------------------------------------
# files that are not spreadsheets


def _ole2(*streams: str) -> bytes:
    """A minimal compound file (OLE2) whose directory names ``streams``: the container an
    encrypted xlsx is (streams EncryptionInfo and EncryptedPackage), or a legacy .xls."""
    sector = 512
    header = bytearray(sector)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # minor, major version, byte order, 2^9 sectors
    struct.pack_into("<H", header, 32, 6)  # mini sector shift
    struct.pack_into("<IIIIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<II", header, 72, 0, 0xFFFFFFFF)  # DIFAT: FAT in sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)  # sector 0: FAT, sector 1: directory (end)
    directory = bytearray(sector)
    for i, name in enumerate(("Root Entry", *streams)):
        entry = 128 * i
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[entry:entry + len(encoded)] = encoded
        struct.pack_into("<HBB", directory, entry + 64, len(encoded), 5 if i == 0 else 2, 1)
        struct.pack_into("<III", directory, entry + 68, 0xFFFFFFFF, 0xFFFFFFFF,
                         1 if i == 0 and streams else 0xFFFFFFFF)
        struct.pack_into("<II", directory, entry + 116, 0xFFFFFFFE, 0)
    return bytes(header + fat + directory)


def zipped(parts: dict[str, bytes]) -> bytes:
    """A zip archive holding ``parts``: the container of xlsx, xlsb and ods files, with none of their contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("s.xlsx", b"", "the file is empty"),
        ("s.xlsx", b"just some text\n", "not a readable xlsx file (password protected or damaged?)"),
        ("s.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not a readable xlsx file (password protected or damaged?)"),
        ("s.ods", b"just some text\n", "not a readable ods file (damaged?)"),
        ("s.ODS", zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<damaged"}),
         "not a readable ods file (password protected or damaged?)"),
        ("s.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a workbook (expected .xlsx or a folder of CSV files)"),
        ("periods.csv", b"period,hours,power_mw\nP1,1,1\n",
         "a single CSV file; give the folder that holds one CSV file per sheet"),
    ],
    ids=["empty", "text", "pdf", "ods-text", "ods-zip", "png", "single-csv"],
)
def test_not_a_spreadsheet(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    assert problems_reading(path) == [f"{path}: {message}"]


def test_missing_file_and_empty_folder(tmp_path):
    path = tmp_path / "nope.xlsx"
    assert problems_reading(path) == [f"{path}: no such file or folder"]
    (tmp_path / "notes.txt").write_text("")  # a file where the path has a folder: named, as what is in the way
    path = tmp_path / "notes.txt" / "s.xlsx"
    assert problems_reading(path) == [
        f"{path}: no such file or folder: {tmp_path / 'notes.txt'} is a file, not a folder"]
    folder = tmp_path / "empty"
    folder.mkdir()
    assert problems_reading(folder) == [f"{folder}: no CSV files in the folder"]


def test_a_zip_that_holds_no_workbook(tmp_path):
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert problems_reading(path) == [f"{path}: not a spreadsheet (a zip archive without a workbook inside)"]


def test_password_protected_workbook(tmp_path):
    path = tmp_path / "s.xlsx"
    path.write_bytes(_ole2("EncryptionInfo", "EncryptedPackage"))
    assert problems_reading(path) == [
        f"{path}: not a readable xlsx file: it is password protected (encrypted); save a copy without a password "
        "and use that"
    ]


def test_damaged_legacy_workbook_is_an_input_error(tmp_path):
    path = tmp_path / "s.xls"
    path.write_bytes(_ole2("Workbook"))
    with pytest.raises(InputError) as info:
        read_scenario(path)
    assert info.value.problems == [f"{path}: not a readable xls file (damaged?)"]


def test_truncated_xlsx_is_an_input_error(tmp_path):
    good = write_scenario(scenario_tables(), tmp_path / "good.xlsx")
    path = tmp_path / "s.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError) as info:
        read_scenario(path)
    [message] = info.value.problems
    assert message.startswith(f"{path}: ")


def test_bad_input_exits_2_with_one_line_per_problem_and_no_traceback(tmp_path, capsys):
    path = write_scenario(scenario_tables(pue=0.5, fleet=[("G9", "P1", 1.0)]), tmp_path / "s.xlsx")
    out = tmp_path / "out"
    assert main(["solve", str(path), "--out", str(out)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines() == [
        f"error: {path}, sheet 'site', row 3, column 'value': must be >= 1, found 0.5",
        f"{path}, sheet 'fleet', row 2, column 'gpu': unknown GPU 'G9'",
    ]
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]


def test_figures_of_a_workload_that_contradict_each_other(target):
    """Each would give a plan without a word: eleven times the GPU-hours for a run whose active and
    total parameters are swapped, a run never served, a KV cache sized by rule of thumb although
    the architecture was (partly) given."""
    tables = scenario_tables(
        training=[training_row("T1", params_b=21.0, active_params_b=236.0),
                  training_row("T2", min_gpus=5000.0, max_gpus=1000.0)],
        inference=[inference_row("S1", kv_heads=8.0), inference_row("S2", layers=32.0, kv_heads=8.0, head_dim=128.0)],
    )
    assert problems(tables, target) == [
        where(target, "training", 2, "active_params_b") + "active parameters (236 B) exceed the parameters (21 B): "
        "active_params_b is the part of params_b used per token",
        where(target, "training", 3, "min_gpus") + "min_gpus (5000) is above max_gpus (1000)",
        where(target, "inference", 2, "layers") + "give layers, kv_heads, head_dim together or none (the KV cache "
        "is sized from all three, else from a rule of thumb); blank here: layers, head_dim",
    ]


def test_a_value_far_out_in_a_sheet_padded_wide_is_found():
    """Readers pad every row to the sheet's width: a note 5,000 columns out is still reported."""
    from planner.workbook import _unheaded_values

    body = [[1.0, "x"] + [""] * 4998 for _ in range(50)]
    body[30][4000] = "a note"
    body[31][4000] = "  "  # blank
    assert _unheaded_values(body, {0, 1}) == [4000]


BOUNDED = [(sheet.name, column) for sheet in SHEETS if sheet.name != "site"
           for column in sheet.columns if column.kind == "number"]


@pytest.mark.parametrize("sheet, column", BOUNDED, ids=[f"{s}.{c.name}" for s, c in BOUNDED])
def test_every_number_column_holds_its_documented_bounds(tmp_path, sheet, column):
    """Each number column refuses a value just past each bound the schema documents (the workbook
    reference is generated from the same definitions) and accepts one on an inclusive bound."""
    refused = [schema.ceiling(column) * 1.01]
    accepted = [schema.ceiling(column)]
    if column.minimum is not None:
        refused.append(column.minimum - 0.01)
        (refused if column.exclusive_minimum else accepted).append(column.minimum)
    if schema.floor(column) is not None:
        refused.append(schema.floor(column) / 2)
        accepted.append(schema.floor(column))
    for value in refused + accepted:
        tables = scenario_tables(
            training=[training_row("T1")], inference=[inference_row("S1")],
            throughput=[dict(workload="S1", gpu="G1", tokens_per_s_per_gpu=100.0),
                        dict(workload="T1", gpu="G1", train_tflops_per_gpu=400.0)])
        tables[sheet] = tables[sheet].astype(object)
        tables[sheet].loc[0, column.name] = value
        path = write_scenario(tables, tmp_path / f"s{value}")
        try:
            read_scenario(path)
            found = []
        except InputError as error:
            found = [p for p in error.problems if p.startswith(where(path, sheet, 2, column.name) + "must be ")]
        assert len(found) == (value in refused), f"{sheet}.{column.name} = {value!r}: {found}"


def test_a_name_far_longer_than_any_it_could_mistype_is_not_compared(tmp_path, monkeypatch):
    """A sheet named with a megabyte of text took a minute in difflib, for a hint it could never
    give: a name over three times as long cannot be close to 'periods' by difflib's measure."""
    import difflib

    from planner.spelling import closest
    compared = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda word, candidates, *args, **kwargs: (
        compared.extend(candidates), real(word, candidates, *args, **kwargs))[1])
    assert closest("periods", ["x" * 1_000_000, "perods", "p" * 22]) == "perods"
    assert compared == ["perods"]


@pytest.mark.parametrize("name, what", [
    ("chat\x1b[31m", "a control character (U+001B)"),
    ("chat\x7f", "a control character (U+007F)"),
    ("chat\u202e", "a bidirectional control, which reorders the text around it (U+202E)"),
    ("chat\u2066", "a bidirectional control, which reorders the text around it (U+2066)"),
    ("chat\u200b", "an invisible character (U+200B)"),
    ("ch\u00adat", "an invisible character (U+00AD)"),  # a soft hyphen, pasted from a word processor
])
def test_a_name_holding_what_would_not_show_as_text_is_refused(tmp_path, name, what):
    """Names reach the terminal, the report and other sheets: an escape sequence retitled or cleared the
    terminal, an unclosed U+202E showed the served share after the name reversed ('86.3%' as '%3.68'), and a
    name with an invisible character beside one without looked the same but was another."""
    tables = scenario_tables(inference=[inference_row(name)], training=[])
    path = tmp_path / "s"  # CSV: an .xlsx cannot hold most control characters
    assert problems(tables, path) == [where(path, "inference", 2, "workload") + f"the text holds {what}: remove it"]


def test_a_value_quoted_in_a_message_shows_its_control_characters_escaped(tmp_path, capsys):
    """A cell of '4' with a line break and an escape sequence after it printed a forged second 'error:' line and
    cleared the terminal: a message is one line, its control characters written as escapes."""
    tables = scenario_tables()
    tables["periods"]["power_mw"] = ["4\nerror: all is well\x1b[2J"]
    path = write_scenario(tables, tmp_path / "s")
    assert main(["solve", str(path), "--out", str(tmp_path / "out")]) == EXIT_INPUT
    assert capsys.readouterr().err == (f"error: {where(path, 'periods', 2, 'power_mw')}expected a number in MW, found "
                                       "'4\\nerror: all is well\\x1b[2J'\n")


def test_a_file_that_is_no_sheet_shows_little_of_itself_in_the_message(tmp_path):
    """A sheet's file that holds something else (a log with hundreds of fields, a key file linked in its place)
    was echoed whole as the headings found: the first twelve are named, each cut to 40 characters."""
    folder = write_scenario(scenario_tables(), tmp_path / "s")
    (folder / "periods.csv").write_text(",".join(f"field{i}" for i in range(30)) + ",root:" + "x" * 60 + "\n1\n")
    [problem, *_] = problems_reading(folder)
    assert problem == (where(folder, "periods", column="period") + "missing required column (headings found in row 1: "
                       + ", ".join(f"'field{i}'" for i in range(12)) + " and 19 more)")
    (folder / "periods.csv").write_text("root:" + "x" * 60 + "\n1\n")
    assert problems_reading(folder)[0] == (where(folder, "periods", column="period")
                                           + f"missing required column (headings found in row 1: 'root:{'x' * 35}…')")


def test_a_site_key_given_twice_is_refused(tmp_path):
    """Two 'pue' rows could mean either figure: neither is taken."""
    folder = write_scenario(scenario_tables(), tmp_path / "s")
    (folder / "site.csv").write_text("key,value\nname,x\npue,1.25\npue,1.3\n")
    assert problems_reading(folder) == [where(folder, "site", 4, "key") + "key 'pue' is given twice"]


@pytest.mark.parametrize("kind, given, needed", [("inference", "train_tflops_per_gpu", "tokens_per_s_per_gpu"),
                                                 ("training", "tokens_per_s_per_gpu", "train_tflops_per_gpu")])
def test_a_measured_rate_without_the_figure_its_workload_needs_is_refused(target, kind, given, needed):
    """A throughput row gives a service's training TFLOP/s (or a run's tokens/s) and leaves blank the figure its
    kind is planned by: refused, naming the figure to give, not read as no measurement."""
    workload = dict(inference=inference_row("W"), training=training_row("W"))[kind]
    tables = scenario_tables(**{kind: [workload]}, throughput=[{"workload": "W", "gpu": "G1", given: 100.0}])
    described = "an inference service" if kind == "inference" else "a training run"
    assert problems(tables, target) == [where(target, "throughput", 2, needed) + f"'W' is {described}: give {needed}"]


def test_one_problem_in_many_rows_is_one_line_and_hides_no_other(tmp_path):
    """A GPU name misspelt in the gpus sheet makes every fleet row of the name unknown: 36 monthly rows, one line
    each, would fill the lines shown and hide the deadline before the start. One line names the rows, in spans."""
    periods = [(f"2027-{m:02d}", 730.0, 10.0) for m in range(1, 13)]
    fleet = [("MI355x", p, 10.0) for p, _, _ in periods[:3]] + [("G1", p, 100.0) for p, _, _ in periods] \
        + [("MI355x", p, 10.0) for p, _, _ in periods[5:]]
    tables = scenario_tables(periods=periods, fleet=fleet,
                             training=[training_row(start="2027-06", deadline="2027-02")])
    path = write_scenario(tables, tmp_path / "s.xlsx")
    with pytest.raises(InputError) as info:
        read_scenario(path)
    assert info.value.problems == [
        where(path, "fleet")[:-2] + ", rows 2 to 4 and 17 to 23, column 'gpu': unknown GPU 'MI355x'",
        where(path, "training", 2, "deadline_period")
        + "deadline '2027-02' is before the start '2027-06'"]


def test_a_period_missing_between_two_of_a_gpu_types_rows_is_warned_of(tmp_path):
    """B200 has rows for 2027-01 to 2027-06 but 2027-03 and 2027-04: read as none installed there, as a period with
    no row is, but warned of; G1's rows start in 2027-02, which is no gap."""
    periods = [(f"2027-{m:02d}", 730.0, 100.0) for m in range(1, 7)]
    fleet = [("G1", p, 100.0) for p, _, _ in periods[1:]] + [("B200", p, 50.0) for p, _, _ in periods
                                                            if p not in ("2027-03", "2027-04")]
    path = write_scenario(scenario_tables(periods=periods, gpus=[gpu_row("G1"), gpu_row("B200")], fleet=fleet,
                                          training=[training_row(start="2027-01", deadline="2027-06")]),
                          tmp_path / "s.xlsx")
    scenario = read_scenario(path)
    assert scenario.fleet.loc["B200"].tolist() == [50.0, 50.0, 0.0, 0.0, 50.0, 50.0]
    assert [w for w in scenario.warnings if "no row" in w] == [
        where(path, "fleet")[:-2] + ": no row for 'B200' in 2027-03 and 2027-04, between periods it has rows for: "
        "read as none installed there (give a row of 0 if none is meant)"]


def test_a_period_outside_the_horizon_or_written_as_another_is_told_so(tmp_path):
    """Periods named by when they start: a start before the first period is told so, not hinted at the period of
    the nearest spelling (2026-12 read as 2027-12); one after the last too; and 2027-02 where the periods sheet
    holds 2027-02-01 (a date cell there, text here) is hinted at the period that starts then."""
    periods = [(f"2027-{m:02d}-01", 730.0, 100.0) for m in range(1, 13)]
    tables = scenario_tables(periods=periods, fleet=[("G1", p, 100.0) for p, _, _ in periods],
                             training=[training_row(start="2026-12", deadline="2028-03")],
                             inference=[inference_row("S", start="2027-02")])
    path = write_scenario(tables, tmp_path / "s.xlsx")
    assert problems_reading(path) == [
        where(path, "training", 2, "start_period") + "unknown period '2026-12' (before the first period, "
        "'2027-01-01')",
        where(path, "training", 2, "deadline_period") + "unknown period '2028-03' (later than the last period, "
        "'2027-12-01', starts)",
        where(path, "inference", 2, "start_period") + "unknown period '2027-02' (did you mean '2027-02-01', which "
        "starts then?)"]


@pytest.mark.parametrize("labels, warned", [
    (("01/01/2027", "01/04/2027", "01/07/2027"), "'01/01/2027', '01/04/2027' and '01/07/2027' do not say when they "
                                                 "start"),
    (("2027Q1", "2027Q2", "Oct-27"), "'Oct-27' does not say when it starts"),
    (("Jan 2027", "Febr 2027", "Mar 2027", "Ap 2027", "May 2027"), "'Febr 2027' and 'Ap 2027' do not say when they "
                                                                   "start"),
    (tuple(f"0{m}.01.2027" for m in range(1, 6)), "'01.01.2027', '02.01.2027', '03.01.2027' and 2 more do not say "
                                                  "when they start"),
])
def test_labels_that_may_be_dates_the_planner_does_not_read_are_warned_of(tmp_path, labels, warned):
    """Day-first or month-first dates cannot be told apart, and a two-digit year from a day: such labels, and any
    of a sheet whose other labels say when they start, leave the order and hours unchecked, which is said."""
    scenario = read_scenario(write_scenario(quarters(*labels), tmp_path / "s.xlsx"))
    assert [w for w in scenario.warnings if "say when" in w] == [
        where(tmp_path / "s.xlsx", "periods", column="period") + f"{warned} as the planner reads names of periods "
        "(2027-01, 2027/01, 01/2027, 2027-01-15, Jan 2027, 2027Q1, 2027H1, 2027): the periods' time order and their "
        "hours are not checked"]


def test_labels_that_say_nothing_of_time_are_not_warned_of(tmp_path):
    scenario = read_scenario(write_scenario(quarters("P1", "P2", "phase 3"), tmp_path / "s.xlsx"))
    assert not [w for w in scenario.warnings if "say when" in w]


def test_a_column_the_planner_takes_in_another_form_says_which(tmp_path):
    """A latency target in ms, and a GPU's TDP, are columns planners keep: ignored, as unknown columns are, with
    what to give instead (TDP is not hinted at it_w by its spelling: an all-in draw is not a TDP)."""
    tables = scenario_tables(inference=[inference_row(**{"TPOT (ms)": 50.0})])
    tables["gpus"]["tdp_w"] = 700.0
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert [w for w in scenario.warnings if "unknown column" in w] == [
        where(tmp_path / "s.xlsx", "gpus") + "unknown column 'tdp_w' ignored (the power budget needs it_w, the all-in "
        "IT draw of a GPU in use with its share of the server's, not the GPU's TDP)",
        where(tmp_path / "s.xlsx", "inference") + "unknown column 'tpot' ignored (a latency target is given as "
        "min_tokens_per_s_per_user, the tokens/s each user sees: 1,000 / the ms between tokens)"]


@pytest.mark.parametrize("typed, column, tip", [
    ("2027-05", "start_period", "(did you mean '2027Q2', which it falls in?)"),
    ("2026-12", "start_period", "(before the first period, '2027Q1')"),
    ("2027", "deadline_period", "('2027' spans 2027Q1 to 2027Q4: name one of them)"),
    ("2028-03", "deadline_period", "(after the last period, '2027Q4')"),
    ("8000", "start_period", ""),  # a count in the wrong column, not the year 8000
])
def test_a_period_named_by_another_time_is_told_what_it_is(tmp_path, typed, column, tip):
    """Quarters: May falls in Q2 (difflib named 2027Q4), a year spans four of them (it named 2027Q4, as a deadline
    three quarters late or early), 2028-03 is past Q4's end."""
    labels = ("2027Q1", "2027Q2", "2027Q3", "2027Q4")
    tables = quarters(*labels)
    tables["training"] = pd.DataFrame([training_row(**{"start": "2027Q1", "deadline": "2027Q4",
                                                       ("start" if column == "start_period" else "deadline"): typed})])
    path = tmp_path / "s.xlsx"
    [problem] = problems(tables, path)
    assert problem.startswith(where(path, "training", 2, column) + f"unknown period '{typed}'")
    assert problem.endswith(tip) and ("after the last" not in problem) == (typed != "2028-03")


def test_the_rows_of_a_problem_are_named_in_a_line():
    """A row found twice is one row; fifty rows apart are ten and how many more, not a page of numbers."""
    from planner.workbook import _rows_text
    assert [_rows_text([4, 4]), _rows_text([3, 4]), _rows_text([3, 4, 5, 9])] == [
        "row 4", "rows 3 and 4", "rows 3 to 5 and 9"]
    assert _rows_text(list(range(2, 502, 10))) == "rows 2, 12, 22, 32, 42, 52, 62, 72, 82, 92 and 40 more"


def test_blank_hours_are_worked_out_from_names_that_say_how_long_a_period_is(tmp_path):
    """Months by their starts, each up to the next one's (February 2027: 28 days, 672 h), the last as long as the
    month before it (December: 744 h); a quarter, half and year by their own names (2028Q1 of a leap year: 91 days,
    2,184 h). Typed hours stay; the report marks each filled value as from its name. 'phase 2' says nothing: blank
    there is a problem."""
    labels = ["2027-01", "2027-02", "2027-03", "Dec 2027", "2028Q1", "2028H2", "2029"]
    typed = {"2027-03": 750.0}
    tables = scenario_tables(periods=[(p, typed.get(p), 10.0) for p in labels],
                             fleet=[("G1", p, 100.0) for p in labels],
                             training=[training_row(start=labels[0], deadline=labels[-1])])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.periods["hours"].tolist() == [744.0, 672.0, 750.0, 744.0, 2184.0, 4416.0, 8760.0]
    assert scenario.origins["periods"]["hours"].tolist() == ["name", "name", "workbook", "name", "name", "name", "name"]
    tables = scenario_tables(periods=[("phase 1", 100.0, 10.0), ("phase 2", None, 10.0)],
                             fleet=[("G1", "phase 1", 100.0)],
                             training=[training_row(start="phase 1", deadline="phase 1")])
    path = tmp_path / "t.xlsx"
    assert problems(tables, path) == [where(path, "periods", 3, "hours") + "required value is blank (its name does not "
                                      "say when it starts: give its hours)"]
    # 2027-01's own name says when it starts, the next one's does not: that is what is said of it
    tables = scenario_tables(periods=[("2027-01", None, 10.0), ("phase 2", 100.0, 10.0), ("phase 3", 50.0, 10.0)],
                             fleet=[("G1", "2027-01", 100.0)],
                             training=[training_row(start="2027-01", deadline="2027-01")])
    assert problems(tables, path) == [where(path, "periods", 2, "hours") + "required value is blank (the next period's "
                                      "name, 'phase 2', does not say when it starts: give its hours)"]


def test_a_month_missing_from_a_list_of_months_is_warned_of(tmp_path):
    """2028-02 deleted: with hours typed, 2028-01's 744 leave 696 hours before 2028-03 in no period; with hours blank,
    2028-01 runs to 2028-03, 1,440 hours where the others are 744 or so (the median)."""
    labels = ["2027-11", "2027-12", "2028-01", "2028-03", "2028-04"]
    for hours, expected in [(744.0, "period '2028-01' has 744 hours, but '2028-03', listed next, starts 1,440 hours "
                                    "after it: 696 hours fall in no period (is one missing?)"),
                            (None, "period '2028-01' is 1,440 hours long, to the next period's start, where the "
                                   "periods beside it are 744 hours long at most (is one missing?)")]:
        tables = scenario_tables(periods=[(p, hours, 10.0) for p in labels], fleet=[("G1", p, 100.0) for p in labels],
                                 training=[training_row(start=labels[0], deadline=labels[-1])])
        scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
        assert [w for w in scenario.warnings if "missing" in w] == [
            where(tmp_path / "s.xlsx", "periods", 4, "hours") + expected]


def test_a_period_misspelt_in_the_periods_sheet_is_pointed_at_from_the_others(tmp_path):
    """The periods sheet has 'Spet 2027' where Oct 2027 was meant: the fleet's 'Oct 2027' was hinted at 'Oct 2029' by
    its spelling, another time; it is pointed at the name that says no time, which lies between Aug and Nov."""
    labels = ["Aug 2027", "Spet 2027", "Nov 2027", "Oct 2029"]
    tables = scenario_tables(periods=[(p, 730.0, 10.0) for p in labels],
                             fleet=[("G1", p, 100.0) for p in ["Aug 2027", "Oct 2027", "Nov 2027", "Oct 2029"]],
                             training=[training_row(start="Aug 2027", deadline="Nov 2027")])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "fleet", 3, "period") + "unknown period 'Oct 2027' (did you mean "
                                      "'Spet 2027'? Its name in the periods sheet says no time)"]


@pytest.mark.parametrize("labels, unsaid", [
    (("2026-01-31", "2026-02-28", "2026-03-31"), 0),  # the days months close on, maybe: no start to count from
    (("2027", "2028-01"), 1),  # a year says its own length, but nothing of the month after it
    (("2026.1", "2026.2", "2026.3"), 0),  # quarters, or months a number cell cut short (2026.10 stored as 2026.1)
])
def test_blank_hours_are_not_guessed_from_names_that_do_not_say_them(tmp_path, labels, unsaid):
    tables = scenario_tables(periods=[(p, None, 10.0) for p in labels], fleet=[("G1", p, 100.0) for p in labels],
                             training=[training_row(start=labels[0], deadline=labels[0])])
    found = problems(tables, tmp_path / "s.xlsx")
    assert found and all("column 'hours': required value is blank (" in line for line in found), found
    from planner.workbook import _period_end, _period_span
    spans = [_period_span(label) for label in labels]
    ends = [_period_end(spans, i, list(labels))[0] for i in range(len(labels))]
    assert [end is None for end in ends] == [i >= unsaid for i in range(len(labels))]


@pytest.mark.parametrize("typed, tip", [
    ("Feb 2027", " (did you mean 'Febr 2027'? Its name in the periods sheet says no time)"),
    ("Sep 2027", " (later than the last period, 'Jun 2027', starts)"),  # not 'Febr 2027', as any Xxx 2027 is near it
    ("2027-09", " (later than the last period, 'Jun 2027', starts)"),
    ("Dec 2026", " (before the first period, 'Jan 2027')"),
])
def test_a_name_that_says_no_time_is_hinted_only_where_its_neighbours_place_it(tmp_path, typed, tip):
    labels = ["Jan 2027", "Febr 2027", "Mar 2027", "Apr 2027", "May 2027", "Jun 2027"]
    tables = scenario_tables(periods=[(p, 730.0, 10.0) for p in labels],
                             fleet=[("G1", p, 100.0) for p in ["Jan 2027", typed]],
                             training=[training_row(start="Jan 2027", deadline="Jan 2027")])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "fleet", 3, "period") + f"unknown period '{typed}'{tip}"]


def test_a_name_past_one_that_says_no_time_at_the_end_gets_no_hint(tmp_path):
    """'2027-12' after 2027-03 and 'phase 4': it may be phase 4 or after it; difflib's '2027-02' is another time."""
    labels = ["2027-01", "2027-02", "2027-03", "phase 4"]
    tables = scenario_tables(periods=[(p, 730.0, 10.0) for p in labels],
                             fleet=[("G1", p, 100.0) for p in ["2027-01", "2027-12"]],
                             training=[training_row(start="2027-01", deadline="2027-01")])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "fleet", 3, "period") + "unknown period '2027-12'"]


def test_months_then_quarters_by_their_starts_are_not_taken_for_gaps(tmp_path):
    """2026's months, then 2027's quarters named by the months they start in: each filled up to the next start,
    the last as long as the step before it (three months); a period longer than the months before it but no longer
    than the quarter after it is no gap."""
    labels = [f"2026-{m:02d}" for m in range(1, 13)] + ["2027-01", "2027-04", "2027-07", "2027-10"]
    tables = scenario_tables(periods=[(p, None, 10.0) for p in labels], fleet=[("G1", p, 100.0) for p in labels],
                             training=[training_row(start=labels[0], deadline=labels[-1])])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.periods["hours"].tolist()[-4:] == [2160.0, 2184.0, 2208.0, 2208.0]
    assert not [w for w in scenario.warnings if "missing" in w]


def test_problems_in_rows_past_ten_are_grouped_by_their_rows_not_by_the_text_that_counts_them(tmp_path):
    """tokens_b blank in rows 2, 4, ..., 24; priority in 2, 4, ..., 20, 23 and 25: both name ten rows and '2 more',
    but not the same rows, so they are two lines."""
    runs = [training_row(f"T{i:02d}", tokens_b=None if i % 2 == 0 and i <= 22 else 10_000.0,
                         priority=None if (i % 2 == 0 and i <= 18) or i in (21, 23) else 1.0) for i in range(24)]
    path = tmp_path / "s.xlsx"
    found = problems(scenario_tables(training=runs), path)
    assert [re.search(r"(rows .*?), column", line)[1] for line in found] == [
        "rows 2, 4, 6, 8, 10, 12, 14, 16, 18, 20 and 2 more", "rows 2, 4, 6, 8, 10, 12, 14, 16, 18, 20 and 2 more"]
    assert [line.split("column ")[1].split(":")[0] for line in found] == ["'tokens_b'", "'priority'"]


@pytest.mark.parametrize("periods, typed, tip", [
    (["2027H1", "Mid", "2028H1"], "2027-03", " (did you mean '2027H1', which it falls in?)"),  # not 'Mid'
    (["2027Q1", "2027Q2", "Later"], "2027-05", " (did you mean '2027Q2', which it falls in?)"),
    (["Jan 2027", "Febr 2027", "Marc 2027", "Apr 2027"], "Feb 2027",
     " (did you mean 'Febr 2027'? Its name in the periods sheet says no time)"),  # two there: the nearer
    (["2027Q1", "2027Q3", "2027Q4"], "2027-05", " (between '2027Q1' and '2027Q3': in no period)"),
    (["2027Q1", "2027Q2", "2027Q3", "2027Q4"], "2028-03", " (after the last period, '2027Q4')"),
    (["1/2027", "2/2027", "3/2027"], "2027-02", " (did you mean '2/2027', which starts then?)"),
])
def test_a_reference_is_placed_in_time_among_the_periods(periods, typed, tip):
    from planner.workbook import _period_span, _when_note
    assert _when_note(typed, periods, [_period_span(p) for p in periods]) == tip


@pytest.mark.parametrize("labels, months", [
    (["2027-12", "2028-01", "2028-03"], 2),  # the last is not given the two months of the gap before it
    (["2027-10", "2027-11", "2027-12", "2028-01", "2028-04"], 3),  # nor a quarter after months
])
def test_the_last_period_a_gap_would_lengthen_is_told_why_its_hours_are_asked(tmp_path, labels, months):
    tables = scenario_tables(periods=[(p, None, 10.0) for p in labels], fleet=[("G1", p, 100.0) for p in labels],
                             training=[training_row(start=labels[0], deadline=labels[0])])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [where(path, "periods", len(labels) + 1, "hours") + "required value is blank (the "
                                      "last, it is taken to be as long as the step to it from the period before "
                                      f"({months} months), but that is longer than the step before it (1), as a gap "
                                      "would make it: give its hours)"]
