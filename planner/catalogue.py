"""Built-in GPU catalogue: published figures of current data-centre GPUs.

A ``gpus`` row whose name is in the catalogue (or one of its aliases; case, spaces
and hyphens do not matter) may leave ``bf16_tflops``, ``hbm_gb``, ``hbm_tbps`` and
``it_w`` blank: they are taken from here. Any value typed in the row wins, column
by column.

Figures are the vendors' published *dense* peaks (no structured sparsity): where a
datasheet quotes only the sparsity figure, the dense figure is half of it. Per-GPU
figures of multi-GPU systems are the system figure divided by its GPU count.
``tdp_w`` is the GPU's own board/module power; ``it_w`` is the typical all-in IT
draw per GPU in use (the server or rack at full load divided by its GPUs: host
CPUs, memory, NICs, switches, fans and storage share included), the figure the
power budget needs. Where no system power is published, ``it_w`` is an estimate and
``it_w_basis`` says how it was made.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from planner.spelling import meant


@dataclass(frozen=True)
class CatalogueGPU:
    name: str
    vendor: str
    bf16_tflops: float  # dense BF16 peak, TFLOP/s
    fp8_tflops: float | None  # dense FP8 peak, TFLOP/s
    fp4_tflops: float | None  # dense FP4 peak, TFLOP/s; None where the GPU has no FP4
    hbm_gb: float
    hbm_tbps: float
    tdp_w: float
    it_w: float
    it_w_basis: str
    source: str
    aliases: tuple[str, ...] = ()


GPUS: tuple[CatalogueGPU, ...] = (
    CatalogueGPU(
        "H100-SXM", "NVIDIA", 989.0, 1979.0, None, 80.0, 3.35, 700.0, 1275.0,
        "DGX H100: 10.2 kW max / 8 GPUs",
        "NVIDIA H100 Tensor Core GPU datasheet (H100 SXM: BF16 1,979 and FP8 3,958 TFLOPS with sparsity; "
        "80 GB HBM3, 3.35 TB/s; up to 700 W), https://www.nvidia.com/en-us/data-center/h100/; "
        "NVIDIA DGX H100 datasheet (10.2 kW max)",
        ("H100-SXM5", "H100-SXM-80GB", "H100-SXM5-80GB"),
    ),
    CatalogueGPU(
        "H200-SXM", "NVIDIA", 989.0, 1979.0, None, 141.0, 4.8, 700.0, 1275.0,
        "DGX H200: 10.2 kW max / 8 GPUs",
        "NVIDIA H200 Tensor Core GPU datasheet (H200 SXM: BF16 1,979 and FP8 3,958 TFLOPS with sparsity; "
        "141 GB HBM3e, 4.8 TB/s; up to 700 W), https://www.nvidia.com/en-us/data-center/h200/; "
        "NVIDIA DGX H200 datasheet (10.2 kW max)",
        ("H200-SXM-141GB",),
    ),
    CatalogueGPU(
        "B200", "NVIDIA", 2250.0, 4500.0, 9000.0, 180.0, 8.0, 1000.0, 1788.0,
        "DGX B200: about 14.3 kW max / 8 GPUs",
        "NVIDIA DGX B200 datasheet (8 GPUs: 72 PFLOPS FP8 training, 144 PFLOPS FP4 inference with sparsity; "
        "1,440 GB HBM3e, 64 TB/s; about 14.3 kW max), https://www.nvidia.com/en-us/data-center/dgx-b200/; "
        "NVIDIA HGX platform page (HGX B200: FP16/BF16 36 PFLOPS with sparsity per 8 GPUs; 1,000 W per GPU)",
        ("B200-SXM", "B200-SXM-180GB", "HGX-B200", "DGX-B200"),
    ),
    CatalogueGPU(
        "GB200", "NVIDIA", 2500.0, 5000.0, 10000.0, 186.0, 8.0, 1200.0, 1850.0,
        "GB200 NVL72 rack: about 133 kW / 72 GPUs (Grace CPUs, NVLink switches and fans included)",
        "NVIDIA GB200 NVL72 product page (72 GPUs: FP4 1,440 PFLOPS, FP8 720 PFLOPS, FP16/BF16 360 PFLOPS, "
        "all with sparsity; 13.4 TB HBM3e, 576 TB/s), https://www.nvidia.com/en-us/data-center/gb200-nvl72/; "
        "GB200 superchip (2 GPUs + 1 Grace) up to 2,700 W",
        ("GB200-NVL72",),
    ),
    CatalogueGPU(
        "B300", "NVIDIA", 2250.0, 4500.0, 13500.0, 288.0, 8.0, 1100.0, 1890.0,
        "estimate: the B200 all-in figure (1,788 W) plus the 100 W higher GPU power, rounded",
        "NVIDIA HGX platform page (HGX B300, 8 GPUs: FP4 108 PFLOPS dense, FP8 72 PFLOPS and FP16/BF16 "
        "36 PFLOPS with sparsity; 2.1 TB HBM3e), https://www.nvidia.com/en-us/data-center/hgx/; "
        "Blackwell Ultra: 288 GB HBM3e, 8 TB/s per GPU",
        ("B300-SXM", "HGX-B300"),
    ),
    CatalogueGPU(
        "GB300", "NVIDIA", 2500.0, 5000.0, 15000.0, 288.0, 8.0, 1400.0, 1945.0,
        "estimate: about 140 kW per GB300 NVL72 rack (server makers quote 132-140 kW typical) / 72 GPUs",
        "NVIDIA GB300 NVL72 product page (72 GPUs: FP4 1,440 PFLOPS with sparsity, 1,080 dense; FP8/FP6 720 and "
        "FP16/BF16 360 PFLOPS with sparsity; up to 20 TB HBM3e, 576 TB/s), "
        "https://www.nvidia.com/en-us/data-center/gb300-nvl72/; NVIDIA Technical Blog, 'Inside NVIDIA Blackwell "
        "Ultra' (15 PFLOPS dense NVFP4; 288 GB HBM3e, 8 TB/s per GPU); GPU power 1,400 W (Hot Chips 2025)",
        ("GB300-NVL72", "DGX-GB300", "GB300-288GB"),
    ),
    CatalogueGPU(
        "MI300X", "AMD", 1307.4, 2614.9, None, 192.0, 5.3, 750.0, 1300.0,
        "8-GPU server at about 10.4 kW / 8 GPUs",
        "AMD Instinct MI300X data sheet (BF16 1,307.4 TFLOPS, FP8 2,614.9 TFLOPS dense; 192 GB HBM3, "
        "5.3 TB/s; 750 W), https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html",
        ("MI300X-192GB", "Instinct MI300X"),
    ),
    CatalogueGPU(
        "MI325X", "AMD", 1307.4, 2614.9, None, 256.0, 6.0, 1000.0, 1550.0,
        "estimate: the MI300X all-in figure plus the 250 W higher GPU power",
        "AMD Instinct MI325X data sheet (BF16 1,307.4 TFLOPS, FP8 2,614.9 TFLOPS dense; 256 GB HBM3E, "
        "6 TB/s; 1,000 W), https://www.amd.com/en/products/accelerators/instinct/mi300/mi325x.html",
        ("MI325X-256GB", "Instinct MI325X"),
    ),
    CatalogueGPU(
        "MI355X", "AMD", 2516.6, 5033.2, 10066.4, 288.0, 8.0, 1400.0, 2000.0,
        "estimate: 1,400 W GPU plus about 600 W host, network and cooling share (liquid-cooled 8-GPU server)",
        "AMD Instinct MI355X data sheet (FP16/BF16 2.5 PFLOPS, FP8 5.0 PFLOPS, MXFP4 10 PFLOPS dense; "
        "288 GB HBM3E, 8 TB/s; 1,400 W), https://www.amd.com/en/products/accelerators/instinct/mi350.html",
        ("MI355X-288GB", "Instinct MI355X"),
    ),
    CatalogueGPU(
        "L40S", "NVIDIA", 362.05, 733.0, None, 48.0, 0.864, 350.0, 600.0,
        "estimate: 8-GPU PCIe server at about 4.8 kW / 8 GPUs",
        "NVIDIA L40S datasheet (BF16 733 and FP8 1,466 TFLOPS with sparsity; 48 GB GDDR6 with ECC, "
        "864 GB/s; 350 W), https://www.nvidia.com/en-us/data-center/l40s/",
        ("L40S-48GB",),
    ),
)


def _key(name: str) -> str:
    """Catalogue look-up key: case, spaces, hyphens and underscores do not matter, nor full-width letters and digits
    (as an East Asian input method types them)."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", str(name)).lower())


_INDEX: dict[str, CatalogueGPU] = {}
for _gpu in GPUS:
    for _name in (_gpu.name, *_gpu.aliases):
        if _key(_name) in _INDEX:
            raise AssertionError(f"catalogue name '{_name}' is listed twice")
        _INDEX[_key(_name)] = _gpu


def lookup(name: str | None) -> CatalogueGPU | None:
    """The catalogue entry a GPU name refers to, or None."""
    if name is None:
        return None
    return _INDEX.get(_key(name))


def names() -> list[str]:
    return [g.name for g in GPUS]


def suggest(name: str) -> str | None:
    """The catalogue's name for the GPU ``name`` most likely stands for (:func:`planner.spelling.meant`), if any."""
    return meant(_key(name), {key: gpu.name for key, gpu in _INDEX.items()})


def markdown_table() -> str:
    """The catalogue as a Markdown table (for docs/workbook.md)."""

    def number(value: float | None) -> str:
        return "–" if value is None else f"{value:,.10g}"

    lines = [
        "| gpu | vendor | bf16_tflops | fp8 TFLOP/s | fp4 TFLOP/s | hbm_gb | hbm_tbps | TDP W | it_w "
        "| it_w basis | source |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in GPUS:
        lines.append(
            f"| `{g.name}` | {g.vendor} | {number(g.bf16_tflops)} | {number(g.fp8_tflops)} | "
            f"{number(g.fp4_tflops)} | {number(g.hbm_gb)} | {number(g.hbm_tbps)} | {number(g.tdp_w)} | "
            f"{number(g.it_w)} | {g.it_w_basis} | {g.source} |"
        )
    return "\n".join(lines)
