"""Which assets belong to which neighbourhood, and the counts that follow.

An asset is counted in exactly one neighbourhood: the first (in project order) whose area or
boundary holds its point, so an asset on a shared boundary is not counted twice. Unlocated assets
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

from assetmap.core.taxonomy import CATEGORY_IDS


@dataclass(frozen=True)
class Counts:
    """Per-neighbourhood counts (rows in neighbourhood order) by category and by kind."""

    by_category: pd.DataFrame
    by_kind: pd.DataFrame
    unlocated: dict[str, int]


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


def count_assets(neighbourhoods: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, people: pd.DataFrame,
                 *, include_unlocated: bool, allow_overlap: bool = False) -> Counts:
    """Counts by category (all six, people from the people table) and by kind for each neighbourhood.

    With ``allow_overlap`` (a project made with ``--allow-overlap``) an asset counts in every neighbourhood
    that holds it, so the rows of an overlap may add up to more than the assets."""
    n = len(neighbourhoods)
    codes = neighbourhoods["code"].to_numpy()
    geoms = assets.geometry.to_numpy() if len(assets) else np.empty(0, dtype=object)
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.zeros(0, bool)
    owner = np.full(len(assets), -1, dtype=np.int64)
    owner[located] = assign_points(neighbourhoods.geometry.to_numpy(), geoms[located])
    unlocated = assets[~located]
    if include_unlocated and n == 1:
        owner[~located] = 0
    if allow_overlap and located.any() and n > 1:
        where = np.flatnonzero(located)
        rows, owners = overlap_owners(neighbourhoods.geometry.to_numpy(), geoms[located], owner[located])
        assets = assets.iloc[np.concatenate([where[rows], np.flatnonzero(~located & (owner >= 0))])]
        owner = np.concatenate([owners, owner[~located & (owner >= 0)]])
    kinds = assets["kind"].fillna(assets["category"] + "/unspecified") if len(assets) else pd.Series([], dtype=object)
    by_category = _table(codes, owner, assets["category"] if len(assets) else pd.Series([], dtype=object),
                         list(CATEGORY_IDS), n)
    by_kind = _table(codes, owner, kinds, [], n)
    if len(people):
        known = people[people["neighbourhood_code"].isin(set(codes))]
        people_counts = known.groupby("neighbourhood_code").size()
        by_category["people"] += people_counts.reindex(codes, fill_value=0).to_numpy()
    return Counts(by_category[list(CATEGORY_IDS) + [c for c in by_category.columns if c not in CATEGORY_IDS]],
                  by_kind, unlocated["category"].value_counts().to_dict() if len(unlocated) else {})


def per_thousand(counts: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Counts per 1,000 residents; blank (NaN) where the population is unknown or zero."""
    pop = pd.to_numeric(population, errors="coerce").to_numpy(dtype=float)
    pop = np.where(pop > 0, pop, np.nan)
    return counts.div(pop, axis=0) * 1000.0
