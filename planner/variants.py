"""Variants of a scenario for a sweep (``planner vary``): its power budgets, its GPU fleet or its services' token
volumes scaled, and its GPU deliveries later, in every period, GPU type and service or in those named alone, each
variant written as a folder of CSV files that ``planner solve`` reads as it reads a workbook.

A variant's sheets are the scenario's as read and checked, with a cell left blank wherever the scenario's was (a
column's default or the GPU catalogue fills it again, and the report says so as before); the files are the same
bytes whenever the same variant is written again, so ``planner solve --resume`` knows it unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import math
import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from planner.files import replace_together, signals_held
from planner.model import idle_power_mw
from planner.schema import SHEETS_BY_NAME
from planner.spelling import folded, meant, periods_in_runs, run_spans, runs, spoken
from planner.workbook import InputError, Scenario, over_budget, read_scenario

# what a variant may scale, by a percentage of the scenario's own figures: its name (in options and variants' names),
# and what it scales
SCALED = {
    "power": "every period's power budget",
    "fleet": "every GPU type's installed count in every period (rounded to whole GPUs)",
    "demand": "every service's token volume per day (prompt tokens too)",
}


class Within(NamedTuple):
    """What the figures scaled may be kept to (``planner vary --periods P1,P2 --gpus G --services S``)."""
    sheet: str  # whose names are given
    column: str
    kind: str  # what one is called
    figures: tuple[str, ...]  # the keys of AS_IS kept to them


WITHIN = {
    "periods": Within("periods", "period", "period", ("power", "fleet")),
    "gpus": Within("gpus", "gpu", "GPU type", ("fleet", "delay")),
    "services": Within("inference", "workload", "service", ("demand",)),
}
NAMES_LISTED = 12  # names of a kind listed at most, where a name given is not the scenario's
NAMES_IN_FOLDER = 60  # bytes at most of the names a variant is kept to, in its folder's name; past it, a hash
NAME_MAX = 255  # bytes of a folder's name that file systems take
NOT_READ_BACK = ("default", "catalogue", "estimate", "name", "blank")  # origins of a cell the reader fills in itself
MAX_VARIANTS = 1000  # at once: a step mistyped (1:1000000:1) would write a million folders
PERCENT_DECIMALS = 4  # a percentage is taken to this many decimals, which its name gives whole
MOST_PERCENT = 1_000_000
DELAY = "every GPU type's deliveries (and retirements), later by these whole periods"
MOST_DELAY = 1000  # periods
AS_IS = {**{what: 100.0 for what in SCALED}, "delay": 0.0}  # what varies, as the scenario has it


def scaled(scenario: Scenario, power: float = 100.0, fleet: float = 100.0, demand: float = 100.0,
           delay: float = 0.0, within: dict[str, list[str]] | None = None) -> Scenario:
    """``scenario`` with its power budgets, fleet and token volumes at these percentages of its own and its
    deliveries ``delay`` periods later, named so; a fleet scaled is rounded to whole GPUs, halves up. ``within`` (keys
    of :data:`WITHIN`, names the scenario has) keeps each figure to the periods, GPU types and services named: a
    budget scaled in those periods alone, say.

    A delivery later by a period: each period has the GPUs installed a period before, and the first keeps its own
    (the fleet at the start is there; what arrives or retires after it, later)."""
    within = within or {}

    def kept(names: pd.Index | pd.Series, key: str) -> np.ndarray:
        return np.asarray(names.isin(within[key])) if key in within else np.ones(len(names), dtype=bool)

    budgets = scenario.periods["power_mw"]
    periods = scenario.periods.assign(
        power_mw=budgets.where(~kept(scenario.periods["period"], "periods"), _times(budgets, power)))
    services = kept(scenario.inference["workload"], "services")
    inference = scenario.inference.assign(**{column: scenario.inference[column].where(
        ~services, _times(scenario.inference[column], demand)) for column in ("tokens_per_day_b",
                                                                              "input_tokens_per_day_b")})
    types = kept(scenario.fleet.index, "gpus")
    earlier = np.maximum(np.arange(scenario.fleet.shape[1]) - int(delay), 0)
    installed = scenario.fleet.copy()
    installed[:] = np.where(types[:, None], scenario.fleet.to_numpy()[:, earlier], scenario.fleet.to_numpy())
    grid = np.outer(types, kept(scenario.fleet.columns, "periods"))
    installed = (installed if fleet == 100 else installed.where(~grid, np.floor(installed * fleet / 100 + 0.5)))
    given = {"power": power, "fleet": fleet, "demand": demand, "delay": delay}
    label = ", ".join(f"deliveries{_where(scenario, what, within)} {value:g} period{'s' if value != 1 else ''} later"
                      if what == "delay" else f"{what} {_percent(value)}%{_where(scenario, what, within)}"
                      for what, value in given.items() if value != AS_IS[what])
    return dataclasses.replace(scenario, name=f"{scenario.name} ({label})" if label else scenario.name,
                               periods=periods, fleet=installed, inference=inference)


def _where(scenario: Scenario, what: str, within: dict[str, list[str]]) -> str:
    """Where a scaled figure is kept to, for its variant's name: ' of H100 in 2027Q1 to 2027Q4'."""
    words = []
    for key, kept_to in WITHIN.items():
        if key in within and what in kept_to.figures:
            names = getattr(scenario, kept_to.sheet)[kept_to.column].tolist()
            given = set(within[key])
            chosen = [name in given for name in names]
            words.append(f" in {periods_in_runs(names, chosen)}" if key == "periods" else
                         f" of {spoken([name for name, taken in zip(names, chosen) if taken])}")
    return "".join(sorted(words, key=lambda word: word.startswith(" in")))  # of the GPU types, then when


def _times(values: pd.Series, pct: float) -> pd.Series:
    """``values`` at ``pct`` percent, to 12 significant figures: 220, not the 220.00000000000003 of 200 x 1.1."""
    return values if pct == 100 else (values * pct / 100).map(lambda value: float(f"{value:.12g}"))


def sheets(scenario: Scenario) -> dict[str, pd.DataFrame | dict]:
    """The sheets that read back as ``scenario``: a cell blank where its value came from a default or the
    catalogue, the fleet a row per GPU type and period it has GPUs in, an optional sheet without rows left out."""
    tables: dict[str, pd.DataFrame | dict] = {"site": {"name": scenario.name, "pue": scenario.pue}}
    for name in ("periods", "gpus", "training", "inference", "throughput"):
        table = getattr(scenario, name)[[column.name for column in SHEETS_BY_NAME[name].columns]]
        origins = scenario.origins.get(name)
        tables[name] = table if origins is None else table.astype(object).mask(origins.isin(NOT_READ_BACK))
    fleet = scenario.fleet.rename_axis(index="gpu", columns="period").stack().rename("installed").reset_index()
    tables["fleet"] = fleet[fleet["installed"] > 0]
    return {name: table for name, table in tables.items() if len(table) or SHEETS_BY_NAME[name].required}


def variant_name(stem: str, percentages: dict[str, float], digits: dict[str, int], kept_to: str = "") -> str:
    """A variant's folder name: the input's, then each scaled figure's percentage, its whole part padded to that
    figure's ``digits``, so that the variants of a sweep sort in the order of the figures (site-power-080 before
    site-power-100, site-power-0500 before site-power-1000), then what they are ``kept_to`` (see
    :func:`within_name`)."""
    return "-".join([stem, *(f"{what}-{_percent(pct, digits[what])}" for what, pct in percentages.items())]) + kept_to


def within_name(scenario: Scenario, within: dict[str, list[str]]) -> str:
    """What a sweep's variants are kept to, for their folders' names: '-periods-2027Q1..2027Q4-gpus-H100', each name
    in the folder's characters, three periods or more in a row as a span; where a name is written otherwise ('H100
    SXM' as 'H100_SXM'), a hash of the names follows, and names over :data:`NAMES_IN_FOLDER` bytes together are
    given by their count and that hash ('-periods-12-3fa2b1c0'). Variants kept to other names have other folders,
    and so may be solved in one sweep."""
    parts = []
    for key, names in within.items():
        if key == "periods":
            every = scenario.periods["period"].tolist()
            given = set(names)
            groups = runs(every, [name in given for name in every])
        else:
            groups = [[name] for name in names]
        written = "+".join(text for text, _ in run_spans([list(map(_in_folder, group)) for group in groups], ".."))
        code = hashlib.sha256(chr(0).join(names).encode()).hexdigest()[:8]
        if len(written.encode()) > NAMES_IN_FOLDER:
            written = f"{len(names)}-{code}"
        elif any(_in_folder(name) != name for name in names):
            written += f"-{code}"
        parts.append(f"-{key}-{written}")
    return "".join(parts)


def _in_folder(name: str) -> str:
    """``name`` in the characters of a folder's name: letters, digits, '.', '-' and '_' for the rest."""
    return re.sub(r"[^\w.-]+", "_", name)


def _percent(pct: float, digits: int = 1) -> str:
    """80, 92.5, 100.0001; padded to 3 digits, 080, 092.5."""
    whole, dot, fraction = f"{pct:.{PERCENT_DECIMALS}f}".rstrip("0").rstrip(".").partition(".")
    return whole.zfill(digits) + dot + fraction


def write_variants(source: Path, out: Path, steps: dict[str, list[float]],
                   named: dict[str, str] | None = None) -> tuple[list[Path], list[str]]:
    """A variant of the scenario in ``source`` for each combination of the figures in ``steps`` (keys of
    :data:`AS_IS`: percentages, or periods of delay), kept to the periods, GPU types and services ``named`` (by
    :data:`WITHIN` key, as given to ``planner vary``: see :func:`names_within`), each a folder of CSV files in
    ``out``; returns their paths, and warnings of those that will not solve (a budget below the installed fleet's
    idle draw, no GPUs at all) and of delays that leave the first period's fleet throughout. A folder of that name
    that holds other files is refused before anything is written (raises InputError), as are names the scenario does
    not have and folder names too long for a file system; each variant's files are written together or not at all
    (a sheet an earlier one had and this one has not, taken away), the same bytes for the same figures."""
    if (count := math.prod(map(len, steps.values()))) > MAX_VARIANTS:
        raise InputError([f"{count} variants: at most {MAX_VARIANTS:,} at once; give fewer figures"])
    unscaled = []
    for key in named or {}:
        if not set(WITHIN[key].figures) & set(steps):
            figures = ["--" + what for what in WITHIN[key].figures]
            unscaled.append(f"--{key} keeps {spoken(figures)} to the {WITHIN[key].kind}s it names; give "
                            f"{' or '.join(figures)} too")
    if unscaled:
        raise InputError(unscaled)
    scenario = read_scenario(source)
    found = {key: names_within(scenario, key, text, source) for key, text in (named or {}).items()}
    if problems := [problem for names, problem in found.values() if problem]:
        raise InputError(problems)
    kept_to = {key: names for key, (names, _) in found.items()}
    stem = source.stem if not os.path.isdir(source) else source.resolve().name
    variants = [dict(zip(steps, combination)) for combination in itertools.product(*steps.values())]
    digits = {what: max(1 if what == "delay" else 3, *(len(_percent(value).partition(".")[0]) for value in values))
              for what, values in steps.items()}
    suffix = within_name(scenario, kept_to)
    folders = [out / variant_name(stem, percentages, digits, suffix) for percentages in variants]
    if (longest := max(len(folder.name.encode()) for folder in folders)) > NAME_MAX:
        raise InputError([f"{folders[0].name}: the variants' folder names would be up to {longest} bytes long, more "
                          f"than the {NAME_MAX} a file system takes: give the input a shorter name"])
    own = {f"{name}.csv" for name in SHEETS_BY_NAME}
    # hidden files are not read: a killed run's staging files, which the next write of that file takes away
    if clashes := [f"{folder}: holds files that are not a variant's ({', '.join(sorted(others))}); give another "
                   "--out" for folder in folders if folder.is_dir()
                   and (others := {e.name for e in os.scandir(folder) if not e.name.startswith(".")} - own)]:
        raise InputError(clashes)
    if in_the_way := [f"{folder}: a file, not a folder; give another --out" for folder in folders
                      if folder.exists() and not folder.is_dir()]:
        raise InputError(in_the_way)
    warnings = list(scenario.warnings)  # of the input: its variants have cells it read, not what it ignored
    # from a delay of one period less than the horizon, every period has the first's fleet
    if any(delay >= (beyond := max(len(scenario.periods) - 1, 1)) for delay in steps.get("delay", [])):
        delayed = spoken(kept_to["gpus"]) if "gpus" in kept_to else "every GPU type"
        warnings.append(f"a delay of {beyond} period{'s' if beyond > 1 else ''} or more leaves {delayed} at the first "
                        f"period's fleet throughout the horizon of {len(scenario.periods)} period"
                        f"{'s' if len(scenario.periods) > 1 else ''}")
    for written, (folder, percentages) in enumerate(zip(folders, variants)):
        variant = scaled(scenario, **percentages, within=kept_to)
        # the same bytes for the same figures: a variant written again reads as unchanged to --resume
        texts = {f"{name}.csv": _csv(table) for name, table in sheets(variant).items()}
        try:
            replace_together({folder / name: lambda path, text=text: path.write_bytes(text) for name, text in
                              texts.items()})
        except OSError as error:
            raise InputError([f"{folder}: cannot write the variant ({error.strerror or error}); {written} of "
                              f"{len(folders)} written before it"]) from None
        with signals_held():
            for stale in own - set(texts):
                (folder / stale).unlink(missing_ok=True)
        if not variant.fleet.to_numpy().any():
            warnings.append(f"{folder}: no GPUs installed in any period: solving it is refused, as for any workbook")
        elif below := _below_idle_draw(variant):
            warnings.append(f"{folder}: the budget of {below} is below the installed fleet's idle draw: solving it "
                            "is refused, as for any workbook")
    return folders, warnings


def names_within(scenario: Scenario, key: str, text: str, source: Path) -> tuple[list[str], str]:
    """The names of ``key`` (of :data:`WITHIN`) that ``text`` gives, in the scenario's order, and what is wrong with
    it ('' if nothing): names comma-separated, each the scenario's (a name with a comma given alone, as the whole
    text), and for periods a span of the horizon too, first and last (2027Q1:2027Q4)."""
    sheet, column, kind, _ = WITHIN[key]
    names = getattr(scenario, sheet)[column].tolist()
    place = {name: i for i, name in enumerate(names)}
    training = set(scenario.training["workload"])
    wanted, said = set(), []
    for part in [text] if text in place else list(dict.fromkeys(part.strip() for part in text.split(","))):
        ends = [end.strip() for end in part.split(":")] if key == "periods" and part.count(":") == 1 else [part]
        if missing := [end for end in ends if end not in place]:
            said += [_not_known(end, names, kind, key == "services" and end in training) for end in missing]
        elif place[ends[0]] > place[ends[-1]]:
            said.append(f"{part} runs backwards: give {ends[1]}:{ends[0]}")
        else:
            wanted.update(names[place[ends[0]]:place[ends[-1]] + 1])
    if said:
        listed = ", ".join(names if len(names) <= NAMES_LISTED else [*names[:NAMES_LISTED], "..."])
        return [], f"--{key}: {source}: {'; '.join(said)}; its {kind}s: {listed or 'none'}"
    return [name for name in names if name in wanted], ""


def _not_known(name: str, names: list[str], kind: str, training: bool) -> str:
    """Why ``name`` is none of the scenario's ``names`` (of ``kind``), with the one it most likely stands for: the
    one name it begins, whatever the case (h100 for H100-SXM-80GB; none where it begins several), else the one it
    mistypes; a ``training`` run's name given for a service; a span written other than first:last."""
    if not name:
        return f"an empty {kind} name (two commas in a row?)"
    if training:
        return f"'{name}' is a training run, not a service"
    for mark in ("..", "-", " to "):
        if mark in name and all(end.strip() in names for end in name.split(mark, 1)) and kind == "period":
            first, last = (end.strip() for end in name.split(mark, 1))
            return f"no period '{name}' (a span is written first:last: {first}:{last})"
    hint = meant(folded(name), {folded(candidate): candidate for candidate in names})
    return f"no {kind} '{name}'" + (f" (did you mean '{hint}'?)" if hint else "")


def _below_idle_draw(scenario: Scenario) -> str:
    """The periods whose budget the installed fleet's idle draw is over (see the reader's check), for a sentence."""
    budget = scenario.periods["power_mw"].to_numpy()
    over = over_budget(idle_power_mw(scenario), budget)
    return periods_in_runs(scenario.periods["period"].tolist(), over.tolist()) if over.any() else ""


def _csv(table: pd.DataFrame | dict) -> bytes:
    frame = pd.DataFrame({"key": list(table), "value": list(table.values())}) if isinstance(table, dict) else table
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def percentages(text: str, zero: bool = False) -> list[float]:
    """Percentages as given to ``planner vary``: a comma-separated list (80,90,100) or a range with its step
    (80:120:10, from 80 up to 120 where a step reaches it), each to :data:`PERCENT_DECIMALS` decimals, 0 too where
    ``zero`` (a fleet: none delivered), and at most :data:`MAX_VARIANTS` of them. Raises ValueError saying what is
    expected."""
    least = 0.0 if zero else 10.0 ** -PERCENT_DECIMALS
    return _figures(text, least, MOST_PERCENT, PERCENT_DECIMALS,
                    f"percentages from {_percent(least)} up to {MOST_PERCENT:,}, as 80,90,100 or 80:120:10 (from, "
                    f"to, step), at most {MAX_VARIANTS:,}, got '{text}'")


def delays(text: str) -> list[float]:
    """Delays as given to ``planner vary --delay``: whole periods from 0 to :data:`MOST_DELAY`, as
    :func:`percentages` takes its figures (0,1,2 or 0:4:1). Raises ValueError saying what is expected."""
    return _figures(text, 0, MOST_DELAY, 0, f"whole periods from 0 up to {MOST_DELAY:,}, as 0,1,2 or 0:4:1 (from, to, "
                                            f"step), got '{text}'")


def _figures(text: str, least: float, most: float, decimals: int, expected: str) -> list[float]:
    """The figures of a list (80,90,100) or a range with its step (80:120:10, from 80 up to 120 where a step reaches
    it), each to ``decimals`` decimals (whole where none) and from ``least`` to ``most``, at most
    :data:`MAX_VARIANTS` of them; raises ValueError(``expected``) otherwise."""
    try:
        if "_" in text:  # which float() would read as a digit separator: 80_0 as 800
            raise ValueError
        if ":" in text:
            start, stop, step = (float(part) for part in text.split(":"))
            if not (step > 0 and start <= stop and (stop - start) / step < MAX_VARIANTS):
                raise ValueError
            values = [start + k * step for k in range(math.floor((stop - start) / step + 1e-9) + 1)]
        else:
            values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(expected) from None
    taken = list(dict.fromkeys(round(value, decimals) + 0.0 for value in values))  # + 0.0: -0 as 0
    if (not taken or len(taken) > MAX_VARIANTS or not all(least <= value <= most for value in taken)
            or decimals == 0 and not all(value.is_integer() for value in values)):
        raise ValueError(expected)
    return taken
