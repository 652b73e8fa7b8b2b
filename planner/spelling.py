"""How messages write names and figures: the name a mistyped one most likely stands for, the precision
two figures need not to read alike, a list (of periods, in runs) as a sentence says it, and text a terminal would
take for commands."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Iterable

# characters that are commands to a terminal or that reorder the text around them, rather than text: control
# characters (a line break, which could start a line of its own, escape sequences that retitle or clear the
# terminal) and the bidirectional embeddings, overrides and isolates (a name ending in U+202E shows the figures
# after it reversed, '86.3%' as '%3.68')
CONTROLS = frozenset([*range(0x20), *range(0x7F, 0xA0)])
BIDI_CONTROLS = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
UNSHOWN = CONTROLS | BIDI_CONTROLS
# characters that show as nothing (or as a space no one typed), so that two names that look alike would differ:
# the zero-width space, the soft hyphen (pasted from word processors and web pages), joiners and fillers. The
# zero-width joiners and the direction marks (U+200C-U+200F) are left alone: Persian, Indic, Hebrew and Arabic
# text needs them
INVISIBLE = frozenset([0x00AD, 0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, *range(0x2060, 0x2065),
                       0x3164, 0xFEFF, 0xFFA0])
_ESCAPED = {code: ascii(chr(code))[1:-1] for code in UNSHOWN}  # '\n', '\x1b', '\u202e'
_ESCAPED_BUT_LINE_BREAKS = {code: shown for code, shown in _ESCAPED.items() if code != 0x0A}


def printable(text: str, line_breaks: bool = False) -> str:
    """``text`` with each of :data:`UNSHOWN` written as its escape ('\\x1b'): as a terminal shows it, not obeys it;
    ``line_breaks`` kept, for text of several lines."""
    return text.translate(_ESCAPED_BUT_LINE_BREAKS if line_breaks else _ESCAPED)


def folded(name: str) -> str:
    """``name`` as Unicode's compatibility case folding sees it (NFKC_Casefold, closely): what two names that a
    reader takes for one have in common."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def closest(name: str, candidates: list[str], cutoff: float = 0.6) -> str | None:
    """The candidate ``name`` most likely mistypes: difflib's closest, but two characters swapped
    (H100-SMX for H100-SXM) before one changed (H200-SXM), which difflib ranks alike. Names over
    three times longer or shorter than ``name`` cannot reach a cutoff of 0.5 (difflib's ratio is at
    most twice the shorter length over both), so they are passed over unread: a sheet named with
    megabytes of text took a minute."""
    near = [c for c in candidates if max(len(c), len(name)) <= 3 * min(len(c), len(name))]
    hints = difflib.get_close_matches(name, near, n=3, cutoff=cutoff)
    swapped = [h for h in hints if sorted(h) == sorted(name)]
    return (swapped or hints or [None])[0]


def meant(typed: str, keyed: dict[str, str]) -> str | None:
    """The name ``typed`` most likely stands for, of ``keyed`` (each name by its key: the name as comparisons see it,
    ``typed`` given so too): the one whose key it is, else the one it begins where a word or number of it ends
    (h200 for H200-SXM, not h20 for it: an H20 is another GPU; none where it begins several), else the one it
    mistypes (:func:`closest`)."""
    if typed in keyed:
        return keyed[typed]
    begun = [(key, name) for key, name in keyed.items() if key.startswith(typed)]
    if begun:  # a name cut short, not misspelt
        ended = {name for key, name in begun if _ends_there(typed, key[len(typed)])}
        return ended.pop() if len(ended) == 1 else None
    hit = closest(typed, list(keyed))
    return None if hit is None else keyed[hit]


def _ends_there(typed: str, following: str) -> bool:
    """Whether ``typed`` ends a word or number where a longer name goes on with ``following``: not a digit after a
    digit, nor a letter after a letter."""
    last = typed[-1:]
    return not (last.isdigit() and following.isdigit() or last.isalpha() and following.isalpha())


def precision_apart(first: float, second: float, write: Callable[[float, int], str], precisions: Iterable[int]) -> int:
    """The first of ``precisions`` at which ``write(figure, precision)`` writes ``first`` and ``second`` differently
    (the last if none does): a figure past a bound never reads as the bound it misses."""
    for precision in precisions:
        if write(first, precision) != write(second, precision):
            break
    return precision


def significant(figure: float, digits: int) -> str:
    """``figure`` with ``digits`` significant figures, as :g writes it."""
    return f"{figure:.{digits}g}"


def spoken(items: list[str]) -> str:
    """``items`` as a sentence lists them: 'a', 'a and b', 'a, b and c'."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def runs(names: list[str], chosen: Iterable[bool]) -> list[list[str]]:
    """The ``chosen`` of ``names``, in runs of names chosen one after another."""
    found, run = [], []
    for name, taken in zip([*names, None], [*chosen, False]):
        if taken:
            run.append(name)
        elif run:
            found.append(run)
            run = []
    return found


def run_spans(groups: Iterable[list[str]], joint: str = " to ") -> list[tuple[str, int]]:
    """Groups of names in a row, each of three or more as one span ('M001 to M022'), fewer name by name: (text, how
    many names it stands for)."""
    return [part for group in groups
            for part in ([(f"{group[0]}{joint}{group[-1]}", len(group))] if len(group) > 2
                         else [(name, 1) for name in group])]


def periods_in_runs(names: list[str], chosen: Iterable[bool]) -> str:
    """The ``chosen`` of the periods ``names`` for a sentence, three or more in a row as one span ('M001 to M022,
    M024'; '2026Q1, 2026Q2 and 2027Q1'): 22 periods named one by one are read as none."""
    return spoken([text for text, _ in run_spans(runs(names, chosen))])
