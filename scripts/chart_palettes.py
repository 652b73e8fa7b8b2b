"""Choose the charts' series colours (planner/charts.py) and print them.

Each palette is picked from the sRGB colours that stand at 3:1 or more against the white page
(WCAG's contrast for graphics), within its kind's hues: training runs cool (greens, blues, violets),
inference services warm (reds, oranges, magentas), GPU types any hue. Colours are told apart as seen
with normal colour vision and with each colour-vision deficiency at full severity (deuteranomaly and
protanomaly, the common red-green ones, and tritanomaly, blue-yellow), simulated by colorspacious in
CAM02-UCS. A palette is searched for by annealing, colours and their order together, for the largest
differences in proportion to 7.5 between any two colours and 22 between neighbours (which stack next
to each other in the charts; the last and the first included, as palettes repeat). Inference colours
keep as far from the training ones as from each other, and every palette from the charts' greys and
alert red; GPU types take no workload's colour. The search is seeded: a run prints the same
palettes, with the least differences per vision (any two, neighbours), in about five minutes. Over
the three palettes these are 8.6/20.8 with normal vision, 7.1/20.6 with deuteranomaly, 8.0/21.3 with
protanomaly and 7.3/20.2 with tritanomaly, the inference colours, which also keep clear of the
training ones, the closest: held apart under tritanomaly too, 7.5 and 22 are out of reach (the
palettes chosen for the first three visions alone, 7.5/22.4, came to 2.3/6.6 under tritanomaly).

Run: python scripts/chart_palettes.py  (needs the test dependencies: pip install -e '.[test]')
"""

from __future__ import annotations

import itertools

import numpy as np
from colorspacious import cspace_convert

from planner.charts import ALERT, IDLE_COLOUR, OTHER_COLOUR

VISIONS = (None, "deuteranomaly", "protanomaly", "tritanomaly")
SIZES = {"TRAINING_COLOURS": 12, "INFERENCE_COLOURS": 12, "GPU_COLOURS": 10}
APART, NEIGHBOURS = 7.5, 22.0  # the least differences sought, raised together while the search allows
STEPS, SEEDS = 300_000, range(6)  # per search; the best of the seeds' searches is kept


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


def least(colours: np.ndarray) -> list[tuple[float, float]]:
    """Per vision, the least difference between any two of ``colours`` and between neighbours."""
    out, ring = [], np.roll(np.arange(len(colours)), -1)
    for view in seen(colours):
        apart = np.linalg.norm(view[:, None, :] - view[None, :, :], axis=-1)
        out.append((apart[np.triu_indices(len(colours), 1)].min(), apart[np.arange(len(colours)), ring].min()))
    return out


def search(views: np.ndarray, near: np.ndarray, count: int, seed: int) -> tuple[float, np.ndarray]:
    """Annealing over rings of ``count`` of the colours ``views`` (as :func:`seen` gives them), whose
    least differences from the colours to avoid are ``near``: the largest scale of (:data:`APART`,
    :data:`NEIGHBOURS`) met, with a ring that meets it (indices, in order). Any two colours of the
    ring, and each from those to avoid, differ by the first; neighbours by the second."""
    rng, total = np.random.default_rng(seed), views.shape[1]
    flat = views.transpose(1, 0, 2).reshape(total, -1)
    close = np.concatenate([np.argsort(((flat[i:i + 500, None] - flat[None]) ** 2).sum(axis=-1), axis=1)[:, 1:25]
                            for i in range(0, total, 500)])  # a colour's nearest, for small moves
    pairs, ring = np.triu_indices(count, 1), (np.arange(count), np.roll(np.arange(count), -1))

    def shortfall(chosen: np.ndarray, scale: float) -> float:
        apart = distances(views[:, chosen], views[:, chosen])
        return float((np.maximum(0, APART * scale - apart[pairs]) ** 2).sum()
                     + (np.maximum(0, NEIGHBOURS * scale - apart[ring]) ** 2).sum()
                     + (np.maximum(0, APART * scale - near[chosen]) ** 2).sum())

    scale, current = 0.5, rng.choice(total, count, replace=False)
    short, best = shortfall(current, scale), (0.0, current)
    for step in range(STEPS):
        heat = 10 * 0.001 ** (step / STEPS)
        moved, move = current.copy(), rng.random()
        if move < 0.45:  # a colour for one close to it
            i = rng.integers(count)
            moved[i] = close[moved[i], rng.integers(close.shape[1])]
        elif move < 0.65:  # a colour for any other
            moved[rng.integers(count)] = rng.integers(total)
        elif move < 0.8:  # two colours change places
            i, j = rng.choice(count, 2, replace=False)
            moved[[i, j]] = moved[[j, i]]
        else:  # a stretch of the ring reversed
            i, j = sorted(rng.choice(count, 2, replace=False))
            moved[i:j + 1] = moved[i:j + 1][::-1]
        if len(set(moved.tolist())) < count:
            continue
        after = shortfall(moved, scale)
        if after <= short or rng.random() < np.exp((short - after) / heat):
            current, short = moved, after
            while short == 0:  # met: ask for more
                best, scale = (scale, current.copy()), scale * 1.005
                short = shortfall(current, scale)
    return best


def arrange(pool: np.ndarray, count: int, avoid: np.ndarray) -> np.ndarray:
    """``count`` colours of ``pool`` in order, apart from each other and from ``avoid``: the best of
    the seeded searches."""
    views = seen(pool)
    near = distances(views, seen(avoid)).min(axis=1)
    _, chosen = max((search(views, near, count, seed) for seed in SEEDS), key=lambda found: found[0])
    return pool[chosen]


def palettes() -> dict[str, np.ndarray]:
    pool = candidates()
    lightness, chroma, hue = cspace_convert(pool, "sRGB1", "CIELCh").T
    greys = np.array([rgb(OTHER_COLOUR), rgb(IDLE_COLOUR), rgb(ALERT)])
    training = arrange(pool[(hue >= 140) & (hue <= 300) & (chroma >= 20)], SIZES["TRAINING_COLOURS"], greys)
    inference = arrange(pool[((hue <= 75) | (hue >= 330)) & (chroma >= 25)], SIZES["INFERENCE_COLOURS"],
                        np.concatenate([greys, training]))
    taken = (pool[:, None, :] == np.concatenate([training, inference])[None, :, :]).all(axis=2).any(axis=1)
    gpus = arrange(pool[(chroma >= 25) & ~taken], SIZES["GPU_COLOURS"], greys)  # a colour names one series kind
    return {"TRAINING_COLOURS": training, "INFERENCE_COLOURS": inference, "GPU_COLOURS": gpus}


if __name__ == "__main__":
    for name, colours in palettes().items():
        print(f"{name} = {tuple('#%02x%02x%02x' % tuple(round(255 * c) for c in colour) for colour in colours)}")
        print("#", "; ".join(f"{vision or 'normal'} {apart:.1f}/{neighbours:.1f}"
                             for vision, (apart, neighbours) in zip(VISIONS, least(colours))))
