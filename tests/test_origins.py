"""Where each input value came from: the workbook, a column default, or the GPU catalogue."""

from conftest import gpu_row, scenario_tables, training_row, write_scenario
from planner.cli import run
from planner.workbook import read_scenario


def catalogue_case(tmp_path):
    """A catalogue GPU with its figures left blank; a run with goodput left blank."""
    tables = scenario_tables(
        gpus=[gpu_row("H100-SXM", bf16_tflops=None, hbm_gb=None, hbm_tbps=None, it_w=None, idle_w=250.0)],
        training=[training_row(goodput=None, active_params_b=None)],
    )
    return write_scenario(tables, tmp_path / "s.xlsx")


def test_scenario_records_where_values_came_from(tmp_path):
    scenario = read_scenario(catalogue_case(tmp_path))
    gpus = scenario.origins["gpus"].iloc[0]
    assert gpus["bf16_tflops"] == "catalogue" and gpus["hbm_gb"] == "catalogue"
    assert gpus["idle_w"] == "workbook"
    assert gpus["fp4_tflops"] == "blank"  # H100 has no FP4: nothing to fill
    run_origin = scenario.origins["training"].iloc[0]
    assert run_origin["goodput"] == "default" and scenario.training.loc[0, "goodput"] == 0.90
    assert run_origin["active_params_b"] == "default"
    assert scenario.training.loc[0, "active_params_b"] == scenario.training.loc[0, "params_b"]
    assert run_origin["tokens_b"] == "workbook"
    assert scenario.gpus.loc[0, "bf16_tflops"] == 989.0


def test_report_marks_catalogue_and_default_values(tmp_path):
    _, html_path = run(catalogue_case(tmp_path), tmp_path / "out")
    inputs = html_path.read_text(encoding="utf-8").split('<section id="inputs">')[1]
    assert '<span class="src catalogue">catalogue</span>' in inputs
    assert '<span class="src default">default</span>' in inputs


def test_a_catalogue_draw_that_is_an_estimate_is_marked_so(tmp_path):
    """The catalogue's all-in draw of a GB300 is its own estimate (no system power is published); every binding power
    limit turns on it, so it is marked apart from the published figures filled in beside it."""
    tables = scenario_tables(
        gpus=[gpu_row("GB300", bf16_tflops=None, hbm_gb=None, hbm_tbps=None, it_w=None, idle_w=250.0)],
        training=[training_row()])
    source = write_scenario(tables, tmp_path / "s.xlsx")
    gpus = read_scenario(source).origins["gpus"].iloc[0]
    assert (gpus["it_w"], gpus["bf16_tflops"]) == ("estimate", "catalogue")
    _, html_path = run(source, tmp_path / "out")
    inputs = html_path.read_text(encoding="utf-8").split('<section id="inputs">')[1].split("</section>")[0]
    assert '1,945 <span class="src catalogue">catalogue estimate</span>' in inputs
