"""The workbook contract: every sheet and column, defined once.

Validation, the report's glossary and the README read these definitions, so a
column's unit, default and meaning cannot drift between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "number"]


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``minimum``/``maximum`` bound a number; ``exclusive_minimum`` makes the lower
    bound strict (a value must be greater than it). ``default`` of ``None`` on an
    optional column means "no value" (e.g. an inference service that starts in the
    first period).
    """

    name: str
    kind: Kind
    description: str
    unit: str = ""
    required: bool = True
    default: float | str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    integer: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = True
    unique: str | None = None  # column whose values must be unique

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _positive(name: str, unit: str, description: str, **kw) -> Column:
    return Column(name, "number", description, unit, minimum=0.0, exclusive_minimum=True, **kw)


def _fraction(name: str, description: str, default: float) -> Column:
    return Column(
        name, "number", description, "fraction", required=False, default=default,
        minimum=0.0, maximum=1.0, exclusive_minimum=True,
    )


SITE_KEYS: dict[str, Column] = {
    "name": Column("name", "text", "Name of the site or scenario, shown in the report."),
    "pue": Column(
        "pue", "number", "Power usage effectiveness: facility power over IT power.",
        "ratio", minimum=1.0,
    ),
}

SITE = Sheet(
    "site",
    "Site-wide settings as key/value rows.",
    (
        Column("key", "text", "Setting name: " + ", ".join(SITE_KEYS) + "."),
        Column("value", "text", "Setting value."),
    ),
)

PERIODS = Sheet(
    "periods",
    "Planning periods, in time order as listed.",
    (
        Column("period", "text", "Period label, e.g. 2026Q1."),
        _positive("hours", "h", "Length of the period."),
        Column(
            "power_mw", "number",
            "Facility power available in the period, cooling included: the budget.",
            "MW", minimum=0.0,
        ),
    ),
    unique="period",
)

GPUS = Sheet(
    "gpus",
    "GPU catalogue: one row per GPU type.",
    (
        Column("gpu", "text", "GPU type name."),
        _positive("bf16_tflops", "TFLOP/s", "Dense BF16 peak per GPU."),
        _positive("hbm_gb", "GB", "High-bandwidth memory per GPU."),
        _positive("hbm_tbps", "TB/s", "Memory bandwidth per GPU."),
        _positive(
            "it_w", "W",
            "All-in IT watts per GPU in use: host, network and storage share included.",
        ),
        Column(
            "idle_w", "number", "IT watts of an installed GPU left unused.", "W",
            required=False, default=0.0, minimum=0.0,
        ),
    ),
    unique="gpu",
)

FLEET = Sheet(
    "fleet",
    "GPUs of each type available in each period (the delivery ramp).",
    (
        Column("gpu", "text", "GPU type, as named in the gpus sheet."),
        Column("period", "text", "Period, as named in the periods sheet."),
        Column("installed", "number", "GPUs of that type available in that period.", "GPUs", minimum=0.0),
    ),
)

TRAINING = Sheet(
    "training",
    "Training runs: one row per run.",
    (
        Column("workload", "text", "Name of the training run."),
        _positive("params_b", "billion parameters", "Total parameters."),
        _positive(
            "active_params_b", "billion parameters",
            "Parameters active per token (mixture-of-experts); defaults to params_b.",
            required=False,
        ),
        _positive("tokens_b", "billion tokens", "Training tokens."),
        _fraction("mfu", "Model FLOPs utilisation achieved on the GPUs.", 0.40),
        Column("start_period", "text", "First period the run may use GPUs."),
        Column("deadline_period", "text", "Last period the run may use GPUs; it must finish by its end."),
        _positive("priority", "weight", "Value of completing the run, relative to other workloads."),
    ),
    unique="workload",
)

INFERENCE = Sheet(
    "inference",
    "Inference services: one row per served model.",
    (
        Column("workload", "text", "Name of the service."),
        _positive("params_b", "billion parameters", "Total parameters (sets memory per replica)."),
        _positive(
            "active_params_b", "billion parameters",
            "Parameters active per token (mixture-of-experts); defaults to params_b.",
            required=False,
        ),
        _positive("tokens_per_day_b", "billion tokens/day", "Tokens generated per day, on average."),
        Column(
            "peak_factor", "number", "Peak demand over mean demand; capacity is sized for the peak.",
            "ratio", required=False, default=1.0, minimum=1.0,
        ),
        _positive("priority", "weight", "Value of serving the full demand, relative to other workloads."),
        Column(
            "start_period", "text", "First period the service runs; defaults to the first period.",
            required=False,
        ),
    ),
    unique="workload",
)

THROUGHPUT = Sheet(
    "throughput",
    "Measured serving throughput, overriding the sizing estimate pair by pair.",
    (
        Column("workload", "text", "Inference service, as named in the inference sheet."),
        Column("gpu", "text", "GPU type, as named in the gpus sheet."),
        _positive("tokens_per_s_per_gpu", "tokens/s", "Measured generated tokens per second per GPU."),
    ),
    required=False,
)

SHEETS: tuple[Sheet, ...] = (SITE, PERIODS, GPUS, FLEET, TRAINING, INFERENCE, THROUGHPUT)
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}


def markdown_reference() -> str:
    """The workbook reference (docs/workbook.md), generated from the definitions above."""
    lines = [
        "# Workbook reference",
        "",
        "Generated from `planner/schema.py`; a test keeps the two equal. Column names carry their units.",
        "Extra columns are ignored with a warning. Names (workload, gpu, period) must be unique in their sheet.",
        "",
    ]
    for sheet in SHEETS:
        lines += [f"## `{sheet.name}`" + ("" if sheet.required else " (optional)"), "", sheet.description, ""]
        lines += ["| column | unit | required | default | meaning |", "|---|---|---|---|---|"]
        for c in sheet.columns:
            default = "" if c.default is None else f"{c.default:g}" if isinstance(c.default, float) else str(c.default)
            lines.append(
                f"| `{c.name}` | {c.unit} | {'yes' if c.required else 'no'} | {default} | {c.description} |"
            )
        lines.append("")
    lines += ["## `site` keys", "", "| key | unit | meaning |", "|---|---|---|"]
    lines += [f"| `{c.name}` | {c.unit} | {c.description} |" for c in SITE_KEYS.values()]
    return "\n".join(lines) + "\n"
