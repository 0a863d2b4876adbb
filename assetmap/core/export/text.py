"""User text on its way out of the project: Unicode bidirectional controls removed.

An embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) or a direction mark (U+200E,
U+200F, U+061C) is invisible and holds no letter; what it does is reorder the text around it. In
a published map, CSV or GeoJSON, one unclosed U+202E in an asset name makes the next cells or the
rest of a line read backwards ("Trojan Source" spoofing), and a viewer cannot see why. They are
removed rather than replaced: a visible stand-in (U+FFFD) or an escape would show the public
junk in names where a mark was used honestly, while without the controls the Unicode bidi
algorithm still lays out Arabic, Hebrew or Urdu names correctly in nearly every case. The
project itself keeps the text as it was entered; only exports are neutralised.
"""

from __future__ import annotations

from typing import Any

BIDI_CONTROLS = ("\u061c\u200e\u200f"  # Arabic letter mark, left-to-right and right-to-left marks
                 "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides
                 "\u2066\u2067\u2068\u2069")  # isolates and pop isolate
_REMOVE = str.maketrans("", "", BIDI_CONTROLS)


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return text.translate(_REMOVE)


def neutral(value: Any) -> Any:
    """A value with its text (if it is text) stripped of bidi controls; anything else as it is."""
    return value.translate(_REMOVE) if isinstance(value, str) else value


def neutral_tree(data: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, tuples) with every string, keys included, stripped of bidi controls."""
    if isinstance(data, str):
        return data.translate(_REMOVE)
    if isinstance(data, dict):
        return {neutral_tree(k): neutral_tree(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [neutral_tree(v) for v in data]
    return data
