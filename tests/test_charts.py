"""Chart drawing (planner/svg.py, planner/charts.py): ticks, text measure, geometry, escaping,
and the cache of compiled templates.

The charts of whole reports are checked in test_report.py (text) and test_browser.py (drawn).
"""

from __future__ import annotations

import dataclasses
import html
import math
import re

import jinja2
import numpy as np
import pandas as pd
import pytest
from colorspacious import cspace_convert
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_pipeline, write_scenario
from planner import charts
from planner.results import BINDING
from planner.svg import (LABEL_CHARS, LABEL_PX, PRINT_HEIGHT, TITLE_PX, WIDTH, Chart, clip, nice_ticks, tick_text,
                         text_width, wrap)
from planner.synthetic import synthetic_tables
from planner.templating import _CompiledTemplates


@pytest.fixture(scope="module")
def default_results():
    return run_pipeline(ROOT / "inputs" / "sovereign-200mw.xlsx").results


@given(st.floats(min_value=1e-6, max_value=1e12, allow_nan=False))
def test_ticks_start_at_zero_stay_under_the_top_and_step_by_round_numbers(top):
    ticks = nice_ticks(top)
    assert ticks[0] == 0
    assert ticks[-1] <= top * (1 + 1e-9)
    assert 3 <= len(ticks) <= 6
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-12)
    assert any(math.isclose(mantissa, m, rel_tol=1e-9) for m in (1, 2, 2.5, 5, 10))


@given(st.floats(min_value=0.0, max_value=1e6, allow_nan=False), st.floats(min_value=1e-3, max_value=1e6))
def test_ticks_from_a_bottom_stay_within_the_range_on_multiples_of_their_step(bottom, span):
    """An axis that does not start at zero (a sweep's budgets, 150-250 MW): the ticks lie within it, on multiples
    of a round step, and their labels tell neighbours apart (187.5 beside 190, not 188)."""
    top = bottom + span
    ticks = nice_ticks(top, bottom=bottom)
    noise = 1e-9 * max(span, top)  # of the floats the ticks are
    assert bottom - noise <= ticks[0] and ticks[-1] <= top + noise
    assert 2 <= len(ticks) <= 6
    step = float(f"{ticks[1] - ticks[0]:.6g}")
    assert abs(ticks[0] - round(ticks[0] / step) * step) <= noise
    labels = [tick_text(t, ticks) for t in ticks]
    assert len(set(labels)) == len(labels)


def test_tick_labels_carry_the_decimals_of_their_step():
    ticks = nice_ticks(196.0, bottom=184.0)
    assert [tick_text(t, ticks) for t in ticks] == ["185.0", "187.5", "190.0", "192.5", "195.0"]
    assert [tick_text(t, nice_ticks(2500.0)) for t in nice_ticks(2500.0)] == ["0", "500", "1,000", "1,500", "2,000",
                                                                              "2,500"]


def test_text_is_measured_by_its_letters():
    assert text_width("iiii", LABEL_PX) < text_width("WWWW", LABEL_PX)
    assert text_width("ab", 2 * LABEL_PX) == 2 * text_width("ab", LABEL_PX)
    assert text_width("한국", LABEL_PX) > text_width("ab", LABEL_PX)  # East Asian letters take a full em
    assert text_width("e\u0301", LABEL_PX) == text_width("e", LABEL_PX)  # a combining accent takes no room
    assert text_width("total", LABEL_PX, bold=True) > text_width("total", LABEL_PX)


def _shapes(svg: str, tag: str) -> list[dict]:
    """Attributes and title of every ``tag`` element in ``svg``."""
    found = []
    for attributes, title in re.findall(rf"<{tag} ([^>]*?)/?>(?:<title>(.*?)</title>)?", svg):
        item = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        item["title"] = title
        found.append(item)
    return found


def test_stacked_bars_are_drawn_to_scale_one_on_another():
    table = pd.DataFrame({"A": [10.0, 20.0], "B": [30.0, 0.0]}, index=["P1", "P2"])
    installed = pd.Series([50.0, 60.0], index=table.index)
    svg = charts._stacked_gpus(table, installed, {"A": "#111111", "B": "#222222"}, "GPUs", "stack").svg
    bars = {r["title"]: r for r in _shapes(svg, "rect") if r["title"]}
    assert set(bars) == {"P1 · A: 10 GPUs", "P1 · B: 30 GPUs", "P2 · A: 20 GPUs"}  # nothing drawn for B at P2
    height = {t: float(r["height"]) for t, r in bars.items()}
    assert math.isclose(height["P1 · B: 30 GPUs"], 3 * height["P1 · A: 10 GPUs"], rel_tol=0.02)
    assert math.isclose(height["P2 · A: 20 GPUs"], 2 * height["P1 · A: 10 GPUs"], rel_tol=0.02)
    a, b = bars["P1 · A: 10 GPUs"], bars["P1 · B: 30 GPUs"]
    assert math.isclose(float(b["y"]) + float(b["height"]), float(a["y"]), abs_tol=0.15)  # B sits on A
    assert float(bars["P1 · A: 10 GPUs"]["x"]) < float(bars["P2 · A: 20 GPUs"]["x"])

    markers = [m for m in _shapes(svg, "circle") if m["title"]]  # the legend's marker has none
    assert [m["title"] for m in markers] == ["P1: 50 GPUs installed", "P2: 60 GPUs installed"]
    assert float(markers[1]["cy"]) < float(markers[0]["cy"])  # more installed is higher up
    legend = re.findall(r'font-size="11" dominant-baseline="central">([^<]*)</text>', svg)
    assert legend == ["installed", "B", "A"]  # the stack's top first

    view_width, view_height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    for r in _shapes(svg, "rect"):
        assert 0 <= float(r["x"]) and float(r["x"]) + float(r["width"]) <= view_width
        assert 0 <= float(r["y"]) and float(r["y"]) + float(r["height"]) <= view_height


def test_chart_text_is_escaped():
    chart = Chart("hostile", "<script>alert(1)</script> & \"quoted\"", 200.0)
    chart.place(40, 40, (0, 1), (0, 1))
    chart.text(0.5, 0.5, '<img src=x onerror="alert(2)">')
    chart.bars([0.5], [0.5], 0.0, 0.2, '" onload="alert(3)', tips=["</title><script>alert(4)</script>"])
    svg = chart.render()
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34;" in svg
    assert 'fill="&#34; onload=&#34;alert(3)"' in svg
    assert "&lt;/title&gt;&lt;script&gt;alert(4)" in svg


def test_long_names_are_cut_in_labels_and_shown_whole_on_hover():
    name = "a-very-long-training-run-name-" * 4
    table = pd.DataFrame({name: [10.0]}, index=["P1"])
    svg = charts._stacked_gpus(table, pd.Series([20.0], index=table.index), {}, "GPUs", "long").svg
    label = clip(name)
    assert len(label) == LABEL_CHARS and label.endswith("…")
    assert f"<title>{name}</title>{label}</text>" in svg  # the legend: cut, whole on hover
    assert f"P1 · {name}: 10 GPUs" in svg  # the bar's value names it whole
    assert clip("short") == "short"


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30).flatmap(lambda periods: st.tuples(
    st.lists(st.lists(st.floats(0, 1e6), min_size=periods, max_size=periods), min_size=1, max_size=15),
    st.lists(st.floats(0, 2e6), min_size=periods, max_size=periods))))
def test_stacked_charts_stay_inside_their_box_and_to_scale(data):
    columns, installed = data
    periods = [f"2030-{i:02d}" for i in range(len(installed))]
    table = pd.DataFrame({f"w{j}": values for j, values in enumerate(columns)}, index=periods)
    svg = charts._stacked_gpus(table, pd.Series(installed, index=periods), {}, "GPUs", "prop").svg
    coordinates = re.findall(r'\b(?:x|y|width|height|cx|cy|r|x1|x2|y1|y2)="([^"]*)"', svg)
    assert coordinates and all(math.isfinite(float(c)) for c in coordinates)
    view_width, view_height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    bars = [r for r in _shapes(svg, "rect") if r["title"]]
    for r in bars:
        assert 0 <= float(r["x"]) and float(r["x"]) + float(r["width"]) <= view_width + 0.1
        assert 0 <= float(r["y"]) and float(r["y"]) + float(r["height"]) <= view_height + 0.1
    # one scale for every bar: px per GPU is the same everywhere, to the rounding of heights (0.1 px)
    # and of the values in the tooltips (whole GPUs)
    scales = [float(r["height"]) / v for r in bars if float(r["height"]) >= 5
              and (v := float(r["title"].rsplit(": ", 1)[1].split()[0].replace(",", ""))) >= 1000]
    if len(scales) > 1:
        assert max(scales) <= min(scales) * 1.025


def test_power_binds_is_a_word_where_it_fits_and_a_sign_where_periods_are_narrow(default_results):
    binding = default_results.periods["power_shadow_price"] > BINDING
    assert binding.any()
    wide = charts._power_chart(default_results).svg
    assert wide.count(">binds</text>") == binding.sum()
    narrow = default_results.periods.loc[np.repeat(default_results.periods.index, 8)].reset_index(drop=True)
    narrow["period"] = [f"Q{i}" for i in range(len(narrow))]
    crowded = dataclasses.replace(default_results, periods=narrow)
    svg = charts._power_chart(crowded).svg
    assert ">binds</text>" not in svg and svg.count(">▼</text>") == 8 * binding.sum()


@pytest.mark.parametrize("count, turned, step, thinned", [(12, False, 1, False), (13, False, 1, True),
                                                           (30, True, 1, False), (33, True, 1, True),
                                                           (36, True, 2, False), (120, True, 4, False)])
def test_period_labels_too_crowded_are_thinned(count, turned, step, thinned):
    """Labels are turned where they would collide on screen; where even turned ones would (monthly
    periods over years), only every ``step``th is shown; where they would collide only at their larger
    print size, every other one shown is left out in print (class "spare")."""
    periods = [f"{2026 + i // 12}-{i % 12 + 1:02d}" for i in range(count)]
    table = pd.DataFrame({"A": np.ones(count)}, index=periods)
    svg = charts._stacked_gpus(table, pd.Series(np.ones(count), index=periods), {}, "GPUs", "p").svg
    labels = [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t in periods]
    assert labels == periods[::step]
    assert svg.count("rotate(-45") == (len(labels) if turned else 0)
    assert re.findall(r'<text class="spare"[^>]*>([^<]*)</text>', svg) == (periods[step::2 * step] if thinned else [])


def test_thirty_training_runs_print_at_the_page_width(tmp_path):
    """Rows close up so that the chart is no taller than prints at the column's full width, where a
    taller one would shrink, its labels with it."""
    results = run_pipeline(write_scenario(synthetic_tables(80, 4, 11, seed=2), tmp_path / "many")).results
    assert len(results.inputs["training"]) > charts.CHART_ROWS
    svg = charts._training_chart(results, charts._workload_colours(results)).svg
    assert float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg).group(1)) == pytest.approx(PRINT_HEIGHT, abs=0.1)


def test_a_long_title_goes_on_over_lines_within_the_chart(tmp_path):
    """At 500 workloads the served chart's title says which 30 it shows and why: it runs over more than the
    chart's width on one line. Every chart's title stays within its width, in lines that read as the
    whole title, the chart's name for a screen reader."""
    results = run_pipeline(write_scenario(synthetic_tables(500, 6, 12, seed=1), tmp_path / "large")).results
    lines = {}
    for chart in charts.charts(results):
        whole = html.unescape(re.search(r"<title id=[^>]*>([^<]*)</title>", chart["svg"]).group(1))
        drawn = [(float(x), html.unescape(text)) for x, text in
                 re.findall(r'<text class="title" x="([\d.]+)"[^>]*>([^<]*)</text>', chart["svg"])]
        assert " ".join(text for _, text in drawn) == whole
        assert [text for x, text in drawn if x + text_width(text, TITLE_PX, bold=True) > WIDTH] == [], whole
        lines[chart["name"]] = len(drawn)
    assert lines["served"] == 2


def test_titles_break_before_a_part_in_parentheses_else_between_words():
    title = "Share of demand served: the 30 least served of 500 workloads (103 got nothing: those shown)"
    assert wrap(title, 600, TITLE_PX, bold=True) == [
        "Share of demand served: the 30 least served of 500 workloads", "(103 got nothing: those shown)"]
    assert wrap(title, 2000, TITLE_PX) == [title]
    narrow = wrap(title, 200, TITLE_PX)
    assert " ".join(narrow) == title and all(text_width(line, TITLE_PX) <= 200 for line in narrow)
    assert any(line.startswith("(103") for line in narrow)


def test_compiled_templates_are_kept_and_a_cache_that_cannot_be_written_is_skipped(tmp_path):
    source = jinja2.DictLoader({"t.html": "{{ x }}"})
    kept = jinja2.Environment(loader=source, bytecode_cache=_CompiledTemplates(str(tmp_path)))
    assert kept.get_template("t.html").render(x="<b>") == "<b>"
    assert len(list(tmp_path.iterdir())) == 1
    broken = jinja2.Environment(loader=source, bytecode_cache=_CompiledTemplates(str(tmp_path / "missing")))
    assert broken.get_template("t.html").render(x=2) == "2"


def test_no_two_series_of_a_chart_share_a_colour():
    """Palettes repeat past a dozen workloads; within one chart every series still has its own colour,
    and a series whose colour is free keeps it (the same workload, the same colour in every chart)."""
    names = [f"serve{i:02d}" for i in range(30)]
    colours = {n: charts.INFERENCE_COLOURS[i % len(charts.INFERENCE_COLOURS)] for i, n in enumerate(names)}
    shown = pd.Index(names[5:30:2][:11] + ["other (19)"])
    chosen = charts._distinct(shown, colours)
    assert len(set(chosen.values())) == len(shown)
    assert chosen["serve05"] == colours["serve05"] and chosen["other (19)"] == charts.OTHER_COLOUR


def test_workloads_past_a_charts_series_are_summed_by_kind():
    """At national scale most GPUs go to workloads a stacked chart cannot name; summed by kind, the chart still
    shows how training and serving share the site, each in a grey of its kind's hue, and nothing is lost."""
    names = [f"run{i:02d}" for i in range(20)] + [f"serve{i:02d}" for i in range(20)]
    kinds = {n: "training" if n.startswith("run") else "inference" for n in names}
    table = pd.DataFrame(np.arange(1.0, 81.0).reshape(2, 40), index=["P1", "P2"], columns=names)
    top, colours = charts._top_columns(table, kinds)
    assert top.shape[1] == charts.CHART_SERIES
    assert top.columns[-2:].tolist() == ["other training runs (20)", "other services (10)"]
    assert top.columns[:-2].tolist() == names[30:]  # the largest, in their order
    np.testing.assert_allclose(top.sum(axis=1), table.sum(axis=1))
    assert colours == {"other training runs (20)": charts.OTHER_COLOURS["training"],
                       "other services (10)": charts.OTHER_COLOURS["inference"]}
    services = table[names[20:]]
    top, _ = charts._top_columns(services, {n: "inference" for n in services})
    assert top.shape[1] == charts.CHART_SERIES and top.columns[-1] == "other services (9)"
    few, colours = charts._top_columns(table[names[:charts.CHART_SERIES]], kinds)
    assert few.columns.tolist() == names[:charts.CHART_SERIES] and colours == {}


def test_a_chart_of_the_least_served_says_which_it_shows_when_more_got_nothing():
    workloads = pd.DataFrame({"served_fraction": [0.0] * (charts.CHART_ROWS + 5) + [0.5, 1.0]})
    assert charts._none_served(workloads) == f" ({charts.CHART_ROWS + 5} got nothing: those of highest priority shown)"
    assert charts._none_served(workloads.iloc[5:]) == ""


def _figures(figures: charts.Figures) -> pd.DataFrame:
    """A chart's figures as a frame (None read as NaN)."""
    return pd.DataFrame([values for _, values in figures.rows], index=[label for label, _ in figures.rows],
                        columns=[heading for heading, _ in figures.columns])


def test_each_chart_comes_with_the_figures_it_draws(default_results):
    r = default_results
    drawn = {chart["name"]: _figures(chart["figures"]) for chart in charts.charts(r)}
    assert set(drawn) == {"gpus-by-workload", "gpus-by-type", "power", "served", "training", "inference"}
    periods = r.periods.set_index("period")
    for name in ("gpus-by-workload", "gpus-by-type"):
        table = drawn[name]
        assert list(table.index) == list(periods.index)
        np.testing.assert_allclose(table["Installed"].to_numpy(float), periods["gpus_installed"].to_numpy())
        np.testing.assert_allclose(table.drop(columns="Installed").sum(axis=1).to_numpy(float),
                                   periods["gpus_in_use"].to_numpy(), rtol=1e-9)
    power = drawn["power"]
    np.testing.assert_allclose(power["Used"].to_numpy(float), periods["power_mw_used"].to_numpy())
    np.testing.assert_allclose(power["Unused, idle"].to_numpy(float), periods["power_mw_idle_unused"].to_numpy())
    np.testing.assert_allclose((power["At work"] + power["Unused, idle"]).to_numpy(float),
                               power["Used"].to_numpy(float))
    binds = periods["power_shadow_price"] > BINDING
    assert power["Score per MW more"].notna().to_numpy().tolist() == binds.tolist() and binds.any()
    served = drawn["served"]
    by_workload = r.workloads.set_index("workload")
    np.testing.assert_allclose(served["Served"].to_numpy(float),
                               by_workload.loc[served.index, "served_fraction"].to_numpy(), rtol=1e-9)
    assert served["Kind"].tolist() == by_workload.loc[served.index, "kind"].tolist()  # the kind in words, not hue alone
    inference = drawn["inference"]
    capacity = inference.drop(columns=["Peak demand not served", "Total peak demand"]).sum(axis=1)
    demand = r.inference.groupby("period", sort=False)["demand_tokens_per_s"].sum().reindex(periods.index, fill_value=0)
    np.testing.assert_allclose(inference["Total peak demand"].to_numpy(float), demand.to_numpy() / 1e6, rtol=1e-9)
    np.testing.assert_allclose((capacity + inference["Peak demand not served"]).to_numpy(float),
                               inference["Total peak demand"].to_numpy(float), rtol=1e-9)
    training = drawn["training"]
    runs = r.inputs["training"].set_index("workload")
    for run, row in training.iterrows():  # blank outside the run's window, its share within
        window = list(periods.index).index(runs.loc[run, "start_period"]), list(periods.index).index(
            runs.loc[run, "deadline_period"])
        shares = row.drop("By the deadline")
        assert shares.notna().tolist() == [window[0] <= i <= window[1] for i in range(len(periods))]
        assert row["By the deadline"] == pytest.approx(shares.iloc[window[1]])
    assert (training["By the deadline"] > 1 - 1e-6).any()


def test_a_solvers_rounding_reads_as_done_and_served_in_the_charts(default_results):
    """CBC gives values to about eight significant figures: a run it finishes reached 7.1999998e24 of its 7.2e24
    FLOPs, and the training chart read 99% (a miss) beside "7 of 7 finish"; the inference chart showed 1.78e-07
    million tokens/s not served where every service was served in full."""
    r = default_results
    noisy = dataclasses.replace(
        r, training=r.training.assign(flops_cumulative=r.training["flops_cumulative"] * (1 - 3e-9)),
        inference=r.inference.assign(capacity_tokens_per_s=r.inference["capacity_tokens_per_s"] * (1 - 2e-8)))
    drawn = {chart["name"]: chart for chart in charts.charts(noisy)}
    finished = r.workloads.loc[(r.workloads["kind"] == "training") & (r.workloads["served_fraction"] == 1.0),
                               "workload"]
    training = _figures(drawn["training"]["figures"])
    assert len(finished) and (training.loc[finished, "By the deadline"] == 1.0).all()
    assert ">99%<" not in drawn["training"]["svg"]
    full = r.inference.groupby("period")["served_fraction"].min() == 1.0
    not_served = _figures(drawn["inference"]["figures"])["Peak demand not served"]
    assert full.any() and (not_served[full[full].index] == 0).all()


def test_a_series_named_like_a_total_keeps_its_own_column():
    table = pd.DataFrame({"Installed": [3.0, 4.0]}, index=["P1", "P2"])
    figures = _figures(charts._stacked_gpus(table, pd.Series([10.0, 10.0], index=table.index), {}, "GPUs", "n").figures)
    assert figures.columns.tolist() == ["Installed", "Installed"]
    assert figures.to_numpy(float).tolist() == [[3.0, 10.0], [4.0, 10.0]]


def _rgb(colour: str) -> list[float]:
    """A #rrggbb colour's channels, from 0 to 1."""
    return [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]


def _contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of a #rrggbb colour against white."""
    channels = _rgb(colour)
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_every_series_colour_stands_out_from_the_page():
    """WCAG's 3:1 for graphics that carry meaning, against the white page; the pale fills that do
    not meet it (idle draw, training windows) are outlined in a colour that does."""
    palettes = charts.TRAINING_COLOURS + charts.INFERENCE_COLOURS + charts.GPU_COLOURS
    assert len(set(palettes)) == len(palettes)
    for colour in (*palettes, *charts.OTHER_COLOURS.values(), charts.AT_WORK_COLOUR, charts.PALE_EDGE, charts.ALERT):
        assert _contrast_with_white(colour) >= 3.0, colour


@pytest.mark.parametrize("deficiency", [None, "deuteranomaly", "protanomaly", "tritanomaly"])
def test_series_colours_stay_apart_with_colour_vision_deficiencies(deficiency):
    """Within each palette, any two colours differ by 7 or more in CAM02-UCS, and neighbours (given to
    workloads listed one after the other, which a chart often stacks together) by 20 or more, seen
    with normal vision and with each deficiency at full severity: the two common red-green ones
    (about one man in twelve has one of them, in some degree) and the rarer blue-yellow one. The
    palettes before these had two training colours 1.7 apart to anyone; the next, chosen without
    the blue-yellow one, two 2.3 apart under it."""
    for palette in (charts.TRAINING_COLOURS, charts.INFERENCE_COLOURS, charts.GPU_COLOURS):
        colours = np.array([_rgb(c) for c in palette])
        if deficiency is not None:
            colours = np.clip(cspace_convert(
                colours, {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}, "sRGB1"), 0, 1)
        seen = cspace_convert(colours, "sRGB1", "CAM02-UCS")
        apart = np.linalg.norm(seen[:, None, :] - seen[None, :, :], axis=-1)
        assert apart[np.triu_indices(len(palette), 1)].min() >= 7, palette
        neighbours = apart[np.arange(len(palette)), np.roll(np.arange(len(palette)), -1)]  # palettes repeat
        assert neighbours.min() >= 20, palette
