"""``planner vary``: variants of a scenario, written as CSV folders, read back as the scenario scaled."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, gpu_row, inference_row, scenario_tables, training_row, write_scenario
from planner import cli
from planner.files import digest
from planner.synthetic import synthetic_tables
from planner.variants import delays, names_within, percentages, scaled, within_name, write_variants
from planner.workbook import InputError, read_scenario
from test_sweep_figures import two_prices

TABLES = ("periods", "gpus", "fleet", "training", "inference", "throughput")


def _same(one, other) -> None:
    """Two scenarios read alike: every table, where each value came from, the name, PUE and warnings."""
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(one, name), getattr(other, name), check_dtype=False,
                                      check_index_type=False, check_column_type=False, check_names=False)
    assert one.origins.keys() == other.origins.keys()
    for name, origins in one.origins.items():
        assert (origins.to_numpy() == other.origins[name].to_numpy()).all(), name
    assert (one.name, one.pue, one.warnings) == (other.name, other.pue, other.warnings)


def _must_finish() -> dict:
    """A run that must finish, a service from its second period, throughput measured: cells of every kind."""
    tables = two_prices()
    tables["training"] = pd.DataFrame([training_row("T", start="P1", deadline="P2", must_finish="yes",
                                                    max_gpus=900.0)])
    tables["inference"] = pd.DataFrame([inference_row("S", start="P2", input_tokens_per_day_b=20.0)])
    return tables


@pytest.mark.parametrize("case", ["default", "windows", "throughput", "must finish"])
def test_a_variant_at_100_percent_reads_back_as_the_scenario(case, tmp_path):
    """Every table, and where each value came from (the sheet, a default, the catalogue), reads back alike: a cell
    filled by a default or the catalogue is written blank, and filled again."""
    source = ROOT / "inputs" / "sovereign-200mw.xlsx"
    if case != "default":
        tables = {"windows": lambda: synthetic_tables(40, 3, 6, seed=3, whole_horizon=False),
                  "throughput": two_prices, "must finish": _must_finish}[case]()
        source = write_scenario(tables, tmp_path / "input.xlsx")
    [folder], _ = write_variants(source, tmp_path / "out", {"power": [100.0]})
    _same(read_scenario(folder), read_scenario(source))


def test_a_variant_scales_budgets_fleet_and_token_volumes_and_says_so_in_its_name(tmp_path):
    """P1-P3 budgets 100, 1.25, 1.1 MW at 80%: 80, 1, 0.88; 2000 G1 at 33%: 660; 86.4 B tokens/day at 250%: 216. The
    variant written reads back as the scenario so scaled."""
    source = write_scenario(two_prices(), tmp_path / "two.xlsx")
    base = read_scenario(source)
    variant = scaled(base, power=80.0, fleet=33.0, demand=250.0)
    assert variant.periods["power_mw"].tolist() == pytest.approx([80.0, 1.0, 0.88])
    assert variant.fleet.to_numpy().ravel().tolist() == [660.0] * 3
    assert variant.inference["tokens_per_day_b"].tolist() == pytest.approx([216.0])
    assert variant.name == "two prices (power 80%, fleet 33%, demand 250%)"
    assert scaled(base, power=92.5).name == "two prices (power 92.5%)" and scaled(base).name == "two prices"
    [folder], _ = write_variants(source, tmp_path / "out", {"power": [80.0], "fleet": [33.0], "demand": [250.0]})
    assert folder.name == "two-power-080-fleet-033-demand-250"
    _same(read_scenario(folder), variant)


def test_variants_of_every_combination_sort_in_order_and_are_the_same_bytes_written_again(tmp_path):
    source = write_scenario(two_prices(), tmp_path / "two.xlsx")
    steps = {"power": [92.5, 100.0, 110.0], "fleet": [50.0, 100.0]}
    folders, _ = write_variants(source, tmp_path / "out", steps)
    assert [folder.name for folder in folders] == [
        "two-power-092.5-fleet-050", "two-power-092.5-fleet-100", "two-power-100-fleet-050", "two-power-100-fleet-100",
        "two-power-110-fleet-050", "two-power-110-fleet-100"]
    assert sorted(folders) == folders
    before = [digest(folder) for folder in folders]
    write_variants(source, tmp_path / "out", steps)
    assert [digest(folder) for folder in folders] == before  # --resume keeps their plans


def test_variants_that_will_not_solve_are_warned_of_and_a_sheet_no_longer_given_goes(tmp_path):
    """At 38%, P2 (0.475 MW) and P3 (0.418 MW) have less budget than the 2000 G1's idle draw (0.5 MW with PUE 1.25):
    said when written, as solving refuses them; at 45% only P3 (0.495 MW; P2's 0.5625 is enough). A variant written
    again from a scenario without throughput rows loses its throughput sheet."""
    source = write_scenario(two_prices(), tmp_path / "two.xlsx")
    folders, warnings = write_variants(source, tmp_path / "out", {"power": [38.0, 45.0, 100.0]})
    assert warnings == [f"{folders[0]}: the budget of P2 and P3 is below the installed fleet's idle draw: solving it "
                        "is refused, as for any workbook",
                        f"{folders[1]}: the budget of P3 is below the installed fleet's idle draw: solving it is "
                        "refused, as for any workbook"]
    with pytest.raises(InputError, match="below the idle draw of the installed fleet"):
        read_scenario(folders[1])
    assert (folders[2] / "throughput.csv").exists()
    tables = two_prices()
    del tables["throughput"]
    write_scenario(tables, source)
    write_variants(source, tmp_path / "out", {"power": [100.0]})
    assert not (folders[2] / "throughput.csv").exists()
    _same(read_scenario(folders[2]), read_scenario(source))


def test_a_csv_folder_is_known_by_its_csv_files_alone(tmp_path):
    """What else a CSV folder holds (notes, a large data file beside the sheets) is not read, nor hashed: a change
    there leaves its fingerprint, a change to a sheet does not."""
    folder = write_scenario(two_prices(), tmp_path / "two")
    before = digest(folder)
    (folder / "notes.txt").write_text("not a sheet")
    assert digest(folder) == before
    (folder / "periods.csv").write_text((folder / "periods.csv").read_text().replace("1.25", "1.5"))
    assert digest(folder) != before


def test_a_folder_holding_other_files_is_refused_before_any_variant_is_written(tmp_path):
    source = write_scenario(two_prices(), tmp_path / "two.xlsx")
    (tmp_path / "out" / "two-power-110").mkdir(parents=True)
    (tmp_path / "out" / "two-power-110" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"two-power-110: holds files that are not a variant's \(notes.txt\)"):
        write_variants(source, tmp_path / "out", {"power": [90.0, 110.0]})
    assert not (tmp_path / "out" / "two-power-090").exists()
    # a killed run's staging file is hidden: neither in the way nor part of the variant
    (tmp_path / "out" / "two-power-110" / "notes.txt").unlink()
    (tmp_path / "out" / "two-power-110" / ".site.csv.99999-abc.csv").write_text("key,value\n")
    [folder], _ = write_variants(source, tmp_path / "out", {"power": [110.0]})
    assert digest(folder) == digest(write_variants(source, tmp_path / "clean", {"power": [110.0]})[0][0])


@pytest.mark.parametrize("text, expected", [
    ("80:120:10", [80.0, 90.0, 100.0, 110.0, 120.0]), ("80,90, 100", [80.0, 90.0, 100.0]),
    ("90:100:2.5", [90.0, 92.5, 95.0, 97.5, 100.0]), ("50,50", [50.0]), ("0.1:0.3:0.1", [0.1, 0.2, 0.3])])
def test_percentages_are_a_list_or_a_range_with_both_ends(text, expected):
    assert percentages(text) == expected


@pytest.mark.parametrize("text", ["", "0", "-5", "nan", "inf", "a", "120:80:10", "80:120:0", "80:120", "80;90",
                                  "80_0", "0.00001", "2e6", "1:100000000:1"])
def test_percentages_from_a_ten_thousandth_to_a_million_are_asked_for(text):
    with pytest.raises(ValueError, match="percentages from 0.0001 up to 1,000,000, as 80,90,100 or 80:120:10"):
        percentages(text)


def test_names_tell_every_percentage_apart_and_sort_in_its_order(tmp_path):
    """100% and 100.0001% are two variants; 500% to 1500% are padded to four digits, as 1000% needs."""
    source = write_scenario(two_prices(), tmp_path / "two.xlsx")
    folders, _ = write_variants(source, tmp_path / "out", {"power": [100.0, 100.0001]})
    assert [folder.name for folder in folders] == ["two-power-100", "two-power-100.0001"]
    assert read_scenario(folders[1]).name == "two prices (power 100.0001%)"
    folders, _ = write_variants(source, tmp_path / "out", {"demand": percentages("500:1500:500")})
    assert [folder.name for folder in folders] == ["two-demand-0500", "two-demand-1000", "two-demand-1500"]
    with pytest.raises(InputError, match="1008 variants: at most 1,000 at once"):
        write_variants(source, tmp_path / "out", {"power": [float(k) for k in range(1, 9)],
                                                  "fleet": [float(k) for k in range(1, 127)]})


def test_fractional_fleets_are_kept_unless_scaled_and_then_rounded_halves_up(tmp_path):
    """5, 7 and 9 GPUs at 50%: 3, 4 and 5 (not 2, 4 and 4, rounding halves to even); 2000.5 kept at 100%. 200 MW
    at 110% reads 220, not 220.00000000000003."""
    tables = two_prices()
    tables["fleet"]["installed"] = [5.0, 7.0, 2000.5]
    tables["periods"].loc[0, "power_mw"] = 200.0
    base = read_scenario(write_scenario(tables, tmp_path / "odd.xlsx"))
    assert scaled(base, fleet=50.0).fleet.to_numpy().ravel().tolist() == [3.0, 4.0, 1000.0]
    assert scaled(base, power=90.0).fleet.to_numpy().ravel().tolist() == [5.0, 7.0, 2000.5]
    assert scaled(base, power=110.0).periods["power_mw"].tolist()[0] == 220.0


def test_planner_vary_writes_the_variants_and_says_how_to_solve_them(tmp_path, capsys, monkeypatch):
    """The command to solve them; the input's own warnings (a column it does not read, which its variants do not
    hold); one variant alone, with no baseline; an --out that solving would take for an option, or for its reports;
    a hundred variants named by the first and last."""
    monkeypatch.chdir(tmp_path)
    tables = two_prices()
    tables["periods"]["notes"] = "kept by hand"
    write_scenario(tables, tmp_path / "two.xlsx")
    assert cli.main(["vary", "two.xlsx", "--out", "var", "--power", "90:110:10"]) == cli.EXIT_OK
    printed = capsys.readouterr()
    assert printed.out.splitlines() == ["wrote 3 variants of two.xlsx in var: two-power-090, two-power-100, "
                                        "two-power-110",
                                        "solve them as a sweep: planner solve var/* --baseline var/two-power-100"]
    assert "unknown column 'notes'" in printed.err
    assert cli.main(["solve", "var/two-power-090", "var/two-power-100", "var/two-power-110", "--baseline",
                     "var/two-power-100", "--outputs", "none"]) == cli.EXIT_OK
    assert 'id="chart-served-by-budget"' in (tmp_path / "reports" / "sweep.html").read_text(encoding="utf-8")
    assert cli.main(["vary", "two.xlsx", "--out", "var"]) == cli.EXIT_INPUT
    assert "give what to vary: --power, --fleet, --demand" in capsys.readouterr().err
    assert cli.main(["vary", "two.xlsx", "--out", "var", "--fleet", "50"]) == cli.EXIT_OK  # beside the others: listed
    assert capsys.readouterr().out.splitlines()[-1] == "solve it: planner solve var/two-fleet-050"
    assert cli.main(["vary", "two.xlsx", "--out=-v", "--power", "100"]) == cli.EXIT_OK  # one: no baseline
    assert capsys.readouterr().out.splitlines()[-1] == "solve it: planner solve ./-v/*"
    assert cli.main(["vary", "two.xlsx", "--out", "reports", "--power", "90"]) == cli.EXIT_INPUT
    assert "reports: planner solve writes its reports there; give another --out" in capsys.readouterr().err
    assert cli.main(["vary", "two.xlsx", "--out", "many", "--power", "1:100:1"]) == cli.EXIT_OK
    assert capsys.readouterr().out.splitlines()[0] == ("wrote 100 variants of two.xlsx in many: two-power-001, "
                                                       "two-power-002, two-power-003, ..., two-power-100")


def _three_of_each() -> dict:
    """Periods P1-P3 of 10, 20 and 30 MW; G1 and G2, 1000 GPUs each in every period; services S1 and S2 of 10 and
    20 B tokens a day (S2 with 4 B prompt tokens), and a training run T."""
    periods = [("P1", 1000.0, 10.0), ("P2", 1000.0, 20.0), ("P3", 1000.0, 30.0)]
    return scenario_tables(name="three", periods=periods, gpus=[gpu_row("G1"), gpu_row("G2")],
                           training=[training_row("T")],
                           inference=[inference_row("S1", tokens_per_day_b=10.0),
                                      inference_row("S2", tokens_per_day_b=20.0, input_tokens_per_day_b=4.0)])


def test_what_is_scaled_may_be_kept_to_periods_gpu_types_and_services(tmp_path):
    """At 50%: P2 and P3's budgets alone (10, 10, 15 MW); G2's fleet in P2 and P3 alone; S2's volumes alone. The
    variant reads back so, named by what it is kept to, whatever order the names are given in."""
    source = write_scenario(_three_of_each(), tmp_path / "three.xlsx")
    base = read_scenario(source)
    within = {"periods": ["P2", "P3"], "gpus": ["G2"], "services": ["S2"]}
    variant = scaled(base, power=50.0, fleet=50.0, demand=50.0, within=within)
    assert variant.periods["power_mw"].tolist() == [10.0, 10.0, 15.0]
    assert variant.fleet.to_numpy().tolist() == [[1000.0] * 3, [1000.0, 500.0, 500.0]]
    assert variant.inference[["tokens_per_day_b", "input_tokens_per_day_b"]].to_numpy().tolist() == [
        [10.0, base.inference["input_tokens_per_day_b"][0]], [10.0, 2.0]]
    assert variant.name == "three (power 50% in P2 and P3, fleet 50% of G2 in P2 and P3, demand 50% of S2)"
    [folder], _ = write_variants(source, tmp_path / "out", {"power": [50.0], "fleet": [50.0], "demand": [50.0]},
                                 {"periods": "P3,P2", "gpus": "G2", "services": "S2"})
    assert folder.name == "three-power-050-fleet-050-demand-050-periods-P2+P3-gpus-G2-services-S2"
    _same(read_scenario(folder), variant)
    [span], _ = write_variants(source, tmp_path / "out", {"power": [50.0]}, {"periods": "P2:P3"})
    assert read_scenario(span).periods["power_mw"].tolist() == [10.0, 10.0, 15.0]
    assert read_scenario(span).name == "three (power 50% in P2 and P3)"


def test_names_kept_to_that_the_scenario_lacks_are_refused_with_what_they_stand_for(tmp_path):
    source = write_scenario(_three_of_each(), tmp_path / "three.xlsx")
    for within, expected in [
        ({"gpus": "G1,g3"}, "no GPU type 'g3'"),
        ({"gpus": "G"}, "no GPU type 'G'"),  # begins two names
        ({"gpus": "g2"}, "no GPU type 'g2' (did you mean 'G2'?)"),  # whatever the case
        ({"services": "T, S-2"}, "'T' is a training run, not a service; no service 'S-2' (did you mean 'S2'?)"),
        ({"services": "S1,,S2, "}, "an empty service name (two commas in a row?)"),
        ({"periods": "P3:P1"}, "P3:P1 runs backwards: give P1:P3"),
        ({"periods": "P1:p3"}, "no period 'p3' (did you mean 'P3'?)"),
        ({"periods": "P1-P3, P1..P2"}, "no period 'P1-P3' (a span is written first:last: P1:P3); no period 'P1..P2' "
                                       "(a span is written first:last: P1:P2)"),
    ]:
        with pytest.raises(InputError) as refused:
            write_variants(source, tmp_path / "out", {"fleet": [50.0], "demand": [50.0]}, within)
        [key] = within
        its = {"gpus": "its GPU types: G1, G2", "services": "its services: S1, S2",
               "periods": "its periods: P1, P2, P3"}
        assert refused.value.problems == [f"--{key}: {source}: {expected}; {its[key]}"]
    with pytest.raises(InputError) as refused:
        write_variants(source, tmp_path / "out", {"power": [50.0]}, {"gpus": "G1", "services": "S1"})
    assert refused.value.problems == ["--gpus keeps --fleet and --delay to the GPU types it names; give --fleet or "
                                      "--delay too",
                                      "--services keeps --demand to the services it names; give --demand too"]
    assert not (tmp_path / "out").exists()


def test_folders_name_what_they_are_kept_to_apart(tmp_path):
    """A name with a comma is given alone; a name written otherwise in a folder's name ('G2, liquid/80GB' as
    'G2_liquid_80GB', as 'G2 liquid 80GB' would be) is followed by a hash, so their folders differ; three periods or
    more in a row are a span; names too long for a folder's name are a count and a hash; a folder name too long for
    a file system is refused."""
    tables = _three_of_each()
    tables["gpus"].loc[1, "gpu"] = "G2, liquid/80GB"
    tables["fleet"]["gpu"] = tables["fleet"]["gpu"].replace("G2", "G2, liquid/80GB")
    source = write_scenario(tables, tmp_path / "comma.xlsx")
    scenario = read_scenario(source)
    assert names_within(scenario, "gpus", "G2, liquid/80GB", source) == (["G2, liquid/80GB"], "")
    assert names_within(scenario, "gpus", "G2, liquid/80GB,G1", source)[0] == []  # split: not names
    [folder], _ = write_variants(source, tmp_path / "out", {"fleet": [50.0]}, {"gpus": "G2, liquid/80GB"})
    assert re.fullmatch(r"comma-fleet-050-gpus-G2_liquid_80GB-[0-9a-f]{8}", folder.name)
    assert within_name(scenario, {"gpus": ["G2 liquid 80GB"]}) != within_name(scenario, {"gpus": ["G2, liquid/80GB"]})
    assert within_name(scenario, {"periods": ["P1", "P2", "P3"], "gpus": ["G1"]}) == "-periods-P1..P3-gpus-G1"
    assert within_name(scenario, {"periods": ["P1", "P3"]}) == "-periods-P1+P3"
    many = [f"G{number:03d}" for number in range(24)]
    assert re.fullmatch(r"-gpus-24-[0-9a-f]{8}", within_name(scenario, {"gpus": many}))
    assert within_name(scenario, {"gpus": many}) != within_name(scenario, {"gpus": many[:-1] + ["G999"]})
    long = write_scenario(tables, tmp_path / f"{'a' * 240}.xlsx")
    with pytest.raises(InputError, match="-fleet-050-gpus-G1: the variants. folder names would be up to 258 bytes "
                                         "long, more than the 255 a file system takes: give the input a shorter name"):
        write_variants(long, tmp_path / "out", {"fleet": [50.0]}, {"gpus": "G1"})


def test_variants_kept_to_other_gpu_types_are_solved_as_one_sweep(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_scenario(_three_of_each(), tmp_path / "three.xlsx")
    for gpu in ("G1", "G2"):
        assert cli.main(["vary", "three.xlsx", "--out", "var", "--fleet", "50", "--gpus", gpu]) == cli.EXIT_OK
    assert capsys.readouterr().out.splitlines()[-1] == "solve it: planner solve var/three-fleet-050-gpus-G2"
    assert cli.main(["solve", "var/three-fleet-050-gpus-G1", "var/three-fleet-050-gpus-G2", "--outputs", "none"]) \
        == cli.EXIT_OK
    rows = json.loads((tmp_path / "reports" / "sweep.json").read_text(encoding="utf-8"))
    assert [row["scenario"] for row in rows] == ["three (fleet 50% of G1)", "three (fleet 50% of G2)"]
    assert cli.main(["vary", "three.xlsx", "--out", "var", "--power", "50", "--gpus", "G1"]) == cli.EXIT_INPUT
    assert "--gpus keeps --fleet and --delay to the GPU types it names; give --fleet or --delay too" in \
        capsys.readouterr().err


def test_deliveries_later_by_whole_periods_keep_the_fleet_at_the_start(tmp_path):
    """G1 retires from 2000 to 1000 GPUs, G2 arrives from 0 to 1000 and 3000: a period later, each period has the
    GPUs of the one before, the first its own; kept to G2, G1 as it was; two periods and ten, beyond the horizon."""
    tables = _three_of_each()
    tables["fleet"]["installed"] = [2000.0, 1000.0, 1000.0, 0.0, 1000.0, 3000.0]
    source = write_scenario(tables, tmp_path / "three.xlsx")
    base = read_scenario(source)
    assert scaled(base, delay=1.0).fleet.to_numpy().tolist() == [[2000.0, 2000.0, 1000.0], [0.0, 0.0, 1000.0]]
    later = scaled(base, delay=2.0, within={"gpus": ["G2"]})
    assert later.fleet.to_numpy().tolist() == [[2000.0, 1000.0, 1000.0], [0.0, 0.0, 0.0]]
    assert later.name == "three (deliveries of G2 2 periods later)"
    assert scaled(base, fleet=50.0, delay=1.0).name == "three (fleet 50%, deliveries 1 period later)"
    folders, warnings = write_variants(source, tmp_path / "out", {"delay": [0.0, 1.0, 10.0]}, {"gpus": "G2"})
    assert warnings == ["a delay of 2 periods or more leaves G2 at the first period's fleet throughout the horizon "
                        "of 3 periods"]
    assert [folder.name for folder in folders] == ["three-delay-00-gpus-G2", "three-delay-01-gpus-G2",
                                                   "three-delay-10-gpus-G2"]
    _same(read_scenario(folders[0]), base)
    assert read_scenario(folders[2]).fleet.to_numpy().tolist() == [[2000.0, 1000.0, 1000.0], [0.0, 0.0, 0.0]]


def test_a_fleet_may_be_scaled_to_nothing_but_budgets_and_volumes_may_not(tmp_path, capsys, monkeypatch):
    """0% of G2 in P2 and P3: a delivery that never comes; 0% of a budget or a token volume would not read back."""
    assert percentages("0:100:50", zero=True) == [0.0, 50.0, 100.0]
    with pytest.raises(ValueError, match="percentages from 0.0001 up to"):
        percentages("0:100:50")
    monkeypatch.chdir(tmp_path)
    write_scenario(_three_of_each(), tmp_path / "three.xlsx")
    assert cli.main(["vary", "three.xlsx", "--out", "var", "--fleet", "0", "--gpus", "G2", "--periods", "P2:P3"]) \
        == cli.EXIT_OK
    assert read_scenario(tmp_path / "var" / "three-fleet-000-periods-P2+P3-gpus-G2").fleet.to_numpy().tolist() == [
        [1000.0] * 3, [1000.0, 0.0, 0.0]]
    with pytest.raises(SystemExit):
        cli.main(["vary", "three.xlsx", "--out", "var", "--power", "0"])
    assert "argument --power: percentages from 0.0001 up to" in capsys.readouterr().err
    assert percentages("-0,0", zero=True) == [0.0] and str(percentages("-0", zero=True)[0]) == "0.0"
    assert cli.main(["vary", "three.xlsx", "--out", "none", "--fleet", "0"]) == cli.EXIT_OK  # no GPUs at all
    assert (f"warning: {Path('none') / 'three-fleet-000'}: no GPUs installed in any period: solving it is refused, as "
            "for any workbook") in capsys.readouterr().err


@pytest.mark.parametrize("text, expected", [("0,1,2", [0.0, 1.0, 2.0]), ("0:4:2", [0.0, 2.0, 4.0]), ("3", [3.0])])
def test_delays_are_whole_periods(text, expected):
    assert delays(text) == expected


@pytest.mark.parametrize("text", ["", "0.5", "-1", "1001", "a", "0:2:0.5", "1,1.5"])
def test_delays_other_than_whole_periods_up_to_a_thousand_are_refused(text):
    with pytest.raises(ValueError, match="whole periods from 0 up to 1,000, as 0,1,2 or 0:4:1"):
        delays(text)


def test_planner_vary_takes_the_variant_without_delay_as_the_baseline(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_scenario(_three_of_each(), tmp_path / "three.xlsx")
    assert cli.main(["vary", "three.xlsx", "--out", "var", "--delay", "0:1:1", "--fleet", "100"]) == cli.EXIT_OK
    assert capsys.readouterr().out.splitlines()[-1] == ("solve them as a sweep: planner solve var/* --baseline "
                                                        "var/three-fleet-100-delay-0")
    with pytest.raises(SystemExit) as refused:
        cli.main(["vary", "three.xlsx", "--out", "var", "--delay", "0.5"])
    assert refused.value.code == cli.EXIT_INPUT
    assert "argument --delay: whole periods from 0 up to 1,000" in capsys.readouterr().err
