"""Recognise an asset that is already in the project, so importing a file twice adds nothing.

The same asset is: the same UPRN; the same id in the same source; or the same name within
25 m and not of a different kind (both unlocated counts as the same place when the postcodes
agree or are missing).

``PreviousRows`` is for importing a file again: it finds the asset a row made last time (same source,
then the row's key, UPRN, name and postcode, or name and place), even when the row was unlocated then
or placed by its postcode. ``Reimport`` then works out what the row changes about that asset (a
``PlannedUpdate``), keeping what was edited by hand since, so the importer updates instead of adding.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import shapely

from assetmap.core.model import ASSET_FIELD_NAMES, INTEGER_FIELDS, is_blank, plain_value

NEAR_M = 25.0
# Fields a re-import may change; the id, stamps and source say which asset it is and are never changed.
UPDATABLE = tuple(f for f in ASSET_FIELD_NAMES if f not in ("id", "created_at", "updated_at", "source"))
LOCATION = "location"  # the name a moved or newly placed point has in a report's list of changed fields
_MOVE_M = 0.01  # points closer than this are the same place (a round trip through a projection)
_SHOWN = 10  # assets named in a report note before "and N more"


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
    def from_assets(cls, assets: gpd.GeoDataFrame) -> DuplicateIndex:
        index = cls()
        columns = ["name", "kind", "uprn", "source", "source_ref", "postcode"]
        for rec, geom in zip(assets[columns].itertuples(index=False), assets.geometry):
            index.add(rec._asdict(), geom)
        return index

    def add(self, rec: Mapping[str, Any], geom: shapely.Geometry | None) -> None:
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

    def match(self, rec: Mapping[str, Any], geom: shapely.Geometry | None) -> str | None:
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


class PreviousRows:
    """The assets an earlier import of the same source made, by the keys a row may share with them.

    Each asset answers for one row only (``claim``), so two rows of a file never update the same asset.
    Keys that both sides have and that differ (a source_ref, a UPRN, a kind) mean different assets.
    """

    def __init__(self, assets: gpd.GeoDataFrame, source: str) -> None:
        self.by_ref: dict[str, list[int]] = defaultdict(list)
        self.by_uprn: dict[str, list[int]] = defaultdict(list)
        self.by_name_pc: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.located: dict[tuple[str, int, int], list[int]] = defaultdict(list)
        self.unlocated: dict[str, list[int]] = defaultdict(list)
        self.claimed: set[int] = set()
        mine = assets[assets["source"].map(_text) == _text(source)] if len(assets) else assets
        self.rows = mine.reset_index(drop=True)
        self._keys = self.rows[["source_ref", "uprn", "kind", "postcode"]].to_dict("records")
        self._geoms = list(self.rows.geometry)
        for i, (rec, geom) in enumerate(zip(self.rows[["name", "uprn", "source_ref", "postcode"]].itertuples(
                index=False), self._geoms)):
            if _text(rec.source_ref):
                self.by_ref[_text(rec.source_ref)].append(i)
            if _text(rec.uprn):
                self.by_uprn[_text(rec.uprn)].append(i)
            if _text(rec.name):
                name = _name_key(rec.name)
                if _pc(rec.postcode):
                    self.by_name_pc[(name, _pc(rec.postcode))].append(i)
                if geom is None or geom.is_empty:
                    self.unlocated[name].append(i)
                else:
                    self.located[(name, *_cell(geom))].append(i)

    def __len__(self) -> int:
        return len(self.rows)

    def _fits(self, i: int, rec: Mapping[str, Any], *, by_name: bool) -> bool:
        if i in self.claimed:
            return False
        row = self._keys[i]
        for key in ("source_ref", "uprn") + (("kind",) if by_name else ()):
            mine, theirs = _text(rec.get(key)), _text(row[key])
            if mine and theirs and mine != theirs:
                return False
        return True

    def match(self, rec: Mapping[str, Any], geom: shapely.Geometry | None) -> tuple[int, str] | None:
        """(position in ``rows``, why) of the asset ``rec`` made last time, or None; it is not claimed yet."""
        ref, uprn = _text(rec.get("source_ref")), _text(rec.get("uprn"))
        if ref:
            for i in self.by_ref.get(ref, ()):
                if self._fits(i, rec, by_name=False):
                    return i, f"same id ({ref}) as last time"
        if uprn:
            for i in self.by_uprn.get(uprn, ()):
                if self._fits(i, rec, by_name=False):
                    return i, f"same UPRN ({uprn}) as last time"
        if not _text(rec.get("name")):
            return None
        name, pc = _name_key(rec["name"]), _pc(rec.get("postcode"))
        if pc:
            for i in self.by_name_pc.get((name, pc), ()):
                if self._fits(i, rec, by_name=True):
                    return i, "same name and postcode as last time"
        if geom is not None and not geom.is_empty:
            cx, cy = _cell(geom)
            best: tuple[float, int] | None = None
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for i in self.located.get((name, cx + dx, cy + dy), ()):
                        d = geom.distance(self._geoms[i])
                        if d <= NEAR_M and self._fits(i, rec, by_name=True) and (best is None or d < best[0]):
                            best = (d, i)
            if best is not None:
                return best[1], f"same name within {NEAR_M:.0f} m as last time"
        for i in self.unlocated.get(name, ()):  # not placed last time: the name (and no other postcode) decides
            other_pc = _pc(self._keys[i]["postcode"])
            if (not pc or not other_pc or pc == other_pc) and self._fits(i, rec, by_name=True):
                return i, "same name as last time, when it had no place on the map"
        return None

    def claim(self, i: int) -> None:
        self.claimed.add(i)


# --- importing a file again: what a row changes about the asset it made before -------------------------

def plain_field(value: Any) -> Any:
    """A value as compared and stored: None for missing (None, NaN, NA, empty text), Python scalars for numpy's.
    Unlike ``is_blank``, "unknown" stays a value (it is an ownership choice). Called for every field of every
    row of a re-import, so the common types are decided first."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    value = plain_value(value)
    return None if isinstance(value, str) and not value.strip() else value


def same_value(a: Any, b: Any) -> bool:
    a, b = plain_field(a), plain_field(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return str(a) == str(b)


def same_place(a: shapely.Geometry | None, b: shapely.Geometry | None) -> bool:
    if a is None or a.is_empty or b is None or b.is_empty:
        return (a is None or a.is_empty) and (b is None or b.is_empty)
    return a.geom_type == b.geom_type and bool(shapely.equals_exact(a, b, tolerance=_MOVE_M))


def _multi(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom


def same_shape(a: shapely.Geometry | None, b: shapely.Geometry | None) -> bool:
    if a is None or a.is_empty or b is None or b.is_empty:
        return (a is None or a.is_empty) and (b is None or b.is_empty)
    a, b = _multi(a), _multi(b)  # stored footprints are multipolygons, a file's often not
    if shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=_MOVE_M):
        return True
    try:  # a footprint repaired on reading (a self-touching ring) differs in vertices, not in shape
        return bool(a.symmetric_difference(b).area <= 1e-6 * max(a.area, 1.0))
    except shapely.errors.GEOSException:
        return False


def _xy(geom: shapely.Geometry | None) -> list[float] | None:
    """An asset's point as stored in the history (assets are points; footprints are kept apart)."""
    return None if geom is None or geom.is_empty else [round(geom.x, 3), round(geom.y, 3)]


def point_of(xy: Sequence[float] | None) -> shapely.Geometry | None:
    return None if not xy else shapely.Point(xy)


def seen_of(clean: Mapping[str, Any], point: shapely.Geometry | None) -> dict[str, Any]:
    values = {f: v for f in UPDATABLE if (v := plain_field(clean.get(f))) is not None}
    return {"values": values, "geom": _xy(point)}


@dataclass
class PlannedUpdate:
    """A row of the file that an asset of the project came from: what importing it again changes."""

    asset_id: str
    row: int
    name: str
    how: str  # how the row was recognised ("same name and postcode as last time")
    changes: dict[str, Any] = field(default_factory=dict)  # field → the file's new value
    geometry: shapely.Geometry | None = None  # the new point, when ``moved``
    area: shapely.Geometry | None = None  # the new footprint, when ``reshaped``
    moved: bool = False
    placed: bool = False  # it had no place on the map and now has one
    reshaped: bool = False
    kept: list[str] = field(default_factory=list)  # fields edited in assetmap since the last import, kept
    expected: dict[str, Any] = field(default_factory=dict)  # the asset's values when the file was checked
    seen: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.changes) or self.moved or self.reshaped

    def fields(self) -> list[str]:
        return list(self.changes) + ([LOCATION] if self.moved or self.reshaped else [])

    def report_row(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row, "id": self.asset_id, "name": self.name, "reason": self.how}
        if self.changed:
            out.update(fields=self.fields(), placed=self.placed)
        if self.kept:
            out["kept"] = list(self.kept)
        return out

    def duplicate_reason(self) -> str:
        text = f"already in the project from this file ({self.how}), unchanged"
        if self.kept:
            text += f"; kept what was edited in assetmap since: {', '.join(self.kept)}"
        return text


class Reimport:
    """Finds the asset each row of a re-imported file made before, and works out what to update.

    A field changes when the file's value differs from the project's and the project still holds what
    the file said last time (the import history's ``seen``): a value that differs from that was edited
    by hand and is kept (and listed). For assets imported before history was kept, an asset edited
    since it was created keeps its values, and an empty cell never erases one.
    """

    def __init__(self, assets: gpd.GeoDataFrame, source: str, mapped: Sequence[str],
                 seen: Callable[[], dict[str, dict[str, Any]]], areas: Callable[[], gpd.GeoDataFrame]) -> None:
        """``seen`` and ``areas`` (the history's values and the project's footprints) are read only when
        the project has assets from ``source``: a first import pays nothing for them."""
        self.previous = PreviousRows(assets, source)
        self.records = self.previous.rows.drop(columns="geometry").to_dict("records") if len(self.previous) else []
        self.geoms = list(self.previous.rows.geometry) if len(self.previous) else []
        self.seen = seen() if len(self.previous) else {}
        self.mapped = {f for f in mapped if f in UPDATABLE}
        self._read_areas = areas
        self._areas: dict[str, shapely.Geometry] | None = None

    def _area_of(self, asset_id: str) -> shapely.Geometry | None:
        if self._areas is None:
            areas = self._read_areas()
            self._areas = dict(zip(areas["asset_id"], areas.geometry))
        return self._areas.get(asset_id)

    def match(self, clean: Mapping[str, Any], point: shapely.Geometry | None, area: shapely.Geometry | None,
              row: int) -> PlannedUpdate | None:
        """The update for a row that made an asset before (claiming that asset), or None for a new row."""
        if not len(self.previous):
            return None
        hit = self.previous.match(dict(clean), point)
        if hit is None:
            return None
        pos, how = hit
        self.previous.claim(pos)
        current = self.records[pos]
        asset_id = str(current["id"])
        expected = {f: plain_field(current.get(f)) for f in ASSET_FIELD_NAMES if f != "updated_at"}
        expected["geom"] = self.geoms[pos]
        plan = PlannedUpdate(asset_id, row, str(current.get("name") or clean.get("name")), how,
                             expected=expected, seen=seen_of(clean, point))
        written = self.seen.get(asset_id)
        legacy_edited = written is None and str(plain_field(current.get("updated_at")) or "") > \
            str(plain_field(current.get("created_at")) or "")
        fields = [f for f in UPDATABLE if f in self.mapped or plain_field(clean.get(f)) is not None
                  or f in ("category", "kind")]
        for f in fields:
            new, cur = plain_field(clean.get(f)), plain_field(current.get(f))
            if same_value(new, cur):
                continue
            if written is not None:
                if not same_value(cur, written["values"].get(f)):  # not what the file said last time: edited by hand
                    plan.kept.append(f)
                    continue
            elif new is None:  # a blank cell never erases a value the history cannot attribute to the file
                continue
            elif legacy_edited and cur is not None:
                plan.kept.append(f)
                continue
            plan.changes[f] = int(new) if f in INTEGER_FIELDS and new is not None else new
        if "category" in plan.kept or "kind" in plan.kept:  # a kind belongs to a category: keep them together
            for f in ("category", "kind"):
                if f in plan.changes:
                    del plan.changes[f]
                    plan.kept.append(f)
        self._locate(plan, self.geoms[pos], point, area, written, legacy_edited)
        return plan

    def _locate(self, plan: PlannedUpdate, cur: shapely.Geometry | None, point: shapely.Geometry | None,
                area: shapely.Geometry | None, written: Mapping[str, Any] | None, legacy_edited: bool) -> None:
        if point is None or point.is_empty:
            return  # a row without a place this time (no lookup given) never takes an asset off the map
        unplaced = cur is None or cur.is_empty
        if not unplaced and not same_place(cur, point):
            by_hand = not same_place(cur, point_of(written.get("geom"))) if written is not None else legacy_edited
            if by_hand:
                plan.kept.append(LOCATION)
                return
        if unplaced or not same_place(cur, point):
            plan.geometry, plan.moved, plan.placed = point, True, unplaced
        if area is not None and not area.is_empty and not same_shape(self._area_of(plan.asset_id), area):
            plan.area, plan.reshaped = area, True

    def kept_note(self, updates: Sequence[PlannedUpdate]) -> str | None:
        kept = [u for u in updates if u.kept]
        if not kept:
            return None
        listed = "; ".join(f"row {u.row} {u.name}: {', '.join(u.kept)}" for u in kept[:_SHOWN])
        more = f"; and {len(kept) - _SHOWN} more" if len(kept) > _SHOWN else ""
        return (f"{len(kept)} asset{'s' if len(kept) != 1 else ''} from this file were edited in assetmap since it "
                f"was last imported: those edits were kept, not the file's values ({listed}{more})")
