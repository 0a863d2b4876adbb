"""Figures for any units (wards, parishes, a council's own areas) from the bundled LSOAs, by overlap.

- Population: each LSOA's population shared out by area, so a unit gets
  ``sum(LSOA population x share of the LSOA's area inside the unit)``.
- IMD: the population-weighted mean of the LSOA IMD *ranks*, the "average rank" measure MHCLG publishes for
  areas larger than an LSOA (the pack has no IMD score, so the "average score" measure cannot be made). The
  decile is the national LSOA decile that mean rank falls in (32,844 English LSOAs; 1 = most deprived tenth).

Only English LSOAs carry figures; a unit that lies mostly in Wales, or outside England and Wales, gets none,
with a reason. Areas are measured in the units' own projected coordinate system.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assetmap.core.area.national import decile_for_rank
from assetmap.core.progress import Progress, ensure_progress

OUTSIDE = "outside England and Wales: the bundled LSOAs cover England and Wales only"
WALES = ("in Wales: the bundled population and IMD are English statistics (IoD2019); attach Welsh figures, "
         "such as WIMD 2019 and ONS mid-year estimates, with `assetmap attach`")
MIN_COVER = 0.05  # a unit less than this covered by LSOAs is outside England and Wales (slivers aside)


@dataclass
class OverlapFigures:
    population: np.ndarray  # float, NaN where none
    imd_rank: np.ndarray  # population-weighted mean LSOA rank, NaN where none
    imd_decile: list[int | None]
    local_authority: list[str | None]  # the authority holding most of the unit
    reasons: list[str | None]  # why a unit has no figures
    coverage: np.ndarray  # share of each unit's area covered by LSOAs

    @property
    def missing(self) -> int:
        return sum(r is not None for r in self.reasons)


def overlap_figures(units: gpd.GeoSeries, lsoas: gpd.GeoDataFrame, progress: Progress | None = None,
                    chunk: int = 2000) -> OverlapFigures:
    """Area-weighted population and population-weighted mean IMD rank of each unit (see the module doc)."""
    progress = ensure_progress(progress)
    n = len(units)
    geoms = np.asarray(units.values, dtype=object)
    if len(lsoas):
        lsoas = lsoas.to_crs(units.crs)
    lgeoms = np.asarray(lsoas.geometry.values, dtype=object)
    pop = pd.to_numeric(lsoas["population"], errors="coerce").to_numpy(dtype=float) if len(lsoas) else np.zeros(0)
    rank = pd.to_numeric(lsoas["imd_rank"], errors="coerce").to_numpy(dtype=float) if len(lsoas) else np.zeros(0)
    english = ~np.isnan(pop) & ~np.isnan(rank)
    ui, li = (shapely.STRtree(lgeoms).query(geoms, predicate="intersects") if len(lgeoms)
              else (np.zeros(0, dtype=int), np.zeros(0, dtype=int)))
    inter = np.zeros(len(ui))
    for start in range(0, len(ui), chunk):
        progress.update(start, max(len(ui), 1), "Measuring how the LSOAs overlap the neighbourhoods")
        end = start + chunk
        inter[start:end] = shapely.area(shapely.intersection(geoms[ui[start:end]], lgeoms[li[start:end]]))
    share = inter / np.maximum(shapely.area(lgeoms[li]), 1e-9) if len(ui) else inter
    eng = english[li]
    covered = np.bincount(ui, weights=inter, minlength=n)
    eng_area = np.bincount(ui, weights=inter * eng, minlength=n)
    people = np.where(eng, share * np.nan_to_num(pop[li]), 0.0)
    population = np.bincount(ui, weights=people, minlength=n)
    weighted = np.bincount(ui, weights=people * np.nan_to_num(rank[li]), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_rank = np.where(population > 0, weighted / population, np.nan)
    coverage = covered / np.maximum(shapely.area(geoms), 1e-9)
    reasons: list[str | None] = []
    for i in range(n):
        if coverage[i] < MIN_COVER:
            reasons.append(OUTSIDE)
        elif eng_area[i] < 0.5 * covered[i]:
            reasons.append(WALES)
        else:
            reasons.append(None)
    population = np.where([r is None for r in reasons], population, np.nan)
    mean_rank = np.where([r is None for r in reasons], mean_rank, np.nan)
    deciles = [None if np.isnan(r) else decile_for_rank(float(r)) for r in mean_rank]
    return OverlapFigures(population, mean_rank, deciles, _largest(ui, li, inter, lsoas, n), reasons, coverage)


def _largest(ui: np.ndarray, li: np.ndarray, inter: np.ndarray, lsoas: gpd.GeoDataFrame, n: int) -> list[str | None]:
    """For each unit, the local authority whose LSOAs cover most of it (None where none do)."""
    out: list[str | None] = [None] * n
    if not len(ui) or "local_authority" not in lsoas.columns:
        return out
    frame = pd.DataFrame({"unit": ui, "la": lsoas["local_authority"].to_numpy()[li], "area": inter})
    best = frame.groupby(["unit", "la"], sort=False)["area"].sum().reset_index()
    best = best.sort_values("area", ascending=False).drop_duplicates("unit")
    for unit, la, area in best.itertuples(index=False):
        if area > 0:
            out[int(unit)] = str(la)
    return out


def share_inside(units: gpd.GeoSeries, area: shapely.Geometry) -> np.ndarray:
    """The share of each unit's area that lies inside ``area`` (same CRS), 0..1."""
    geoms = np.asarray(units.values, dtype=object)
    prepared = area
    shapely.prepare(prepared)
    inside = np.zeros(len(geoms))
    hits = shapely.intersects(prepared, geoms)
    if hits.any():
        inside[hits] = shapely.area(shapely.intersection(geoms[hits], prepared))
    share: np.ndarray = inside / np.maximum(shapely.area(geoms), 1e-9)  # shapely has no type hints
    return share
