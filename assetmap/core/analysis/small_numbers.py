"""Small numbers of residents, hidden the same way in every public output (DESIGN section 3).

A public output must not let anyone tell a neighbourhood with 1 or 2 registered residents from one
with none: not by a count, a flag, a gap score or a priority rank. So public outputs are worked out
with those neighbourhoods' count of residents set to 0 before any flag or rank is derived from it,
which makes them exactly what a project with nobody registered there gives. Outputs for the team
(``gaps --private``, ``export --private``, the internal report, the app) keep the exact numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

SMALL_COUNT_THRESHOLD = 3  # counts of residents below this are never published


def hide_small_counts(counts: np.ndarray, threshold: int = SMALL_COUNT_THRESHOLD) -> np.ndarray:
    """Counts of residents as public outputs may use them: 1 .. threshold - 1 become 0, the rest stay."""
    counts = np.asarray(counts)
    hidden: np.ndarray = np.where((counts > 0) & (counts < threshold), 0, counts)
    return hidden


def has_small_counts(results: Iterable[Mapping[str, Any]], threshold: int = SMALL_COUNT_THRESHOLD) -> bool:
    """True when a stored result counts 1 .. threshold - 1 residents somewhere (so it may not be published)."""
    for result in results:
        counts = result.get("counts") if isinstance(result, Mapping) else None
        value = counts.get("people") if isinstance(counts, Mapping) else None
        if isinstance(value, (int, float)) and 0 < value < threshold:
            return True
    return False
