"""Population points (for example Output Area population-weighted centroids) for resident coverage.

The same structure carries homes (postcode centres from the project's postcode lookup, see ``homes``):
``basis`` says which, and so how the results word it ("of residents", "of homes").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio.errors
import shapely
from pyproj import CRS

from assetmap.core.errors import AssetmapError

_FIELD_GUESSES = ("population", "pop", "usual_residents", "residents", "all_ages", "total", "count", "people")


@dataclass(frozen=True)
class PopulationPoints:
    """Points in the project CRS with the number of residents (or homes) each stands for."""

    points: np.ndarray
    values: np.ndarray
    source: str = ""
    basis: str = "population"  # "population" (residents) or "homes" (postcode centres)
    note: str = ""  # where the points came from, for the run's notes


def _pick_field(frame: pd.DataFrame, field: str | None, name: str) -> str:
    if field:
        if field not in frame.columns:
            raise AssetmapError(f"{name} has no column '{field}'; "
                                f"its columns are {', '.join(map(str, frame.columns))}.")
        return field
    lowered = {str(c).lower().replace(" ", "_"): c for c in frame.columns if c != "geometry"}
    for guess in _FIELD_GUESSES:
        if guess in lowered:
            return str(lowered[guess])
    raise AssetmapError(f"{name}: cannot tell which column holds the population; name it with --population-field.")


def population_points_from_frame(frame: gpd.GeoDataFrame, crs: CRS, *, field: str | None = None,
                                 name: str = "population points") -> PopulationPoints:
    """Check and reproject a points layer; polygons are reduced to a point inside each."""
    if frame.crs is None:
        raise AssetmapError(f"{name} has no coordinate system; save it with one (such as EPSG:27700 or EPSG:4326).")
    column = _pick_field(frame, field, name)
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any() or (values < 0).any():
        bad = int(values.isna().idxmax() if values.isna().any() else (values < 0).idxmax())
        raise AssetmapError(f"{name}, row {bad + 1}: population '{frame[column].iloc[bad]}' is not a number of people.")
    geoms = frame.to_crs(crs).geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    points = shapely.point_on_surface(geoms)  # points stay as they are
    kept = values.to_numpy(dtype=float)[~missing]
    note = f"{int(len(kept)):,} population points from {name}, {kept.sum():,.0f} residents in all"
    return PopulationPoints(points[~missing], kept, name, "population", note)


def read_population_points(path: str | Path, crs: CRS, *, field: str | None = None) -> PopulationPoints:
    """Read a population-points file (GeoPackage, GeoJSON, shapefile...) in any CRS."""
    path = Path(path)
    if not path.exists():
        raise AssetmapError(f"{path} does not exist.")
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise AssetmapError(f"{path.name} could not be read as a map layer: {exc}".splitlines()[0]) from None
    return population_points_from_frame(frame, crs, field=field, name=path.name)
