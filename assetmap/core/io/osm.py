"""OpenStreetMap extracts (``.osm.pbf`` or ``.osm``) through GDAL's OSM driver.

Only features whose tags map onto a kind in the taxonomy become rows; everything else in the
extract (roads, houses, ...) is not an asset and is not counted. Areas such as parks keep their
footprint. Features without a name are named after their kind ("Playground"), as a map does.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from assetmap.core.errors import DataError
from assetmap.core.io.limits import library_detail
from assetmap.core.io.table import RawTable
from assetmap.core.taxonomy import Taxonomy, default_taxonomy

_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
_LAYERS = ("points", "multipolygons")


def parse_other_tags(text: object) -> dict[str, str]:
    """GDAL packs the tags it has no column for into an hstore string: ``"k"=>"v","k2"=>"v2"``."""
    if not isinstance(text, str):
        return {}
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in _HSTORE.findall(text)}


def _osm_ref(row: pd.Series, layer: str) -> str:
    if layer == "points":
        return f"node/{row['osm_id']}"
    if isinstance(row.get("osm_way_id"), str) and row.get("osm_way_id"):
        return f"way/{row['osm_way_id']}"
    return f"relation/{row['osm_id']}"


def read_osm(path: Path, taxonomy: Taxonomy | None = None) -> RawTable:
    """Features of an OSM extract that are community assets, one row each, with their tags."""
    tax = taxonomy or default_taxonomy()
    kept_tags = tax.osm_keys() | {"religion", "denomination", "sport"}  # the tags worth keeping on an asset
    frames, geoms = [], []
    kinds: list[str | None] = []  # the type of RawTable.osm_kinds; every row here has a kind
    for layer in _LAYERS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                gdf = pyogrio.read_dataframe(str(path), layer=layer)
        except Exception as exc:
            raise DataError(f"could not be read as an OpenStreetMap extract ({library_detail(exc, path)})",
                            file=path) from None
        tag_columns = [c for c in gdf.columns if c not in ("osm_id", "osm_way_id", "other_tags", "geometry")]
        records = []
        for _, row in gdf.iterrows():
            tags = {c: str(row[c]) for c in tag_columns if isinstance(row[c], str) and row[c]}
            tags.update(parse_other_tags(row.get("other_tags")))
            kind = tax.kind_for_osm_tags(tags)
            if kind is None or kind.startswith("people/"):
                continue
            kinds.append(kind)
            geoms.append(row.geometry)
            records.append({
                "name": tags.get("name") or tax.label(kind),
                "osm_ref": _osm_ref(row, layer),
                "website": tags.get("website") or tags.get("contact:website"),
                "phone": tags.get("phone") or tags.get("contact:phone"),
                "email": tags.get("email") or tags.get("contact:email"),
                "opening_hours": tags.get("opening_hours"),
                "postcode": tags.get("addr:postcode"),
                "address": ", ".join(v for v in (tags.get("addr:housenumber"), tags.get("addr:street"),
                                                 tags.get("addr:city")) if v) or None,
                "accessibility": "step_free" if tags.get("wheelchair") == "yes" else None,
                "description": tags.get("description"),
                "osm_tags": ";".join(f"{k}={v}" for k, v in sorted(tags.items())
                                     if k in kept_tags),
            })
        frames.append(pd.DataFrame(records, dtype=object))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    geometry = gpd.GeoSeries(geoms, crs=4326)
    if len(frame) == 0:
        raise DataError("holds no features tagged as community assets (amenity, leisure, landuse ... "
                        "that map onto a kind)", file=path)
    table = RawTable(path, "osm", frame, list(range(1, len(frame) + 1)), geometry=geometry,
                     crs=geometry.crs, notes=[f"{len(frame)} OpenStreetMap features tagged as community assets"])
    table.osm_kinds = kinds
    return table
