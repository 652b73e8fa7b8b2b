"""Reproducible synthetic scenarios of any size, for benchmarks and their tests.

``synthetic_tables(workloads, gpus, periods, seed)`` returns workbook tables (the
shape ``planner.workbook.write_workbook`` takes) for a site whose power budget
binds in some periods and whose workloads are a mix of training runs and
inference services, sized like public models.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# (bf16 TFLOP/s, HBM GB, HBM TB/s, all-in IT W, idle W): spread over current GPU classes
_GPU_CLASSES = np.array([
    (989, 80, 3.35, 1275, 300),
    (989, 141, 4.8, 1275, 300),
    (1307, 192, 5.3, 1300, 300),
    (2250, 180, 8.0, 1788, 400),
    (2500, 186, 8.0, 1850, 450),
    (362, 48, 0.864, 600, 150),
])
_MODEL_SIZES_B = np.array([1.5, 3, 7, 8, 12.7, 14, 32, 33, 70, 72, 100, 236, 405])


def synthetic_tables(workloads: int, gpus: int, periods: int, seed: int = 0,
                     whole_horizon: bool = False) -> dict[str, object]:
    """Workbook tables for ``workloads`` workloads (about 40% training), ``gpus`` GPU types
    and ``periods`` monthly periods.

    Workloads start and end at random; with ``whole_horizon`` every one may run in every
    period, so the LP has a variable for every (workload, GPU type, period) triple.
    """
    rng = np.random.default_rng(seed)
    labels = [f"M{t + 1:03d}" for t in range(periods)]
    hours = np.full(periods, 730.0)

    spec = _GPU_CLASSES[np.arange(gpus) % len(_GPU_CLASSES)]
    gpu_names = [f"gpu{g + 1:02d}" for g in range(gpus)]
    gpu_table = pd.DataFrame(spec, columns=["bf16_tflops", "hbm_gb", "hbm_tbps", "it_w", "idle_w"])
    gpu_table.insert(0, "gpu", gpu_names)

    # deliveries ramp up; the budget lags them so that power binds early on
    ramp = np.linspace(0.3, 1.0, periods)
    base = rng.integers(2_000, 20_000, size=gpus)
    installed = np.round(np.outer(base, ramp))
    fleet = pd.DataFrame({
        "gpu": np.repeat(gpu_names, periods),
        "period": np.tile(labels, gpus),
        "installed": installed.ravel(),
    })
    full_mw = 1.25 * (installed * spec[:, [3]]).sum(axis=0) / 1e6
    idle_mw = 1.25 * (installed * spec[:, [4]]).sum(axis=0) / 1e6
    power_mw = idle_mw + (full_mw - idle_mw) * np.linspace(0.25, 0.9, periods)

    n_train = int(round(0.4 * workloads))
    n_infer = workloads - n_train
    params = rng.choice(_MODEL_SIZES_B, size=workloads)
    moe = rng.random(workloads) < 0.2
    active = np.where(moe, np.maximum(params / 10, 1.0), params)
    start = rng.integers(0, periods, size=workloads)
    span = rng.integers(1, max(2, periods // 2) + 1, size=workloads)
    deadline = np.minimum(start + span - 1, periods - 1)
    if whole_horizon:
        start, deadline = np.zeros(workloads, dtype=int), np.full(workloads, periods - 1)
    priority = rng.integers(1, 11, size=workloads).astype(float)

    t = slice(0, n_train)
    training = pd.DataFrame({
        "workload": [f"train{i + 1:05d}" for i in range(n_train)],
        "params_b": params[t],
        "active_params_b": active[t],
        # sized so that the whole programme asks for more than the site can deliver
        "tokens_b": np.round(rng.uniform(0.2, 2.0, n_train) * 2e5 / np.sqrt(active[t]), 1),
        "mfu": np.round(rng.uniform(0.3, 0.5, n_train), 2),
        "start_period": np.asarray(labels)[start[t]],
        "deadline_period": np.asarray(labels)[deadline[t]],
        "priority": priority[t],
    })
    i = slice(n_train, workloads)
    inference = pd.DataFrame({
        "workload": [f"serve{k + 1:05d}" for k in range(n_infer)],
        "params_b": params[i],
        "active_params_b": active[i],
        "tokens_per_day_b": np.round(rng.uniform(0.5, 50, n_infer), 2),
        "peak_factor": np.round(rng.uniform(1.0, 3.0, n_infer), 2),
        "priority": priority[i],
        "start_period": np.asarray(labels)[start[i]],
    })
    return {
        "site": {"name": f"synthetic {workloads}x{gpus}x{periods}", "pue": 1.25},
        "periods": pd.DataFrame({"period": labels, "hours": hours, "power_mw": np.round(power_mw, 3)}),
        "gpus": gpu_table,
        "fleet": fleet,
        "training": training,
        "inference": inference,
    }
