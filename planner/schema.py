"""The workbook contract: every sheet and column, defined once.

Validation, the report's glossary and the README read these definitions, so a
column's unit, default and meaning cannot drift between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from planner import catalogue

Kind = Literal["text", "number"]


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``minimum``/``maximum`` bound a number; ``exclusive_minimum`` makes the lower
    bound strict (a value must be greater than it). ``default`` of ``None`` on an
    optional column means "no value" (e.g. an inference service that starts in the
    first period). ``catalogue`` marks a required ``gpus`` column that may be left
    blank when the GPU is in the built-in catalogue (``planner.catalogue``), which
    then fills it; ``from_name`` one that may be left blank where the row's name says it (a period's hours).
    ``example`` is what the template shows in its header note.
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
    catalogue: bool = False
    from_name: bool = False  # required, but a blank is filled from the row's name where it says the value
    choices: tuple[str, ...] | None = None  # allowed values of a text column, lower case


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = True
    unique: str | None = None  # column whose values must be unique

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# Spellings of a unit accepted after a number typed as text (``200 MW``, ``700 W``), besides
# the unit itself; case does not matter. Any other unit is an error naming the expected one.
UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "h": ("hour", "hours", "hr", "hrs"),
    "TFLOP/s": ("TFLOPS", "TFLOP"),
    "TB/s": ("TBps",),
    "W": ("watt", "watts"),
    "GPUs": ("GPU",),
    "billion parameters": ("B", "bn", "billion", "billions"),
    "billion tokens": ("B", "bn", "billion", "billions"),
    "billion tokens/day": ("B/day", "bn/day", "billion/day", "billions/day"),
    "tokens/s": ("tok/s", "token/s"),
}
# Units of plain numbers: a percentage is accepted there ('40%' -> 0.4), a unit is not.
UNITLESS = ("fraction", "ratio", "weight")

# Plausibility ceilings by unit, for number columns without a maximum of their own: far above
# any real site (a 1 TW budget, a billion GPUs), they keep a slip such as 1e300 from reaching
# the arithmetic and are reported like any other bound.
CEILINGS: dict[str, float] = {
    "h": 1e5, "MW": 1e6, "GPUs": 1e9, "TFLOP/s": 1e7, "GB": 1e6, "TB/s": 1e4, "W": 1e6,
    "billion parameters": 1e7, "billion tokens": 1e9, "billion tokens/day": 1e9, "tokens/s": 1e9,
    "ratio": 1e3, "weight": 1e9,
}
DEFAULT_CEILING = 1e12


# Plausibility floors for numbers that must be positive: far below any real figure (priorities
# are relative, so theirs is lowest), they keep a slip such as 2e-313 from overflowing the arithmetic.
FLOOR = 1e-12


def floor(column: "Column") -> float | None:
    """The smallest value a number column accepts above its minimum (None: no floor)."""
    return FLOOR if column.exclusive_minimum and column.minimum == 0.0 else None


def ceiling(column: "Column") -> float:
    """The largest value a number column accepts."""
    if column.maximum is not None:
        return column.maximum
    return CEILINGS.get(column.unit, DEFAULT_CEILING)


def _positive(name: str, unit: str, description: str, **kw) -> Column:
    return Column(name, "number", description, unit, minimum=0.0, exclusive_minimum=True, **kw)


def _fraction(name: str, description: str, default: float) -> Column:
    return Column(
        name, "number", description, "fraction", required=False, default=default,
        minimum=0.0, maximum=1.0, exclusive_minimum=True,
    )


PRECISIONS = ("bf16", "fp8", "fp4")
PRECISION = Column(
    "precision", "text", "Number format of the matrix maths: " + ", ".join(PRECISIONS) + ".",
    required=False, default="bf16", choices=PRECISIONS,
)

SITE_KEYS: dict[str, Column] = {
    "name": Column("name", "text", "Name of the site or scenario, shown in the report."),
    "pue": Column(
        "pue", "number", "Power usage effectiveness: facility power over IT power.",
        "ratio", minimum=1.0, maximum=10.0,
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
    "Planning periods, in time order as listed (checked where every label says when it starts: 2026Q1, "
    "Q1 2026, 2026H1, 2026-07 (or 2026/07, 07/2026), Jul 2026, a date, 2026; labels that may be dates read "
    "otherwise, 01.07.2026 say, are warned of). Where labels say when periods start, a period's hours may not run "
    "into the next one's, nor past the quarter, half or year its label names, by more than 15% (room for lengths "
    "of convention: 730 or 744 h a month, 2,190 a quarter). A totals row under them is refused.",
    (
        Column("period", "text", "Period label, e.g. 2026Q1."),
        _positive("hours", "h", "Length of the period. Blank: worked out from the period's name where it says how "
                  "long it is: a quarter, half or year (2027Q1: 2,160 h), or a start the next period's start follows "
                  "(2027-01, then 2027-02: 744 h), the last as many months long as the one before it.",
                  from_name=True),
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
    "GPU types: one row per type. A type named as in the built-in catalogue (below) may leave "
    "bf16_tflops, hbm_gb, hbm_tbps and it_w blank, and its blank fp8_tflops and fp4_tflops are "
    "filled too; values typed in the row win.",
    (
        Column("gpu", "text", "GPU type name; a built-in catalogue name fills the blank figures."),
        _positive("bf16_tflops", "TFLOP/s", "Dense BF16 peak per GPU.", catalogue=True),
        _positive("hbm_gb", "GB", "High-bandwidth memory per GPU.", catalogue=True),
        _positive("hbm_tbps", "TB/s", "Memory bandwidth per GPU.", catalogue=True),
        _positive(
            "it_w", "W",
            "All-in IT watts per GPU in use: host, network and storage share included.",
            catalogue=True,
        ),
        Column(
            "idle_w", "number", "IT watts of an installed GPU left unused: its idle draw if unused GPUs "
            "stay powered, ready to take work; 0 (or their standby draw) if they are switched off.", "W",
            required=False, default=0.0, minimum=0.0,
        ),
        _positive("fp8_tflops", "TFLOP/s", "Dense FP8 peak per GPU; blank: no FP8 support.", required=False),
        _positive("fp4_tflops", "TFLOP/s", "Dense FP4 peak per GPU; blank: no FP4 support.", required=False),
        Column(
            "mfu", "number",
            "Default model FLOPs utilisation of BF16 training on this GPU type (FP8 and FP4 runs get the "
            "speed-up measured runs show, see Sizing); blank: 0.40 up to 1,000 dense BF16 TFLOP/s, 0.35 above.",
            "fraction", required=False, minimum=0.0, maximum=1.0, exclusive_minimum=True,
        ),
    ),
    unique="gpu",
)

FLEET = Sheet(
    "fleet",
    "GPUs of each type available in each period (the delivery ramp). A period with no row for a type has none of "
    "it; a gap between periods a type has rows for is warned of.",
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
        PRECISION,
        Column(
            "mfu", "number",
            "Model FLOPs utilisation achieved, against the peak at the run's precision; blank: the GPU "
            "type's default (gpus sheet).",
            "fraction", required=False, minimum=0.0, maximum=1.0, exclusive_minimum=True,
        ),
        _fraction(
            "goodput", "Share of GPU time that advances training (restarts, failures, checkpoints "
            "taken out).", 0.90,
        ),
        _positive("min_gpus", "GPUs", "Smallest scale the run can use; raised to its memory minimum.", required=False),
        _positive("max_gpus", "GPUs", "Largest scale the run can use at once.", required=False),
        _fraction("power_factor", "Share of it_w drawn by a GPU in use by this run.", 1.0),
        Column("start_period", "text", "First period the run may use GPUs."),
        Column("deadline_period", "text", "Last period the run may use GPUs; it must finish by its end."),
        _positive("priority", "weight",
                  "Value of completing the run, relative to other workloads (at most 1e12 times the least)."),
        Column(
            "must_finish", "text",
            "yes: the run is worth its priority only finished by its deadline, and a mixed-integer plan (--integer) "
            "gives it all its FLOPs or none (a linear plan may still finish part of it, and warns where it does); "
            "no: each share of its FLOPs done by its deadline scores that share of its priority.",
            required=False, default="no", choices=("yes", "no"),
        ),
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
            "input_tokens_per_day_b", "number", "Prompt (input) tokens processed per day, on average.",
            "billion tokens/day", required=False, default=0.0, minimum=0.0,
        ),
        PRECISION,
        _positive("layers", "layers", "Transformer layers (for the KV cache size).", required=False),
        _positive("kv_heads", "heads", "Key/value heads per layer (for the KV cache size).", required=False),
        _positive("head_dim", "values", "Dimension of one attention head (for the KV cache size).", required=False),
        _positive(
            "context_tokens", "tokens", "Mean tokens held in the KV cache per sequence.",
            required=False, default=2048.0,
        ),
        _positive(
            "min_tokens_per_s_per_user", "tokens/s",
            "Latency target: output tokens per second each user must see; caps the batch.", required=False,
        ),
        _fraction("power_factor", "Share of it_w drawn by a GPU in use by this service.", 0.80),
        Column(
            "peak_factor", "number", "Peak demand over mean demand; capacity is sized for the peak.",
            "ratio", required=False, default=1.0, minimum=1.0,
        ),
        _positive("priority", "weight",
                  "Value of serving the full demand, relative to other workloads (at most 1e12 times the least)."),
        Column(
            "start_period", "text", "First period the service runs; defaults to the first period.",
            required=False,
        ),
    ),
    unique="workload",
)

THROUGHPUT = Sheet(
    "throughput",
    "Measured throughput (a service's tokens/s, a run's TFLOP/s per GPU), overriding the sizing estimate pair by pair.",
    (
        Column("workload", "text", "Training run or inference service, as named in its sheet."),
        Column("gpu", "text", "GPU type, as named in the gpus sheet."),
        _positive(
            "tokens_per_s_per_gpu", "tokens/s",
            "Measured generated tokens per second per GPU (inference services).", required=False,
        ),
        _positive(
            "train_tflops_per_gpu", "TFLOP/s",
            "Measured model TFLOP/s delivered per GPU (training runs).", required=False,
        ),
    ),
    required=False,
)

SHEETS: tuple[Sheet, ...] = (SITE, PERIODS, GPUS, FLEET, TRAINING, INFERENCE, THROUGHPUT)
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}


def required_text(column: Column) -> str:
    """'yes', 'no' or 'yes, unless ...' for a column."""
    if column.catalogue:
        return "yes, unless the GPU is in the catalogue"
    return "yes" if column.required else "no"


def range_text(column: Column) -> str:
    """The values a number column accepts, as the reference states them ('> 0', '>= 1 and <= 10');
    empty for text. Plausibility ceilings and the floor are stated once, above the tables."""
    parts = [] if column.minimum is None else [f"{'>' if column.exclusive_minimum else '>='} {column.minimum:g}"]
    parts += [] if column.maximum is None else [f"<= {column.maximum:g}"]
    return " and ".join(parts)


def markdown_reference() -> str:
    """The workbook reference (docs/workbook.md), generated from the definitions above."""
    spellings = "; ".join(f"{unit}: {', '.join(f'`{s}`' for s in alt)}" for unit, alt in UNIT_SPELLINGS.items())
    lines = [
        "# Workbook reference",
        "",
        "Generated from `planner/schema.py`; a test keeps the two equal. Column names carry their units.",
        "Extra columns are ignored with a warning. Names (workload, gpu, period) must be unique in their sheet.",
        "",
        "The input is an `.xlsx` (or `.xlsm`, `.xlsb`, `.xls`, `.ods`) workbook with one sheet per table, or a folder",
        "holding one CSV file per sheet (`periods.csv`, ...); other sheets, and other CSV files in the folder,",
        "are not read (they may hold anything). `planner template OUT.xlsx` writes a workbook",
        "to start from: every sheet and column, a note on each header, example rows and drop-down lists.",
        "",
        "Cells are read as people type them: numbers stored as text, thousands separators (`1,200`,",
        "`1 200`, Swiss `1'200` and `1’200`), percentages where a plain number is expected (`40%` mfu),",
        "spaces around names, blank rows, a title",
        "or notes above the headings (up to ten rows; the header is the row holding the sheet's headings).",
        "Names are matched exactly: two that differ only in case (`H200` and `h200`), or in the form of their",
        "characters (a full-width `Ｈ２００`, as East Asian input methods type it), are two, and warned of;",
        "text holding a control character, a bidirectional control (U+202E, which reorders the text after it)",
        "or an invisible character (a zero-width space, a soft hyphen) is refused. A",
        "semicolon-separated CSV file, as spreadsheets write one where the comma is the decimal separator,",
        "is read that way: `4,5`, `1.200,5`, `40,5%`; there a point before groups of three digits and no",
        "comma (`1.200`) could mean either, and is refused with both readings spelled out. Where a",
        "semicolon-separated file's own numbers are written with a decimal point (`1.2`), its `1,000` could be",
        "a thousand: it is refused the same way, not read as 1.0. Tab-separated",
        "files take the convention their numbers show (`2,5` or `2.5`); where none shows it, `4,431` and",
        "`4.431` are refused the same way (also where they show both). A comma-separated file takes the",
        "decimal point: a quoted decimal comma there (`\"0,5\"`) is refused (use a point), and where such",
        "numbers show the file was written with decimal commas, `1.000` and `1,000` are refused the same way.",
        "Only numbers (with their units) show it: names and notes do not. Thousands may be grouped by spaces",
        "beside a decimal comma (`1 307,4`), and there two points group thousands (`1.234.567`). CSV files may",
        "be UTF-8, Windows-1252 or UTF-16 with its mark (Excel's Unicode text); a quote that opens a field and is",
        "never closed is refused, naming its row; a file that ends inside a row short of its fields, with no line",
        "break after it (a copy or download stopped part way), is warned of. A formula",
        "cell gives the value the spreadsheet saved with it; one whose saved result is the empty text",
        "(`=IF(A2=\"\",\"\",A2*2)` beside a blank `A2`) is a blank cell. A number may carry its column's unit",
        "(`200 MW` in `power_mw`, `700 W` in `it_w`); any other unit (`200 kW`) is an error, never",
        "converted (the message gives the value in the column's unit where it is a scale of it: `40T` tokens is",
        f"40000). Other accepted spellings of a unit: {spellings}. A heading may carry its column's",
        "unit or a note in brackets (`power_mw (MW)`, `mfu (%)`, `bf16_tflops (dense)`); another unit there",
        "(`power_mw (kW)`) is an error, as the values under it would be read in the column's unit.",
        "Under a fraction headed in % (`mfu (%)`), 40 and 35 are percentages; numbers from 0 to 1 there",
        "are fractions, as a spreadsheet stores cells it shows as percentages; a column holding both (25 beside",
        "0.4) is refused, as either reading of it would misread some cells.",
        "",
        "Numbers above a plausibility ceiling are refused like any other bound: "
        + ", ".join(f"{v:g} {u}" for u, v in CEILINGS.items()) + f"; {DEFAULT_CEILING:g} in other units. "
        f"A figure that must be positive is refused below {FLOOR:g} in its unit.",
        "",
    ]
    for sheet in SHEETS:
        lines += [f"## `{sheet.name}`" + ("" if sheet.required else " (optional)"), "", sheet.description, ""]
        lines += ["| column | unit | range | required | default | meaning |", "|---|---|---|---|---|---|"]
        for c in sheet.columns:
            default = "" if c.default is None else f"{c.default:g}" if isinstance(c.default, float) else str(c.default)
            lines.append(f"| `{c.name}` | {c.unit} | {range_text(c)} | {required_text(c)} | {default} "
                         f"| {c.description} |")
        lines.append("")
    lines += ["## `site` keys", "", "| key | unit | range | meaning |", "|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.unit} | {range_text(c)} | {c.description} |" for c in SITE_KEYS.values()]
    lines += [
        "",
        "## Built-in GPU catalogue",
        "",
        "A `gpus` row named as below (case, spaces, hyphens and full-width characters do not matter; aliases such as",
        "`H100-SXM-80GB` or `GB200-NVL72` work too) takes its blank `bf16_tflops`, `fp8_tflops`, `fp4_tflops`,",
        "`hbm_gb`, `hbm_tbps` and `it_w` from this table (`idle_w` is not published and keeps its default).",
        "Dense peaks, without sparsity; per-GPU figures of multi-GPU systems are the system figure divided by",
        "its GPUs. `it_w` is the all-in IT draw per GPU in use (server or rack power over its GPUs); TDP is the",
        "GPU's own power, for reference. Defined in `planner/catalogue.py`.",
        "",
        catalogue.markdown_table(),
    ]
    return "\n".join(lines) + "\n"
