"""``planner template OUT.xlsx``: a workbook to start from, accepted by ``planner solve`` as it is."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from planner import catalogue
from planner.cli import EXIT_INPUT, EXIT_OK, main
from planner.schema import SHEETS, SITE_KEYS
from planner.workbook import read_scenario, write_template


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    assert main(["template", str(path)]) == EXIT_OK
    return path


@pytest.fixture(scope="module")
def book(template):
    return openpyxl.load_workbook(template)


def test_every_sheet_and_column_in_schema_order(book):
    for sheet in SHEETS:
        headers = [c.value for c in book[sheet.name][1]]
        assert headers == [c.name for c in sheet.columns], sheet.name
    assert "gpu_catalogue" in book.sheetnames and "readme" in book.sheetnames


def test_each_header_has_a_note_with_meaning_unit_range_and_default(book):
    for sheet in SHEETS:
        for cell, column in zip(book[sheet.name][1], sheet.columns):
            note = cell.comment.text
            assert column.description in note
            if column.unit:
                assert f"Unit: {column.unit}." in note
            assert ("Accepted: " in note) == (column.kind == "number"), f"{sheet.name}.{column.name}"
            if column.catalogue:
                assert "unless the GPU is in the built-in catalogue" in note
            elif not column.required and column.default is None:  # a blank means what the description says
                assert note.endswith("Optional.") or "Optional.\n" in note, f"{sheet.name}.{column.name}"
                assert "default: blank" not in note
            elif not column.required:
                assert "Optional; default:" in note
    assert "Accepted: > 0 and <= 1." in book["training"]["G1"].comment.text  # goodput
    assert "defaults to params_b" in book["training"]["C1"].comment.text.replace("\n", " ")  # active_params_b


def test_each_site_key_has_a_note_like_a_heading(book):
    """The site sheet's keys are rows, not headings: each example row's key cell carries the note."""
    notes = {row[0].value: row[0].comment.text for row in book["site"].iter_rows(min_row=2) if row[0].comment}
    assert set(notes) == set(SITE_KEYS)
    assert notes["pue"] == (f"{SITE_KEYS['pue'].description}\nUnit: ratio.\nAccepted: >= 1 and <= 10.\nRequired.")


def test_names_of_gpus_and_periods_have_drop_down_lists(book):
    def lists(sheet: str) -> dict[str, tuple[str, str]]:
        ws = book[sheet]
        return {str(v.sqref).split(":")[0].rstrip("0123456789"): (v.formula1, v.errorStyle)
                for v in ws.data_validations.dataValidation if v.type == "list"}

    assert lists("fleet") == {"A": ("'gpus'!$A$2:$A$501", "stop"), "B": ("'periods'!$A$2:$A$501", "stop")}
    assert lists("throughput")["B"] == ("'gpus'!$A$2:$A$501", "stop")
    training = [c.name for c in SHEETS[4].columns]
    letter = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(training)}
    assert lists("training")[letter["start_period"]][0] == "'periods'!$A$2:$A$501"
    assert lists("training")[letter["deadline_period"]][0] == "'periods'!$A$2:$A$501"
    # a GPU type may be a catalogue name or any other: the list there only informs
    assert lists("gpus")["A"] == (f"'gpu_catalogue'!$A$2:$A${len(catalogue.GPUS) + 1}", "information")
    assert lists("site")["A"] == ('"' + ",".join(SITE_KEYS) + '"', "stop")


def test_number_formats(book):
    """Numeric columns carry a format for their unit, on the column and on the example cells."""
    expected = {"h": "#,##0", "W": "#,##0", "fraction": "0%", "GB": "#,##0"}
    for sheet in SHEETS:
        ws = book[sheet.name]
        for i, column in enumerate(sheet.columns, start=1):
            if column.kind != "number" or column.unit not in expected:
                continue
            letter = openpyxl.utils.get_column_letter(i)
            assert ws.column_dimensions[letter].number_format == expected[column.unit], (sheet.name, column.name)
            if ws.cell(2, i).value is not None:
                assert ws.cell(2, i).number_format == expected[column.unit], (sheet.name, column.name)


def test_the_template_uses_the_catalogue(book, template):
    rows = {r[0].value: r for r in book["gpus"].iter_rows(min_row=2) if r[0].value}
    assert catalogue.lookup("H200-SXM") and rows["H200-SXM"][1].value is None  # blank: from the catalogue
    scenario = read_scenario(template)
    h200 = scenario.gpus.set_index("gpu").loc["H200-SXM"]
    assert h200["bf16_tflops"] == catalogue.lookup("H200-SXM").bf16_tflops
    assert [r[0].value for r in book["gpu_catalogue"].iter_rows(min_row=2)] == catalogue.names()


def test_solve_accepts_the_template_unchanged(template, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["solve", str(template), "--out", str(out)]) == EXIT_OK
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert len(summary["workloads"]) == 4
    assert read_scenario(template).warnings == []


def test_every_part_is_well_formed_xml(template):
    with zipfile.ZipFile(template) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                ElementTree.fromstring(archive.read(name))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_template(template, tmp_path):
    """Converted headless to .ods without complaint, and the converted file still solves."""
    result = subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "ods", "--outdir", str(tmp_path),
                             str(template)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    converted = tmp_path / "template.ods"
    original, reopened = read_scenario(template), read_scenario(converted)
    assert reopened.gpus.equals(original.gpus) and reopened.fleet.equals(original.fleet)


def test_template_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = tmp_path / "t.xlsx"
    path.write_text("mine")
    assert main(["template", str(path)]) == EXIT_INPUT
    assert "pass --force" in capsys.readouterr().err
    assert path.read_text() == "mine"
    assert main(["template", str(path), "--force"]) == EXIT_OK
    assert zipfile.is_zipfile(path)


def test_template_wants_an_xlsx_name(tmp_path, capsys):
    assert main(["template", str(tmp_path / "t.ods")]) == EXIT_INPUT
    assert "give a name ending in .xlsx" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_write_template_leaves_no_temporary_file(tmp_path):
    write_template(tmp_path / "sub" / "t.xlsx")
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["t.xlsx"]


def test_a_template_that_cannot_be_written_is_refused_in_one_line(tmp_path, subprocess_env):
    """A disk that takes no more (here a file size limit of 8 KB) left openpyxl's zip file open half-way, and its
    clean-up printed a traceback after the one-line error; the file that was there stays as it was."""
    import resource
    import sys

    target = tmp_path / "t.xlsx"
    target.write_text("keep")
    done = subprocess.run([sys.executable, "-m", "planner", "template", str(target), "--force"], env=subprocess_env,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192)))
    assert (done.returncode, done.stderr) == (EXIT_INPUT, f"error: {target}: cannot write the file (File too large)\n")
    assert target.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_template_names_a_folder_or_a_missing_one_instead_of_writing(tmp_path, capsys):
    (tmp_path / "d.xlsx").mkdir()
    assert main(["template", str(tmp_path / "d.xlsx"), "--force"]) == EXIT_INPUT
    assert "is a folder" in capsys.readouterr().err
    assert main(["template", str(tmp_path / "no" / "t.xlsx")]) == EXIT_INPUT
    assert "the folder" in capsys.readouterr().err and not (tmp_path / "no").exists()


def test_template_under_a_file_names_the_file(tmp_path, capsys):
    """A template asked for under notes.txt/ was refused with 'the folder notes.txt does not
    exist', though it does exist, as a file: the message says so."""
    (tmp_path / "notes.txt").write_text("mine")
    output = tmp_path / "notes.txt" / "t.xlsx"
    assert main(["template", str(output)]) == EXIT_INPUT
    assert capsys.readouterr().err == (f"error: {output}: cannot write the file there: {tmp_path / 'notes.txt'} "
                                       "is a file, not a folder\n")
    assert (tmp_path / "notes.txt").read_text() == "mine"
