"""Write results: ``summary.json``, ``results.xlsx`` and a self-contained ``index.html``.

All three are written into a temporary folder beside the destination and moved
into place only when complete, so a failed run never leaves a partial report and
an earlier report stays intact.
"""

from __future__ import annotations

import io
import json
import math
import shutil
import tempfile
from pathlib import Path

import jinja2
import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the non-interactive backend)

from planner.results import BINDING, Results  # noqa: E402
from planner.schema import SHEETS  # noqa: E402

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------
# machine-readable


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return json.loads(frame[columns].to_json(orient="records", double_precision=15))


def summary(results: Results) -> dict:
    """The ``summary.json`` document: stable keys for automation."""
    return {
        "scenario": results.scenario,
        "status": results.status,
        "objective": results.objective,
        "solver": results.solver,
        "solve_seconds": results.solve_seconds,
        "periods": _records(
            results.periods,
            ["period", "power_mw_budget", "power_mw_used", "power_shadow_price", "gpus_installed", "gpus_in_use"],
        ),
        "workloads": _records(results.workloads, ["workload", "kind", "priority", "served_fraction", "gpu_hours"]),
        "allocation": _records(results.allocation, ["workload", "gpu", "period", "gpus"]),
        "fleet": _records(results.fleet, ["gpu", "period", "installed", "gpus_in_use", "fleet_shadow_price"]),
        "warnings": results.warnings,
    }


def _neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
            )
    return out


def _write_xlsx(results: Results, path: Path) -> None:
    sheets = {
        "periods": results.periods,
        "workloads": results.workloads,
        "allocation": results.allocation,
        "fleet": results.fleet,
        "training_progress": results.training,
        "inference_coverage": results.inference,
        "training_sizing": _training_sizing(results),
        "inference_sizing": results.sizing.inference_rates,
    }
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _neutralise(frame).to_excel(writer, sheet_name=name, index=False)


def _training_sizing(results: Results) -> pd.DataFrame:
    rates = results.sizing.training_rates.stack().rename("flops_per_s_per_gpu").reset_index()
    rates["flops_required"] = rates["workload"].map(results.sizing.training.set_index("workload")["flops"])
    rates["gpu_hours_needed"] = rates["flops_required"] / rates["flops_per_s_per_gpu"] / 3600.0
    return rates


# ---------------------------------------------------------------------------
# charts (matplotlib, inline SVG)

PALETTE = plt.get_cmap("tab20").colors


def _svg(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _stacked_bars(table: pd.DataFrame, title: str, ylabel: str, line: pd.Series | None = None,
                  line_label: str = "") -> str:
    """Columns of ``table`` stacked per row (period); optional line on top."""
    with plt.rc_context({"svg.fonttype": "none", "font.size": 9}):
        figure, axes = plt.subplots(figsize=(8, 3.4))
        bottom = np.zeros(len(table))
        x = np.arange(len(table))
        for i, column in enumerate(table.columns):
            values = table[column].to_numpy()
            axes.bar(x, values, bottom=bottom, label=str(column), color=PALETTE[i % len(PALETTE)], width=0.7)
            bottom += values
        if line is not None:
            axes.plot(x, line.to_numpy(), color="black", marker="_", markersize=18, linewidth=1.2, label=line_label)
        axes.set_xticks(x, [str(i) for i in table.index], rotation=0)
        axes.set_title(title, loc="left")
        axes.set_ylabel(ylabel)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        return _svg(figure)


def _served_chart(workloads: pd.DataFrame) -> str:
    with plt.rc_context({"svg.fonttype": "none", "font.size": 9}):
        figure, axes = plt.subplots(figsize=(8, 0.35 * len(workloads) + 0.9))
        order = workloads.iloc[::-1]
        colors = ["#4c78a8" if k == "training" else "#f58518" for k in order["kind"]]
        axes.barh([str(w) for w in order["workload"]], order["served_fraction"] * 100, color=colors)
        axes.set_xlim(0, 100)
        axes.set_xlabel("served (% of demand; blue training, orange inference)")
        axes.set_title("Served share per workload", loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure)


def _charts(results: Results) -> dict[str, str]:
    periods = results.periods.set_index("period")
    by_workload = results.allocation.pivot_table(
        index="period", columns="workload", values="gpus", aggfunc="sum", fill_value=0.0
    ).reindex(periods.index, fill_value=0.0)
    by_gpu = results.allocation.pivot_table(
        index="period", columns="gpu", values="gpus", aggfunc="sum", fill_value=0.0
    ).reindex(periods.index, fill_value=0.0)
    power = pd.DataFrame({"used": periods["power_mw_used"]})
    return {
        "gpus_by_workload": _stacked_bars(
            by_workload, "GPUs in use per period, by workload", "GPUs", periods["gpus_installed"], "installed"
        ),
        "gpus_by_type": _stacked_bars(
            by_gpu, "GPUs in use per period, by GPU type", "GPUs", periods["gpus_installed"], "installed"
        ),
        "power": _stacked_bars(power, "Facility power used against the budget", "MW",
                               periods["power_mw_budget"], "budget"),
        "served": _served_chart(results.workloads),
    }


# ---------------------------------------------------------------------------
# HTML


def _number(value: float, digits: int = 3) -> str:
    """Readable number: thousands separators, ``digits`` significant figures."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e15 or magnitude < 1e-3:
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(magnitude))))
    return f"{value:,.{decimals}f}"


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("planner", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["num"] = _number
_ENV.filters["pct"] = _percent


def _sizing_rows(results: Results) -> pd.DataFrame:
    return results.sizing.inference_rates.merge(results.sizing.inference, on="workload")


def render_html(results: Results) -> str:
    """The report as one self-contained HTML document."""
    allocation_grid = results.fleet.pivot_table(
        index="gpu", columns="period", values="gpus_in_use", aggfunc="sum", sort=False
    )
    installed_grid = results.fleet.pivot_table(
        index="gpu", columns="period", values="installed", aggfunc="sum", sort=False
    )
    return _ENV.get_template("report.html").render(
        r=results,
        charts=_charts(results),
        binding_power=results.binding_power(),
        short=results.short_workloads(),
        binding_fleet=results.fleet[results.fleet["fleet_shadow_price"] > BINDING].sort_values(
            "fleet_shadow_price", ascending=False
        ),
        allocation_grid=allocation_grid,
        installed_grid=installed_grid,
        training_sizing=_training_sizing(results),
        inference_sizing=_sizing_rows(results),
        sheets=SHEETS,
        total_budget_mwh=float((results.periods["power_mw_budget"] * results.periods["hours"]).sum()),
    )


def write_outputs(results: Results, out_dir: Path) -> Path:
    """Write the three outputs into ``out_dir`` atomically; return the HTML path."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    staging.chmod(0o755)
    try:
        (staging / "summary.json").write_text(json.dumps(summary(results), indent=2, ensure_ascii=False) + "\n")
        _write_xlsx(results, staging / "results.xlsx")
        (staging / "index.html").write_text(render_html(results), encoding="utf-8")
        previous = None
        if out_dir.exists():
            previous = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(previous, ignore_errors=True)
            out_dir.rename(previous)
        staging.rename(out_dir)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "index.html"
