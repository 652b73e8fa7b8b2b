"""Choose the charts' series colours (planner/charts.py) and print them.

Each palette is picked from the sRGB colours that stand at 3:1 or more against the white page
(WCAG's contrast for graphics), within its kind's hues: training runs cool (greens, blues,
violets), inference services warm (reds, oranges, magentas), GPU types any hue. Colours are added
one at a time, each the farthest from those already taken as seen with normal colour vision and
with the two common colour-vision deficiencies (deuteranomaly and protanomaly at full severity,
simulated by colorspacious in CAM02-UCS), then ordered so that neighbours, which stack next to
each other in the charts, differ most. Inference colours also keep away from the training ones,
and every palette from the charts' greys and alert red; GPU types take no workload's colour.

Run: python scripts/chart_palettes.py  (needs the test dependencies: pip install -e '.[test]')
"""

from __future__ import annotations

import itertools
import random

import numpy as np
from colorspacious import cspace_convert

from planner.charts import ALERT, IDLE_COLOUR, OTHER_COLOUR

VISIONS = (None, "deuteranomaly", "protanomaly")
SIZES = {"TRAINING_COLOURS": 12, "INFERENCE_COLOURS": 12, "GPU_COLOURS": 10}


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255


def seen(colours: np.ndarray) -> np.ndarray:
    """CAM02-UCS coordinates of sRGB ``colours`` (n x 3, 0-1) per vision: visions x n x 3."""
    views = []
    for deficiency in VISIONS:
        shown = colours if deficiency is None else np.clip(cspace_convert(
            colours, {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}, "sRGB1"), 0, 1)
        views.append(cspace_convert(shown, "sRGB1", "CAM02-UCS"))
    return np.stack(views)


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The least colour difference over the visions between each of ``a`` and each of ``b`` (as
    :func:`seen` gives them)."""
    return np.linalg.norm(a[:, :, None, :] - b[:, None, :, :], axis=-1).min(axis=0)


def candidates() -> np.ndarray:
    """sRGB colours on a grid, at 3:1 or more against white, neither near-black nor garish."""
    grid = np.arange(0, 256, 6) / 255
    colours = np.array(list(itertools.product(grid, grid, grid)))
    linear = np.where(colours <= 0.03928, colours / 12.92, ((colours + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    colours = colours[(1.05 / (luminance + 0.05) >= 3.15) & (luminance >= 0.04)]
    lightness, chroma, _ = cspace_convert(colours, "sRGB1", "CIELCh").T
    return colours[(lightness >= 32) & (chroma <= 62)]


def pick(pool: np.ndarray, count: int, avoid: np.ndarray) -> np.ndarray:
    """``count`` colours of ``pool``, each the farthest from those taken and from ``avoid``."""
    views, taken = seen(pool), seen(avoid)
    chosen = []
    for _ in range(count):
        best = int(np.argmax(distances(views, taken).min(axis=1)))
        chosen.append(best)
        taken = np.concatenate([taken, views[:, [best], :]], axis=1)
    return pool[chosen]


def in_order(colours: np.ndarray, tries: int = 40_000) -> np.ndarray:
    """``colours`` ordered so that the least difference between neighbours (the last and the first
    included: palettes repeat) is the largest found over ``tries`` shuffles."""
    views = seen(colours)
    apart = distances(views, views)
    order, best, rng = list(range(len(colours))), (-1.0, []), random.Random(1)
    for _ in range(tries):
        rng.shuffle(order)
        least = min(apart[a, b] for a, b in zip(order, order[1:] + order[:1]))
        best = max(best, (least, order[:]))
    return colours[best[1]]


def palettes() -> dict[str, list[str]]:
    pool = candidates()
    lightness, chroma, hue = cspace_convert(pool, "sRGB1", "CIELCh").T
    greys = np.array([rgb(OTHER_COLOUR), rgb(IDLE_COLOUR), rgb(ALERT)])
    training = pick(pool[(hue >= 140) & (hue <= 300) & (chroma >= 20)], SIZES["TRAINING_COLOURS"], greys)
    inference = pick(pool[((hue <= 75) | (hue >= 330)) & (chroma >= 25)], SIZES["INFERENCE_COLOURS"],
                     np.concatenate([greys, training]))
    taken = (pool[:, None, :] == np.concatenate([training, inference])[None, :, :]).all(axis=2).any(axis=1)
    gpus = pick(pool[(chroma >= 25) & ~taken], SIZES["GPU_COLOURS"], greys)  # a colour names one series kind
    as_hex = lambda colours: ["#%02x%02x%02x" % tuple(round(255 * c) for c in colour)  # noqa: E731
                              for colour in in_order(colours)]
    return {"TRAINING_COLOURS": as_hex(training), "INFERENCE_COLOURS": as_hex(inference), "GPU_COLOURS": as_hex(gpus)}


if __name__ == "__main__":
    for name, colours in palettes().items():
        print(f"{name} = {tuple(colours)}")
