"""Recognise an asset that is already in the project, so importing a file twice adds nothing.

The same asset is: the same UPRN; the same id in the same source; or the same name within
25 m and not of a different kind (both unlocated counts as the same place when the postcodes
agree or are missing).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict

import geopandas as gpd
import shapely

from assetmap.core.model import is_blank

NEAR_M = 25.0


def _name_key(name: object) -> str:
    """A name reduced to its letters and digits, in any script: "St Mary's" = "Saint Marys", "Café" = "Cafe".
    Names in Arabic, Chinese, Punjabi ... keep their letters, so two different ones never look the same."""
    if isinstance(name, str) and name.isascii():  # the common case, quickly
        text = re.sub(r"\bst\b\.?", "saint", name.lower().replace("&", "and"))
        return re.sub(r"[^a-z0-9]+", "", text) or name.strip()
    text = unicodedata.normalize("NFKD", str(name).casefold().replace("&", "and"))
    kept: list[str] = []
    for c in text:  # accents off Latin letters only: in other scripts the marks are vowels
        if not (unicodedata.combining(c) and kept and ord(kept[-1]) < 0x250):
            kept.append(c)
    text = unicodedata.normalize("NFC", "".join(kept))
    text = re.sub(r"\bst\b\.?", "saint", text)
    key = "".join(c for c in text if c.isalnum() or unicodedata.category(c).startswith("M"))
    return key or str(name).strip()  # a name of only symbols or emoji is compared as written


def _text(value: object) -> str:
    return "" if is_blank(value) else str(value).strip()


def _pc(value: object) -> str:
    return re.sub(r"\s+", "", _text(value)).upper()


def _cell(geom: shapely.Geometry) -> tuple[int, int]:
    return math.floor(geom.x / NEAR_M), math.floor(geom.y / NEAR_M)


class DuplicateIndex:
    """Known assets by UPRN, by (source, id), and by name on a 25 m grid (so a check is O(1))."""

    def __init__(self) -> None:
        self.uprns: set[str] = set()
        self.refs: set[tuple[str, str]] = set()
        self.located: dict[tuple[str, int, int], list[tuple[shapely.Geometry, str]]] = defaultdict(list)
        self.unlocated: dict[str, list[tuple[str, str]]] = defaultdict(list)

    @classmethod
    def from_assets(cls, assets: gpd.GeoDataFrame) -> "DuplicateIndex":
        index = cls()
        for rec, geom in zip(assets[["name", "kind", "uprn", "source", "source_ref", "postcode"]].itertuples(index=False),
                             assets.geometry):
            index.add(rec._asdict(), geom)
        return index

    def add(self, rec: dict, geom: shapely.Geometry | None) -> None:
        if _text(rec.get("uprn")):
            self.uprns.add(_text(rec["uprn"]))
        if _text(rec.get("source_ref")):
            self.refs.add((_text(rec.get("source")), _text(rec["source_ref"])))
        if _text(rec.get("name")):
            name, kind = _name_key(rec["name"]), _text(rec.get("kind"))
            if geom is None or geom.is_empty:
                self.unlocated[name].append((_pc(rec.get("postcode")), kind))
            else:
                self.located[(name, *_cell(geom))].append((geom, kind))

    def match(self, rec: dict, geom: shapely.Geometry | None) -> str | None:
        """Why ``rec`` duplicates a known asset, or None."""
        if _text(rec.get("uprn")) and _text(rec["uprn"]) in self.uprns:
            return f"same UPRN ({rec['uprn']}) as an asset already in the project"
        if _text(rec.get("source_ref")) and (_text(rec.get("source")), _text(rec["source_ref"])) in self.refs:
            return f"same id ({rec['source_ref']}) from the same source as an asset already in the project"
        name, kind = _name_key(rec.get("name", "")), _text(rec.get("kind"))

        def same_kind(other: str) -> bool:  # a park and the play area inside it may share a name
            return not (kind and other and kind != other)

        if geom is None or geom.is_empty:
            postcode = _pc(rec.get("postcode"))
            for other_pc, other_kind in self.unlocated.get(name, ()):
                if same_kind(other_kind) and (not postcode or not other_pc or postcode == other_pc):
                    return "same name as an unlocated asset already in the project"
            return None
        cx, cy = _cell(geom)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for other, other_kind in self.located.get((name, cx + dx, cy + dy), ()):
                    if same_kind(other_kind) and geom.distance(other) <= NEAR_M:
                        return f"same name as an asset within {NEAR_M:.0f} m"
        return None
