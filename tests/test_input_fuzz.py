"""Bad input never hurts: a valid small workbook, corrupted at random, either solves or is
refused cleanly.

Each example drops, blanks, retypes, duplicates or scrambles cells, rows, columns or
whole sheets, writes the result as an .xlsx or a CSV folder and runs ``planner solve``
through ``planner.cli.main``. Every run must end in exit 0 with a complete report, or
exit 2 with ``error:`` lines and no traceback and no output folder at all; never any
other exit code or exception, and never a left-over staging folder.
"""

from __future__ import annotations

import contextlib
import functools
import io
import random
import resource
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, write_grid_csv, write_grid_xlsx
from planner.cli import EXIT_INPUT, EXIT_OK, main
from test_input_reading import _xlsb_record, rewrite_parts, with_parts, write_ods, write_xlsb

LEGACY_XLS = ROOT / "tests" / "data" / "scenario-with-errors.xls"  # readable; two cells show errors

VALID: dict[str, list[list]] = {
    "site": [["key", "value"], ["name", "fuzz"], ["pue", 1.2]],
    "periods": [["period", "hours", "power_mw"], ["P1", 720, 3], ["P2", 744, 4]],
    "gpus": [["gpu", "bf16_tflops", "hbm_gb", "hbm_tbps", "it_w", "idle_w"],
             ["H100-SXM", None, None, None, None, 300],  # figures from the built-in catalogue
             ["G1", 1000, 96, 4, 1400, 250]],
    "fleet": [["gpu", "period", "installed"], ["H100-SXM", "P1", 1000], ["H100-SXM", "P2", 1000],
              ["G1", "P2", 500]],
    "training": [["workload", "params_b", "active_params_b", "tokens_b", "mfu", "start_period", "deadline_period",
                  "priority"], ["T1", 70, None, 2000, "40%", "P1", "P2", 3]],
    "inference": [["workload", "params_b", "tokens_per_day_b", "peak_factor", "priority", "start_period"],
                  ["S1", 8, 20, 2, 2, None], ["S2", 70, 5, 1.5, 1, "P2"]],
    "throughput": [["workload", "gpu", "tokens_per_s_per_gpu"], ["S1", "G1", 2000]],
}
SHEETS = list(VALID)


def valid_sheets() -> dict[str, list[list]]:
    """A copy of VALID that a test may change."""
    return {name: [list(row) for row in rows] for name, rows in VALID.items()}


index = st.integers(0, 12)
cell_value = st.one_of(
    st.sampled_from(["", " ", "abc", "-1", "0", "0.0", "1e309", "nan", "inf", "40%", "140%", "1,200", "2,5",
                     "200 kW", "3 MW", "700 W", "=1+1", "#REF!", "P1", "P2", "G1", "H100-SXM", "S1", "T1",
                     "TRUE", "\u22123", "1e-300", "1e15", " G1 ", "p1", "mi300x", "1e300", "99999", "1e9",
                     "1e-9", "5e5 MW"]),
    st.integers(-10, 10**7),
    st.floats(-1e6, 1e9, allow_nan=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10),
    st.booleans(),
    st.none(),
)
operation = st.one_of(
    st.tuples(st.just("drop_sheet"), st.sampled_from(SHEETS)),
    st.tuples(st.just("drop_row"), st.sampled_from(SHEETS), index),
    st.tuples(st.just("drop_column"), st.sampled_from(SHEETS), index),
    st.tuples(st.just("blank"), st.sampled_from(SHEETS), index, index),
    st.tuples(st.just("retype"), st.sampled_from(SHEETS), index, index, cell_value),
    st.tuples(st.just("duplicate_row"), st.sampled_from(SHEETS), index),
    st.tuples(st.just("swap_cells"), st.sampled_from(SHEETS), index, index, index, index),
    st.tuples(st.just("swap_rows"), st.sampled_from(SHEETS), index, index),
    st.tuples(st.just("rename_header"), st.sampled_from(SHEETS), index, cell_value),
)


def corrupt(sheets: dict[str, list[list]], op: tuple) -> None:
    kind, name, *args = op
    if name not in sheets:
        return
    rows = sheets[name]
    if kind == "drop_sheet":
        del sheets[name]
        return
    if not rows:
        return
    width = max(len(r) for r in rows) or 1
    if kind == "drop_row":
        del rows[args[0] % len(rows)]
    elif kind == "drop_column":
        column = args[0] % width
        for row in rows:
            if column < len(row):
                del row[column]
    elif kind == "blank":
        row = rows[args[0] % len(rows)]
        if row:
            row[args[1] % len(row)] = None
    elif kind == "retype":
        row = rows[1 + args[0] % (len(rows) - 1)] if len(rows) > 1 else rows[0]
        if row:
            row[args[1] % len(row)] = args[2]
    elif kind == "duplicate_row":
        rows.append(list(rows[args[0] % len(rows)]))
    elif kind == "swap_cells":
        (r1, c1, r2, c2) = args
        a, b = rows[r1 % len(rows)], rows[r2 % len(rows)]
        if a and b:
            i, j = c1 % len(a), c2 % len(b)
            a[i], b[j] = b[j], a[i]
    elif kind == "swap_rows":
        i, j = args[0] % len(rows), args[1] % len(rows)
        rows[i], rows[j] = rows[j], rows[i]
    elif kind == "rename_header" and rows[0]:
        rows[0][args[0] % len(rows[0])] = args[1]


def write(sheets: dict[str, list[list]], folder: Path, fmt: str) -> Path:
    if fmt == "xlsx":
        return write_grid_xlsx(folder / "fuzz.xlsx", sheets)
    return write_grid_csv(folder / "fuzz", sheets)


def run_cli(source: Path, out: Path) -> tuple[int, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["solve", str(source), "--out", str(out)])
    return code, stderr.getvalue()


def test_the_valid_base_solves(tmp_path):
    for fmt in ("xlsx", "csv"):
        folder = tmp_path / fmt
        folder.mkdir()
        code, err = run_cli(write(valid_sheets(), folder, fmt), folder / "out")
        assert code == EXIT_OK, err


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=4), fmt=st.sampled_from(["xlsx", "csv"]))
def test_corrupted_workbooks_solve_or_fail_cleanly(ops, fmt):
    sheets = valid_sheets()
    for op in ops:
        corrupt(sheets, op)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = write(sheets, folder, fmt)
        out = folder / "report"
        code, err = run_cli(source, out)
        assert code in (EXIT_OK, EXIT_INPUT), f"exit {code}: {err}"
        assert "Traceback" not in err and "internal error" not in err
        if code == EXIT_OK:
            assert sorted(p.name for p in out.iterdir()) == ["index.html", "results.xlsx", "summary.json"]
        else:
            assert err.startswith("error: ") and len(err.strip()) > len("error: ")
            assert not out.exists(), "a refused input must leave no output folder"
        assert sorted(p.name for p in folder.iterdir()) == sorted({source.name} | ({out.name} if code == 0 else set()))


@functools.cache
def valid_xlsx_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return write(valid_sheets(), Path(tmp), "xlsx").read_bytes()


position = st.integers(0, 10**6)


@settings(max_examples=40, deadline=None)
@given(suffix=st.sampled_from([".xlsx", ".xls"]), kind=st.sampled_from(["flip", "cut", "splice"]),
       places=st.lists(position, min_size=1, max_size=8), mask=st.integers(1, 255),
       patch=st.binary(min_size=1, max_size=64))
def test_damaged_files_are_refused_cleanly(suffix, kind, places, mask, patch):
    """Bytes of a valid .xlsx (or a legacy .xls) flipped, cut or overwritten: read_scenario returns
    a scenario or raises InputError naming the file; nothing else escapes."""
    from planner.workbook import InputError, read_scenario

    content = bytearray(valid_xlsx_bytes() if suffix == ".xlsx" else LEGACY_XLS.read_bytes())
    if kind == "flip":
        for place in places:
            content[place % len(content)] ^= mask
    elif kind == "cut":
        content = content[: places[0] % len(content)]
    else:
        start = places[0] % len(content)
        content[start:start + len(patch)] = patch
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"damaged{suffix}"
        source.write_bytes(bytes(content))
        try:
            read_scenario(source)
        except InputError as error:
            assert error.problems and all(p.startswith(str(source)) for p in error.problems)


def test_a_damaged_xls_that_aborted_the_reader_is_read_or_refused(tmp_path, subprocess_env):
    """One byte of the legacy .xls changed (found by the test above): the reader it went through
    then claimed 687 GB and aborted the whole process (exit 134, no message). Run apart, so an abort
    fails this test rather than the test run."""
    content = bytearray(LEGACY_XLS.read_bytes())
    content[6273] = 40
    source = tmp_path / "damaged.xls"
    source.write_bytes(bytes(content))
    done = subprocess.run([sys.executable, "-m", "planner", "size", str(source)], env=subprocess_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode in (EXIT_OK, EXIT_INPUT), done.stderr
    assert "Traceback" not in done.stderr


# .xlsb and .ods go to a reader in Rust (calamine), where a damaged file can abort the process
# rather than raise: they are read apart, with memory capped so a huge claim fails fast.
MEMORY_CAP = 4 << 30
READ_EACH = """
import sys
from planner.workbook import InputError, read_scenario
for source in sys.argv[1:]:
    try:
        read_scenario(source)
        print("read", source, flush=True)
    except InputError as error:
        assert error.problems and all(p.startswith(source) for p in error.problems), error.problems
        print("refused", source, flush=True)
"""


def _problem(source: Path) -> str:
    """The one problem reading ``source`` raises (once a run apart has shown it is refused)."""
    from planner.workbook import InputError, read_scenario

    with pytest.raises(InputError) as refused:
        read_scenario(source)
    [problem] = refused.value.problems
    return problem


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def read_apart(sources: list[Path], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", READ_EACH, *map(str, sources)], env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=_cap_memory)


def damaged(content: bytes, rng: random.Random) -> bytes:
    """``content`` with bytes flipped, cut or overwritten: of the file, or of one part inside it
    (written back into a sound archive, so the damage reaches the reader past the zip's checks)."""
    kind = rng.choice(["flip", "cut", "splice"])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    inside = rng.random() < 0.6
    target = rng.randrange(len(parts)) if inside else None
    data = bytearray(parts[target][1] if inside else content)
    if not data:
        return content
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    elif kind == "cut":
        data = data[:rng.randrange(len(data))]
    else:
        start = rng.randrange(len(data))
        data[start:start + 16] = rng.randbytes(rng.randint(1, 16))
    if not inside:
        return bytes(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i, (info, part) in enumerate(parts):
            archive.writestr(info, bytes(data) if i == target else part, compress_type=info.compress_type)
    return out.getvalue()


@pytest.mark.parametrize("suffix", [".xlsb", ".ods"])
def test_damaged_xlsb_and_ods_files_are_refused_cleanly(tmp_path, subprocess_env, suffix):
    """As above for the formats calamine reads: each of 80 damaged files (seeded) is read or refused
    with InputError naming it; nothing escapes and the process is not aborted."""
    sheets = valid_sheets()
    valid = (write_xlsb if suffix == ".xlsb" else write_ods)(tmp_path / f"valid{suffix}", sheets).read_bytes()
    rng = random.Random(suffix)
    sources = []
    for i in range(80):
        sources.append(tmp_path / f"damaged{i}{suffix}")
        sources[-1].write_bytes(damaged(valid, rng))
    done = read_apart(sources, subprocess_env)
    assert done.returncode == 0, f"exit {done.returncode} after {done.stdout.splitlines()[-1:]}: {done.stderr[-2000:]}"
    outcomes = [line.split()[0] for line in done.stdout.splitlines()]
    assert len(outcomes) == len(sources) and "refused" in outcomes


def test_an_xlsb_sheet_in_a_part_not_named_bin_is_refused_before_it_is_read(tmp_path, subprocess_env):
    """The reader takes a sheet from any part under xl/worksheets/ that the workbook names; one
    named sheet1.dat holding a cell in XFD1048576 skipped the extent check, and the reader then
    aborted the process (SIGABRT, no message) claiming every cell of the sheet."""
    path = write_xlsb(tmp_path / "s.xlsb", valid_sheets())
    far = (_xlsb_record(0x00, struct.pack("<IIHBBB", 1_048_575, 0, 300, 0, 0, 0))  # BrtRowHdr
           + _xlsb_record(0x05, struct.pack("<IId", 16_383, 0, 1.0)))  # BrtCellReal
    def rename(parts: dict[str, bytes]) -> None:
        parts["xl/_rels/workbook.bin.rels"] = parts["xl/_rels/workbook.bin.rels"].replace(b"sheet1.bin", b"sheet1.dat")
        parts["xl/worksheets/sheet1.dat"] = parts.pop("xl/worksheets/sheet1.bin").replace(
            _xlsb_record(0x92), far + _xlsb_record(0x92))  # before BrtEndSheetData

    with_parts(path, rename)
    done = read_apart([path], subprocess_env)
    assert done.returncode == 0 and done.stdout.split() == ["refused", str(path)], done.stderr[-2000:]
    assert _problem(path).startswith(f"{path}, sheet '{SHEETS[0]}': spans 1,048,576 rows by 16,384 columns")


def test_a_tiny_ods_repeating_long_text_is_refused_before_it_is_read(tmp_path, subprocess_env):
    """A few hundred bytes can stand for 10 billion characters: a space run of 10,000
    (<text:s text:c="10000"/>) in a cell repeated over a million cells, each of which the reader
    copies. It aborted the process (SIGABRT) or held gigabytes; the sheet is refused by name instead."""
    spaces = (b'<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated='
              b'"1000" office:value-type="string"><text:p><text:s text:c="10000"/></text:p></table:table-cell>'
              b"</table:table-row>")
    path = rewrite_parts(write_ods(tmp_path / "s.ods", valid_sheets()),
                         "content.xml", lambda xml: xml.replace(b"</table:table>", spaces + b"</table:table>", 1))
    assert path.stat().st_size < 10_000
    done = read_apart([path], subprocess_env)
    assert done.returncode == 0 and done.stdout.split() == ["refused", str(path)], done.stderr[-2000:]
    assert _problem(path).startswith(f"{path}, sheet 'site': holds 10,000,000,0")
