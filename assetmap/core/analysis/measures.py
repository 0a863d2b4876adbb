"""Which assets belong to which neighbourhood, and the counts that follow.

An asset is counted in exactly one neighbourhood: the first (in project order) whose area or
boundary holds its point, so an asset on a shared boundary is not counted twice; an asset with a
footprint counts in the neighbourhood holding most of its footprint, and footprints that are one site
(see ``footprints``) count once. Unlocated assets
cannot be placed by distance; when the user includes them they count only where their
neighbourhood is known without a location, which is when the project has a single neighbourhood.
People are never located: they count where their record's ``neighbourhood_code`` says.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assetmap.core.analysis.footprints import (
    credit_owners,
    credit_pairs_overlapping,
    site_groups,
    site_names,
    site_unions,
)
from assetmap.core.taxonomy import CATEGORY_IDS, Taxonomy


@dataclass(frozen=True)
class Counts:
    """Per-neighbourhood counts (rows in neighbourhood order) by category and by kind."""

    by_category: pd.DataFrame
    by_kind: pd.DataFrame
    unlocated: dict[str, int]
    sites_merged: int = 0  # sites of two or more footprints counted once (see ``footprints``)
    assets_merged: int = 0  # assets not counted because their footprint is part of an earlier asset's site
    credited_elsewhere: int = 0  # assets counted where most of their footprint lies, not where their point is


def assign_points(neighbourhoods: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Index of the neighbourhood holding each point (-1 outside all); boundary ties go to the first."""
    owner = np.full(len(points), -1, dtype=np.int64)
    if len(points) == 0 or len(neighbourhoods) == 0:
        return owner
    tree = shapely.STRtree(neighbourhoods)
    pt_i, nb_i = tree.query(points, predicate="intersects")
    if pt_i.size:
        order = np.lexsort((nb_i, pt_i))
        pt_i, nb_i = pt_i[order], nb_i[order]
        first = np.concatenate([[True], pt_i[1:] != pt_i[:-1]])
        owner[pt_i[first]] = nb_i[first]
    return owner


def _table(codes: np.ndarray, owner: np.ndarray, labels: pd.Series, columns: list[str], n: int) -> pd.DataFrame:
    placed = owner >= 0
    values, names = pd.factorize(labels.to_numpy()[placed], sort=True)
    counts = np.bincount(owner[placed] * len(names) + values, minlength=n * len(names)).reshape(n, len(names))
    table = pd.DataFrame(counts, index=codes, columns=list(names))
    return table.reindex(columns=sorted(set(columns) | set(names)), fill_value=0)


def overlap_owners(neighbourhoods: np.ndarray, points: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point, neighbourhood) pairs where overlapping neighbourhoods are allowed: every neighbourhood whose interior
    holds a point, and the first one for a point only on boundaries (as ``assign_points``)."""
    tree = shapely.STRtree(neighbourhoods)
    pt_i, nb_i = tree.query(points, predicate="within")
    inside = np.zeros(len(points), dtype=bool)
    inside[pt_i] = True
    edge = np.flatnonzero(~inside & (owner >= 0))
    return np.concatenate([pt_i, edge]), np.concatenate([nb_i, owner[edge]])


def _footprint_rows(assets: gpd.GeoDataFrame, located: np.ndarray,
                    asset_areas: gpd.GeoDataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """(rows of located assets with a footprint, in project order; their footprints)."""
    if asset_areas is None or not len(asset_areas) or not len(assets):
        return np.zeros(0, dtype=np.int64), np.empty(0, dtype=object)
    area_ids = pd.Index(asset_areas["asset_id"].to_numpy())
    last = ~area_ids.duplicated(keep="last")  # two rows for one asset (edited elsewhere): the last, as the rules use
    area_ids, area_geoms = area_ids[last], asset_areas.geometry.to_numpy()[last]
    ids = assets["id"].to_numpy()
    rows = np.flatnonzero(located & pd.Index(ids).isin(area_ids))
    return rows, np.asarray(area_geoms[area_ids.get_indexer(ids[rows])], dtype=object)


def count_assets(neighbourhoods: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, people: pd.DataFrame,
                 *, include_unlocated: bool, allow_overlap: bool = False,
                 asset_areas: gpd.GeoDataFrame | None = None, taxonomy: Taxonomy | None = None) -> Counts:
    """Counts by category (all six, people from the people table) and by kind for each neighbourhood.

    With ``asset_areas`` (the footprints), footprints of one kind that are one site (touching with the same
    name, or the same site mapped twice: see ``footprints``) count once, as the first of them in project
    order, and an asset with a footprint counts in the neighbourhood holding most of its site (ties: the
    first) rather than where its point is. An asset without a footprint counts where its point is.

    With ``allow_overlap`` (a project made with ``--allow-overlap``) an asset counts in every neighbourhood
    that holds its point, or more than half of its footprint, so the rows of an overlap may add up to more
    than the assets."""
    n = len(neighbourhoods)
    codes = neighbourhoods["code"].to_numpy()
    nb_geoms = neighbourhoods.geometry.to_numpy()
    geoms = assets.geometry.to_numpy() if len(assets) else np.empty(0, dtype=object)
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.zeros(0, bool)
    owner = np.full(len(assets), -1, dtype=np.int64)
    owner[located] = assign_points(nb_geoms, geoms[located])
    unlocated = assets[~located]
    if include_unlocated and n == 1:
        owner[~located] = 0
    counted = np.ones(len(assets), bool)  # False: part of an earlier asset's site
    fp_rows, fp_geoms = _footprint_rows(assets, located, asset_areas)
    sites = merged = elsewhere = 0
    site_pairs: tuple[np.ndarray, np.ndarray] | None = None
    if len(fp_rows):
        fp_kinds = assets["kind"].to_numpy()[fp_rows]
        names = assets["name"].to_numpy()[fp_rows] if "name" in assets.columns else [None] * len(fp_rows)
        labels = site_groups(fp_geoms, site_names(names, taxonomy), fp_kinds)
        firsts, whole = site_unions(fp_geoms, labels)
        counted[fp_rows] = False
        counted[fp_rows[firsts]] = True
        sizes = np.unique(labels, return_counts=True)[1]
        sites, merged = int((sizes > 1).sum()), int(len(fp_rows) - len(firsts))
        rows = fp_rows[firsts]
        if allow_overlap and n > 1:
            g_i, n_i, credit = credit_pairs_overlapping(nb_geoms, whole)
            site_pairs = rows[g_i], n_i
        else:
            credit = credit_owners(nb_geoms, whole, owner[rows])
        held = credit >= 0  # a footprint in no neighbourhood (all outside) counts where its point is, if anywhere
        elsewhere = int((held & (credit != owner[rows])).sum())
        owner[rows[held]] = credit[held]
    if allow_overlap and located.any() and n > 1:
        none = np.zeros(0, dtype=np.int64)
        site_rows, site_nbs = site_pairs if site_pairs is not None else (none, none)
        by_point = np.setdiff1d(np.flatnonzero(located & counted), site_rows)  # sites no unit holds: by point
        pt_rows, pt_nbs = overlap_owners(nb_geoms, geoms[by_point], owner[by_point])
        rest = np.flatnonzero(~located & (owner >= 0))
        assets = assets.iloc[np.concatenate([by_point[pt_rows], site_rows, rest])]
        owner = np.concatenate([pt_nbs, site_nbs, owner[rest]])
    elif not counted.all():
        assets, owner = assets[counted], owner[counted]
    kinds = assets["kind"].fillna(assets["category"] + "/unspecified") if len(assets) else pd.Series([], dtype=object)
    by_category = _table(codes, owner, assets["category"] if len(assets) else pd.Series([], dtype=object),
                         list(CATEGORY_IDS), n)
    by_kind = _table(codes, owner, kinds, [], n)
    if len(people):
        known = people[people["neighbourhood_code"].isin(set(codes))]
        people_counts = known.groupby("neighbourhood_code").size()
        by_category["people"] += people_counts.reindex(codes, fill_value=0).to_numpy()
    return Counts(by_category[list(CATEGORY_IDS) + [c for c in by_category.columns if c not in CATEGORY_IDS]],
                  by_kind, unlocated["category"].value_counts().to_dict() if len(unlocated) else {},
                  sites, merged, elsewhere)


def per_thousand(counts: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Counts per 1,000 residents; blank (NaN) where the population is unknown or zero."""
    pop = pd.to_numeric(population, errors="coerce").to_numpy(dtype=float)
    pop = np.where(pop > 0, pop, np.nan)
    return counts.div(pop, axis=0) * 1000.0
