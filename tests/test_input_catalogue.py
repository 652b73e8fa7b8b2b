"""The built-in GPU catalogue and how a gpus sheet uses it."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import problems_reading
from conftest import ROOT, gpu_row, inference_row, scenario_tables, write_scenario
from planner import catalogue, schema
from planner.workbook import InputError, read_scenario

REQUIRED = ["H100-SXM", "H200-SXM", "B200", "GB200", "B300", "GB300", "MI300X", "MI325X", "MI355X", "L40S"]


def test_the_catalogue_lists_current_data_centre_gpus():
    assert set(REQUIRED) <= set(catalogue.names())


@pytest.mark.parametrize("gpu", catalogue.GPUS, ids=lambda g: g.name)
def test_each_entry_is_complete_and_sourced(gpu):
    assert gpu.vendor in ("NVIDIA", "AMD")
    for value in (gpu.bf16_tflops, gpu.hbm_gb, gpu.hbm_tbps, gpu.tdp_w, gpu.it_w):
        assert value > 0
    # lower precision is at least as fast; all-in IT watts include more than the GPU itself
    assert gpu.fp8_tflops is None or gpu.fp8_tflops >= gpu.bf16_tflops
    assert gpu.fp4_tflops is None or (gpu.fp8_tflops is not None and gpu.fp4_tflops >= gpu.fp8_tflops)
    assert gpu.it_w > gpu.tdp_w
    assert "http" in gpu.source and gpu.it_w_basis


def test_published_figures_of_a_few_gpus():
    """Spot checks against the datasheets (dense, without sparsity)."""
    h100, b200, mi300x = (catalogue.lookup(n) for n in ("H100-SXM", "B200", "MI300X"))
    assert (h100.bf16_tflops, h100.fp8_tflops, h100.fp4_tflops, h100.hbm_gb, h100.hbm_tbps) == (989, 1979, None, 80, 3.35)
    assert (b200.bf16_tflops, b200.fp8_tflops, b200.fp4_tflops) == (2250, 4500, 9000)
    assert (mi300x.bf16_tflops, mi300x.hbm_gb, mi300x.hbm_tbps, mi300x.tdp_w) == (1307.4, 192, 5.3, 750)
    gb300 = catalogue.lookup("GB300")  # the rack's dense figures over its 72 GPUs: FP4 1,080 PFLOPS, BF16 half of 360
    assert (gb300.bf16_tflops, gb300.fp8_tflops, gb300.fp4_tflops, gb300.hbm_gb, gb300.hbm_tbps) == (
        2500, 5000, 15000, 288, 8.0)


@pytest.mark.parametrize("typed, name", [("h100 sxm", "H100-SXM"), ("H100-SXM-80GB", "H100-SXM"),
                                         ("gb200_nvl72", "GB200"), ("mi355x", "MI355X"), ("H100", None),
                                         ("H100 PCIe", None), ("Ｂ２００", "B200"), ("ｍｉ３５５ｘ", "MI355X")])
def test_lookup_ignores_case_spaces_and_hyphens(typed, name):
    """...and full-width letters and digits, as an East Asian input method types them."""
    found = catalogue.lookup(typed)
    assert (found.name if found else None) == name


def test_a_gpu_name_short_of_one_catalogue_gpu_suggests_it(tmp_path):
    """'H200' is not in the catalogue (an H200 NVL's figures differ from the SXM module's), and difflib found 'B200'
    nearer. It begins one GPU's names alone: H200-SXM (and H200-SXM-141GB), which the hint now names, in the gpus
    sheet and where other sheets name a GPU the gpus sheet spells otherwise. 'MI3' begins three: no hint. A name that
    stops inside a number of one (H20, L4: other GPUs) is hinted at none."""
    assert [catalogue.suggest(typed) for typed in ("H200", "h200 sxm 141", "MI3", "MI355", "H20", "L4", "H1")] == [
        "H200-SXM", "H200-SXM", None, "MI355X", None, None, None]
    tables = scenario_tables(gpus=[gpu_row("H200-SXM")], fleet=[("H200-SXM", "P1", 8.0)],
                             throughput=[{"workload": "T1", "gpu": "H200", "train_tflops_per_gpu": 400.0}])
    path = write_scenario(tables, tmp_path / "s.xlsx")
    assert problems_reading(path) == [
        f"{path}, sheet 'throughput', row 2, column 'gpu': unknown GPU 'H200' (did you mean 'H200-SXM'?)"]


def test_two_characters_swapped_in_a_gpu_name_suggest_the_gpu_meant():
    """'B020' is B200 with two characters swapped and B300 with one changed: the hint named B300 (and
    for '1H00-SXM', H200-SXM). Every swap of two neighbouring characters of every name now suggests the
    GPU meant, as a sheet or column name's hint already did."""
    for gpu in catalogue.GPUS:
        for name in (gpu.name, *gpu.aliases):
            for i in range(len(name) - 1):
                typed = name[:i] + name[i + 1] + name[i] + name[i + 2:]
                if catalogue.lookup(typed) is None:
                    assert catalogue.suggest(typed) == gpu.name, typed


def test_a_catalogue_gpu_may_leave_its_figures_blank(tmp_path):
    gpus = [dict(gpu="H200-SXM", bf16_tflops=None, hbm_gb=None, hbm_tbps=None, it_w=None, idle_w=300.0),
            dict(gpu="b200", bf16_tflops=None, hbm_gb=None, hbm_tbps=None, it_w=1900.0, idle_w=None)]
    scenario = read_scenario(write_scenario(scenario_tables(gpus=gpus), tmp_path / "s.xlsx"))
    table = scenario.gpus.set_index("gpu")
    h200, b200 = catalogue.lookup("H200-SXM"), catalogue.lookup("B200")
    assert table.loc["H200-SXM", ["bf16_tflops", "hbm_gb", "hbm_tbps", "it_w"]].tolist() == [
        h200.bf16_tflops, h200.hbm_gb, h200.hbm_tbps, h200.it_w]
    assert table.loc["b200", "it_w"] == 1900.0  # typed: wins over the catalogue
    assert table.loc["b200", "bf16_tflops"] == b200.bf16_tflops
    assert table.loc["b200", "idle_w"] == 0.0  # not a catalogue figure: its default
    if "fp4_tflops" in table.columns:  # the catalogue fills lower-precision peaks where the sheet has them
        assert table.loc["b200", "fp4_tflops"] == b200.fp4_tflops
        assert pd.isna(table.loc["H200-SXM", "fp4_tflops"])  # no FP4 on Hopper


def test_figure_columns_may_be_left_out_when_every_gpu_is_in_the_catalogue(tmp_path):
    tables = scenario_tables(gpus=[gpu_row("MI300X")])
    tables["gpus"] = tables["gpus"][["gpu", "idle_w"]]
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    assert scenario.gpus.loc[0, "hbm_gb"] == 192.0


def test_a_blank_figure_of_a_gpu_not_in_the_catalogue(tmp_path):
    gpus = [gpu_row("H100"), gpu_row("H100", hbm_tbps=None) | {"gpu": "H100x"}]
    path = write_scenario(scenario_tables(gpus=gpus, fleet=[("H100", "P1", 1.0)]), tmp_path / "s.xlsx")
    assert problems_reading(path) == [
        f"{path}, sheet 'gpus', row 3, column 'hbm_tbps': required value is blank ('H100x' is not in the built-in "
        "GPU catalogue; did you mean the catalogue's 'H100-SXM'?)"
    ]


def test_a_missing_figure_column_with_a_gpu_not_in_the_catalogue(tmp_path):
    """A near miss of a catalogue name ('H100-SMX') is answered with the name it may be, as for a blank cell."""
    tables = scenario_tables(gpus=[gpu_row("B200"), gpu_row("custom"), gpu_row("H100-SMX")],
                             fleet=[("B200", "P1", 1.0)])
    tables["gpus"] = tables["gpus"].drop(columns=["it_w"])
    path = write_scenario(tables, tmp_path / "s.xlsx")
    assert problems_reading(path) == [
        f"{path}, sheet 'gpus', column 'it_w': missing required column (needed for GPU types not in the built-in "
        "catalogue: 'custom', 'H100-SMX' (did you mean the catalogue's 'H100-SXM'?))"
    ]


def test_idle_above_a_catalogue_it_w_is_reported(tmp_path):
    gpus = [dict(gpu="L40S", bf16_tflops=None, hbm_gb=None, hbm_tbps=None, it_w=None, idle_w=700.0)]
    path = write_scenario(scenario_tables(gpus=gpus), tmp_path / "s.xlsx")
    assert problems_reading(path) == [
        f"{path}, sheet 'gpus', row 2, column 'idle_w': idle draw 700 W is above the draw in use (it_w 600 W)"
    ]


def test_the_fit_check_uses_catalogue_memory(tmp_path):
    """405B x 2 bytes = 810 GB fits 64 x 48 GB x 90% = 2,765 GB on L40S; 2,000B does not."""
    gpus = [dict(gpu="L40S", bf16_tflops=None, hbm_gb=None, hbm_tbps=None, it_w=None, idle_w=100.0)]
    tables = scenario_tables(gpus=gpus, inference=[inference_row("a", params_b=405.0),
                                                   inference_row("b", params_b=2000.0)])
    path = write_scenario(tables, tmp_path / "s.xlsx")
    with pytest.raises(InputError) as info:
        read_scenario(path)
    [problem] = info.value.problems
    assert problem.startswith(f"{path}, sheet 'inference', row 3, column 'params_b': a 2000B-parameter model fits no GPU")


def test_docs_workbook_md_is_generated_from_the_schema():
    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    assert text == schema.markdown_reference(), "regenerate docs/workbook.md from planner.schema.markdown_reference()"


def test_docs_list_the_catalogue_and_what_may_be_left_blank():
    text = schema.markdown_reference()
    for gpu in catalogue.GPUS:
        assert f"| `{gpu.name}` |" in text
    assert "| `bf16_tflops` | TFLOP/s | > 0 | yes, unless the GPU is in the catalogue |" in text


@pytest.mark.parametrize("row", [
    "| `mfu` | fraction | > 0 and <= 1 | no |", "| `goodput` | fraction | > 0 and <= 1 | no | 0.9 |",
    "| `power_factor` | fraction | > 0 and <= 1 | no | 0.8 |", "| `peak_factor` | ratio | >= 1 | no | 1 |",
    "| `idle_w` | W | >= 0 | no | 0 |", "| `power_mw` | MW | >= 0 | yes |", "| `installed` | GPUs | >= 0 | yes |",
    "| `input_tokens_per_day_b` | billion tokens/day | >= 0 | no | 0 |", "| `pue` | ratio | >= 1 and <= 10 |",
])
def test_docs_state_each_bound_a_cell_is_checked_against(row):
    """What a cell may hold is part of the contract: a bound changed in the schema changes the
    docs (and the checks, held to the schema by test_every_number_column_holds_its_documented_bounds)."""
    assert row in schema.markdown_reference()


def test_catalogue_names_are_unique_after_folding():
    keys = [catalogue._key(n) for g in catalogue.GPUS for n in (g.name, *g.aliases)]
    assert len(keys) == len(set(keys))


def test_a_gpu_the_catalogue_lacks_with_its_figures_blank_is_one_line(tmp_path):
    """Its four blank figures were four lines of the same words; they are one naming the four columns."""
    gpus = [{"gpu": "H200", "bf16_tflops": None, "hbm_gb": None, "hbm_tbps": None, "it_w": None, "idle_w": 100.0}]
    path = write_scenario(scenario_tables(gpus=gpus, fleet=[("H200", "P1", 8.0)]), tmp_path / "s.xlsx")
    assert problems_reading(path) == [
        f"{path}, sheet 'gpus', row 2, columns 'bf16_tflops', 'hbm_gb', 'hbm_tbps' and 'it_w': required value is "
        "blank ('H200' is not in the built-in GPU catalogue; did you mean the catalogue's 'H200-SXM'?)"]
