"""Write inputs/sovereign-200mw.xlsx, the default scenario.

A national AI site growing to 200 MW and 120,000 GPUs over the eight quarters of
2026-2027. The grid connection is phased while GPUs arrive ahead of it, so power
is scarce early on. GPU figures are vendors' published datasheet values (see the
README); workloads are sized like public models of their class.

Run: python scripts/build_default_scenario.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.workbook import write_workbook

QUARTERS = ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027Q1", "2027Q2", "2027Q3", "2027Q4"]
HOURS = [2160, 2184, 2208, 2208, 2160, 2184, 2208, 2208]  # calendar hours per quarter
POWER_MW = [4, 8, 16, 30, 60, 100, 125, 200]  # phased grid connection

# name: (dense TFLOP/s at bf16, fp8, fp4 (None: unsupported), HBM GB, HBM TB/s,
#        all-in IT W in use, IT W idle)
# all-in IT W = system power / GPUs per system (host, NICs, fans, storage share included)
GPUS = {
    "H100-SXM-80GB": (989, 1979, None, 80, 3.35, 1275, 300),    # DGX H100: 10.2 kW / 8
    "H200-SXM-141GB": (989, 1979, None, 141, 4.8, 1275, 300),   # DGX H200: 10.2 kW / 8
    "MI300X-192GB": (1307, 2615, None, 192, 5.3, 1300, 300),    # 750 W OAM + host share (~10.4 kW / 8)
    "B200-SXM-180GB": (2250, 4500, 9000, 180, 8.0, 1788, 400),  # DGX B200: 14.3 kW / 8
    "GB200-NVL72": (2500, 5000, 10000, 186, 8.0, 1850, 450),    # NVL72 rack ~133 kW / 72 (Grace included)
}

# GPUs installed per quarter: the delivery ramp, reaching 120,000
FLEET = {
    "H100-SXM-80GB": [8000] * 8,
    "H200-SXM-141GB": [0, 4000, 8000, 16000, 16000, 16000, 16000, 16000],
    "MI300X-192GB": [0, 2000, 4000, 4000, 4000, 4000, 4000, 4000],
    "B200-SXM-180GB": [0, 0, 8000, 16000, 24000, 32000, 32000, 32000],
    "GB200-NVL72": [0, 0, 0, 0, 18000, 36000, 54000, 60000],
}

# workload, params_b, active_params_b, tokens_b, mfu, start, deadline, priority
TRAINING = [
    ("frontier-moe-236b", 236, 21, 14_000, 0.25, "2026Q3", "2027Q2", 10),  # DeepSeek-V2 class, Qwen-scale data
    ("open-100b", 100, 100, 12_000, 0.40, "2026Q1", "2026Q4", 6),
    ("lm-72b", 72, 72, 18_000, 0.40, "2026Q1", "2026Q3", 5),              # Qwen2.5-72B data scale
    ("lm-7b", 7, 7, 15_000, 0.40, "2026Q1", "2026Q2", 2),                 # Llama 3 8B data scale
    ("vlm-33b", 33, 33, 8_000, 0.35, "2026Q2", "2027Q1", 4),
    ("reasoning-32b", 32, 32, 18_000, 0.40, "2026Q3", "2027Q2", 4),       # Qwen2.5-32B base scale
    ("compact-12.7b", 12.7, 12.7, 12_000, 0.40, "2026Q4", "2027Q3", 2),
]

# workload, params_b, active_params_b, output and input tokens/day (billions), peak factor,
# priority, start, precision, layers, kv_heads, head_dim (blank: rule of thumb), context tokens
INFERENCE = [
    ("serve-compact-12.7b", 12.7, 12.7, 400, 800, 2.0, 3, "2026Q1", "bf16", 40, 8, 128, 4096),
    ("serve-lm-7b", 7, 7, 300, 600, 2.0, 2, "2026Q1", "bf16", 32, 8, 128, 4096),
    ("serve-vlm-33b", 33, 33, 600, 2400, 2.5, 4, "2027Q1", "fp8", 64, 8, 128, 8192),  # images: long prompts
    ("serve-reasoning-32b", 32, 32, 3_000, 1500, 2.0, 6, "2027Q1", "fp8", 64, 8, 128, 16384),  # long outputs
    # multi-head latent attention (DeepSeek-V2): 60 layers each cache one latent of 512 + 64 values
    # per token, written as one KV head of 288 since the KV formula counts keys and values apart
    ("serve-frontier-moe-236b", 236, 21, 4_000, 8000, 2.0, 8, "2027Q3", "fp8", 60, 1, 288, 8192),
]


def tables() -> dict[str, object]:
    return {
        "site": {"name": "Sovereign AI site, 200 MW", "pue": 1.2},
        "periods": pd.DataFrame({"period": QUARTERS, "hours": HOURS, "power_mw": POWER_MW}),
        "gpus": pd.DataFrame(
            [(name, *spec) for name, spec in GPUS.items()],
            columns=["gpu", "bf16_tflops", "fp8_tflops", "fp4_tflops", "hbm_gb", "hbm_tbps", "it_w", "idle_w"],
        ),
        "fleet": pd.DataFrame(
            [(gpu, q, n) for gpu, ramp in FLEET.items() for q, n in zip(QUARTERS, ramp) if n > 0],
            columns=["gpu", "period", "installed"],
        ),
        "training": pd.DataFrame(TRAINING, columns=[
            "workload", "params_b", "active_params_b", "tokens_b", "mfu", "start_period", "deadline_period", "priority",
        ]),
        "inference": pd.DataFrame(INFERENCE, columns=[
            "workload", "params_b", "active_params_b", "tokens_per_day_b", "input_tokens_per_day_b", "peak_factor",
            "priority", "start_period", "precision", "layers", "kv_heads", "head_dim", "context_tokens",
        ]),
    }


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "inputs" / "sovereign-200mw.xlsx"
    write_workbook(tables(), target)
    print(f"wrote {target}")
