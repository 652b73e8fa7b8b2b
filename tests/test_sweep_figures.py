"""The figures a sweep's summary (``sweep.json``) gives per scenario, on a hand-solvable scenario
where power binds in some periods but not all, at different prices.

Numbers (see tests/test_model_known_optima.py for the common ones): PUE 1.25, G1 draws
m = 1.25 x (1400 - 200) / 1e6 = 1.5e-3 MW per GPU in use above idle; 2000 G1 installed in every
period draw 1.25 x 200 x 2000 / 1e6 = 0.5 MW idle.

- Service S, priority 1, every period: 86.4 B tokens/day -> 1e6 tokens/s; measured 1000 tokens/s
  per G1 -> 1000 GPUs (1.5 MW) serve it in full. Its served fraction is the hours-weighted mean
  over its 4000 h, so a GPU in a period of H hours is worth 1 x (H / 4000) x 1e-3 score.
- Run T, priority 2, P1 only: 6 x 100 B x 1000 B = 6e23 FLOPs; one G1 delivers 1.8e21 FLOPs in
  1000 h -> 333.33 GPUs (0.5 MW) finish it.

| period | hours | budget MW | used MW               | S served | price, score per MW          | MWh  |
|--------|-------|-----------|-----------------------|----------|------------------------------|------|
| P1     | 1000  | 100       | 0.5 + 1.5 + 0.5 = 2.5 | 1        | 0 (slack)                    | 2500 |
| P2     | 1000  | 1.25      | 1.25: 500 GPUs        | 0.5      | (1000/4000) x 1e-3 / m = 1/6 | 1250 |
| P3     | 2000  | 1.1       | 1.1: 400 GPUs         | 0.4      | (2000/4000) x 1e-3 / m = 1/3 | 2200 |

S served = (1000 x 1 + 1000 x 0.5 + 2000 x 0.4) / 4000 = 0.575; score = 2 x 1 + 1 x 0.575 = 2.575
of 3 possible. Power binds in P2 and P3; the dearer MW is P3's, which comes after the cheaper P2.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import pytest

from conftest import inference_row, scenario_tables, training_row
from planner.charts import BUDGET, FLEET, served_against
from planner.sweep import budget_families, changed_workloads, failed_row, input_names, lay_out, solved_row, write_sweep
from test_model_known_optima import approx


def two_prices() -> dict:
    """The scenario of the module docstring."""
    periods = [("P1", 1000.0, 100.0), ("P2", 1000.0, 1.25), ("P3", 2000.0, 1.1)]
    return scenario_tables(
        name="two prices",
        periods=periods,
        fleet=[("G1", p, 2000.0) for p, _, _ in periods],
        training=[training_row("T", params_b=100.0, tokens_b=1000.0, start="P1", deadline="P1", priority=2.0)],
        inference=[inference_row("S", tokens_per_day_b=86.4, priority=1.0)],
        throughput=[("S", "G1", 1000.0)],
    )


def strict_json(text: str):
    """JSON as the standard has it: NaN and Infinity, which json.dumps writes by default, are refused."""
    def refuse(constant: str):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def solved(solve_case):
    run = solve_case(two_prices())
    assert run.results.status == "optimal"
    return run.results


@pytest.fixture
def more(solve_case):
    """The plan with P3's budget raised from 1.1 to 1.25 MW: S runs 500 G1 there, 0.625 served in all."""
    tables = two_prices()
    tables["periods"].loc[2, "power_mw"] = 1.25
    return solve_case(tables).results


def test_the_plan_is_the_one_derived_by_hand(solved):
    """The row's figures below stand on this plan: prices per period and MWh as in the table."""
    periods = solved.periods.set_index("period")
    assert periods["power_shadow_price"].tolist() == [0.0, approx(1 / 6), approx(1 / 3)]
    assert periods["energy_mwh"].tolist() == [approx(2500.0), approx(1250.0), approx(2200.0)]
    assert solved.workloads.set_index("workload")["served_fraction"].to_dict() == {"T": approx(1.0),
                                                                                  "S": approx(0.575)}


def test_a_row_gives_the_highest_power_price_its_period_and_how_many_periods_bind(solved, tmp_path):
    """Power binds in P2 (1/6 score per MW) and P3 (1/3), not in P1: 2 periods of 3, and the
    highest price is P3's 1/3 (not P2's 1/6, the lowest that binds, nor P1's 0)."""
    row = solved_row(Path("two.xlsx"), solved, tmp_path / "two" / "index.html")
    assert row["power_binding_periods"] == 2
    assert row["power_shadow_price_max"] == approx(1 / 3)
    assert row["power_shadow_price_max_period"] == "P3"


def test_a_row_gives_how_far_the_highest_price_holds_and_each_period_s_power(solved, tmp_path):
    """P3's 1/3 per MW holds until S is served in full there: 1000 - 400 GPUs more, 600 x 1.5e-3 = 0.9 MW (a whole
    MW more is worth 0.3, not 1/3). Each period's budget, use and price are the plan's."""
    row = solved_row(Path("two.xlsx"), solved, tmp_path / "two" / "index.html")
    assert row["power_shadow_price_max_holds_mw"] == approx(0.9)
    # idle draw of the GPUs left unused, 2.5e-4 MW each: 2000 - 333.33 - 1000 in P1, 2000 - 500 in P2, 2000 - 400 in P3
    assert row["periods"] == [
        {"period": "P1", "power_mw_budget": 100.0, "power_mw_used": approx(2.5), "power_mw_idle_unused": approx(1 / 6),
         "power_shadow_price": 0.0, "power_price_holds_mw": None},
        {"period": "P2", "power_mw_budget": 1.25, "power_mw_used": approx(1.25), "power_mw_idle_unused": approx(0.375),
         "power_shadow_price": approx(1 / 6), "power_price_holds_mw": approx(0.75)},
        {"period": "P3", "power_mw_budget": 1.1, "power_mw_used": approx(1.1), "power_mw_idle_unused": approx(0.4),
         "power_shadow_price": approx(1 / 3), "power_price_holds_mw": approx(0.9)}]
    assert row["prices_from_relaxation"] is False
    integer = solved_row(Path("two.xlsx"), dataclasses.replace(solved, gap_limit=0.02), tmp_path / "two" / "index.html")
    assert integer["prices_from_relaxation"] is True
    html = " ".join(write_sweep([row, integer], tmp_path / "sweep").read_text(encoding="utf-8").split())
    assert ("<strong>The periods power binds in, the prices and the power steps</strong>, for the 1 scenario solved "
            "with <code>--integer</code>, are those of its plan with fractional replicas, no run minimums and runs "
            "that must finish done in part.") in html


def test_a_row_names_the_periods_too_low_for_a_step_less_in_every_period(solved, tmp_path):
    """With a step of 1.2 MW, P2 (1.25 MW less 0.5 MW of idle draw: 0.75 MW above it) and P3 (1.1 MW: 0.6) have
    no plan with 1.2 MW less; P1 (99.5 MW above idle) has. Without a step, none is worked out."""
    stepped = dataclasses.replace(solved, power_step_mw=1.2)
    folder = tmp_path / "sweep"
    row = solved_row(Path("two.xlsx"), stepped, folder / "two" / "index.html")
    assert row["power_step_down_blocked_in"] == ["P2", "P3"]
    assert solved_row(Path("two.xlsx"), solved, folder / "two" / "index.html")["power_step_down_blocked_in"] is None
    html = " ".join(write_sweep([row], folder).read_text(encoding="utf-8").split())
    assert "no plan: P2 and P3 have less than 1.2 MW above idle draw" in html


def test_a_row_gives_the_energy_summed_over_periods(solved, tmp_path):
    """MWh drawn over the whole plan, idle included: 2500 + 1250 + 2200 = 5950 MWh (a mean per
    period would be 1983.33)."""
    row = solved_row(Path("two.xlsx"), solved, tmp_path / "two" / "index.html")
    assert row["energy_mwh"] == approx(5950.0)


def test_a_row_gives_the_power_budget_as_its_mean_over_the_horizon_s_hours(solved, tmp_path):
    """(100 x 1000 + 1.25 x 1000 + 1.1 x 2000) / 4000 h = 25.8625 MW (the mean of the three budgets would be 34.12);
    the page gives it, and beneath it the highest period's budget, where the periods differ."""
    folder = tmp_path / "sweep"
    row = solved_row(Path("two.xlsx"), solved, folder / "two" / "index.html")
    assert row["power_mw_budget_mean"] == approx(25.8625)
    flat = {**row, "periods": [{**period, "power_mw_budget": 2.0} for period in row["periods"]]}
    html = " ".join(write_sweep([row, flat], folder).read_text(encoding="utf-8").split()).replace(" <", "<")
    assert '<td class="n" data-v="25.8625">25.86<span class="unit">up to 100.0</span></td>' in html
    assert html.count('data-v="25.8625">25.86</td>') == 1  # every period the same: no "up to"


def test_a_sweep_of_budgets_charts_the_demand_served_against_them(solved, more, tmp_path):
    """P3's budget at 1.25 MW (25.9375 MW over the horizon) serves 0.5 of S there: 2.625 of 3 points, 87.5%; the base
    serves 85.8% at 25.8625 MW. The chart draws each scenario at its budget and share, the baseline as a ring, and
    gives the same figures in budget order; the two differ in one period's budget, not by a factor: no line joins them.
    A sweep whose budgets are all one has no such chart."""
    folder = tmp_path / "sweep"
    rows = [solved_row(Path("more <b>.xlsx"), more, folder / "a" / "index.html"),
            solved_row(Path("base.xlsx"), solved, folder / "b" / "index.html")]
    html = write_sweep(rows, folder, baseline=1).read_text(encoding="utf-8")
    figure = html[html.index('<figure id="chart-served-by-budget"'):html.index("</details>")]
    dots = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+" fill="([^"]+)"( stroke="[^"]+")?', figure)
    (more_x, more_y, _, more_ring), (base_x, base_y, base_fill, base_ring) = dots
    assert float(more_x) > float(base_x) and float(more_y) < float(base_y)  # more MW, more served: up the page
    assert (more_ring, base_fill, bool(base_ring)) == ("", "none", True)  # a point under the ring shows
    assert "more &lt;b&gt;.xlsx: 25.94 MW, 87.5% of demand served" in figure and "<b>" not in figure
    table = " ".join(figure[figure.index("<tbody>"):].split()).replace(" <", "<")
    assert ('<tr><th scope="row">base.xlsx (baseline)</th><td class="n" data-v="25.8625">25.9</td><td class="n" '
            f'data-v="{2.575 / 3!r}">85.8%</td></tr><tr><th scope="row">more &lt;b&gt;.xlsx</th>') in table
    assert "<polyline " not in figure and rows[0]["alike_but_budget"] == rows[1]["alike_but_budget"]
    assert "chart-served-by-budget" not in write_sweep([rows[1], rows[1]], folder).read_text(encoding="utf-8")
    assert "chart-served-by-fleet" not in html  # one fleet: 2000 G1 in every period


def test_a_sweep_of_fleets_charts_the_demand_served_against_the_gpus_installed(solved, solve_case, tmp_path):
    """With 2,100 G1 installed (not 2,000) in every period, the idle draw of the 100 more takes budget from S where
    power binds: the chart of demand served against the GPUs installed (their mean over the hours) has both points,
    and sweep.json each one's mean."""
    tables = two_prices()
    tables["fleet"]["installed"] = 2100.0
    bigger = solve_case(tables).results
    folder = tmp_path / "sweep"
    rows = [solved_row(Path("base.xlsx"), solved, folder / "a" / "index.html"),
            solved_row(Path("bigger.xlsx"), bigger, folder / "b" / "index.html")]
    assert [row["gpus_installed_mean"] for row in rows] == [2000.0, 2100.0]
    html = write_sweep(rows, folder).read_text(encoding="utf-8")
    figure = html[html.index('<figure id="chart-served-by-fleet"'):]
    assert "bigger.xlsx: 2,100 GPUs, " in figure and "chart-served-by-budget" not in html
    assert rows[0]["alike_but_budget"] != rows[1]["alike_but_budget"] and "<polyline " not in figure


def test_names_on_a_chart_of_budgets_overlap_nothing():
    """Three scenarios, two of them at one point near the right edge, where their names fit only on its left: one of
    those two is named, the other left to its hover text; the baseline is named first, whatever its place."""
    chart = served_against(BUDGET, ["low", "high scenario", "same as high"], [1.0, 2.0, 2.0], [0.5, 0.8, 0.8],
                           baseline=2)
    labels = re.findall(r'<text x="[\d.]+" y="[\d.]+" font-size="11" fill="#1d2330"[^>]*>(?:<title>.*?</title>)?'
                        r'([^<]*)</text>', chart["svg"])
    assert labels == ["same as high (baseline)", "low"]
    assert served_against(BUDGET, ["a", "b"], [5.0, 5.0], [0.5, 0.6], baseline=0) is None  # one budget: no chart
    assert served_against(BUDGET, ["a", "b"], [200.0, 200.1], [0.5, 0.6], baseline=0) is None  # 0.05% apart: one


def test_a_line_joins_the_scenarios_whose_budgets_differ_by_a_factor_alone(solved, solve_case, tmp_path):
    """Every budget at 125%: a line joins it and the base, and what a MW more is worth along it is the score gained
    over the MW of mean budget gained, from the base; a budget cut in one period alone ("more") is on no line, nor is
    a scenario that differs in more (its fleet) at the same factor."""
    tables = two_prices()
    tables["periods"]["power_mw"] *= 1.25
    higher = solve_case(tables).results
    tables["fleet"]["installed"] = 2100.0
    other = solve_case(tables).results
    tables = two_prices()
    tables["periods"].loc[2, "power_mw"] = 1.25
    folder = tmp_path / "sweep"
    rows = [solved_row(Path(f"{name}.xlsx"), results, None) for name, results in
            [("base", solved), ("higher", higher), ("other", other), ("more", solve_case(tables).results)]]
    assert budget_families(rows) == [0, 0, 1, 2]
    html = write_sweep(rows, folder).read_text(encoding="utf-8")
    figure = html[html.index('<figure id="chart-served-by-budget"'):html.index("</details>")]
    assert figure.count("<polyline ") == 1
    worth = (higher.objective - solved.objective) / (rows[1]["power_mw_budget_mean"] - rows[0]["power_mw_budget_mean"])
    assert worth > 0 and f'data-v="{worth!r}"' in figure
    table = " ".join(figure[figure.index("<tbody>"):].split()).replace(" <", "<")
    assert re.search(r'<tr><th scope="row">higher.xlsx</th>(?:(?!</tr>).)*<td>base.xlsx</td></tr>', table)


def test_points_at_one_budget_are_one_point_on_their_line_however_close_the_others():
    """a, b and c on one line (10, 20, 30 MW; 5, 7, 8 points): a MW is worth 0.2 points from a to b, 0.1 from b to c;
    "b again" at b's budget is left off the line; d, on none, has no worth; points a thousandth apart stay apart."""
    chart = served_against(BUDGET, ["a", "b", "c", "d", "b again"], [10.0, 20.0, 30.0, 20.0, 20.0],
                           [0.5, 0.7, 0.8, 0.6, 0.7], None, ([5.0, 7.0, 8.0, 6.0, 7.0], [0, 0, 0, None, 0]))
    [points] = re.findall(r'<polyline points="([^"]+)"', chart["svg"])
    assert len(points.split()) == 3
    worth = {name: row[2:] for name, row in chart["figures"].rows}
    assert worth == {"a": [None, ""], "b": [pytest.approx(0.2), "a"], "d": [None, ""], "b again": [None, ""],
                     "c": [pytest.approx(0.1), "b"]}
    close = served_against(BUDGET, ["a", "b", "c"], [1000.0, 1001.0, 1002.0], [0.5, 0.6, 0.7], None,
                           ([5.0, 6.0, 7.0], [0, 0, 0]))
    assert [row[2] for _, row in close["figures"].rows] == [None, pytest.approx(1.0), pytest.approx(1.0)]
    # the baseline, given after its twin, is the one on the line
    twin = served_against(BUDGET, ["a", "twin", "base"], [10.0, 20.0, 20.0], [0.5, 0.7, 0.7], 2,
                          ([5.0, 7.0, 7.0], [0, 0, 0]))
    assert {name: row[2:] for name, row in twin["figures"].rows} == {
        "a": [None, ""], "twin": [None, ""], "base (baseline)": [pytest.approx(0.2), "a"]}


def test_points_at_100_and_0_percent_are_named_and_no_tick_passes_them():
    """Every scenario served in full, or not at all: the names have room at the chart's top and bottom, while the
    ticks stay from 0% to 100%."""
    for share in (1.0, 0.0):
        chart = served_against(BUDGET, ["low", "high"], [100.0, 200.0], [share, share], baseline=None)
        labels = re.findall(r'font-size="11" fill="#1d2330"[^>]*>(?:<title>.*?</title>)?([^<]*)</text>', chart["svg"])
        ticks = re.findall(r'text-anchor="end" dominant-baseline="central">([-\d.]+)%</text>', chart["svg"])
        assert labels == ["low", "high"] and ticks and all(0 <= float(tick) <= 100 for tick in ticks)


def test_a_row_gives_the_score_and_what_is_cut(solved, tmp_path):
    """Score 2.575 of 3 possible (share 0.858333); 2 workloads, T served in full, S at 0.575."""
    row = solved_row(Path("two.xlsx"), solved, tmp_path / "two" / "index.html")
    assert row["status"] == "optimal" and row["scenario"] == "two prices" and row["input"] == "two.xlsx"
    assert row["objective"] == approx(2.575)
    assert row["objective_possible"] == approx(3.0)
    assert row["score_share"] == approx(2.575 / 3.0)
    assert (row["workloads"], row["fully_served"]) == (2, 1)
    assert row["gap"] == 0.0  # an LP solved to its optimum
    assert row["error"] is None


def test_sweep_json_is_strict_json_with_report_links_relative_to_its_folder(solved, tmp_path):
    """What write_sweep writes parses as standard JSON, row for row as solved, with each report
    linked from the sweep's folder (so the folder can be moved), inside or beside it."""
    folder = tmp_path / "sweep"
    rows = [solved_row(Path("two.xlsx"), solved, folder / "two" / "index.html"),
            solved_row(Path("elsewhere.xlsx"), solved, tmp_path / "elsewhere" / "index.html"),
            failed_row(Path("bad.xlsx"), "bad input", "bad.xlsx: no periods")]
    write_sweep(rows, folder)
    written = strict_json((folder / "sweep.json").read_text(encoding="utf-8"))
    assert [row["report"] for row in written] == ["two/index.html", "../elsewhere/index.html", None]
    # the first solved is what changed is told against, where no --baseline is given
    assert [{**row, "report": None} for row in written] == [{**row, "report": None, "baseline": i == 0}
                                                              for i, row in enumerate(rows)]
    first = written[0]
    assert (first["power_binding_periods"], first["power_shadow_price_max_period"]) == (2, "P3")
    assert first["power_shadow_price_max"] == approx(1 / 3)
    assert first["energy_mwh"] == approx(5950.0)
    assert first["gap"] == 0.0


def test_a_gap_not_known_is_null_in_sweep_json(solved, tmp_path):
    """A plan whose gap is unknown (NaN: a mixed-integer solve stopped without a bound) must not
    write NaN, which is not JSON: its gap is null, and its other figures are kept."""
    unknown = dataclasses.replace(solved, gap=float("nan"))
    assert math.isnan(unknown.gap)
    folder = tmp_path / "sweep"
    write_sweep([solved_row(Path("two.xlsx"), unknown, folder / "two" / "index.html")], folder)
    [row] = strict_json((folder / "sweep.json").read_text(encoding="utf-8"))
    assert row["gap"] is None
    assert row["objective"] == approx(2.575)
    assert row["power_shadow_price_max"] == approx(1 / 3)


def test_the_page_gives_a_gap_beneath_the_status_where_there_is_one(solved, tmp_path):
    """A plan at its optimum (an LP's gap of 0) says nothing more; one within 0.5% of it, or of unknown gap, says so."""
    folder = tmp_path / "sweep"
    rows = [solved_row(Path(f"{name}.xlsx"), dataclasses.replace(solved, gap=gap), folder / name / "index.html")
            for name, gap in (("lp", 0.0), ("near", 0.005), ("unknown", float("nan")))]
    html = " ".join(write_sweep(rows, folder).read_text(encoding="utf-8").split()).replace(" <", "<")
    statuses = re.findall(r'</td><td>(optimal.*?)</td>', html)
    assert statuses == ["optimal", 'optimal<span class="unit">gap 0.50%</span>',
                        'optimal<span class="unit">gap unknown</span>']


def test_the_header_says_where_the_plans_are(solved, tmp_path):
    """Reports linked, or not written (--outputs none); a sweep that solved nothing says nothing of reports; a
    stopped one says so, a space before what follows."""
    folder = tmp_path / "sweep"
    row = solved_row(Path("two.xlsx"), solved, folder / "two" / "index.html")
    stopped = failed_row(Path("b.xlsx"), "interrupted", "not solved: the sweep was stopped (Ctrl-C) before it started")

    def header(rows: list[dict]) -> str:
        html = " ".join(write_sweep(rows, folder).read_text(encoding="utf-8").split())
        return re.search(r'<p class="meta">(.*?)</p>', html).group(1)

    assert header([row, stopped]) == ("1 solved, 1 without a plan. <strong>The sweep was stopped</strong> before 1 of "
                                      "its scenarios was done: each one's row says how far it got. Each scenario's own "
                                      "report holds its plan; click a column header to sort.")
    assert "reports were not written (<code>--outputs none</code>)" in header([{**row, "report": None}])
    assert header([stopped]) == ("0 solved, 1 without a plan. <strong>The sweep was stopped</strong> before 1 of its "
                                 "scenarios was done: each one's row says how far it got. Click a column header to "
                                 "sort.")


def test_a_sweep_says_what_changed_workload_by_workload(solved, more, tmp_path, monkeypatch):
    """Scenario totals alone do not say who gains or loses. With P3's budget raised from 1.1 to 1.25 MW, S runs
    500 G1 there, not 400: served (1000 + 500 + 1000 x 0.5 x 2) / 4000 = 0.625 for 0.575, T in full in both. The
    sweep lists S, marked more than in the first scenario, and counts T as served alike; a failed scenario has no
    column."""
    folder = tmp_path / "sweep"
    rows = [solved_row(Path("in/base.xlsx"), solved, folder / "a" / "index.html"),
            failed_row(Path("bad.xlsx"), "bad input", "bad.xlsx: no periods"),
            solved_row(Path("in/more.xlsx"), more, folder / "b" / "index.html")]
    changed = changed_workloads([rows[0], rows[2]])
    assert (changed["changed"], changed["same"]) == (1, 1)
    [(workload, cells)] = changed["rows"]
    assert workload == "S" and cells == [(approx(0.575), ""), (approx(0.625), "more")]
    html = " ".join(write_sweep(rows, folder).read_text(encoding="utf-8").split())
    assert ('<th scope="row">S</th><td class="n" data-v="0.575">57.5%</td><td class="n" data-v="0.625"><span '
            'aria-hidden="true">▲ </span><span class="sr">more than the baseline: </span>62.5%</td>') in html
    assert "▲ more, than in the baseline, base.xlsx." in html
    assert "1 workload served differently in some; the 1 served alike in all of them are left out" in html
    assert "The sweep was stopped" not in html  # one failed, none stopped
    assert 'of 3.000<span class="unit">+0.05000</span></td>' in html  # more.xlsx's score against base.xlsx's
    # a score within the solver's noise of the baseline's is no gain (it read +9.992e-14)
    near = {**rows[0], "input": "near.xlsx", "objective": rows[0]["objective"] + 1e-13}
    assert 'of 3.000<span class="unit">0</span></td>' in " ".join(
        write_sweep([rows[0], near], tmp_path / "near").read_text(encoding="utf-8").split())
    assert ('<th scope="col" class="n">base.xlsx<span class="unit">baseline</span></th><th scope="col" class="n">'
            'more.xlsx</th>') in html
    assert '<th scope="row" class="path"><a href="a/index.html">base.xlsx</a></th>' in html  # linking its report
    # a workload one scenario lacks ranks by what it is served where it runs, among the changes, not ahead of them
    added = [{**rows[0], "served": {**rows[0]["served"], "N": 0.01}}, rows[2]]
    assert [w for w, _ in changed_workloads(added)["rows"]] == ["S", "N"]
    # two inputs of one name, in two folders: told apart by their paths; a folder given as '.' by its name
    twins = [{**rows[0], "input": "a/s.xlsx"}, {**rows[2], "input": "b/s.xlsx"}]
    assert input_names(twins) == ["a/s.xlsx", "b/s.xlsx"]
    monkeypatch.chdir(tmp_path)
    assert input_names([{**rows[0], "input": "."}, {**rows[2], "input": "b/s.xlsx"}]) == [tmp_path.name, "s.xlsx"]
    assert [row["served"] for row in strict_json((folder / "sweep.json").read_text(encoding="utf-8"))] == [
        {"T": approx(1.0), "S": approx(0.575)}, None, {"T": approx(1.0), "S": approx(0.625)}]


def test_what_changed_is_told_against_the_baseline_given(solved, more, tmp_path):
    """--baseline more.xlsx: S's 57.5% in base.xlsx is less than its 62.5% there, and more.xlsx is marked baseline in
    sweep.json and the page. A baseline without a plan leaves the first solved one as baseline, and says so."""
    folder = tmp_path / "sweep"
    rows = [solved_row(Path("in/base.xlsx"), solved, folder / "a" / "index.html"),
            failed_row(Path("bad.xlsx"), "bad input", "bad.xlsx: no periods"),
            solved_row(Path("in/more.xlsx"), more, folder / "b" / "index.html")]
    assert changed_workloads([rows[0], rows[2]], baseline=1)["rows"] == [
        ("S", [(approx(0.575), "less"), (approx(0.625), "")])]
    html = " ".join(write_sweep(rows, folder, baseline=2).read_text(encoding="utf-8").split())
    assert [row["baseline"] for row in strict_json((folder / "sweep.json").read_text(encoding="utf-8"))] == [
        False, False, True]
    assert ('<td class="n" data-v="0.575"><span aria-hidden="true">▼ </span><span class="sr">less than the baseline: '
            '</span>57.5%</td><td class="n" data-v="0.625">62.5%</td>') in html
    assert "▲ more, than in the baseline, more.xlsx." in html
    # each score less the baseline's: 2 + 0.575 against 2 + 0.625 (T at priority 2 in full, S at 1)
    assert "Score: beneath it, the score less the baseline's, more.xlsx, in points:" in html
    assert 'of 3.000<span class="unit">-0.05000</span></td>' in html
    assert 'of 3.000<span class="unit">the baseline</span></td>' in html
    assert 'more.xlsx<span class="unit">baseline</span></th>' in html
    html = " ".join(write_sweep(rows, folder, baseline=1).read_text(encoding="utf-8").split())
    assert ("than in the baseline, base.xlsx (bad.xlsx, given as <code>--baseline</code>, has no plan in this sweep: "
            "see its row above)." in html)
    assert [row["baseline"] for row in strict_json((folder / "sweep.json").read_text(encoding="utf-8"))] == [
        True, False, False]


def test_a_sweep_says_what_a_mw_is_worth_period_by_period(solved, more, tmp_path):
    """With P3's budget at 1.25 MW, S runs 500 G1 there (0.75 MW above idle; 500 more fill it: 0.75 MW at 1/3);
    the page gives each period's price, how far it holds and, where power does not bind, the MW left spare: P1
    97.5 MW in both."""
    folder = tmp_path / "sweep"
    rows = [solved_row(Path("base.xlsx"), solved, folder / "a" / "index.html"),
            solved_row(Path("more.xlsx"), more, folder / "b" / "index.html")]
    html = " ".join(write_sweep(rows, folder).read_text(encoding="utf-8").split())
    section = html[html.index('id="power-title"'):html.index("</section>", html.index('id="power-title"'))]
    assert ('<th scope="row">P3</th><td class="n" data-v="0.3333333333333333"><strong>0.3333</strong><span class="unit">'
            'for 0.900&nbsp;MW&nbsp;more</span></td>') in section.replace(" <", "<")
    assert section.count("97.5 MW spare") == 2
    assert section.count("for 0.750&nbsp;MW&nbsp;more") == 3  # P2 in both, P3 in the second
    # a period without a budget has none to spare, rather than using it in full
    broke = {**rows[1], "periods": [{**rows[1]["periods"][0], "power_mw_budget": 0.0, "power_mw_used": 0.0},
                                    *rows[1]["periods"][1:]]}
    html = " ".join(write_sweep([rows[0], broke], folder).read_text(encoding="utf-8").split())
    assert '<th scope="row">P1</th><td class="n" data-v="0.0">0<span class="unit">97.5 MW spare</span></td>' \
           '<td class="n" data-v="0.0">0<span class="unit">no budget</span></td>' in html.replace(" <", "<")
    # the highest price is said with its reach, in points per MW: not the worth of a whole MW
    assert "0.3333 in P3<span class=\"unit wraps\">for at least 0.900&nbsp;MW&nbsp;more</span>" in html


def test_a_sweep_of_more_scenarios_than_a_screen_shows_lays_them_down_the_page(solved, more, tmp_path):
    """Nine scenarios of three periods (and one workload changed): the scenarios are the rows of both grids, so that a
    sweep of a hundred does not run a hundred columns wide; the baseline, the seventh, is marked on its row, and P3 is
    a column, its price in each scenario beside the others'. Eight side by side are left across."""
    folder = tmp_path / "sweep"
    rows = [solved_row(Path(f"s{i}.xlsx"), more if i == 6 else solved, folder / f"s{i}" / "index.html")
            for i in range(9)]
    html = " ".join(write_sweep(rows, folder, baseline=6).read_text(encoding="utf-8").split()).replace(" <", "<")
    power = html[html.index('id="power-title"'):html.index("</section>", html.index('id="power-title"'))]
    assert ('<thead><tr><th scope="col">Scenario</th><th scope="col" class="n">P1<span class="unit">points per MW more'
            '</span></th>') in power
    assert power.count('<th scope="row">') == 9 and '<th scope="row">s6.xlsx<span class="unit">baseline</span></th>' in power
    changed = html[html.index('id="workloads-title"'):]
    assert '<thead><tr><th scope="col">Scenario</th><th scope="col" class="n">S</th></tr></thead>' in changed
    assert ('<tr><th scope="row">s6.xlsx<span class="unit">baseline</span></th><td class="n" data-v="0.625">62.5%</td>'
            '</tr>') in changed
    assert ('<tr><th scope="row">s0.xlsx</th><td class="n" data-v="0.575"><span aria-hidden="true">▼</span><span '
            'class="sr">less than the baseline:</span>57.5%</td></tr>') in changed  # spaces before tags taken out
    html = " ".join(write_sweep(rows[1:], folder).read_text(encoding="utf-8").split()).replace(" <", "<")
    assert '<thead><tr><th scope="col">Period</th>' in html and '<thead><tr><th scope="col">Workload</th>' in html


def test_a_sweep_of_more_scenarios_and_workloads_than_a_screen_shows_gives_each_workload_s_range(solved, tmp_path):
    """Ten scenarios in which nine workloads are served differently: no grid fits, so each workload's range is
    given. W3 is served 0.1 x (scenario + 1) + 0.03, up to all of it in s9, but in s0, a scenario without it; against
    the baseline s4 (0.53) it is less in s1-s3 and more in s5-s9."""
    folder = tmp_path / "sweep"
    base = solved_row(Path("s.xlsx"), solved, folder / "s" / "index.html")
    rows = [{**base, "input": f"s{k}.xlsx",
             "served": {f"W{w}": min(0.1 * (k + 1) + 0.01 * w, 1.0) for w in range(9) if (k, w) != (0, 3)}
             | {"W9": 0.5 if k == 0 else 1.0 - 1e-9 * k}}  # served in full but in s0, to the solver's noise
            for k in range(10)]
    changed = changed_workloads(rows, baseline=4)
    assert changed["changed"] == 10
    ranges = dict(changed["ranges"])
    assert ranges["W3"] == dict(base=approx(0.53), least=approx(0.23), least_in=1, most=approx(1.0), most_in=9,
                                less=3, more=5, missing=1)
    # where the baseline is served the most, within the solver's noise, it is named, not the first that is
    assert (ranges["W9"]["most_in"], ranges["W9"]["least_in"], ranges["W9"]["more"]) == (4, 0, 0)
    html = " ".join(write_sweep(rows, folder, baseline=4).read_text(encoding="utf-8").split()).replace(" <", "<")
    section = html[html.index('id="workloads-title"'):]
    assert ('<th scope="col" class="n">s4.xlsx<span class="unit">baseline</span></th><th scope="col" class="n">Least '
            'served</th>') in section
    assert ('<th scope="row">W3<span class="unit">not in 1 scenario</span></th><td class="n" data-v="0.53">53.0%</td><td class="n" data-v="0.23">23.0%<span '
            'class="unit">s1.xlsx</span></td><td class="n" data-v="1.0">100.0%<span class="unit">s9.xlsx</span></td>'
            '<td class="n" data-v="3.0">3</td><td class="n" data-v="5.0">5</td></tr>') in section
    # eight workloads or fewer: the scenarios are rows of a grid again
    few = [{**row, "served": {w: v for w, v in row["served"].items() if w < "W8"}} for row in rows]
    html = write_sweep(few, folder, baseline=4).read_text(encoding="utf-8")
    assert "Least served" not in html and '<th scope="row">s4.xlsx<span class="unit">baseline</span></th>' in html
    # eight scenarios or fewer: a grid too, the scenarios across
    html = write_sweep(rows[:8], folder, baseline=4).read_text(encoding="utf-8")
    assert "Least served" not in html and '<th scope="row">W3</th>' in html
    # nine scenarios over twelve periods: the periods are the rows
    periods = [(f"P{p}", [{} for _ in range(9)]) for p in range(12)]
    assert lay_out(periods, [f"s{k}" for k in range(9)])["by_scenario"] is False
    assert lay_out(periods[:8], [f"s{k}" for k in range(9)])["by_scenario"] is True


def test_a_failed_scenario_keeps_every_line_of_its_error(tmp_path):
    """A workbook with three problems: sweep.json holds all three, as the terminal does; the page a line each."""
    error = "b.xlsx: one\nb.xlsx: two\nb.xlsx: three"
    folder = tmp_path / "sweep"
    write_sweep([failed_row(Path("b.xlsx"), "bad input", error)], folder)
    [row] = strict_json((folder / "sweep.json").read_text(encoding="utf-8"))
    assert row["error"] == error
    assert 'class="wrap lines" data-v="">b.xlsx: one\nb.xlsx: two\nb.xlsx: three</td>' in (
        folder / "sweep.html").read_text(encoding="utf-8")


def test_a_sweeps_scores_on_the_terminal_are_told_against_the_baseline_and_capped():
    """32 solved and one failed: the first 30 solved in the inputs' order, each against the --baseline (the third),
    then how many more; the failed one has no line."""
    from planner.sweep import SCORES_SHOWN, score_lines
    rows = [{"input": f"s{i:02d}.xlsx", "error": None, "objective": 50.0 + i / 4} for i in range(32)]
    rows.insert(1, {"input": "bad.xlsx", "error": "bad input", "objective": None})
    lines = score_lines(rows, baseline=3)  # s02
    assert lines[0] == "  scores, and against the baseline (s02.xlsx):"
    assert [line.split() for line in lines[1:4]] == [["50.0000", "-0.5000", "s00.xlsx"],
                                                     ["50.2500", "-0.2500", "s01.xlsx"],
                                                     ["50.5000", "baseline", "s02.xlsx"]]
    assert len(lines) == 1 + SCORES_SHOWN + 1 and lines[-1] == "    ... and 2 more (see the sweep summary)"
    assert score_lines(rows[:2]) == []  # one solved: nothing to compare
    # a --baseline with no plan: told against the first solved, the baseline sweep.html names too (the caller says why)
    assert score_lines(rows, baseline=1)[0] == "  scores, and against the baseline (s00.xlsx):"
