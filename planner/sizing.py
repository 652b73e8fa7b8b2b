"""Sizing: turn parameter counts and token volumes into per-GPU rates and limits.

Pure functions of the scenario; the formulas are stated here and, with their
sources and known weaknesses, in ``docs/sizing.md``.

Training, per (run, GPU type):
    required FLOPs      = 6 x active parameters x training tokens   (Kaplan et al. 2020)
    delivered FLOP/s    = peak at the run's precision x MFU x goodput
                          (a measured ``train_tflops_per_gpu`` replaces peak x MFU)
    memory minimum      = ceil(params x TRAINING_BYTES_PER_PARAM x (1 + ACTIVATION_ALLOWANCE)
                               / (hbm x HBM_USABLE)) GPUs
    MFU when blank      = the GPU type's ``mfu``; else 0.40 up to 1,000 dense BF16 TFLOP/s
                          (Hopper class), 0.35 above (MI300 and Blackwell class); both for BF16.
                          At FP8 or FP4 it is scaled to give TRAINING_SPEEDUP x the BF16 rate,
                          not the 2x or 4x that the peaks suggest

Inference, per (service, GPU type), at a replica of n GPUs (tensor parallel):
    weights             = params x bytes per parameter at the precision
    KV bytes per token  = 2 x layers x kv_heads x head_dim x KV bytes per value, or when the
                          architecture is blank 40 kB x sqrt(params_b) at BF16 (GQA rule of thumb)
    batch               = largest B <= MAX_BATCH whose KV cache (B x context_tokens x KV bytes
                          per token) fits beside the weights in n x hbm x HBM_USABLE ("memory"),
                          and whose step time meets the latency target ("latency")
    step time           = max(bytes read / (n x hbm_tbps),  B x 2 x active / (n x peak x EFFICIENCY))
                          bytes read = min(params, B x active) x bytes per param + B x KV per sequence
    decode tokens/s     = B / step time
    prefill             = 2 x active FLOPs per input token at n x peak x EFFICIENCY
    tokens/s per GPU    = TP^log2(n) / (n / decode + input share x n / prefill),
                          input share = input / output, TP = TENSOR_PARALLEL_EFFICIENCY
The replica size (power of two up to MAX_REPLICA_GPUS) with the most tokens/s per GPU
wins. A measured ``tokens_per_s_per_gpu`` replaces the estimate for its pair.

Demand: tokens/s at peak = tokens_per_day x peak_factor / 86,400.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner.schema import TRAINING

if TYPE_CHECKING:  # sizing reads a Scenario; validation reuses sizing's memory rule
    from planner.workbook import Scenario

BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5 + 1 / 16}  # NVFP4: an FP8 scale per 16 values
KV_BYTES_PER_VALUE = {"bf16": 2.0, "fp8": 1.0, "fp4": 1.0}  # FP4 serving keeps an FP8 KV cache
PEAK_COLUMN = {"bf16": "bf16_tflops", "fp8": "fp8_tflops", "fp4": "fp4_tflops"}
TRAINING_BYTES_PER_PARAM = 16.0  # mixed-precision Adam: BF16 weights 2 + grads 2, FP32 master 4 + moments 8
ACTIVATION_ALLOWANCE = 0.25  # activations and buffers, on top of weights and optimizer state
HBM_USABLE = 0.90  # share of HBM left to the model after runtime overheads
KV_BYTES_PER_TOKEN_PER_SQRT_B = 40e3  # at BF16: ~330 kB/token at 70B, ~110 kB at 7B
MAX_BATCH = 256  # sequences decoded together per replica
INFERENCE_COMPUTE_EFFICIENCY = 0.50  # share of peak FLOP/s reached when compute bound
REPLICA_SIZES = (1, 2, 4, 8, 16, 32, 64)
TENSOR_PARALLEL_EFFICIENCY = 0.95  # throughput kept per doubling of the replica (communication)
MAX_REPLICA_GPUS = REPLICA_SIZES[-1]
MFU_BY_GENERATION = ((1000.0, 0.40), (np.inf, 0.35))  # (up to dense BF16 TFLOP/s, default MFU at BF16)
# training throughput over BF16 on the same GPUs, not the 2x and 4x of the peaks: Llama 3 70B on
# H100 went from 415 to 570 TFLOP/s per GPU in FP8 (Fujii et al. 2024, arXiv 2411.08719); NVIDIA
# reports NVFP4 1.31-1.73x faster than FP8 for Llama 3 on Blackwell (2025), taken at its low end
TRAINING_SPEEDUP = {"bf16": 1.0, "fp8": 1.35, "fp4": 1.75}  # FP4: about 1.35 x 1.3
GOODPUT_DEFAULT = TRAINING.column("goodput").default
SECONDS_PER_DAY = 86_400.0


@dataclass
class Sizing:
    """Derived needs and rates. Units are in column names.

    - ``training``: workload, flops (required), max_gpus (NaN: no limit)
    - ``training_rates``: long table: workload, gpu, precision, peak_tflops, mfu, goodput,
      flops_per_s_per_gpu (0: cannot run), min_gpus (the memory minimum on that GPU or the user's, the
      larger), gpu_hours, days_at_max_gpus, source ("estimated"/"measured"), note (why a GPU cannot run it)
    - ``inference``: workload, demand_tokens_per_s (at peak)
    - ``inference_rates``: long table: workload, gpu, precision, tokens_per_s_per_gpu,
      gpus_per_replica (the replica with the most tokens/s per GPU), min_gpus (the smallest that
      serves at all), batch (these three NaN where none serves), bound ("compute", "bandwidth", "memory",
      "latency", "measured", or why it cannot run), source
    - ``power_factor``: workload -> share of it_w drawn by its GPUs
    - ``inference_replicas``: long table: workload, gpu, gpus_per_replica, tokens_per_s_per_gpu,
      one row per replica size that serves (a measured pair: its one replica, at the measured
      rate), for a plan where too few GPUs are installed for the best replica
    """

    training: pd.DataFrame
    training_rates: pd.DataFrame
    inference: pd.DataFrame
    inference_rates: pd.DataFrame
    power_factor: pd.Series
    inference_replicas: pd.DataFrame

    def training_rate_matrix(self) -> pd.DataFrame:
        """workload x gpu table of delivered FLOP/s per GPU (0 where it cannot run)."""
        return self.training_rates.pivot(index="workload", columns="gpu", values="flops_per_s_per_gpu")

    def training_grids(self, runs: Sequence[str], gpus: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Runs x GPU types, in the orders given: delivered FLOP/s per GPU (0 where the type cannot run it), and the
        fewest GPUs of the type that hold the run at once (1 at least)."""
        minimum = self.training_rates.pivot(index="workload", columns="gpu", values="min_gpus")
        return (self.training_rate_matrix().reindex(index=runs, columns=gpus).to_numpy(),
                np.fmax(minimum.reindex(index=runs, columns=gpus).to_numpy(), 1.0))


# ---------------------------------------------------------------------------
# formulas


def training_flops(active_params_b, tokens_b) -> np.ndarray:
    """Required training FLOPs: 6 x active parameters x tokens."""
    return 6.0 * np.asarray(active_params_b, dtype=float) * 1e9 * np.asarray(tokens_b, dtype=float) * 1e9


def default_mfu(bf16_tflops) -> np.ndarray:
    """MFU by GPU generation, when neither the run nor the GPU type gives one."""
    tflops = np.asarray(bf16_tflops, dtype=float)
    limits = np.array([limit for limit, _ in MFU_BY_GENERATION])
    values = np.array([mfu for _, mfu in MFU_BY_GENERATION])
    return values[np.searchsorted(limits, tflops)]


def training_min_gpus(params_b, hbm_gb) -> np.ndarray:
    """Fewest GPUs whose memory holds weights, gradients, optimizer state and activations.

    Runs on rows, GPU types on columns.
    """
    state = np.asarray(params_b, dtype=float) * 1e9 * TRAINING_BYTES_PER_PARAM * (1 + ACTIVATION_ALLOWANCE)
    return gpus_holding(state, hbm_gb)


def gpus_holding(bytes_needed, hbm_gb) -> np.ndarray:
    """Fewest whole GPUs whose usable memory holds ``bytes_needed``: a row per figure needed, a column per GPU
    type."""
    return np.ceil(np.asarray(bytes_needed, dtype=float)[:, None]
                   / (np.asarray(hbm_gb, dtype=float)[None, :] * 1e9 * HBM_USABLE))


def demand_tokens_per_s(tokens_per_day_b, peak_factor) -> np.ndarray:
    """Peak demand in tokens/s from daily volume."""
    return np.asarray(tokens_per_day_b, dtype=float) * 1e9 * np.asarray(peak_factor, dtype=float) / SECONDS_PER_DAY


def kv_bytes_per_token(params_b, layers, kv_heads, head_dim, precision) -> np.ndarray:
    """KV-cache bytes per token held: from the architecture where given, else the rule of thumb."""
    kv_value = np.array([KV_BYTES_PER_VALUE[p] for p in precision])
    exact = 2.0 * np.asarray(layers, dtype=float) * np.asarray(kv_heads, dtype=float) * np.asarray(
        head_dim, dtype=float) * kv_value
    rule = KV_BYTES_PER_TOKEN_PER_SQRT_B * np.sqrt(np.asarray(params_b, dtype=float)) * kv_value / 2.0
    return np.where(np.isnan(exact), rule, exact)


def serving_roofline(
    params_b: np.ndarray,
    active_params_b: np.ndarray,
    bytes_per_param: np.ndarray,
    kv_bytes_per_sequence: np.ndarray,
    input_per_output: np.ndarray,
    min_tokens_per_s_per_user: np.ndarray,
    peak_tflops: np.ndarray,
    hbm_gb: np.ndarray,
    hbm_tbps: np.ndarray,
) -> dict[str, np.ndarray]:
    """Best replica per (service, GPU type). Service arrays have one value per service,
    GPU arrays one per GPU type, except ``peak_tflops`` (services x GPU types, NaN where the
    precision is not supported). Returns services x GPU types arrays: tokens_per_s_per_gpu,
    gpus_per_replica, batch, bound (0 compute, 1 bandwidth, 2 memory, 3 latency; -1 no replica holds the
    weights and one sequence, -2 some does but none meets the latency target),
    and min_gpus, the smallest replica that can serve at all (0: none); and ``by_size``, replica
    sizes x services x GPU types: tokens/s per GPU with replicas of each of REPLICA_SIZES (0: none).
    """
    col = lambda a: np.asarray(a, dtype=float)[:, None]  # noqa: E731  (services down the rows)
    row = lambda a: np.asarray(a, dtype=float)[None, :]  # noqa: E731  (GPU types across)
    params, active = col(params_b) * 1e9, col(active_params_b) * 1e9
    bpp, kv_seq = col(bytes_per_param), col(kv_bytes_per_sequence)
    ratio, target = col(input_per_output), col(min_tokens_per_s_per_user)
    peak = np.asarray(peak_tflops, dtype=float) * 1e12
    hbm, bw = row(hbm_gb) * 1e9 * HBM_USABLE, row(hbm_tbps) * 1e12
    shape = np.broadcast_shapes(params.shape, peak.shape)
    best = {"tokens_per_s_per_gpu": np.zeros(shape), "gpus_per_replica": np.zeros(shape, dtype=int),
            "batch": np.zeros(shape, dtype=int), "bound": np.full(shape, -1), "min_gpus": np.zeros(shape, dtype=int)}
    by_size = []
    fits = np.zeros(shape, dtype=bool)  # some replica holds the weights and one sequence
    for n in REPLICA_SIZES:
        flops = n * peak * INFERENCE_COMPUTE_EFFICIENCY
        scaling = TENSOR_PARALLEL_EFFICIENCY ** np.log2(n)
        memory_batch = np.floor((n * hbm - params * bpp) / kv_seq)
        # latency: one decode step of the whole batch, slowed by the replica's communication, must take at
        # most 1 / target seconds, reading at most n x bw x scaling / target bytes: every weight and the
        # batch's cache, or (a batch too small to touch every expert of a mixture-of-experts model) each
        # sequence's active weights and its cache
        with np.errstate(divide="ignore", invalid="ignore"):
            step_bytes = n * bw * scaling / target
            latency_bw = np.maximum(np.floor((step_bytes - params * bpp) / kv_seq),
                                    np.floor(step_bytes / (active * bpp + kv_seq)))
            latency_flops = np.floor(flops * scaling / (target * 2.0 * active))
        latency_batch = np.where(np.isnan(target), np.inf, np.minimum(latency_bw, latency_flops))
        batch = np.minimum(np.minimum(memory_batch, latency_batch), MAX_BATCH)
        ok = (batch >= 1) & np.isfinite(peak)
        fits |= (memory_batch >= 1) & np.isfinite(peak)
        batch = np.where(ok, batch, 1.0)
        read = np.minimum(params, batch * active) * bpp + batch * kv_seq
        bandwidth_time = read / (n * bw)
        compute_time = batch * 2.0 * active / flops
        decode = batch / np.maximum(bandwidth_time, compute_time)
        prefill = flops / (2.0 * active)
        per_gpu = np.where(ok, scaling / (n / decode + ratio * n / prefill), 0.0)
        by_size.append(per_gpu)
        bound = np.select(
            [compute_time >= bandwidth_time, batch == latency_batch, batch == memory_batch],
            [0, 3, 2], 1,
        )
        best["min_gpus"] = np.where((best["min_gpus"] == 0) & (per_gpu > 0), n, best["min_gpus"])
        better = per_gpu > best["tokens_per_s_per_gpu"] * (1 + 1e-9)
        best["tokens_per_s_per_gpu"] = np.where(better, per_gpu, best["tokens_per_s_per_gpu"])
        best["gpus_per_replica"] = np.where(better, n, best["gpus_per_replica"])
        best["batch"] = np.where(better, batch, best["batch"]).astype(int)
        best["bound"] = np.where(better, bound, best["bound"])
    best["bound"] = np.where((best["bound"] == -1) & fits, -2, best["bound"])
    best["by_size"] = np.stack(by_size)
    return best


# ---------------------------------------------------------------------------
# the scenario


def peak_tflops(gpus: pd.DataFrame, precision: pd.Series) -> np.ndarray:
    """Workloads x GPU types: dense peak TFLOP/s at each workload's precision (NaN: unsupported)."""
    table = gpus[list(PEAK_COLUMN.values())].to_numpy(dtype=float).T  # precisions x GPUs
    index = precision.map(list(PEAK_COLUMN).index).to_numpy(dtype=int)
    return table[index]


def _measured(scenario: Scenario, column: str) -> pd.Series:
    rows = scenario.throughput.dropna(subset=[column])
    return rows.set_index(["workload", "gpu"])[column]


def _unsupported_note(gpus: pd.DataFrame, precision: pd.Series, peak: np.ndarray) -> np.ndarray:
    names = np.broadcast_to(gpus["gpu"].to_numpy()[None, :], peak.shape)
    formats = np.broadcast_to(precision.to_numpy()[:, None], peak.shape)
    return np.where(np.isnan(peak), np.char.add(np.char.add(names.astype(str), " has no "), formats.astype(str)), "")


def size_training(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    runs, gpus = scenario.training, scenario.gpus
    flops = training_flops(runs["active_params_b"], runs["tokens_b"])
    memory_min = training_min_gpus(runs["params_b"], gpus["hbm_gb"])  # runs x GPUs
    user_min = runs["min_gpus"].fillna(1.0).to_numpy()[:, None]
    min_gpus = np.maximum(memory_min, user_min)
    max_gpus = runs["max_gpus"].to_numpy(dtype=float)[:, None]

    peak = peak_tflops(gpus, runs["precision"])
    bf16_mfu = gpus["mfu"].fillna(pd.Series(default_mfu(gpus["bf16_tflops"]), index=gpus.index)).to_numpy()
    # the BF16 default as a share of the run's own peak, for the throughput FP8 and FP4 really add
    # (never more than that peak holds over BF16's)
    speedup = runs["precision"].map(TRAINING_SPEEDUP).to_numpy(dtype=float)[:, None]
    with np.errstate(invalid="ignore"):  # a precision the GPU type lacks: NaN peak, noted below
        over_bf16 = gpus["bf16_tflops"].to_numpy(dtype=float)[None, :] / peak
        gpu_mfu = bf16_mfu[None, :] * np.minimum(speedup * over_bf16, 1.0)
    mfu = np.where(runs["mfu"].isna().to_numpy()[:, None], gpu_mfu, runs["mfu"].to_numpy()[:, None])
    goodput = runs["goodput"].to_numpy()[:, None]
    model_flops = peak * 1e12 * mfu

    pairs = pd.MultiIndex.from_product([runs["workload"], gpus["gpu"]], names=["workload", "gpu"])
    measured = _measured(scenario, "train_tflops_per_gpu").reindex(pairs).to_numpy().reshape(peak.shape) * 1e12
    is_measured = ~np.isnan(measured)
    model_flops = np.where(is_measured, measured, model_flops)
    too_big = min_gpus > np.nan_to_num(max_gpus, nan=np.inf)
    note = _unsupported_note(gpus, runs["precision"], np.where(is_measured, 0.0, peak))
    note = np.where((note == "") & too_big, "memory minimum exceeds max_gpus", note)
    rate = np.where(note == "", np.nan_to_num(model_flops) * goodput, 0.0)
    with np.errstate(divide="ignore"):
        gpu_hours = np.where(rate > 0, flops[:, None] / np.where(rate > 0, rate, 1.0) / 3600.0, np.nan)

    table = pd.DataFrame({
        "workload": pairs.get_level_values(0),
        "gpu": pairs.get_level_values(1),
        "precision": np.repeat(runs["precision"].to_numpy(), len(gpus)),
        "peak_tflops": peak.ravel(),
        "mfu": np.where(is_measured, np.nan, mfu).ravel(),
        "goodput": np.broadcast_to(goodput, peak.shape).ravel(),
        "flops_per_s_per_gpu": rate.ravel(),
        "min_gpus": min_gpus.ravel(),
        "gpu_hours": gpu_hours.ravel(),
        "days_at_max_gpus": (gpu_hours / max_gpus / 24.0).ravel(),
        "source": np.where(is_measured, "measured", "estimated").ravel(),
        "note": note.ravel(),
    })
    per_run = pd.DataFrame({
        "workload": runs["workload"],
        "flops": flops,
        "max_gpus": runs["max_gpus"].to_numpy(dtype=float),
    })
    return per_run, table


def size_inference(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:class:`Sizing`'s ``inference``, ``inference_rates`` and ``inference_replicas``."""
    services, gpus = scenario.inference, scenario.gpus
    precision = services["precision"]
    kv_token = kv_bytes_per_token(
        services["params_b"], services["layers"], services["kv_heads"], services["head_dim"], precision
    )
    peak = peak_tflops(gpus, precision)
    roof = serving_roofline(
        services["params_b"], services["active_params_b"], precision.map(BYTES_PER_PARAM).to_numpy(),
        kv_token * services["context_tokens"].to_numpy(),
        (services["input_tokens_per_day_b"] / services["tokens_per_day_b"]).to_numpy(),
        services["min_tokens_per_s_per_user"].to_numpy(dtype=float),
        peak, gpus["hbm_gb"], gpus["hbm_tbps"],
    )
    pairs = pd.MultiIndex.from_product([services["workload"], gpus["gpu"]], names=["workload", "gpu"])
    note = _unsupported_note(gpus, precision, peak).ravel()
    bound_names = np.array(["compute", "bandwidth", "memory", "latency", "latency target out of reach",
                            "does not fit"])  # the last two for -2 and -1
    bound = np.where(note != "", note, bound_names[roof["bound"].ravel()])
    rates = pd.DataFrame({
        "precision": np.repeat(precision.to_numpy(), len(gpus)),
        "tokens_per_s_per_gpu": roof["tokens_per_s_per_gpu"].ravel(),
        "gpus_per_replica": roof["gpus_per_replica"].ravel(),
        "min_gpus": roof["min_gpus"].ravel(),
        "batch": roof["batch"].ravel(),
        "bound": bound,
        "source": "estimated",
    }, index=pairs)
    measured = _measured(scenario, "tokens_per_s_per_gpu")
    hit = rates.index.isin(measured.index)
    if hit.any():  # else each assignment below, to no row, costs a pandas call all the same
        rates.loc[hit, "tokens_per_s_per_gpu"] = measured.reindex(rates.index[hit]).to_numpy()
        rates.loc[hit, ["bound", "source"]] = ["measured", "measured"]
        # a measured rate is per GPU at a replica size not given: it is taken at the smallest replica that can serve
        # by the estimate, or where the estimate finds none (no replica of up to 64 GPUs holds the model, or its
        # precision or latency target is out of reach there), at the fewest GPUs, a power of two, whose memory holds
        # its weights: the deployment measured may span more GPUs than a tensor-parallel replica
        weights = services["params_b"].to_numpy() * 1e9 * precision.map(BYTES_PER_PARAM).to_numpy()
        holding = 2.0 ** np.ceil(np.log2(np.maximum(gpus_holding(weights, gpus["hbm_gb"]).ravel(), 1.0)))
        unsized = hit & (rates["min_gpus"].to_numpy() == 0)
        rates.loc[unsized, "min_gpus"] = holding[unsized].astype(int)
        rates.loc[hit, "gpus_per_replica"] = rates.loc[hit, "min_gpus"]
    # the roofline's, at a replica of its own: not the measured deployment's (made float, as pandas does even for no
    # row, where there are rows)
    rates.loc[hit, "batch"] = np.nan
    # a pair no replica serves on (a precision the GPU lacks, a model no replica holds) has no replica to size
    rates.loc[rates["tokens_per_s_per_gpu"].to_numpy() <= 0, ["gpus_per_replica", "min_gpus", "batch"]] = np.nan
    sizes = len(REPLICA_SIZES)
    by_size = pd.DataFrame({
        "workload": np.tile(pairs.get_level_values("workload"), sizes),
        "gpu": np.tile(pairs.get_level_values("gpu"), sizes),
        "gpus_per_replica": np.repeat(REPLICA_SIZES, len(pairs)),
        "tokens_per_s_per_gpu": roof["by_size"].ravel(),
    })
    estimated = ~np.tile(hit, sizes) & (by_size["tokens_per_s_per_gpu"].to_numpy() > 0)
    replicas = pd.concat([by_size[estimated],
                          rates.loc[hit, ["gpus_per_replica", "tokens_per_s_per_gpu"]].reset_index()],
                         ignore_index=True)
    demand = demand_tokens_per_s(services["tokens_per_day_b"], services["peak_factor"])
    return (pd.DataFrame({"workload": services["workload"], "demand_tokens_per_s": demand}), rates.reset_index(),
            replicas)


def size(scenario: Scenario) -> Sizing:
    """All derived needs and rates of a scenario."""
    training, training_rates = size_training(scenario)
    inference, inference_rates, inference_replicas = size_inference(scenario)
    power_factor = pd.concat([
        scenario.training.set_index("workload")["power_factor"],
        scenario.inference.set_index("workload")["power_factor"],
    ])
    return Sizing(training, training_rates, inference, inference_rates, power_factor, inference_replicas)


def assumptions() -> list[dict[str, str]]:
    """The built-in sizing rules, as name / value / source rows for reports and docs."""
    rule = "planner rule of thumb (docs/sizing.md)"
    return [
        {"name": "Training FLOPs", "value": "6 × active parameters × tokens", "source": "Kaplan et al. 2020"},
        {"name": "Training memory per parameter", "value": f"{TRAINING_BYTES_PER_PARAM:g} bytes "
         f"+ {ACTIVATION_ALLOWANCE:.0%} for activations",
         "source": "mixed-precision Adam (ZeRO paper, Rajbhandari et al. 2020)"},
        {"name": "Default MFU", "value": ", ".join(f"{mfu:.2f} up to {limit:,.0f} dense BF16 TFLOP/s"
                                                   for limit, mfu in MFU_BY_GENERATION[:-1])
                                         + f", {MFU_BY_GENERATION[-1][1]:.2f} above (at BF16)",
         "source": "Llama 3 paper (38-43% on H100); " + rule},
        {"name": "Training rate over BF16, MFU blank",
         "value": ", ".join(f"{k} {v:.3g}×" for k, v in TRAINING_SPEEDUP.items() if k != "bf16"),
         "source": "Fujii et al. 2024 (FP8: 415 → 570 TFLOP/s, Llama 3 70B on H100); NVIDIA 2025 (NVFP4 "
                   "1.31-1.73× FP8 on Blackwell)"},
        {"name": "Weight bytes per parameter", "value": ", ".join(f"{k} {v:g}" for k, v in BYTES_PER_PARAM.items()),
         "source": "number formats"},
        {"name": "Usable share of HBM", "value": f"{HBM_USABLE:.0%}", "source": rule},
        {"name": "KV cache per token (architecture blank)",
         "value": f"{KV_BYTES_PER_TOKEN_PER_SQRT_B / 1e3:g} kB × √params_b at BF16", "source": rule},
        {"name": "Largest batch per replica", "value": f"{MAX_BATCH}", "source": rule},
        {"name": "Share of peak FLOP/s when compute bound", "value": f"{INFERENCE_COMPUTE_EFFICIENCY:.0%}",
         "source": rule},
        {"name": "Replica sizes tried", "value": ", ".join(str(n) for n in REPLICA_SIZES), "source": rule},
        {"name": "Tensor-parallel efficiency", "value": f"{TENSOR_PARALLEL_EFFICIENCY:.0%} per doubling of the replica",
         "source": rule},
    ]


def pair_table(sizing: Sizing) -> pd.DataFrame:
    """Every (workload, GPU type) pair in one table, for ``planner size``.

    Columns: workload, kind, gpu, flops, gpu_hours, days_at_max_gpus, min_gpus (a run's memory
    minimum, a service's smallest replica), tokens_per_s_per_gpu, gpus_per_replica, bound, source;
    NaN where not applicable.
    """
    training = sizing.training_rates.merge(sizing.training[["workload", "flops"]], on="workload")
    training = training.assign(kind="training", bound=training["note"].where(training["note"] != "", None))
    inference = sizing.inference_rates.assign(kind="inference")
    columns = ["workload", "kind", "gpu", "flops", "gpu_hours", "days_at_max_gpus", "min_gpus",
               "tokens_per_s_per_gpu", "gpus_per_replica", "bound", "source"]
    return pd.concat([training, inference], ignore_index=True).reindex(columns=columns)
