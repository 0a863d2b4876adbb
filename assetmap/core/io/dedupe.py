"""Recognise an asset that is already in the project, so importing a file twice adds nothing.

The same asset is: the same UPRN; the same id in the same source; or the same name within
25 m and not of a different kind (both unlocated counts as the same place when the postcodes
agree or are missing).
"""

from __future__ import annotations

import re
from collections import defaultdict

import geopandas as gpd
import shapely

from assetmap.core.model import is_blank

NEAR_M = 25.0


def _name_key(name: object) -> str:
    text = str(name).lower().replace("&", "and")
    text = re.sub(r"\bst\b\.?", "saint", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def _pc(value: object) -> str:
    return "" if is_blank(value) else re.sub(r"\s+", "", str(value)).upper()


class DuplicateIndex:
    def __init__(self) -> None:
        self.uprns: set[str] = set()
        self.refs: set[tuple[str, str]] = set()
        self.by_name: dict[str, list[tuple[shapely.Geometry | None, str, str]]] = defaultdict(list)

    @classmethod
    def from_assets(cls, assets: gpd.GeoDataFrame) -> "DuplicateIndex":
        index = cls()
        for rec, geom in zip(assets[["name", "kind", "uprn", "source", "source_ref", "postcode"]].itertuples(index=False),
                             assets.geometry):
            index.add(rec._asdict(), geom)
        return index

    def add(self, rec: dict, geom: shapely.Geometry | None) -> None:
        if not is_blank(rec.get("uprn")):
            self.uprns.add(str(rec["uprn"]).strip())
        if not is_blank(rec.get("source_ref")):
            self.refs.add((str(rec.get("source") or ""), str(rec["source_ref"]).strip()))
        if not is_blank(rec.get("name")):
            kind = "" if is_blank(rec.get("kind")) else str(rec["kind"])
            self.by_name[_name_key(rec["name"])].append((geom, _pc(rec.get("postcode")), kind))

    def match(self, rec: dict, geom: shapely.Geometry | None) -> str | None:
        """Why ``rec`` duplicates a known asset, or None."""
        if not is_blank(rec.get("uprn")) and str(rec["uprn"]).strip() in self.uprns:
            return f"same UPRN ({rec['uprn']}) as an asset already in the project"
        if not is_blank(rec.get("source_ref")) and (str(rec.get("source") or ""), str(rec["source_ref"]).strip()) in self.refs:
            return f"same id ({rec['source_ref']}) from the same source as an asset already in the project"
        postcode = _pc(rec.get("postcode"))
        kind = "" if is_blank(rec.get("kind")) else str(rec["kind"])
        for other, other_pc, other_kind in self.by_name.get(_name_key(rec.get("name", "")), []):
            if kind and other_kind and kind != other_kind:
                continue  # a park and the play area inside it may share a name
            if geom is not None and other is not None and geom.distance(other) <= NEAR_M:
                return f"same name as an asset within {NEAR_M:.0f} m"
            if geom is None and other is None and (not postcode or not other_pc or postcode == other_pc):
                return "same name as an unlocated asset already in the project"
        return None
