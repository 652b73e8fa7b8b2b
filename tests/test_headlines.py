"""The figures a reader sees first: the summary ``planner solve`` prints, and the report's key figures.

One hand-solved case, TWO PERIODS (numbers from ``conftest.scenario_tables``: PUE 1.25, G1 draws
1.5e-3 MW in use above idle, 2.5e-4 MW idle, and delivers 1.8e21 FLOPs in a 1000 h period at mfu 0.5):

- P1: 1000 h, 100 MW; P2: 3000 h, 1.6 MW. 4000 G1 installed in each: 1.0 MW idle.
- Run T (priority 3, P1 only): 6 x 100e9 x 6000e9 = 3.6e24 FLOPs = 2000 G1 over P1: served in full.
- Service S (priority 4): 86.4 B tokens/day = 1e6 tokens/s at peak, 1000 tokens/s per G1 measured:
  1000 G1 serve it in full. P1 has power to spare: served 1. P2 has 0.6 MW above idle: 400 G1,
  served 0.4. Weighted by hours, S is served (1000 x 1 + 3000 x 0.4) / 4000 = 0.55; the plain
  mean of its periods would be 0.7. Its lowest period is P2, the second.
- Score 3 x 1 + 4 x 0.55 = 5.2 of a possible 3 + 4 = 7 (74.3%); S loses 4 x 0.45 = 1.8.
- Power binds in P2 only: one more MW serves 1 / 1.5e-3 G1 more of S, worth
  4 x (3000 / 4000) x (1000 / 1e6) / 1.5e-3 = 2 points of score; it holds until S is served in
  full, (1000 - 400) x 1.5e-3 = 0.9 MW more, which serve S 0.9 / 1.5e-3 x 1e-3 = 60% more of its
  peak demand in P2 (its 40% to 100%). The 3600 G1 left unused there draw 3600 x 2.5e-4 =
  0.9 MW of its budget idle: power that switching them off would free. P1's 1000 unused draw
  0.25 MW, but power does not bind there, so nothing is said of it.
- Power used: P1 1.0 + 3000 x 1.5e-3 = 5.5 MW, P2 1.6 MW. Energy 5.5 x 1000 + 1.6 x 3000 =
  10 300 MWh = 10.3 GWh, of 100 x 1000 + 1.6 x 3000 = 104 800 MWh (105 GWh) the budgets allow; of it the
  GPUs left unused draw 0.25 x 1000 + 0.9 x 3000 = 2 950 MWh idle.
- GPUs in use: P1 2000 + 1000 = 3000 of 4000 (75%), P2 400 of 4000 (10%).
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, inference_row, scenario_tables, training_row, write_scenario
from planner import cli


@pytest.fixture(scope="module")
def two_periods(tmp_path_factory) -> Path:
    tables = scenario_tables(
        name="two periods",
        periods=[("P1", 1000.0, 100.0), ("P2", 3000.0, 1.6)],
        fleet=[("G1", "P1", 4000.0), ("G1", "P2", 4000.0)],
        training=[training_row("T", params_b=100.0, tokens_b=6000.0, priority=3.0)],
        inference=[inference_row("S", tokens_per_day_b=86.4, priority=4.0)],
        throughput=[("S", "G1", 1000.0)],
    )
    return write_scenario(tables, tmp_path_factory.mktemp("two-periods") / "scenario")


def solved(source: Path, out: Path, capsys, *options: str) -> list[str]:
    """The lines ``planner solve`` prints for ``source``, its report written into ``out``."""
    capsys.readouterr()
    assert cli.main(["solve", str(source), "--out", str(out), *options]) == cli.EXIT_OK
    return capsys.readouterr().out.splitlines()


def key_figures(html: str) -> str:
    [section] = re.findall(r'<section id="key-figures">.*?</section>', html, re.S)
    return section


def text(html: str) -> str:
    """What a reader sees of ``html``: tags dropped, white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def test_the_terminal_gives_the_score_of_its_maximum_and_what_a_mw_more_is_worth(two_periods, tmp_path, capsys):
    """Score 5.2 of 7 (module docstring); S is cut short to 55%; power binds in P2 at its 1.6 MW
    budget, a MW more worth 2 points of score for at least 0.9 MW. A proven optimum: nothing is
    said of stopping early."""
    lines = solved(two_periods, tmp_path / "out", capsys)
    assert re.fullmatch(rf"two periods \({re.escape(str(two_periods))}\): optimal \(highs, \d+\.\d\d s\)", lines[0])
    assert lines[1:] == [
        "  score 5.2000 of 7.0000 (priority-weighted served share)",
        "  not fully served: S (inference) at 55.00% of its peak demand",
        "  power binds in P2: 1.6 of 1.6 MW; worth 2 score per MW more, for at least the next 0.9 MW; "
        "GPUs left unused draw 0.9 MW of it idle",
        f"report: {tmp_path / 'out' / 'index.html'}",
    ]


def test_results_xlsx_lays_the_allocation_out_a_column_per_period(two_periods, tmp_path, capsys):
    """T takes 2000 G1 in P1 alone, S 1000 in P1 and 400 in P2 (module docstring): a row per workload and GPU type,
    in the scenario's order, GPUs in a column per period, 0 where none."""
    solved(two_periods, tmp_path / "out", capsys)
    book = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")
    sheet = book["gpus_by_period"]
    rows = [[round(v, 6) if isinstance(v, float) else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == [["workload", "gpu", "P1", "P2"], ["T", "G1", 2000, 0], ["S", "G1", 1000, 400]]
    assert (sheet.freeze_panes, book["allocation"].freeze_panes) == ("C2", "A2")  # names in view as periods scroll


def test_a_whole_replica_plan_shows_the_power_it_uses_against_the_budget(tmp_path, capsys):
    """--integer: run T may only run on its min_gpus of 300 G1 or more. One 1000 h period of 1.5 MW,
    4000 G1 (1.0 MW idle): 0.5 MW above idle, for 333.3 G1 in use. Service S (2e5 tokens/s,
    1000 tokens/s per G1) takes 200 G1 (0.3 MW) first: 1 point for 0.3 MW, against T's
    1.8e21 / 6e24 / 1.5e-3 = 0.2 points per MW. The 133.3 G1 left are short of T's 300, so the
    whole plan uses 1.0 + 0.3 = 1.3 MW of the 1.5: score 1 of 2. The fractional plan gives T those
    133.3 G1, so power binds there, priced at T's 0.2 points per MW: its 0.2 MW serve 0.04 points more, which
    whole replicas and run minimums cost this plan (more than the 2% gap it stops within), and the terminal says so."""
    tables = scenario_tables(
        name="whole replicas",
        periods=[("P1", 1000.0, 1.5)],
        fleet=[("G1", "P1", 4000.0)],
        training=[training_row("T", min_gpus=300.0)],
        inference=[inference_row("S", tokens_per_day_b=0.2e6 * 86_400 / 1e9)],
        throughput=[("S", "G1", 1000.0)],
    )
    lines = solved(write_scenario(tables, tmp_path / "scenario"), tmp_path / "out", capsys, "--integer")
    assert "  score 1.0000 of 2.0000 (priority-weighted served share)" in lines
    at = lines.index("  what binds, and its prices, are those of the plan with fractional replicas and no run minimums")
    assert lines[at + 1] == ("  which scores 1.0400: whole replicas and run minimums cost this plan 0.0400 points, so "
                             "more power or GPUs may serve more here than its prices say")
    # the 3800 G1 left unused draw 3800 x 2.5e-4 = 0.95 MW idle
    assert ("  power binds in P1: 1.3 of 1.5 MW; worth 0.2 score per MW more; GPUs left unused draw 0.95 MW "
            "of it idle") in lines
    # and a program reading the outputs is told so too
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["prices_from_relaxation"] is True and summary["periods"][0]["power_shadow_price"] == pytest.approx(0.2)
    plan = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")["plan"]
    assert {row[0]: row[1] for row in plan.iter_rows(values_only=True)}["prices_from_relaxation"] is True


def test_a_plan_stopped_by_its_time_limit_says_it_stopped_early(tmp_path, capsys, stopped_early):
    """The default scenario's plan stopped at the time limit (as in test_cli): the line after the status
    says the plan is not proven optimal, and the maximum is still the sum of the workbook's priorities."""
    from planner.workbook import read_scenario

    source = ROOT / "inputs" / "sovereign-200mw.xlsx"
    scenario = read_scenario(source)
    possible = scenario.training["priority"].sum() + scenario.inference["priority"].sum()
    lines = solved(source, tmp_path / "out", capsys, "--outputs", "json")
    assert ": timelimit (highs, " in lines[0]
    assert lines[1] == "  the solver stopped early: this plan is feasible but not proven optimal"
    assert re.fullmatch(rf"  score \d+\.\d{{4}} of {possible:.4f} \(priority-weighted served share\)", lines[2])


@pytest.fixture(scope="module")
def whole_report(two_periods, tmp_path_factory) -> str:
    results, html_path = cli.run(two_periods, tmp_path_factory.mktemp("report") / "out")
    return html_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report_html(whole_report) -> str:
    return key_figures(whole_report)


def cards(section: str) -> dict[str, tuple[str, str]]:
    """Each key figure card: label -> (value, the line under it)."""
    found = re.findall(r'<span class="label">(.*?)</span>\s*<span class="value">(.*?)</span>\s*'
                       r'<span class="sub">(.*?)</span>', section, re.S)
    return {text(label): (text(value), text(sub)) for label, value, sub in found}


def test_energy_is_in_gwh_and_inference_served_is_weighted_by_hours(report_html):
    """10 300 MWh drawn of 104 800 MWh allowed: 10.3 of 105 GWh, 2.95 GWh of it idle. S is served 100% in P1's 1000 h
    and 40% in P2's 3000 h: 55.0% by hours, not the plain mean of 70.0%. 5.2 of 7 is 74.3%."""
    shown = cards(report_html)
    assert shown["Energy drawn"] == ("10.3 GWh", "of 105 GWh the budgets allow; 2.95 of it the idle draw of GPUs "
                                                  "left unused")
    assert shown["Inference demand served"] == ("55.0%", "of the services' peak tokens/s × hours, over every period")
    assert shown["Demand served"] == ("74.3%", "score 5.200 of 7.000")
    assert shown["Peak GPUs in use"] == ("3,000", "of up to 4,000 installed")


def test_each_period_shows_its_gpu_share_and_inference_served(report_html):
    """Per period: GPUs in use of installed and their share (the bar's width, the sort value),
    and the share of S's peak served: P1 3000 of 4000 (75.0%), S 100.0%; P2 400 of 4000
    (10.0%), S 40.0%, power at its budget and a MW worth 2 points, for the next 0.9 MW (less than a whole one)."""
    rows = dict(re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', report_html, re.S))
    assert list(rows) == ["P1", "P2"]
    expected = {"P1": ("5.50 / 100", "3,000 / 4,000", 0.75, "75.0%", "100.0%", "0"),
                "P2": ("1.60 / 1.60", "400 / 4,000", 0.10, "10.0%", "40.0%",
                       "+2.00 for 0.900 MW; power binds")}  # marked, said, and how far it holds
    for period, (power, gpus, share, width, served, price) in expected.items():
        cells = re.findall(r'<td[^>]*data-v="([^"]*)"[^>]*>(.*?)</td>', rows[period], re.S)
        assert [text(cell) for _, cell in cells] == [power, gpus, served, price], period
        sort_value, gpu_cell = cells[1]
        assert float(sort_value) == pytest.approx(share, rel=1e-9), period
        assert re.findall(r'style="width: ([\d.]+%)"', gpu_cell) == [width], period


def test_the_periods_table_shows_the_idle_draw_of_the_gpus_left_unused(whole_report):
    """Idle floor 4000 x 2.5e-4 = 1.0 MW in each period; left unused: P1 1000 G1, 0.25 MW; P2 3600 G1, 0.9 MW."""
    [section] = re.findall(r'<section id="periods">.*?</section>', whole_report, re.S)
    rows = dict(re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', section, re.S))
    shown = {period: [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][:5]
             for period, row in rows.items()}
    assert {period: shown[period] for period in ("P1", "P2")} == {"P1": ["1,000", "100", "5.50", "1.00", "0.250"],
                                                                 "P2": ["3,000", "1.60", "1.60", "1.00", "0.900"]}


def test_a_service_cut_short_is_named_with_its_lowest_period(report_html):
    """S is served 55.0% overall, lowest in P2 (the second period) at 40.0%, costing 4 x 0.45 =
    1.80 points; power binds in P2 only, each MW more worth 2 points for at least 0.900 MW, which
    gains 2 x 0.9 = 1.80 points (1.8 / 5.2 = 34.62% of the score)."""
    findings = text(report_html)
    assert ("S (inference, priority 4.00) is served at 55.0% of its peak demand, lowest in P2 at 40.0%; "
            "that costs 1.80 points of score.") in findings
    assert ("Power binds in P2: 1.60 of 1.60 MW used. Each MW more there is worth 2.00 points of score, "
            "for at least the next 0.900 MW: that much more gains 1.80 points (34.62% of the plan's score); past "
            "that it may be worth less. The next 0.900 MW there serve S 60.0% more of its peak demand in P2. GPUs "
            "left unused hold 0.900 MW of it by their idle draw.") in findings
    assert ("If GPUs left unused can be switched off, give their type an idle_w of 0 (or its standby draw) in the "
            "gpus sheet: the power their idle draw holds where power binds then goes to work.") in findings
    assert findings.count("GPUs left unused hold") == 1  # P1 has unused GPUs too, but power to spare
    assert "Power is the limit in P2;" in findings


def test_a_small_budget_is_shown_to_its_own_precision(tmp_path, capsys):
    """A 0.05 MW budget (100 G1 idle at 0.025 MW, run T wanting them all): one decimal would have
    printed '0.1 of 0.1 MW', twice the budget."""
    tables = scenario_tables(periods=[("P1", 1000.0, 0.05)], fleet=[("G1", "P1", 100.0)])
    lines = solved(write_scenario(tables, tmp_path / "scenario"), tmp_path / "out", capsys)
    assert any(line.startswith("  power binds in P1: 0.05 of 0.05 MW; worth ") for line in lines), lines


def test_the_terminal_says_where_gpus_rather_than_power_bind(tmp_path, capsys):
    """Service S of the module docstring on 500 G1 in one 1000 h period of ample power: served 0.5, score 2.
    GPUs bind, power does not: one more G1 serves 1000 of its 1e6 tokens/s, 4 x 1e-3 = 0.004 points, for
    the next 500 G1, until S is served in full."""
    tables = scenario_tables(periods=[("P1", 1000.0, 100.0)], fleet=[("G1", "P1", 500.0)],
                             inference=[inference_row("S", tokens_per_day_b=86.4, priority=4.0)],
                             throughput=[("S", "G1", 1000.0)])
    lines = solved(write_scenario(tables, tmp_path / "scenario"), tmp_path / "out", capsys)
    assert lines[2:-1] == [
        "  not fully served: S (inference) at 50.00% of its peak demand",
        "  power does not bind in any period",
        "  G1 binds in P1: 500 of 500 GPUs in use; worth 0.004 score per GPU more, for at least the next 500 GPUs",
    ]


def test_a_report_states_its_time_limit_and_what_stopping_at_it_means(tmp_path, capsys, stopped_early):
    """--time-limit 30: the report, summary.json and results.xlsx give the seconds allowed; a plan stopped at
    the limit says in the report's first lines that it is feasible and not proven optimal, as the terminal does."""
    import openpyxl

    source = ROOT / "inputs" / "sovereign-200mw.xlsx"
    solved(source, tmp_path / "out", capsys, "--time-limit", "30")
    meta = text(re.search(r'<p class="meta">.*?</p>', (tmp_path / "out" / "index.html").read_text(), re.S)[0])
    assert "status timelimit (stopped at its time limit: a feasible plan, not proven optimal)" in meta
    assert re.search(r"solved in \d+\.\d\d s of the 30 s allowed", meta)
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["time_limit_s"] == 30.0
    plan = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")["plan"]
    assert ["time_limit_s", 30, "s"] in [[cell.value for cell in row] for row in plan.iter_rows()]


def test_a_report_without_a_time_limit_says_none(tmp_path, capsys):
    source = ROOT / "inputs" / "sovereign-200mw.xlsx"
    solved(source, tmp_path / "out", capsys, "--outputs", "html,json")
    meta = text(re.search(r'<p class="meta">.*?</p>', (tmp_path / "out" / "index.html").read_text(), re.S)[0])
    assert "allowed" not in meta and "stopped at its time limit" not in meta
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["time_limit_s"] is None


def test_the_workloads_table_says_what_a_mw_earns_on_each_at_most(whole_report):
    """Where power binds, what earns least per MW is cut first, whatever its priority: the table gives it for each.
    T (priority 3, P1): one G1 does 1/2000 of it, for 1.5e-3 MW: 3 x 5e-4 / 1.5e-3 = 1 point per MW. S (priority 4):
    one G1 serves 1e-3 of its demand; a period weighs by its hours, 1000 / 4000 in P1 and 3000 / 4000 in P2, so a MW
    earns 4 x 0.25 x 1e-3 / 1.5e-3 = 0.667 in P1 and 2 in P2, at most 2."""
    section = whole_report.split('<section id="workloads">')[1].split("</table>")[0]
    rows = {text(name): [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells)]
            for name, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', section, re.S)}
    assert rows["T"][4] == "1.00" and rows["S"][4] == "2.00"
