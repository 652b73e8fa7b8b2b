"""The name a mistyped one most likely stands for, for hints in messages."""

from __future__ import annotations

import difflib


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
