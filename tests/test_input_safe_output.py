"""User text that a spreadsheet would run as a formula is written to results.xlsx as text, with the
quote prefix that keeps it text when the cell is edited."""

from __future__ import annotations

import json

import openpyxl

from conftest import gpu_row, inference_row, scenario_tables, training_row, write_scenario
from planner.cli import EXIT_OK, main

HOSTILE = {
    "workload_t": '=HYPERLINK("http://example.com","x")',
    "workload_s": "+cmd|' /C calc'!A0",
    "gpu": "-2+3",
    "gpu2": "@SUM(1,2)",
    "period": "=1+1",
    "period2": "+P2",
}


def test_results_xlsx_holds_no_formula_from_user_text(tmp_path, capsys):
    p1, p2 = HOSTILE["period"], HOSTILE["period2"]
    tables = scenario_tables(
        name="=cmd()",
        periods=[(p1, 100.0, 10.0), (p2, 100.0, 10.0)],
        gpus=[gpu_row(HOSTILE["gpu"]), gpu_row(HOSTILE["gpu2"], hbm_gb=141.0)],
        training=[training_row(HOSTILE["workload_t"], start=p1, deadline=p2)],
        inference=[inference_row(HOSTILE["workload_s"], start=p2)],
        throughput=[(HOSTILE["workload_s"], HOSTILE["gpu2"], 500.0)],
    )
    source = write_scenario(tables, tmp_path / "s")  # CSV: the text reaches the reader exactly as typed
    out = tmp_path / "out"
    assert main(["solve", str(source), "--out", str(out)]) == EXIT_OK, capsys.readouterr().err

    book = openpyxl.load_workbook(out / "results.xlsx")  # formulas kept as formulas (data_only=False)
    texts = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    # each formula-like text carries the quote prefix; no other cell does
                    assert cell.quotePrefix == cell.value.startswith(("=", "+", "-", "@")), cell.coordinate
    # every hostile name reached the results as typed
    assert texts >= set(HOSTILE.values())

    summary = json.loads((out / "summary.json").read_text())  # JSON keeps the names as typed
    assert {w["workload"] for w in summary["workloads"]} == {HOSTILE["workload_t"], HOSTILE["workload_s"]}


def test_formula_like_text_is_found_in_every_text_dtype_and_the_headings():
    import pandas as pd

    from planner.report import _formula_like

    frame = pd.DataFrame({
        "object": pd.Series(["=a", "b", None], dtype=object),
        "string": pd.Series(["+a", None, "c"], dtype="string"),
        "category": pd.Series(["-a", "@b", "c"], dtype="category"),
        "number": [-1.0, 2.0, 3.0],
        "=heading": ["x", "y", "z"],
    })
    assert sorted(_formula_like(frame)) == [(0, 4, "=heading"), (1, 0, "=a"), (1, 1, "+a"), (1, 2, "-a"),
                                            (2, 2, "@b")]


def test_a_file_replaced_atomically_is_whole_or_untouched(tmp_path):
    """A writer that fails halfway leaves the earlier file as it was and no staging file behind;
    one that completes replaces it, readable by others."""
    import pytest

    from planner.files import replace_atomically

    target = tmp_path / "sweep.json"
    target.write_text("earlier")

    def half_written(path):
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        replace_atomically(target, half_written)
    assert target.read_text() == "earlier" and [p.name for p in tmp_path.iterdir()] == ["sweep.json"]
    replace_atomically(target, lambda path: path.write_text("new"))
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["sweep.json"]
    assert target.stat().st_mode & 0o777 == 0o644
