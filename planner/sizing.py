"""Sizing: turn parameter counts and token volumes into per-GPU rates.

Pure functions of the scenario; every formula is stated where it is computed.

Training (Kaplan et al. 2020, "Scaling Laws for Neural Language Models"):
    required FLOPs          = 6 x active parameters x training tokens
    delivered FLOP/s per GPU = bf16_tflops x 1e12 x mfu

Inference, a roofline per (service, GPU type) at a replica of n GPUs:
    weights                 = params x 2 bytes (BF16)
    KV cache per sequence   = CONTEXT_TOKENS x kv_bytes_per_token,
                              kv_bytes_per_token = KV_BYTES_PER_TOKEN_PER_SQRT_B x sqrt(params_b)
    batch                   = min(MAX_BATCH, floor((n x hbm x HBM_USABLE - weights) / KV per sequence))
    decode (bandwidth)      = batch x n x hbm_tbps / (weights + batch x KV per sequence)   tokens/s
    compute                 = n x bf16_tflops x INFERENCE_COMPUTE_EFFICIENCY / (2 x active params)  tokens/s
    tokens/s per GPU        = min(decode, compute) / n
The replica size n is the power of two (1 to MAX_REPLICA_GPUS) giving the most
tokens/s per GPU; a model whose weights do not fit n x usable HBM cannot use that n.
A measured figure in the ``throughput`` sheet replaces the estimate for its pair.

Demand: tokens/s at peak = tokens_per_day x peak_factor / 86,400.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.workbook import Scenario

BYTES_PER_PARAM = 2.0  # BF16 weights
HBM_USABLE = 0.90  # share of HBM left to weights and KV cache after runtime overheads
CONTEXT_TOKENS = 2048  # mean tokens held in the KV cache per sequence
KV_BYTES_PER_TOKEN_PER_SQRT_B = 40e3  # grouped-query attention rule of thumb: ~330 kB/token at 70B
MAX_BATCH = 256  # sequences decoded together per replica
INFERENCE_COMPUTE_EFFICIENCY = 0.50  # share of peak FLOP/s reached when compute bound
REPLICA_SIZES = (1, 2, 4, 8, 16, 32, 64)
MAX_REPLICA_GPUS = REPLICA_SIZES[-1]
SECONDS_PER_DAY = 86_400.0


@dataclass
class Sizing:
    """Derived needs and rates. Units are in the column names.

    - ``training``: workload, flops (required), one row per run
    - ``training_rates``: workload x gpu table of delivered FLOP/s per GPU
    - ``inference``: workload, demand_tokens_per_s (at peak)
    - ``inference_rates``: long table with workload, gpu, tokens_per_s_per_gpu,
      gpus_per_replica, batch, bound ("compute", "bandwidth", "measured", "does not fit"),
      source ("estimated" or "measured")
    """

    training: pd.DataFrame
    training_rates: pd.DataFrame
    inference: pd.DataFrame
    inference_rates: pd.DataFrame

    def inference_rate_matrix(self) -> pd.DataFrame:
        """workload x gpu table of tokens/s per GPU (0 where the model does not fit)."""
        return self.inference_rates.pivot(index="workload", columns="gpu", values="tokens_per_s_per_gpu")


def training_flops(active_params_b: np.ndarray, tokens_b: np.ndarray) -> np.ndarray:
    """Required training FLOPs: 6 x active parameters x tokens."""
    return 6.0 * np.asarray(active_params_b) * 1e9 * np.asarray(tokens_b) * 1e9


def training_flops_per_gpu(bf16_tflops: np.ndarray, mfu: np.ndarray) -> np.ndarray:
    """Delivered FLOP/s per GPU, workloads on rows, GPU types on columns."""
    return np.outer(np.asarray(mfu), np.asarray(bf16_tflops) * 1e12)


def demand_tokens_per_s(tokens_per_day_b: np.ndarray, peak_factor: np.ndarray) -> np.ndarray:
    """Peak demand in tokens/s from daily volume."""
    return np.asarray(tokens_per_day_b) * 1e9 * np.asarray(peak_factor) / SECONDS_PER_DAY


def kv_bytes_per_token(params_b: np.ndarray) -> np.ndarray:
    """KV-cache bytes per token held, by the rule of thumb in the module docstring."""
    return KV_BYTES_PER_TOKEN_PER_SQRT_B * np.sqrt(np.asarray(params_b))


def decode_roofline(
    params_b: np.ndarray,
    active_params_b: np.ndarray,
    bf16_tflops: np.ndarray,
    hbm_gb: np.ndarray,
    hbm_tbps: np.ndarray,
) -> dict[str, np.ndarray]:
    """Best replica for each (service, GPU type) pair: services on rows, GPUs on columns.

    Returns arrays ``tokens_per_s_per_gpu``, ``gpus_per_replica``, ``batch`` and
    ``compute_bound`` (True where compute, not bandwidth, sets the figure).
    A pair whose weights fit no replica size gets 0 tokens/s and 0 GPUs.
    """
    weights = (np.asarray(params_b) * 1e9 * BYTES_PER_PARAM)[:, None]
    flops_per_token = (2.0 * np.asarray(active_params_b) * 1e9)[:, None]
    kv_per_seq = (kv_bytes_per_token(params_b) * CONTEXT_TOKENS)[:, None]
    shape = (weights.shape[0], len(bf16_tflops))
    best = {
        "tokens_per_s_per_gpu": np.zeros(shape),
        "gpus_per_replica": np.zeros(shape, dtype=int),
        "batch": np.zeros(shape, dtype=int),
        "compute_bound": np.zeros(shape, dtype=bool),
    }
    for n in REPLICA_SIZES:
        memory = n * np.asarray(hbm_gb)[None, :] * 1e9 * HBM_USABLE
        batch = np.minimum(MAX_BATCH, np.floor((memory - weights) / kv_per_seq))
        fits = batch >= 1
        batch = np.where(fits, batch, 0)
        decode = batch * n * np.asarray(hbm_tbps)[None, :] * 1e12 / (weights + batch * kv_per_seq)
        compute = n * np.asarray(bf16_tflops)[None, :] * 1e12 * INFERENCE_COMPUTE_EFFICIENCY / flops_per_token
        per_gpu = np.where(fits, np.minimum(decode, compute) / n, 0.0)
        better = per_gpu > best["tokens_per_s_per_gpu"] * (1 + 1e-9)
        best["tokens_per_s_per_gpu"] = np.where(better, per_gpu, best["tokens_per_s_per_gpu"])
        best["gpus_per_replica"] = np.where(better, n, best["gpus_per_replica"])
        best["batch"] = np.where(better, batch, best["batch"]).astype(int)
        best["compute_bound"] = np.where(better, compute < decode, best["compute_bound"])
    return best


def size(scenario: Scenario) -> Sizing:
    """All derived needs and rates of a scenario."""
    gpus, training, inference = scenario.gpus, scenario.training, scenario.inference

    flops = training_flops(training["active_params_b"], training["tokens_b"])
    training_table = pd.DataFrame({"workload": training["workload"], "flops": flops})
    training_rates = pd.DataFrame(
        training_flops_per_gpu(gpus["bf16_tflops"], training["mfu"]).reshape(len(training), len(gpus)),
        index=pd.Index(training["workload"], name="workload"),
        columns=pd.Index(gpus["gpu"], name="gpu"),
    )

    demand = demand_tokens_per_s(inference["tokens_per_day_b"], inference["peak_factor"])
    inference_table = pd.DataFrame({"workload": inference["workload"], "demand_tokens_per_s": demand})
    roof = decode_roofline(
        inference["params_b"].to_numpy(), inference["active_params_b"].to_numpy(),
        gpus["bf16_tflops"].to_numpy(), gpus["hbm_gb"].to_numpy(), gpus["hbm_tbps"].to_numpy(),
    )
    pairs = pd.MultiIndex.from_product([inference["workload"], gpus["gpu"]], names=["workload", "gpu"])
    rates = pd.DataFrame({key: value.ravel() for key, value in roof.items()}, index=pairs)
    rates["bound"] = np.select(
        [rates["gpus_per_replica"] == 0, rates.pop("compute_bound")],
        ["does not fit", "compute"],
        "bandwidth",
    )
    rates["source"] = "estimated"
    measured = scenario.throughput.set_index(["workload", "gpu"])["tokens_per_s_per_gpu"]
    hit = rates.index.isin(measured.index)
    rates.loc[hit, "tokens_per_s_per_gpu"] = measured.reindex(rates.index[hit]).to_numpy()
    rates.loc[hit, ["bound", "source"]] = ["measured", "measured"]
    return Sizing(training_table, training_rates, inference_table, rates.reset_index())
