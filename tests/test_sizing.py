"""Unit tests of the sizing stage (planner/sizing.py).

The pure formulas are called directly; the serving roofline is exercised through
``size(scenario)`` (its ``inference_rates`` table: tokens_per_s_per_gpu,
gpus_per_replica, batch, bound, source), which is the contract the model reads.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import gpu_row, inference_row, scenario_tables, training_row, write_scenario
from planner import sizing
from planner.sizing import demand_tokens_per_s, size, training_flops
from planner.workbook import InputError, read_scenario

# H100 SXM: 989 TFLOP/s dense BF16, 80 GB HBM3 at 3.35 TB/s
H100 = dict(bf16_tflops=989.0, hbm_gb=80.0, hbm_tbps=3.35)


def sized(tmp_path, tables):
    return size(read_scenario(write_scenario(tables, tmp_path / "scenario")))


def rates_of(tmp_path, services: list[dict], gpus: list[dict], throughput=None):
    """Inference rates per (service, gpu); a small training run rides along (it does not
    change any service's rate)."""
    tables = scenario_tables(gpus=gpus, training=[training_row("filler", params_b=1.0)], inference=services,
                             throughput=throughput)
    return sized(tmp_path, tables).inference_rates.set_index(["workload", "gpu"])


FILLER_SERVICE = inference_row("filler", params_b=1.0)


# ---------------------------------------------------------------------------
# training


def test_training_flops_gpt3():
    """GPT-3: 6 x 175e9 params x 300e9 tokens = 3.15e23 FLOPs (the paper reports 3.14e23)."""
    flops = np.asarray(training_flops(np.array([175.0]), np.array([300.0])))
    assert flops.shape == (1,)
    assert flops[0] == pytest.approx(3.15e23, rel=1e-12)
    assert flops[0] == pytest.approx(3.14e23, rel=0.005)


def test_training_flops_vectorised():
    """Element-wise over runs; DeepSeek-V3 (37 B active of 671 B, 14.8 T tokens) uses active params."""
    flops = np.asarray(training_flops(np.array([1.0, 37.0]), np.array([2.0, 14_800.0])))
    assert flops == pytest.approx([6 * 1e9 * 2e9, 6 * 37e9 * 14_800e9], rel=1e-12)


def test_training_flops_in_sizing_use_active_params(tmp_path):
    """A blank active_params_b means a dense model: FLOPs from params_b; a given one wins."""
    tables = scenario_tables(training=[
        training_row("dense", params_b=70.0, tokens_b=1000.0),
        training_row("moe", params_b=671.0, active_params_b=37.0, tokens_b=1000.0),
    ], inference=[FILLER_SERVICE])
    flops = sized(tmp_path, tables).training.set_index("workload")["flops"]
    assert flops["dense"] == pytest.approx(6 * 70e9 * 1000e9, rel=1e-12)
    assert flops["moe"] == pytest.approx(6 * 37e9 * 1000e9, rel=1e-12)


def test_training_rate_is_peak_times_mfu(tmp_path):
    """Delivered FLOP/s per GPU = peak x 1e12 x mfu (x goodput, 1 here) for each GPU type."""
    tables = scenario_tables(
        gpus=[gpu_row("H100", **H100), gpu_row("B200", bf16_tflops=2250.0, hbm_gb=192.0, hbm_tbps=8.0)],
        training=[training_row("a", mfu=0.4), training_row("b", mfu=0.5)],
        inference=[FILLER_SERVICE],
    )
    matrix = _training_matrix(sized(tmp_path, tables))
    assert matrix.loc["a", "H100"] == pytest.approx(989e12 * 0.4, rel=1e-12)
    assert matrix.loc["a", "B200"] == pytest.approx(2250e12 * 0.4, rel=1e-12)
    assert matrix.loc["b", "H100"] == pytest.approx(989e12 * 0.5, rel=1e-12)


def test_fp8_and_fp4_training_gain_what_runs_measure_not_what_peaks_promise(tmp_path):
    """With MFU blank, an FP8 run delivers 1.35 x and an FP4 run 1.75 x the BF16 rate on the same GPUs
    (Llama 3 70B on H100: 415 -> 570 TFLOP/s in FP8), not the 2 x and 4 x of their peaks; the GPU
    type's own MFU is read as BF16's the same way, and no GPU gains more than its FP8 peak holds over
    its BF16 one. A typed MFU is the run's own, of its peak."""
    b200 = dict(bf16_tflops=2250.0, fp8_tflops=4500.0, fp4_tflops=9000.0, hbm_gb=180.0, hbm_tbps=8.0)
    tables = scenario_tables(
        gpus=[gpu_row("H100", fp8_tflops=1979.0, **H100), gpu_row("B200", **b200),
              gpu_row("B200-tuned", mfu=0.5, **b200),
              gpu_row("same-fp8", bf16_tflops=1000.0, fp8_tflops=1000.0, mfu=0.8)],
        training=[training_row(name, mfu=None, precision=precision)
                  for name, precision in (("bf16", "bf16"), ("fp8", "fp8"), ("fp4", "fp4"))]
        + [training_row("fp8-typed", mfu=0.3, precision="fp8")],
        inference=[FILLER_SERVICE],
    )
    matrix = _training_matrix(sized(tmp_path, tables))
    assert matrix.loc["bf16", "H100"] == pytest.approx(989e12 * 0.40, rel=1e-12)
    assert matrix.loc["fp8", "H100"] == pytest.approx(989e12 * 0.40 * 1.35, rel=1e-12)
    assert matrix.loc["fp8", "B200"] == pytest.approx(2250e12 * 0.35 * 1.35, rel=1e-12)
    assert matrix.loc["fp4", "B200"] == pytest.approx(2250e12 * 0.35 * 1.75, rel=1e-12)
    assert matrix.loc["fp8", "B200-tuned"] == pytest.approx(2250e12 * 0.5 * 1.35, rel=1e-12)
    assert matrix.loc["fp8-typed", "H100"] == pytest.approx(1979e12 * 0.3, rel=1e-12)
    assert matrix.loc["fp4", "H100"] == 0  # no FP4 on an H100
    assert matrix.loc["fp8", "same-fp8"] == pytest.approx(1000e12 * 0.8, rel=1e-12)  # no faster than its peak


def _training_matrix(result):
    if hasattr(result, "training_rate_matrix"):
        return result.training_rate_matrix()
    return result.training_rates


# ---------------------------------------------------------------------------
# inference demand


def test_demand_tokens_per_s():
    """86.4 B tokens a day = 1e6 tokens/s on average; a peak factor of 2.5 sizes for 2.5e6."""
    assert np.asarray(demand_tokens_per_s(np.array([86.4]), np.array([1.0])))[0] == pytest.approx(1e6, rel=1e-12)
    assert np.asarray(demand_tokens_per_s(np.array([86.4, 8.64]), np.array([2.5, 1.0]))) == pytest.approx(
        [2.5e6, 1e5], rel=1e-12)


def test_demand_in_sizing(tmp_path):
    tables = scenario_tables(training=[training_row("filler", params_b=1.0)],
                             inference=[inference_row("s", tokens_per_day_b=172.8, peak_factor=1.5)])
    demand = sized(tmp_path, tables).inference.set_index("workload")["demand_tokens_per_s"]
    assert demand["s"] == pytest.approx(172.8e9 * 1.5 / 86_400, rel=1e-12)


# ---------------------------------------------------------------------------
# serving roofline


def test_70b_bf16_does_not_fit_one_80gb_gpu(tmp_path):
    """70 B params x 2 bytes (BF16) = 140 GB of weights > 0.9 x 80 GB usable HBM, so a replica
    needs more than one GPU; with 141 GB of HBM (127 GB usable) it still needs two."""
    rates = rates_of(tmp_path, [inference_row("llama70b", params_b=70.0)],
                     [gpu_row("H100", **H100), gpu_row("H200", bf16_tflops=989.0, hbm_gb=141.0, hbm_tbps=4.8)])
    h100 = rates.loc[("llama70b", "H100")]
    assert h100["gpus_per_replica"] > 1
    assert h100["tokens_per_s_per_gpu"] > 0
    assert h100["batch"] >= 1
    assert rates.loc[("llama70b", "H200"), "gpus_per_replica"] >= 2


def test_small_model_can_use_a_single_gpu(tmp_path):
    """8 B at BF16 = 16 GB: one 80 GB GPU holds it; whatever replica wins, it serves tokens."""
    rates = rates_of(tmp_path, [inference_row("llama8b", params_b=8.0)], [gpu_row("H100", **H100)])
    assert rates.loc[("llama8b", "H100"), "gpus_per_replica"] >= 1
    assert rates.loc[("llama8b", "H100"), "tokens_per_s_per_gpu"] > 0


def test_fp4_weights_count_their_scales(tmp_path):
    """NVFP4 keeps an FP8 scale per 16 values: 0.5625 bytes per parameter. 8,600 B of them are 4.84 TB,
    more than 64 x 80 GB x 0.9 = 4.61 TB holds; at a bare 0.5 bytes (4.3 TB) they would fit."""
    with pytest.raises(InputError, match=r"fits no GPU type: its fp4 weights \(4,838 GB\) exceed 64 GPUs"):
        rates_of(tmp_path, [inference_row("fp4-8600b", params_b=8_600.0, precision="fp4")],
                 [gpu_row("B-80GB", fp4_tflops=9000.0, **H100)])


def test_model_too_big_for_64_gpus_gets_zero(tmp_path, solve_case):
    """3000 B params = 6 TB of BF16 weights > 64 x 80 GB x 0.9 = 4.6 TB: no H100 replica fits, so
    0 tokens/s on H100; 64 x 192 GB x 0.9 = 11 TB on B200 holds it. The model then gives the
    service no H100s, even when only H100s have power to spare."""
    gpus = [gpu_row("H100", **H100), gpu_row("B200", bf16_tflops=2250.0, hbm_gb=192.0, hbm_tbps=8.0)]
    tables = scenario_tables(gpus=gpus, fleet=[("H100", "P1", 1000.0)],
                             training=[training_row("filler", params_b=1.0)],
                             inference=[inference_row("giant", params_b=3000.0), inference_row("small")])
    result = sized(tmp_path, tables)
    rates = result.inference_rates.set_index(["workload", "gpu"])
    giant = rates.loc[("giant", "H100")]
    assert giant["tokens_per_s_per_gpu"] == 0.0
    # no replica to size: blank, as the README has columns that do not apply, not a replica of 0 GPUs
    assert giant[["gpus_per_replica", "min_gpus", "batch"]].isna().all()
    assert giant["bound"] == "does not fit"
    assert rates.loc[("giant", "B200"), "tokens_per_s_per_gpu"] > 0
    assert rates.loc[("giant", "B200"), "gpus_per_replica"] > 1
    assert rates.loc[("small", "H100"), "tokens_per_s_per_gpu"] > 0
    run = solve_case(tables)
    served = run.results.workloads.set_index("workload")["served_fraction"]
    assert served["giant"] == 0.0
    assert not (run.results.allocation["workload"] == "giant").any()
    assert served["small"] > 0


def test_boundary_of_fitting_at_64_gpus(tmp_path):
    """Usable HBM of 64 x 80 GB x 0.9 = 4608 GB holds 2304 B BF16 params and nothing else (no
    room for one KV sequence): 0 tokens/s. 2000 B params leave room: it fits, at 64 GPUs."""
    rates = rates_of(tmp_path, [inference_row("edge", params_b=2304.0), inference_row("fits", params_b=2000.0)],
                     [gpu_row("H100", **H100)])
    assert rates.loc[("edge", "H100"), "tokens_per_s_per_gpu"] == 0.0
    assert rates.loc[("fits", "H100"), "gpus_per_replica"] == sizing.MAX_REPLICA_GPUS
    assert rates.loc[("fits", "H100"), "tokens_per_s_per_gpu"] > 0


def test_compute_versus_bandwidth_bound(tmp_path):
    """1 B params (2 GB weights; KV 40 kB x sqrt(1) x 2048 tokens = 81.9 MB per sequence).

    GPU 'slowmath': 1 TFLOP/s, 100 TB/s. One replica GPU, batch 256 (memory allows 854):
    compute time per step 256 x 2e9 / (1e12 x 0.5) = 1.02 s >> reading 2e9 + 256 x 81.9e6 bytes
    at 100 TB/s = 0.23 ms: compute bound, 256 / 1.024 = 250 tokens/s per GPU.
    GPU 'slowmemory': 1000 TFLOP/s, 0.1 TB/s: reading 22.97 GB takes 0.23 s >> 1.02 ms of
    compute: bandwidth bound, 256 / 0.2297 = 1114.5 tokens/s per GPU.
    """
    rates = rates_of(tmp_path, [inference_row("tiny", params_b=1.0)], [
        gpu_row("slowmath", bf16_tflops=1.0, hbm_gb=80.0, hbm_tbps=100.0),
        gpu_row("slowmemory", bf16_tflops=1000.0, hbm_gb=80.0, hbm_tbps=0.1),
    ])
    compute = rates.loc[("tiny", "slowmath")]
    bandwidth = rates.loc[("tiny", "slowmemory")]
    assert compute["bound"] == "compute"
    assert bandwidth["bound"] == "bandwidth"
    assert compute["gpus_per_replica"] == 1 and bandwidth["gpus_per_replica"] == 1
    assert compute["tokens_per_s_per_gpu"] == pytest.approx(1e12 * 0.5 / (2 * 1e9), rel=1e-9)
    kv_seq = 40e3 * math.sqrt(1.0) * 2048
    assert bandwidth["batch"] == 256
    assert bandwidth["tokens_per_s_per_gpu"] == pytest.approx(256 * 0.1e12 / (2e9 + 256 * kv_seq), rel=1e-9)


def test_mixture_of_experts_compute_uses_active_params(tmp_path):
    """Compute-bound throughput scales with active, not total, parameters."""
    gpu = [gpu_row("slowmath", bf16_tflops=1.0, hbm_gb=80.0, hbm_tbps=100.0)]
    rates = rates_of(tmp_path, [inference_row("dense", params_b=20.0),
                                inference_row("moe", params_b=20.0, active_params_b=2.0)], gpu)
    assert rates.loc[("dense", "slowmath"), "bound"] == "compute"
    assert rates.loc[("moe", "slowmath"), "bound"] == "compute"
    assert rates.loc[("moe", "slowmath"), "tokens_per_s_per_gpu"] == pytest.approx(
        10 * rates.loc[("dense", "slowmath"), "tokens_per_s_per_gpu"], rel=1e-9)


def test_a_small_mixture_of_experts_batch_meets_a_latency_target_reading_only_active_weights(tmp_path):
    """80B parameters, 8B active, BF16 (160 GB of weights), 200 tokens/s per user, on 80 GB GPUs at 3 TB/s.
    Four GPUs hold the weights (4 x 72 GB usable); a decode step may then read 0.95^2 x 4 x 3e12 / 200 = 54 GB
    (communication takes 0.95 per doubling), less than the weights, but a batch of 3 touches at most 3 x 8B
    active parameters: 3 x (16 GB + 0.73 GB of cache) = 50.2 GB, within the target (a fourth would read
    66.9 GB). So four GPUs serve, at
    0.95^2 x 3 / (50.2 GB / 12 TB/s) / 4 = 162 tokens/s per GPU."""
    gpu = gpu_row("A", bf16_tflops=1000.0, hbm_gb=80.0, hbm_tbps=3.0)
    tables = scenario_tables(gpus=[gpu], training=[], inference=[
        inference_row("moe", params_b=80.0, active_params_b=8.0, min_tokens_per_s_per_user=200.0)])
    sizes = sized(tmp_path, tables)
    kv_seq = 40e3 * math.sqrt(80.0) * 2048
    read = 3 * (16e9 + kv_seq)
    assert sizes.inference_rates.loc[0, "min_gpus"] == 4
    replicas = sizes.inference_replicas.set_index("gpus_per_replica")["tokens_per_s_per_gpu"]
    assert replicas[4] == pytest.approx(0.95 ** 2 * 3 / (read / 12e12) / 4, rel=1e-9)


@pytest.mark.parametrize("active_b", [70.0, 8.0])
def test_the_replica_chosen_meets_the_latency_target_after_its_communication(active_b):
    """Each user gets the tokens/s asked once the replica's communication (0.95 per doubling) slows its
    decode step: a 70B BF16 model (dense, and with 8B active) on H100s, targets from 10 to 400 tokens/s."""
    kv_seq = sizing.kv_bytes_per_token([70], [80], [8], [128], ["bf16"]) * 2048
    for target in np.linspace(10.0, 400.0, 79):
        best = sizing.serving_roofline([70], [active_b], [2.0], kv_seq, [0.0], [target], np.array([[989.0]]),
                                       [80], [3.35])
        n, batch = best["gpus_per_replica"][0, 0], best["batch"][0, 0]
        if best["bound"][0, 0] < 0:
            continue
        read = min(70e9, batch * active_b * 1e9) * 2.0 + batch * kv_seq[0]
        step_s = max(read / (n * 3.35e12), batch * 2.0 * active_b * 1e9 / (n * 989e12 * 0.5))
        assert 0.95 ** math.log2(n) / step_s >= target * (1 - 1e-12), (target, n, batch)


def test_more_bandwidth_never_lowers_the_estimate(tmp_path):
    """Monotone in bandwidth and in FLOP/s: a strictly better GPU never serves fewer tokens/s."""
    base = dict(bf16_tflops=989.0, hbm_gb=80.0, hbm_tbps=3.35)
    rates = rates_of(tmp_path, [inference_row("m", params_b=70.0), inference_row("s", params_b=8.0)], [
        gpu_row("base", **base),
        gpu_row("more_bw", **{**base, "hbm_tbps": 6.7}),
        gpu_row("more_flops", **{**base, "bf16_tflops": 1978.0}),
        gpu_row("more_hbm", **{**base, "hbm_gb": 160.0}),
    ])
    for service in ("m", "s"):
        base_rate = rates.loc[(service, "base"), "tokens_per_s_per_gpu"]
        for better in ("more_bw", "more_flops", "more_hbm"):
            assert rates.loc[(service, better), "tokens_per_s_per_gpu"] >= base_rate * (1 - 1e-12), (service, better)


def test_measured_throughput_overrides_estimate(tmp_path):
    """A ``throughput`` row replaces the estimate for its (service, GPU) pair only."""
    gpus = [gpu_row("H100", **H100), gpu_row("B200", bf16_tflops=2250.0, hbm_gb=192.0, hbm_tbps=8.0)]
    services = [inference_row("chat", params_b=70.0)]
    estimated = rates_of(tmp_path / "a", services, gpus)
    measured = rates_of(tmp_path / "b", services, gpus, throughput=[("chat", "H100", 1234.5)])
    assert measured.loc[("chat", "H100"), "tokens_per_s_per_gpu"] == 1234.5
    assert measured.loc[("chat", "H100"), "source"] == "measured"
    assert measured.loc[("chat", "H100"), "bound"] == "measured"
    assert estimated.loc[("chat", "H100"), "source"] == "estimated"
    assert estimated.loc[("chat", "H100"), "tokens_per_s_per_gpu"] != 1234.5
    # the other pair keeps its estimate, unchanged
    assert measured.loc[("chat", "B200"), "source"] == "estimated"
    assert measured.loc[("chat", "B200"), "tokens_per_s_per_gpu"] == pytest.approx(
        estimated.loc[("chat", "B200"), "tokens_per_s_per_gpu"], rel=1e-12)


def test_measured_throughput_for_a_model_that_does_not_fit(tmp_path):
    """A measurement wins even where the estimate says the model does not fit (the user knows better,
    e.g. a quantised or offloaded deployment)."""
    rates = rates_of(tmp_path, [inference_row("giant", params_b=10_000.0)], [gpu_row("H100", **H100)],
                     throughput=[("giant", "H100", 50.0)])
    assert rates.loc[("giant", "H100"), "tokens_per_s_per_gpu"] == 50.0
    assert rates.loc[("giant", "H100"), "source"] == "measured"
    # at the fewest GPUs holding its 20 TB of weights in 72 GB each (278), a power of two: it was taken at one
    assert rates.loc[("giant", "H100"), ["min_gpus", "gpus_per_replica"]].tolist() == [512, 512]
    assert np.isnan(rates.loc[("giant", "H100"), "batch"])  # the roofline's batch is not the deployment's


def test_a_measured_rate_at_a_precision_the_gpu_lacks_is_taken_where_its_weights_fit(tmp_path):
    """A 140B FP8 service measured on a GPU type with no FP8 peak (weight-only FP8, say): no estimate, so the
    replica is the fewest GPUs holding 140 GB in 72 GB each, two; it was one."""
    rates = rates_of(tmp_path, [inference_row("chat", params_b=140.0, precision="fp8")],
                     [gpu_row("A100", hbm_gb=80.0)], throughput=[("chat", "A100", 400.0)])
    assert rates.loc[("chat", "A100"), ["min_gpus", "gpus_per_replica"]].tolist() == [2, 2]


@pytest.mark.parametrize("kinds", ["training only", "inference only"])
def test_scenario_with_one_kind_of_workload_sizes(tmp_path, kinds):
    """A scenario may have no training runs or no inference services (an empty sheet). An earlier
    sizing crashed here: precision.map(...) of an empty Series is float, and indexing the peak
    table with it raised IndexError."""
    if kinds == "training only":
        tables = scenario_tables(training=[training_row("T")], inference=[])
    else:
        tables = scenario_tables(training=[], inference=[inference_row("S")])
    result = sized(tmp_path, tables)
    if kinds == "training only":
        assert result.inference_rates.empty
        assert result.training.set_index("workload").loc["T", "flops"] == pytest.approx(6e24, rel=1e-12)
    else:
        assert result.training.empty
        assert result.inference_rates.set_index(["workload", "gpu"]).loc[("S", "G1"), "tokens_per_s_per_gpu"] > 0
