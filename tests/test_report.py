"""The HTML report (planner/report.py, planner/templates/): content, self-containment, escaping.

Rendered from the default scenario and from a scenario whose names carry script and
event-handler payloads. The browser checks (scripts not run, charts drawn, no requests)
are in test_browser.py; these read the HTML text.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import markupsafe
import openpyxl
import pandas as pd
import pytest

from conftest import ROOT, gpu_row, inference_row, run_pipeline, scenario_tables, training_row, write_scenario
import planner
from planner import cli, report
from planner.results import collect
from planner.svg import decimals_apart
from planner.synthetic import synthetic_tables
from planner.workbook import read_scenario, write_workbook

DEFAULT_SCENARIO = ROOT / "inputs" / "sovereign-200mw.xlsx"
MAX_REPORT_BYTES = 3_000_000

# Names a workbook may carry. Each payload would set window.__pwned or the title if it ran.
SCRIPT = "<script>window.__pwned=1;document.title='pwned'</script>"
ATTRIBUTE = '" onmouseover="window.__pwned=2" x="'
IMAGE = '<img src=x onerror="window.__pwned=3">'
UNICODE = "Ünïcødé 한국어 🚀 & co"
DOLLARS = "cost $x^2$ {{7*7}}"
PERIOD = "<i>P2</i>"
SITE = "</title><script>window.__pwned=4</script>"
HOSTILE_NAMES = (SCRIPT, ATTRIBUTE, IMAGE, UNICODE, DOLLARS, PERIOD, SITE)

SECTION_IDS = ("key-figures", "charts", "shadow-prices", "periods", "workloads", "sizing", "inputs")
CHART_IDS = ("chart-gpus-by-workload", "chart-gpus-by-type", "chart-power", "chart-served", "chart-training",
             "chart-inference")


def hostile_tables() -> dict:
    """A small solvable scenario whose workload, GPU, period and site names are payloads;
    power binds in P1, so the plain-words findings name workloads too."""
    gpus = [gpu_row(IMAGE, hbm_gb=80.0), gpu_row("H100", bf16_tflops=989.0, hbm_gb=80.0, hbm_tbps=3.35)]
    periods = [("P1", 1000.0, 0.28), (PERIOD, 1000.0, 3.0)]
    return scenario_tables(
        name=SITE,
        periods=periods,
        gpus=gpus,
        fleet=[(g["gpu"], p[0], 500.0) for g in gpus for p in periods],
        training=[
            training_row(SCRIPT, params_b=7.0, tokens_b=100.0, start="P1", deadline=PERIOD, priority=2.0),
            training_row(UNICODE, params_b=1.0, tokens_b=50.0, start="P1", deadline="P1", priority=1.0),
        ],
        inference=[
            inference_row(ATTRIBUTE, params_b=8.0, tokens_per_day_b=40.0, priority=3.0),
            inference_row(DOLLARS, params_b=8.0, tokens_per_day_b=20.0, start=PERIOD, priority=1.0),
        ],
    )


def render_hostile(directory: Path) -> Path:
    source = write_scenario(hostile_tables(), directory / "hostile.xlsx")
    return cli.run(source, directory / "out")[1]


@pytest.fixture(scope="module")
def default_report(tmp_path_factory) -> tuple[object, Path, str]:
    out = tmp_path_factory.mktemp("default")
    results, html_path = cli.run(DEFAULT_SCENARIO, out / "report")
    return results, html_path, html_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> tuple[Path, str]:
    html_path = render_hostile(tmp_path_factory.mktemp("hostile"))
    return html_path, html_path.read_text(encoding="utf-8")


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


# ---------------------------------------------------------------------------
# the default scenario


def test_every_section_and_chart_is_rendered(default_report):
    _, _, html = default_report
    for section in SECTION_IDS:
        assert f'<section id="{section}">' in html, section
    # a figure holds its drawing and caption only (a figcaption comes first or last); its figures follow it
    figures = re.findall(r'<figure id="([^"]+)" class="chart">(.*?)</figure>\s*'
                         r'(<details class="figures">.*?</details>)', html, flags=re.S)
    assert tuple(name for name, _, _ in figures) == CHART_IDS
    for name, body, table in figures:
        assert body.count("<svg") == 1, name
        assert len(re.findall(r"<(?:rect|line|polyline|circle|path)\b", body)) >= 10, name
        caption = re.search(r'<figcaption id="([^"]+)">', body).group(1)
        assert f'aria-describedby="{caption}"' in body, name  # the SVG is described by its caption
        assert body.rstrip().endswith("</figcaption>"), name
        # the button showing them names the chart, not only "The chart's figures" six times over
        assert re.search(r'<summary id="([^"]+)-figures" aria-labelledby="\1-figures \1-title">', table), name
        assert table.count('<th scope="row">') >= 3, name  # its figures, readable without the drawing


def test_report_is_one_offline_file_of_modest_size(default_report):
    """No external resource of any kind; a CSP that forbids fetching anything; under a few MB."""
    _, html_path, html = default_report
    size = html_path.stat().st_size
    assert size < MAX_REPORT_BYTES, f"report is {size:,} bytes"
    elements = parse(html)
    for tag, attrs in elements.tags:
        for name in ("src", "href", "xlink:href", "action", "poster", "data"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
        assert tag not in ("link", "iframe", "object", "embed", "img", "base"), tag
    assert "@import" not in html and "url(http" not in html
    policy = next(a["content"] for t, a in elements.tags if t == "meta" and a.get("http-equiv") ==
                  "Content-Security-Policy")
    assert "default-src 'none'" in policy


def test_the_only_script_is_the_one_the_policy_allows(default_report):
    _, _, html = default_report
    elements = parse(html)
    assert len(elements.scripts) == 1
    digest = base64.b64encode(hashlib.sha256(elements.scripts[0].encode("utf-8")).digest()).decode()
    policy = next(a["content"] for t, a in elements.tags if t == "meta" and a.get("http-equiv") ==
                  "Content-Security-Policy")
    assert f"script-src 'sha256-{digest}'" in policy


def test_charts_keep_text_as_text_with_unique_ids(default_report):
    """Labels are <text>, not glyph paths; ids stay unique across the inline SVGs."""
    _, _, html = default_report
    assert "<text" in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates


def test_key_figures_say_what_binds_in_plain_words(default_report):
    results, _, html = default_report
    binding = results.binding_power()
    assert not binding.empty  # the default scenario is built so that power binds
    for row in binding.itertuples():
        assert f"Power binds in {row.period}</strong>" in html
    assert "Each MW more there is worth" in html
    # not by the rows' red edge alone: a mark, said in words to a screen reader, in both tables of periods
    assert html.count('<span class="sr">; power binds</span>') == 2 * len(binding)
    assert f"{100 * results.objective / results.workloads['priority'].sum():.1f}%" in html


def test_shadow_prices_listed_per_family_with_the_zero_ones_explained(default_report):
    results, _, html = default_report
    section = html[html.index('<section id="shadow-prices">'):]
    section = section[:section.index("</section>")]
    assert "points of score per extra MW" in section and "points of score per extra GPU" in section
    assert "zero where the limit has" in section
    for row in results.periods.itertuples():
        if row.power_shadow_price > 0:
            assert f"<th scope=\"row\">{row.period}</th>" in section
    assert "<strong>Zero</strong> in" in section  # the periods where power has slack


def test_sizing_marks_the_source_of_every_throughput(default_report):
    results, _, html = default_report
    section = html[html.index('<section id="sizing">'):]
    rates = results.sizing.inference_rates
    for source in set(rates["source"]):
        assert f'<span class="src {source}">{source}</span>' in section
    assert "planner rule of thumb" in section


def test_tables_are_sortable(default_report):
    _, _, html = default_report
    assert html.count('class="sortable') >= 8


def test_summary_keys_are_the_documented_ones(default_report):
    _, html_path, _ = default_report
    summary = json.loads((html_path.parent / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) >= {"scenario", "status", "objective", "solver", "solve_seconds", "periods", "workloads",
                            "allocation", "fleet", "training_progress", "inference_coverage", "power_serves",
                            "warnings"}
    assert summary["prices_from_relaxation"] is False  # a linear plan prices itself
    assert set(summary["power_serves"][0]) == {"period", "workload", "kind", "served_in", "share_per_mw",
                                               "points_per_mw"}
    assert set(summary["periods"][0]) == {"period", "hours", "power_mw_budget", "power_mw_used", "power_mw_idle",
                                          "power_mw_idle_unused", "power_shadow_price", "power_price_holds_mw",
                                          "gpus_installed", "gpus_in_use", "energy_mwh",
                                          # null without --power-step
                                          "power_step_up_points", "power_step_down_points",
                                          "power_step_up_onward_points", "power_step_down_onward_points",
                                          "power_step_down_blocked_by", "power_step_down_onward_blocked_by"}
    assert set(summary["workloads"][0]) == {"workload", "kind", "first_period", "last_period", "priority",
                                            "served_fraction", "gpu_hours", "energy_mwh"}
    assert set(summary["allocation"][0]) == {"workload", "gpu", "period", "gpus", "gpus_per_replica", "min_gpus",
                                             "power_mw", "energy_mwh"}
    assert set(summary["fleet"][0]) == {"gpu", "period", "installed", "gpus_in_use", "fleet_shadow_price",
                                        "fleet_price_holds_gpus"}


def test_summary_gives_each_workload_its_window(default_report):
    """Each run's start and deadline, each service's start and the horizon's end, as the workbook gives them:
    an automated reader can tell the period a run's share is measured at."""
    results, html_path, _ = default_report
    summary = json.loads((html_path.parent / "summary.json").read_text(encoding="utf-8"))
    windows = {w["workload"]: (w["first_period"], w["last_period"]) for w in summary["workloads"]}
    last = results.periods["period"].iloc[-1]
    scenario = read_scenario(DEFAULT_SCENARIO)
    expected = {**{r.workload: (r.start_period, r.deadline_period) for r in scenario.training.itertuples()},
                **{s.workload: (s.start_period or results.periods["period"].iloc[0], last)
                   for s in scenario.inference.itertuples()}}
    assert windows == expected
    assert len({first for first, _ in windows.values()}) > 1  # the default scenario's windows differ


def test_summary_gives_each_workloads_progress_period_by_period(default_report):
    """summary.json held each workload's share over its window alone: a service's share in each period and a run's
    FLOPs so far were in results.xlsx only. They add up to the shares it gives: a service's hours-weighted mean over
    its periods, a run's FLOPs by its deadline over those it needs."""
    results, html_path, _ = default_report
    summary = json.loads((html_path.parent / "summary.json").read_text(encoding="utf-8"))
    served = {w["workload"]: w["served_fraction"] for w in summary["workloads"]}
    hours = {p["period"]: p["hours"] for p in summary["periods"]}
    coverage = pd.DataFrame(summary["inference_coverage"])
    assert list(coverage) == ["workload", "period", "demand_tokens_per_s", "capacity_tokens_per_s",
                              "served_fraction", "points_per_mw", "points_per_mw_gpu"]
    assert coverage["served_fraction"].min() < 1  # the default scenario cuts some service short somewhere
    for service, rows in coverage.groupby("workload"):
        weights = rows["period"].map(hours)
        assert (weights * rows["served_fraction"]).sum() / weights.sum() == pytest.approx(served[service], abs=1e-9)
    progress = pd.DataFrame(summary["training_progress"])
    assert list(progress) == ["workload", "period", "flops_delivered", "flops_cumulative", "flops_required",
                              "points_per_mw", "points_per_mw_gpu"]
    deadlines = {w["workload"]: w["last_period"] for w in summary["workloads"] if w["kind"] == "training"}
    assert set(progress["workload"]) == set(deadlines)
    for run, deadline in deadlines.items():
        [row] = progress[(progress["workload"] == run) & (progress["period"] == deadline)].to_dict("records")
        assert min(row["flops_cumulative"] / row["flops_required"], 1.0) == pytest.approx(served[run], abs=1e-6)


def test_periods_named_as_the_fleet_tables_columns_are_shown_in_the_inputs(tmp_path):
    """A period named 'gpu' failed the report as an internal error (the fleet's table took the periods' names for
    its columns beside its own 'gpu'); periods named 'installed' and 'period' stand for themselves."""
    tables = scenario_tables(periods=[("gpu", 1000.0, 100.0), ("installed", 1000.0, 100.0), ("period", 1000.0, 100.0)],
                             fleet=[("G1", "gpu", 500.0), ("G1", "installed", 700.0), ("G1", "period", 900.0)],
                             training=[training_row(start="gpu", deadline="period")])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    [fleet] = [t for t in report._input_tables(results) if t["name"] == "fleet"]
    assert [c["name"] for c in fleet["columns"]] == ["gpu", "gpu", "installed", "period"]
    assert fleet["rows"] == [[("G1", "workbook"), (500.0, "workbook"), (700.0, "workbook"), (900.0, "workbook")]]
    assert "<th scope=\"row\">G1</th><td class=\"n\" data-v=\"500.0\">500</td>" in report.render_html(results)


def test_every_link_of_the_table_of_contents_leads_to_a_section(default_report):
    """A partial that holds only macros for the sections is no section: it has no link of its own."""
    _, _, html = default_report
    nav = html[html.index('<nav class="toc"'):html.index("</nav>")]
    targets = re.findall(r'<a href="#([^"]+)">', nav)
    assert targets and all(f'<section id="{target}">' in html for target in targets), targets


def test_gpus_in_use_are_numbers_of_one_type_where_nothing_runs(tmp_path):
    """No GPU installed: nothing is given out, and summary.json still writes GPUs in use as the float it
    writes everywhere else (0.0, not 0)."""
    tables = scenario_tables(fleet=[("G1", "P1", 0.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    [period] = report.summary(results)["periods"]
    assert isinstance(period["gpus_in_use"], float) and isinstance(period["gpus_installed"], float)


def test_every_output_says_which_input_made_it_when_and_by_what(tmp_path, monkeypatch):
    """A report printed or mailed away from its folder named neither its input nor when or by which version of
    the planner it was made, so a plan in circulation could not be traced back to the workbook behind it."""
    monkeypatch.setattr(planner, "__version__", "9.8.7")
    before = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    source = write_scenario(scenario_tables(), tmp_path / "<b>site&.xlsx")
    results = run_pipeline(source).results
    made = datetime.datetime.strptime(results.made_utc, "%Y-%m-%d %H:%M UTC").replace(tzinfo=datetime.UTC)
    assert before <= made <= datetime.datetime.now(datetime.UTC)
    html = report.render_html(results)
    assert (f"From <code>{markupsafe.escape(str(source))}</code>, made {results.made_utc} "
            "by the planner 9.8.7") in html
    provenance = {"input": str(source), "made_utc": results.made_utc, "planner_version": "9.8.7"}
    assert provenance.items() <= report.summary(results).items()
    plan = report._plan_sheet(results).set_index("key")["value"]
    assert {key: plan[key] for key in provenance} == provenance


def test_a_fleet_in_use_in_full_up_to_the_solvers_noise_leaves_no_idle_draw_unused(tmp_path):
    """Every GPU type in use in full in a period, as the solver holds it (a hair under the fleet): its unused idle
    draw read 1e-9 MW (2.7e-15 at 2,000 workloads), shown as such in the periods table and its chart."""
    run = run_pipeline(write_synthetic(tmp_path))
    fleet = run.results.fleet
    full = (fleet["gpus_in_use"] >= fleet["installed"]).groupby(fleet["period"], sort=False).all()
    assert full.any() and not full.all()
    units = run.solution.allocation_units * (1 - 1e-10)
    periods = collect(run.scenario, run.sizing, run.model, dataclasses.replace(run.solution, allocation_units=units)
                      ).periods.set_index("period")["power_mw_idle_unused"]
    assert (periods[full[full].index] == 0.0).all() and (periods[full[~full].index] > 1e-3).all()


def test_a_new_section_is_one_new_template(default_report, monkeypatch):
    """A partial dropped into templates/sections/ shows in the page and its table of contents."""
    results, _, _ = default_report
    extra = jinja2.DictLoader({"sections/zz_notes.html": '<section id="zz-notes"><h2>Notes</h2></section>'})
    monkeypatch.setattr(report.TEMPLATES, "loader", jinja2.ChoiceLoader([report.TEMPLATES.loader, extra]))
    html = report.render_html(results)
    assert '<section id="zz-notes">' in html and '<a href="#zz-notes">Zz notes</a>' in html
    assert html.index('<section id="inputs">') < html.index('<section id="zz-notes">')


# ---------------------------------------------------------------------------
# hostile names


def test_names_are_escaped_everywhere(hostile_report):
    """No payload survives as markup: the only script is ours, no element carries an event
    handler or a source, and every name reads back as the text it was."""
    _, html = hostile_report
    elements = parse(html)
    assert len(elements.scripts) == 1 and "__pwned" not in elements.scripts[0]
    for tag, attrs in elements.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert tag not in ("img", "i"), tag
    text = "".join(elements.text)
    for name in HOSTILE_NAMES:
        assert name in text, name
    for raw in ("<script>window", "<img src=x", "<i>P2</i>"):
        assert raw not in html
    # a quote is escaped in attributes (where it could end one) and harmless in element text
    assert 'x="" onmouseover' not in html and '="" onmouseover' not in html


def test_a_hostile_gpu_name_in_why_a_type_cannot_run_a_run_is_escaped(tmp_path):
    """An FP8 run on a type with no FP8 peak: the training sizing's cell says why on hover, a title naming the
    type ("<name> has no fp8"). A name carrying a quote and a tag must stay text there too: no element or event
    handler comes of it, and the title reads back as the note."""
    name = '"><img src=x onerror="window.__pwned=5">'
    tables = scenario_tables(gpus=[gpu_row("G1", fp8_tflops=2000.0), gpu_row(name)],
                             training=[training_row(precision="fp8")])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    assert results.sizing.training_rates.set_index("gpu").loc[name, "note"] == f"{name} has no fp8"
    html = report.render_html(results)
    assert name not in html and "<img" not in html
    elements = parse(html)
    for tag, attrs in elements.tags:
        assert not any(key.startswith("on") for key in attrs), (tag, attrs)
    assert ("td", f"{name} has no fp8") in [(tag, attrs.get("title")) for tag, attrs in elements.tags]


def test_chart_svg_escapes_names(hostile_report):
    """Names reach the SVG as escaped text; '$' is not TeX, '{{' is not a template."""
    _, html = hostile_report
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == len(CHART_IDS)
    labels = "".join(re.findall(r"<text[^>]*>(.*?)</text>", "".join(svgs), flags=re.S))
    assert "&lt;script&gt;window.__pwned=1" in labels
    assert "Ünïcødé 한국어 🚀 &amp; co" in labels
    assert "cost $x^2$ {{7*7}}" in labels
    for svg in svgs:
        assert "<script" not in svg and "<img" not in svg
        for tag, attrs in parse(svg).tags:
            assert not any(name.startswith("on") for name in attrs), (tag, attrs)


def test_outputs_are_utf8_whatever_the_locale(hostile_report):
    html_path, _ = hostile_report
    summary = json.loads((html_path.parent / "summary.json").read_text(encoding="utf-8"))
    assert UNICODE in {w["workload"] for w in summary["workloads"]}


def test_a_large_plan_names_the_rows_a_reader_looks_for_and_counts_the_rest(tmp_path, monkeypatch):
    """Long lists are cut to the rows a reader looks for, said above them with a count of the rest; results.xlsx
    keeps every row. The allocation grid showed the first pairs by name (at 2,000 workloads, training runs only,
    most given nothing) and the inference grid the first services, not the largest allocations and the least
    served services; and each table's note came under its 300 rows, 9,000 pixels below its heading."""
    monkeypatch.setattr(report, "TABLE_ROWS", 5)
    monkeypatch.setattr(report, "SHORT_NAMES", 1)
    source = write_synthetic(tmp_path)
    results = run_pipeline(source).results
    html = report.render_html(results)

    hours = results.periods.set_index("period")["hours"]
    gpu_hours = (results.allocation.assign(h=lambda a: a["gpus"] * a["period"].map(hours))
                 .groupby(["workload", "gpu"], sort=False)["h"].sum())
    assert len(gpu_hours) > 5
    assert [(r["workload"], r["gpu"]) for r in report._allocation_grid(results)["rows"]] == list(
        gpu_hours.sort_values(ascending=False, kind="stable").index[:5])
    allocation = html[html.index("<h3 id=\"allocation-title\">Allocation"):]
    assert allocation.index(f"The 5 of {len(gpu_hours)} pairs of a workload and a GPU type given the most "
                            "GPU-hours, most first") < allocation.index("<table")
    assert allocation[:allocation.index("</table>")].count("<tr>") == 1 + 5  # header row and five

    least = results.least_served()
    services = least.loc[least["kind"] == "inference", "workload"]
    assert len(services) > 5
    assert [r["service"] for r in report._inference_served_grid(results)["rows"]] == list(services[:5])
    served_grid = html[html.index('<h3 id="served-grid-title">'):]
    assert served_grid.index(f"The 5 least served of {len(services)} services") < served_grid.index("<table")

    workloads = html[html.index('<section id="workloads">'):]
    workloads = workloads[:workloads.index("</table>")]
    assert workloads.count("<tr") == 1 + 5
    served = results.workloads.set_index("workload")["served_fraction"]
    shown = [w for w in served.index if f"<th scope=\"row\">{w}</th>" in workloads]
    assert len(shown) == 5 and served[shown].max() <= served.drop(shown).min()  # none left out is served less
    assert (html.index(f"The 5 least served of {len(results.workloads)} workloads")
            < html.index('<table aria-labelledby="workloads-title"'))
    training_input = html[html.index('<h3 id="input-5-title">training'):]
    assert (training_input.index(f"The first 5 of {len(results.inputs['training'])} rows; the workbook holds them all.")
            < training_input.index("<table"))

    short = results.short_workloads()
    assert len(short) > 1
    findings = html[html.index("What binds, in plain words"):]
    findings = findings[:findings.index("</ul>")]
    assert findings.count('<li class="short">') == 1
    assert f"… and {len(short) - 1} more workloads cut short" in findings
    crowded = [p for p in _period_rows(results) if p["binds"] and p["short_count"] > 1]
    assert crowded
    for period in crowded:
        assert len(period["short"]) == 1
        assert f"and {period['short_count'] - 1} more." in findings


@pytest.mark.parametrize("chosen, named", [
    ([1, 1, 1, 0, 1, 1, 0], "A to C, E and F"), ([1, 1, 0, 0, 0, 0, 1], "A, B and G"), ([0, 0, 0, 0, 0, 0, 1], "G"),
    ([1, 1, 1, 1, 1, 1, 1], "A to G"), ([1, 0, 1, 0, 1, 1, 1], "A, C and E to G"), ([0] * 7, "")])
def test_periods_three_or_more_in_a_row_are_named_as_a_span(chosen, named):
    assert report.periods_in_runs(list("ABCDEFG"), map(bool, chosen)) == named


def test_power_binding_in_every_period_is_said_in_a_span_and_explained_once(tmp_path):
    """At 2,000 workloads power bound in 22 periods: the summary named them one by one, and each period's finding
    explained again, in the same 40 words, what its list of workloads cut short means."""
    results = run_pipeline(write_synthetic(tmp_path)).results
    assert (results.periods["power_shadow_price"] > 0).all() and len(results.periods) == 6
    html = " ".join(report.render_html(results).split())
    assert "Power is the limit in M001 to M006;" in html
    assert html.count("Cut short there, each with the most points a MW earns on it there") == 6
    assert html.count("what earns less is cut first") == 1


def test_power_binding_in_many_periods_gets_a_finding_where_a_mw_is_worth_most_and_a_line_for_the_rest(tmp_path):
    """Monthly periods over years bound in one by one gave a paragraph each (24 at 2,000 workloads): as for GPU
    types, the findings go to the periods where a MW more is worth most, in period order; the rest are named."""
    source = tmp_path / "monthly"
    write_workbook(synthetic_tables(60, 3, 14, seed=3), source)
    results = run_pipeline(source).results
    price = results.periods.set_index("period")["power_shadow_price"]
    assert (price > 0).all() and len(price) > report.FINDINGS_SHOWN
    html = " ".join(report.render_html(results).split())
    given = re.findall(r'<li class="power"><strong>Power binds in (\w+)</strong>', html)
    assert len(given) == report.FINDINGS_SHOWN and given == sorted(given)
    assert price[given].min() >= price.drop(given).max()
    assert (f"… and {len(price) - len(given)} more periods where power binds, a MW more worth no more there than "
            f"in those above: {report.periods_in_runs(list(price.index), ~price.index.isin(given))}") in html
    assert html.count("what earns less is cut first") == 1


def test_a_table_longer_than_a_sheet_continues_on_the_next_with_every_row(tmp_path, monkeypatch):
    """Excel holds 1,048,576 rows a sheet: a table past it continues on 'name (2)', headings repeated,
    rather than losing the rows that do not fit (a sheet smaller than Excel's stands in for it)."""
    monkeypatch.setattr(report, "XLSX_ROWS", 7)
    results = run_pipeline(write_synthetic(tmp_path)).results
    report.write_data(results, tmp_path, ["xlsx"])
    book = openpyxl.load_workbook(tmp_path / "results.xlsx", read_only=True)
    parts = [name for name in book.sheetnames if name.startswith("training_progress")]
    assert len(results.training) > 2 * 7
    assert parts == ["training_progress"] + [f"training_progress ({k})" for k in range(2, len(parts) + 1)]
    rows = [row for name in parts for row in book[name].iter_rows(values_only=True)]
    headings = tuple(results.training.columns)
    assert rows.count(headings) == len(parts) and all(len(r) == len(headings) for r in rows)
    data = [r for r in rows if r != headings]
    assert all(book[name].max_row <= 1 + 7 for name in parts)
    assert [(w, p) for w, p, *_ in data] == list(results.training[["workload", "period"]].itertuples(index=False,
                                                                                                   name=None))
    assert book.sheetnames.count("plan") == 1  # a table that fits keeps its one sheet


def write_synthetic(tmp_path: Path) -> Path:
    source = tmp_path / "synthetic"
    write_workbook(synthetic_tables(80, 3, 6, seed=2), source)
    return source


def _period_rows(results) -> list[dict]:
    return report._period_view(results, report._inference_view(results))


def test_least_served_puts_the_higher_priority_first_among_equals(default_report):
    workloads = pd.DataFrame({"workload": ["a", "b", "c", "d"], "served_fraction": [1.0, 0.5, 0.5, 0.2],
                              "priority": [9.0, 1.0, 3.0, 1.0]})
    results = dataclasses.replace(default_report[0], workloads=workloads)
    assert list(results.least_served()["workload"]) == ["d", "c", "b", "a"]
    assert list(results.short_workloads()["workload"]) == ["d", "c", "b"]




def test_services_cut_short_are_named_by_the_score_they_lose():
    """Many services at 0% in a period: the highest priorities are named, not the first in the sheet."""
    short = pd.DataFrame({"workload": ["a", "b", "c", "d"], "served_fraction": [0.0, 0.0, 0.5, 0.9]})
    priority = pd.Series({"a": 1.0, "b": 10.0, "c": 30.0, "d": 2.0})
    assert list(report._most_points_lost(short, priority)["workload"]) == ["c", "b", "a", "d"]


@pytest.mark.parametrize("count, most, printed", [(12, 12, []), (13, 12, [7, 6]), (60, 12, [12] * 5),
                                                   (7, 6, [4, 3]), (12, 6, [6, 6]), (13, 6, [5, 4, 4])])
def test_many_columns_print_in_blocks_as_even_as_they_come(count, most, printed):
    """A table of more columns than print side by side is one table on screen and, on paper, as few blocks
    as hold them, in turn, none left with a column or two alone (7 GPU types print as 4 and 3, not 6 and 1)."""
    blocks = report._print_blocks(count, most)
    assert [(b["start"], b["stop"]) for b in blocks if b["only"] != "print"] == [(0, count)]
    shown = [b for b in blocks if b["only"] == "print"]
    assert [b["stop"] - b["start"] for b in shown] == printed
    assert [b["start"] for b in shown[1:]] == [b["stop"] for b in shown[:-1]]


@pytest.mark.parametrize("share, shown", [(0.99994, "99.9%"), (0.9995, "99.9%"), (1.0, "100.0%"), (0.5, "50.0%"),
                                          (0.6841, "68.4%"), (0.00002, "<0.1%"), (0.0, "0.0%"), (-0.0, "0.0%"),
                                          (-1e-12, "0.0%")])
def test_a_share_never_reads_as_a_bound_it_misses(share, shown):
    """A service served at 99.994% is not fully served: it must not read '100.0%' beside the score it
    loses; nor 0.002% '0.0%'; and a share rounding to zero shows no minus sign."""
    assert report._percent(share) == shown


@pytest.mark.parametrize("gap, limit, decimals", [(1.44e-5, 1e-5, 4), (0.02001, 0.02, 3), (0.5, 0.02, 2),
                                                   (1e-5, 1e-5, 2), (0.9e-5, 1e-5, 2), (1e-5, None, 2)])
def test_a_gap_above_its_limit_never_reads_as_the_limit(gap, limit, decimals):
    """A mixed-integer plan stopped by its time limit at a gap of 0.00144% against 0.001% allowed read
    '<0.01% (stops once within <0.01%)': as many decimals as tell them apart; none more where they read
    apart already, or the gap is within its limit."""
    assert decimals_apart(gap, limit, 2) == decimals
    if limit is not None and gap > limit:
        assert report._percent(gap, decimals) != report._percent(limit, decimals)


def test_every_table_is_named_by_its_heading_and_its_headers_say_what_they_head(default_report):
    _, _, html = default_report
    tables = re.findall(r"<table\b([^>]*)>(.*?)</table>", html, flags=re.S)
    assert len(tables) >= 10
    for attributes, body in tables:
        label = re.search(r'aria-labelledby="([^"]+)"', attributes).group(1)
        assert html.count(f'id="{label}"') == 1, label
        head, rows = body.split("</thead>")
        assert len(re.findall(r"<th\b", head)) == len(re.findall(r'<th scope="col"', head)), label
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", rows, flags=re.S):
            assert row.lstrip().startswith('<th scope="row"'), (label, row[:80])  # the row's name leads it


def test_each_chart_has_a_heading_for_those_who_move_by_headings(default_report):
    """A chart's title is drawn inside it; heading by heading, a screen reader went from "Charts" to the next
    section. Each chart now has a heading of its title (heard, not shown)."""
    _, _, html = default_report
    charts = html[html.index('<section id="charts">'):html.index("</section>", html.index('<section id="charts">'))]
    assert re.findall(r'<h3 class="sr">([^<]+)</h3>(?:\{#.*?#\})?\s*<figure id="chart-', charts)[:2] == [
        "GPUs in use per period, by workload", "GPUs in use per period, by GPU type"]
    assert charts.count('<h3 class="sr">') == charts.count('<figure id="chart-') == 6


def test_what_a_colour_marks_is_said_in_words(default_report):
    """The workloads table's red edge and the served grid's shaded cells are explained beside them."""
    _, _, html = default_report
    workloads = " ".join(html[html.index('<section id="workloads">'):].split())
    assert "A red edge marks a workload served less than in full." in workloads
    assert "A shaded cell marks a period in which the service gets less than its peak demand" in workloads


def test_what_each_input_column_means_is_on_the_page_not_only_on_hover(default_report):
    _, _, html = default_report
    inputs = html[html.index('<section id="inputs">'):]
    assert "What the columns of periods mean" in inputs
    assert re.search(r"<dt>power_mw</dt><dd>[^<]{10,}</dd>", inputs)
    # a sheet's heading is its name, the table's name; what the sheet holds describes it, beneath
    about = re.search(r'<h3 id="input-(\d+)-title">periods</h3>\s*<p class="note" id="input-\1-about">Planning periods',
                      inputs)
    assert about and f'aria-labelledby="input-{about[1]}-title" aria-describedby="input-{about[1]}-about"' in inputs


def test_a_plan_without_price_ranges_says_why_they_are_missing(default_report):
    """HiGHS's optimal basis gives how far each price holds; a CBC plan has none, and says so."""
    _, _, html = default_report
    assert "has none to read" not in html and "Holds for at least" in html
    cbc = run_pipeline(ROOT / "inputs" / "sovereign-200mw.xlsx", solver="cbc").results
    assert not cbc.ranged and cbc.periods["power_price_holds_mw"].isna().all()
    assert "solved by cbc,\n    this plan has none to read" in report.render_html(cbc)


def test_sizing_names_the_smaller_replica_the_plan_serves_with(tmp_path):
    """The 405B model's best replica is 32 GPUs of G1 and its smallest 16 (see
    test_model_sizing_features). With 24 installed in P1 and 40 in P2, the plan serves it with
    replicas of 16 in P1 only; the sizing row shows 32 and names 16 in P1 beneath it."""
    tables = scenario_tables(periods=[("P1", 1000.0, 100.0), ("P2", 1000.0, 100.0)],
                             fleet=[("G1", "P1", 24.0), ("G1", "P2", 40.0)], training=[],
                             inference=[inference_row("big", params_b=405.0, tokens_per_day_b=1.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    assert results.allocation.set_index("period")["gpus_per_replica"].to_dict() == {"P1": 16.0, "P2": 32.0}
    html = report.render_html(results)
    [row] = re.findall(r"<tr><th scope=\"row\">big<.*?</tr>", html.split('id="inference-sizing-title"')[1].split("</table>")[0], re.S)
    assert re.search(r'data-v="32(\.0)?">32<span class="unit">the plan: 16 GPUs in P1</span></td>', row), row


def test_a_workload_no_gpu_can_carry_is_not_listed_as_cut_by_power(tmp_path):
    """A run at FP4 on GPUs without FP4 gets nothing whatever the budget, and a warning says why; the findings still
    named it first among the runs "cut short there" where power binds, as if more power would serve it."""
    tables = scenario_tables(periods=[("P1", 1000.0, 0.5)], training=[
        training_row("T1", priority=1.0), training_row("T4", priority=5.0, precision="fp4")])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    assert results.cannot_run == {"T4"} and results.periods["power_shadow_price"].iloc[0] > 0
    html = report.render_html(results)
    [cut] = re.findall(r"Cut short there, [^:]*:\s+(.*?)</li>", html, re.S)
    assert "T1" in cut and "T4" not in cut
    assert any(w.startswith("T4 (training) gets nothing") for w in results.warnings)


def test_a_budget_or_fleet_not_all_used_never_reads_as_used_in_full(default_report):
    """116.21 MW used of 116.4 read "116 / 116", hiding 0.19 MW to spare that the periods table showed; so would
    999.6 GPUs in use of 1,000 installed. Such a pair is written to the figures that tell it apart."""
    results = default_report[0]
    periods = results.periods.copy()
    periods.loc[7, ["power_mw_budget", "power_mw_used"]] = [116.4, 116.21]
    periods.loc[7, ["gpus_installed", "gpus_in_use"]] = [1000.0, 999.6]
    html = report.render_html(dataclasses.replace(results, periods=periods))
    row = re.search(r'<th scope="row">2027Q4</th>(.*?)</tr>', html.split('class="sortable key-periods"')[1], re.S)[1]
    assert re.findall(r'<span class="pair">([^<]*)</span>', row) == ["116.2 / 116.4", "999.6 / 1,000"]


def test_a_service_served_in_full_is_served_at_exactly_one(tmp_path):
    """Priority 0.3 over three periods of 1000 h, served in full in each: the shares weighted by
    hours add up to 1 + 2e-16 in floating point, which showed as -6.7e-17 points lost. Shares
    within the solver's noise of 0 or 1 are put back on them."""
    tables = scenario_tables(periods=[(p, 1000.0, 100.0) for p in ("P1", "P2", "P3")], training=[],
                             inference=[inference_row("S", priority=0.3)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    assert results.workloads["served_fraction"].tolist() == [1.0]
    assert results.inference["served_fraction"].tolist() == [1.0, 1.0, 1.0]
    assert "e-1" not in report.render_html(results)


def test_a_type_with_none_installed_is_not_called_worthless(tmp_path):
    """G2 is installed in no period: the plan has no price for it, and the key figures must not say
    more of it would serve nothing (a first GPU of it would serve S)."""
    tables = scenario_tables(gpus=[gpu_row("G1"), gpu_row("G2")], fleet=[("G1", "P1", 1000.0), ("G2", "P1", 0.0)],
                             training=[], inference=[inference_row("S")])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    prices = results.fleet.set_index("gpu")["fleet_shadow_price"]
    assert prices["G1"] == 0.0 and prices.isna()["G2"]
    html = " ".join(report.render_html(results).split())
    assert "GPUs are never the limit where any are installed." in html
    assert "This is not said of a type in a period where none is installed: a first block of it may serve." in html


def test_a_run_cut_short_where_power_binds_is_named_there(tmp_path):
    """1 MW less the idle floor of 1000 x 200 W x 1.25 = 0.25 MW runs 0.75 / (1.25 x 1200 W) = 500 GPUs
    for 1000 h: 500 x 3.6e6 s x 5e14 FLOP/s = 9e23 of T1's 6e24 FLOPs, 15%. Power binds, and what it cuts
    short there is T1, which the findings and the power prices must say (not only the services), with what a MW
    earns on it: 3.6e6 s x 5e14 FLOP/s / 6e24 = 3e-4 of its FLOPs per GPU at 1.5 kW, 0.2 points, the price."""
    tables = scenario_tables(periods=[("P1", 1000.0, 1.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    assert results.workloads["served_fraction"].tolist() == [pytest.approx(0.15)]
    html = " ".join(report.render_html(results).split())
    assert ("to set beside that price (what earns less is cut first; what earns more is held back by another limit: its "
            "best GPU type all in use, its <code>max_gpus</code>, or in a mixed-integer plan whole replicas, run "
            "minimums or finishing. Points per MW count the draw above idle of GPUs installed: one more GPU bought "
            "draws its idle power too, so it may still not pay, as the fleet prices say): T1 (15.0% of its FLOPs by "
            "its deadline; 0.200 points per MW, on G1).</li>") in html
    assert results.periods["power_shadow_price"].tolist() == [pytest.approx(0.2)]
    assert '<td class="wrap">T1 (15.0% by its deadline)</td>' in html


def test_a_type_with_too_few_for_a_run_is_not_called_worthless(tmp_path):
    """T1 (100B parameters) needs 28 GPUs of 80 GB to hold its training state (100e9 x 16 x 1.25 / 72e9
    = 27.8); 20 are installed, so it gets nothing. One more GPU is priced at 0, but 8 more would carry
    T1: the report must not say that more GPUs would serve nothing more."""
    tables = scenario_tables(fleet=[("G1", "P1", 20.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    assert results.fleet["fleet_shadow_price"].tolist() == [0.0]
    assert results.gpus_to_carry_short.tolist() == [8.0]
    html = " ".join(report.render_html(results).split())
    assert ("GPUs are never the limit, though 1 GPU type and period pair has too few to carry a workload cut "
            "short.") in html
    assert "more GPUs of any type would not raise the score." not in html
    assert "more GPUs of any type would not raise the score, but where a type has too few" in html
    assert "G1 has too few in P1</strong> (20.0) to carry a workload cut short that it can run: 8.00 more" in html


def test_a_type_with_too_few_for_a_run_served_in_full_has_nothing_to_carry(tmp_path):
    """T1 (100B parameters on 1,000B tokens: 6e23 FLOPs) needs 28 GPUs to hold its training state; G2 has 20,
    8 too few. With 1,000 G1 installed T1 is done on 333 of them (6e23 / 1.8e21), so no workload is cut short
    and G2 has nothing to carry: no count of GPUs more is given for any type. With 100 G1, T1 gets
    100 x 1.8e21 / 6e23 = 30% and is cut short: then 8 more G2 would carry it."""
    def results_with(installed_g1: float):
        tables = scenario_tables(gpus=[gpu_row("G1"), gpu_row("G2")],
                                 fleet=[("G1", "P1", installed_g1), ("G2", "P1", 20.0)],
                                 training=[training_row(tokens_b=1000.0)])
        return run_pipeline(write_scenario(tables, tmp_path / f"g1-{installed_g1:g}")).results

    done = results_with(1000.0)
    assert done.workloads["served_fraction"].tolist() == [pytest.approx(1.0)]
    assert done.fleet["gpu"].tolist() == ["G1", "G2"]
    assert pd.isna(done.gpus_to_carry_short).all(), done.gpus_to_carry_short
    assert "to carry a workload cut short" not in " ".join(report.render_html(done).split())

    short = results_with(100.0)
    assert short.workloads["served_fraction"].tolist() == [pytest.approx(0.3)]
    assert pd.isna(short.gpus_to_carry_short[0]) and short.gpus_to_carry_short[1] == 8.0


def test_the_training_sizing_shows_the_fewest_gpus_that_carry_a_run(tmp_path):
    """T1 (100B parameters) needs 100e9 x 16 x 1.25 / (80 GB x 0.9) = 27.8, so 28 GPUs to hold its training
    state; with 20 installed it gets nothing, and the sizing the warning points to must show why."""
    results = run_pipeline(write_scenario(scenario_tables(fleet=[("G1", "P1", 20.0)]), tmp_path / "s")).results
    html = report.render_html(results)
    table = html.split('id="training-sizing-title"')[1].split("</table>")[0]
    assert '<span class="unit">min 28</span>' in table


def test_the_inference_sizing_shows_the_smallest_replica_that_serves(tmp_path):
    """A 70B BF16 service on 80 GB GPUs: two hold its 140 GB of weights with room for a batch, but eight serve
    the most per GPU. The plan needs only two installed to serve it, which the sizing must show."""
    tables = scenario_tables(training=[], inference=[inference_row("S", params_b=70.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    assert results.sizing.inference_rates[["gpus_per_replica", "min_gpus"]].values.tolist() == [[8, 2]]
    table = report.render_html(results).split('id="inference-sizing-title"')[1].split("</table>")[0]
    assert '>8<span class="unit">min 2</span></td>' in table


def test_a_price_that_holds_for_nothing_more_is_not_stated_as_the_worth_of_one_more(tmp_path):
    """100 GPUs drawing 1 kW each (PUE 1) and a budget of 0.1 MW: power and GPUs run out together. The plan is
    priced on one of them, and its price holds for no more: one more GPU alone (or a MW alone) serves nothing,
    which the findings must say rather than that one more is worth the price "for at least the next 0 GPUs"."""
    tables = scenario_tables(pue=1.0, periods=[("P1", 1000.0, 0.1)], gpus=[gpu_row(it_w=1000.0, idle_w=0.0)],
                             fleet=[("G1", "P1", 100.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    html = " ".join(report.render_html(results).split())
    assert "points of score at this point only: the price holds for no more" in html
    assert "for at least the next 0 " not in html


def test_one_pair_with_idle_gpus_is_counted_in_the_singular(tmp_path):
    """One GPU type in one period, 1000 installed and T1 using 1 MW / (1.25 x 1400 W) = 571 of them: the pair
    has GPUs left idle (drawing nothing: priced at 0), and the sentence counting such pairs agrees with its
    number."""
    tables = scenario_tables(periods=[("P1", 1000.0, 1.0)], gpus=[gpu_row(idle_w=0.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    html = " ".join(report.render_html(results).split())
    assert "GPU type and period pairs with GPUs installed: 1 has GPUs left idle (slack)." in html


def test_a_workload_that_gets_nothing_is_said_why_in_the_findings(tmp_path):
    """S1 serves in FP8, which G2 alone has, and no G2 is installed: S1 gets nothing, and the findings say why
    beside its 0%, as its warning does. S2 runs on the 10 G1 and is cut short, not left out: no reason is given."""
    tables = scenario_tables(training=[], inference=[inference_row("S1", precision="fp8"), inference_row("S2")],
                             gpus=[gpu_row("G1"), gpu_row("G2", fp8_tflops=2000.0)],
                             fleet=[("G1", "P1", 10.0), ("G2", "P1", 0.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    why = "only G2 supports its precision (FP8), but none is installed in its window (P1)"
    assert results.warnings == [f"S1 (inference) gets nothing: {why}."]
    html = " ".join(report.render_html(results).split())
    assert (f"<strong>S1</strong> (inference, priority 1.00) is served at 0.0% of its peak demand, as {why}; that "
            "costs") in html
    assert ("<strong>S2</strong> (inference, priority 1.00) is served at 10.1% of its peak demand, lowest in P1 at "
            "10.1%;") in html


def test_a_period_with_no_budget_is_not_said_to_use_it_in_full(tmp_path):
    """P2 has a budget of 0 MW and no GPUs: 0 of 0 MW used read as a budget used in full, where fewer MW may cost
    score; there is nothing to use, and nothing less to have."""
    tables = scenario_tables(periods=[("P1", 1000.0, 100.0), ("P2", 1000.0, 0.0)], fleet=[("G1", "P1", 1000.0)],
                             training=[], inference=[inference_row("S")])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    assert results.full_power().empty
    html = " ".join(report.render_html(results).split())
    assert "P2 (at its limit" not in html and "P2 (0 MW spare)" in html


def test_a_limit_used_in_full_is_one_rule_for_power_and_gpus():
    """Power budgets and fleets are used in full within the solver's noise, and a limit of 0 never is."""
    import numpy as np

    from planner.results import in_full

    assert in_full(4.0 * (1 - 1e-7), 4.0) and not in_full(4.0 * (1 - 1e-5), 4.0) and not in_full(0.0, 0.0)
    assert in_full(np.array([8000.0, 0.0, 10.0]), np.array([8000.0, 0.0, 20.0])).tolist() == [True, False, False]


def test_periods_where_power_binds_alike_are_one_finding(tmp_path):
    """Twelve months at one budget, a service short of power in each, one of them with a budget twice as large: the
    eleven whose findings would read alike but for the month are one finding naming them, the service's share said
    to move 'there'; the twelfth has its own. Nothing is left to '... and N more'."""
    periods = [(f"2027-{m:02d}", 730.0, 0.3) for m in range(1, 13)]
    periods[6] = ("2027-07", 730.0, 0.6)
    tables = scenario_tables(periods=periods, fleet=[("G1", p, 1000.0) for p, _, _ in periods], training=[],
                             inference=[inference_row("S", tokens_per_day_b=864.0)], throughput=[("S", "G1", 1000.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    html = " ".join(report.render_html(results).split())
    found = re.findall(r'<li class="power"><strong>Power binds in (.*?)</strong>(.*?): ', html)
    assert found == [("2027-01 to 2027-06 and 2027-08 to 2027-12", ", alike in each"), ("2027-07", "")]
    assert "more of its peak demand there." in html and "more of its peak demand in 2027-07." in html
    assert "more periods where power binds" not in html


def test_a_run_the_plan_starts_late_though_gpus_and_power_were_free_is_said_so(tmp_path):
    """T1 (6e24 FLOPs, 1.8e21 per GPU-period) may train in P1 or P2, with 100 MW in each. 5,000 G1 are installed in
    both, 5,000 G2 (the same FLOP/s at 1,000 W, not 1,400) in P2 alone: the energy tie-break trains it on 3,333 G2
    in P2, though in P1 G1s stood idle with power to spare. Found, and said; no other run is."""
    tables = scenario_tables(periods=[("P1", 1000.0, 100.0), ("P2", 1000.0, 100.0)],
                             gpus=[gpu_row("G1"), gpu_row("G2", it_w=1000.0)],
                             fleet=[("G1", "P1", 5000.0), ("G1", "P2", 5000.0), ("G2", "P2", 5000.0)],
                             training=[training_row(start="P1", deadline="P2"),
                                       training_row("T2", tokens_b=100.0, start="P2", deadline="P2")])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    t1 = results.allocation[results.allocation["workload"] == "T1"]
    assert t1[["gpu", "period"]].values.tolist() == [["G2", "P2"]]
    assert t1["gpus"].iloc[0] == pytest.approx(6e24 / 1.8e21, rel=1e-9)
    assert report._trains_late(results) == [dict(workload="T1", starts="P2", opens="P1", could="P1", gpu="G1")]
    html = " ".join(report.render_html(results).split())
    assert ("<strong>T1</strong> trains from P2, though in P1, when its window opens, GPUs that can carry it (G1) "
            "stood idle with power to spare: the plan gives no weight to training early") in html
    # P1's budget 0.02 MW over its idle draw of 5,000 x 200 W x 1.25: short of T1's minimum of 28 G1 at 1,500 W
    tables["periods"].loc[0, "power_mw"] = 1.27
    assert report._trains_late(run_pipeline(write_scenario(tables, tmp_path / "t")).results) == []


def test_gpu_types_and_periods_binding_at_one_price_are_listed_in_their_order():
    """Forty GPU type and period pairs at one price (a fleet of months alike): listed by type, then in time order,
    not in the order a sort that is not stable leaves them."""
    from types import SimpleNamespace
    from planner.results import Results
    fleet = pd.DataFrame({"gpu": ["G1"] * 20 + ["G2"] * 20, "period": [f"M{p:02d}" for p in range(20)] * 2,
                          "fleet_shadow_price": [2e-6] * 40})
    fleet.loc[[5, 30], "fleet_shadow_price"] = 3e-6
    listed = Results.binding_fleet(SimpleNamespace(fleet=fleet))
    assert listed.index.tolist() == [5, 30] + [i for i in range(40) if i not in (5, 30)]
