"""Footprints that are one site, and the neighbourhood a footprint belongs to.

**One site.** Two footprints are the same site when they touch or lie within ``NEAR_M`` (5 m) of each
other and share a name, or when they overlap mostly: their intersection is at least ``SAME_SITE_SHARE``
(80%) of the smaller one's area (the same allotment in OS Open Greenspace and in the council's list).
Sites chain: A touching B and B touching C are one site. A name shared only because both were named
after their kind ("Playing field", from an import's ``name_from_kind``) or blank is no shared name.
Names are compared without case, punctuation or repeated spaces; words such as "park" and "the" stay.

``site_groups`` finds the sites with two STRtree queries over all footprints at once (``dwithin`` for
the name test, over the footprints whose name recurs; ``intersects`` for the overlap test, whose
intersection areas are worked out only for the pairs whose bounding boxes overlap enough) and joins the
pairs into sites with a vectorised union-find, so it stays fast for the tens of thousands of footprints
of a national project. A site's label is the position of
its first footprint, so "the first in project order" is the label itself.

**Credit.** ``credit_owners`` gives each footprint the neighbourhood holding the largest part of it
(ties: the first in project order), and with overlapping neighbourhoods every neighbourhood holding
more than half of it (or the largest part when none does). A footprint more of which lies outside
every neighbourhood than in any one of them is credited to none (the caller falls back to its point).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely

from assetmap.core.taxonomy import Taxonomy, default_taxonomy

NEAR_M = 5.0  # footprints this close (or touching) with the same name are one site
SAME_SITE_SHARE = 0.8  # intersection over the smaller footprint's area: the same site mapped twice
_TIE = 1e-9  # shares this close are a tie (float noise), settled by project order


_PUNCTUATION = {c: " " for c in range(128) if not chr(c).isalnum()} | {ord("'"): None, ord("`"): None}


def normalised_name(name: object) -> str:
    """A name as compared: lower case, accents, apostrophes and other punctuation gone, spaces single."""
    return _normalised(name) if isinstance(name, str) else ""


@lru_cache(maxsize=1 << 17)  # a run asks for the same names once per rule
def _normalised(name: str) -> str:
    if not name.isascii():  # accents off, curly apostrophes and other symbols dropped
        name = unicodedata.normalize("NFKD", name.replace("\u2019", "")).encode("ascii", "ignore").decode("ascii")
    return " ".join(name.lower().replace("&", " and ").translate(_PUNCTUATION).split())


def generic_names(taxonomy: Taxonomy | None = None) -> frozenset[str]:
    """Names that only say what kind a thing is (every kind's label and synonyms), normalised."""
    words: set[str] = set()
    for kind in (taxonomy or default_taxonomy()).kinds.values():
        words.update(normalised_name(w) for w in (kind.label, *kind.synonyms, kind.short.replace("_", " ")))
    return frozenset(words)


def site_names(names: Iterable[object], taxonomy: Taxonomy | None = None) -> np.ndarray:
    """Each footprint's name as the same-name test compares it; "" for a blank or generic name (never shared)."""
    generic = generic_names(taxonomy)
    codes, unique = pd.factorize(pd.Series(list(names), dtype=object), use_na_sentinel=False)
    clean = [normalised_name(n) for n in unique]
    table = np.array([n if n not in generic else "" for n in clean] + [""], dtype=object)
    out: np.ndarray = table[codes]
    return out


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of n nodes joined by edges (a[i], b[i]): each node's label is the smallest node
    of its component. Union-find in numpy: hook every root onto the smaller root across an edge, then
    jump pointers until each node points at its root; repeat until no edge joins two roots."""
    parent = np.arange(n, dtype=np.int64)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    while len(a):
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            break
        a, b, ra, rb = a[differ], b[differ], ra[differ], rb[differ]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:  # pointers only ever point at smaller nodes, so this ends, at the roots
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
    return parent


def _pairs(tree: shapely.STRtree, geoms: np.ndarray, predicate: str, **kw: float) -> tuple[np.ndarray, np.ndarray]:
    """Each unordered pair of different footprints once (i < j)."""
    i, j = tree.query(geoms, predicate=predicate, **kw)
    keep = i < j
    return i[keep], j[keep]


def _name_pairs(geoms: np.ndarray, names: np.ndarray, near_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs within ``near_m`` of each other sharing a name; only footprints whose name recurs are looked at."""
    codes, _ = pd.factorize(pd.Series(names, dtype=object))
    named = np.asarray(names != "", dtype=bool)
    recurs = named & (np.bincount(codes, minlength=int(codes.max()) + 1)[codes] > 1)
    which = np.flatnonzero(recurs)
    if len(which) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    sub = geoms[which]
    i, j = _pairs(shapely.STRtree(sub), sub, "dwithin", distance=near_m)
    same = codes[which[i]] == codes[which[j]]
    return which[i[same]], which[j[same]]


def site_groups(geoms: np.ndarray, names: np.ndarray, kinds: np.ndarray | None = None, *,
                near_m: float = NEAR_M, share: float = SAME_SITE_SHARE) -> np.ndarray:
    """The site each footprint belongs to: the position of the site's first footprint (see the module text).

    ``names`` as ``site_names`` gives them. With ``kinds`` (counting assets), footprints of different kinds
    are one site only when each is mostly the other (the same site mapped as a park in one file and a
    nature reserve in another), so a playground inside a park, or named after it, stays a playground.
    Without (the size test of one rule), any two of the rule's footprints may be one site.
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    names = np.asarray(names, dtype=object)
    near_i, near_j = _name_pairs(geoms, names, near_m)
    if kinds is not None:
        kinds = np.asarray(kinds, dtype=object)
        same_kind = kinds[near_i] == kinds[near_j]
        near_i, near_j = near_i[same_kind], near_j[same_kind]
    over_i, over_j = _pairs(shapely.STRtree(geoms), geoms, "intersects")
    area = shapely.area(geoms)
    small = np.minimum(area[over_i], area[over_j])
    large = np.maximum(area[over_i], area[over_j])
    if kinds is None:
        need = share * small
    else:  # different kinds: the same site only when it is mostly each of them
        need = share * np.where(kinds[over_i] == kinds[over_j], small, large)
    box_i, box_j = shapely.bounds(geoms[over_i]).reshape(-1, 4), shapely.bounds(geoms[over_j]).reshape(-1, 4)
    box = (np.clip(np.minimum(box_i[:, 2], box_j[:, 2]) - np.maximum(box_i[:, 0], box_j[:, 0]), 0, None)
           * np.clip(np.minimum(box_i[:, 3], box_j[:, 3]) - np.maximum(box_i[:, 1], box_j[:, 1]), 0, None))
    maybe = np.flatnonzero((box >= need) & (small > 0))  # the boxes' overlap bounds the footprints' overlap
    inter = shapely.area(shapely.intersection(geoms[over_i[maybe]], geoms[over_j[maybe]]))
    mostly = maybe[inter >= need[maybe]]
    return components(n, np.concatenate([near_i, over_i[mostly]]), np.concatenate([near_j, over_j[mostly]]))


def site_unions(geoms: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the first footprint of each site, its whole footprint): the union where a site has several."""
    geoms = np.asarray(geoms, dtype=object)
    firsts, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    whole = geoms[firsts].copy()
    by_site = geoms[np.argsort(inverse, kind="stable")]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    for g in np.flatnonzero(sizes > 1).tolist():  # only the sites that merged (few): one union each
        whole[g] = shapely.union_all(by_site[starts[g]:starts[g + 1]])
    return firsts, whole


def footprint_shares(neighbourhoods: np.ndarray, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(footprint, neighbourhood, share of the footprint's area inside it) for every pair that intersects.

    A footprint touching only one neighbourhood and lying within it needs no overlay (share 1); areas are
    worked out only for the footprints that straddle an edge.
    """
    if not len(geoms) or not len(neighbourhoods):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    neighbourhoods = np.asarray(neighbourhoods, dtype=object)
    geoms = np.asarray(geoms, dtype=object)
    g_i, n_i = shapely.STRtree(neighbourhoods).query(geoms, predicate="intersects")
    share = np.full(len(g_i), np.nan)
    alone = np.bincount(g_i, minlength=len(geoms))[g_i] == 1
    if alone.any():
        share[alone] = np.where(shapely.within(geoms[g_i[alone]], neighbourhoods[n_i[alone]]), 1.0, np.nan)
    todo = np.isnan(share)
    if todo.any():
        area = shapely.area(geoms[g_i[todo]])
        inter = shapely.area(shapely.intersection(geoms[g_i[todo]], neighbourhoods[n_i[todo]]))
        share[todo] = np.divide(inter, area, out=np.zeros(len(area)), where=area > 0)
    return g_i, n_i, share


def _largest(count: int, g_i: np.ndarray, n_i: np.ndarray, share: np.ndarray) -> np.ndarray:
    """The neighbourhood holding the largest share of each footprint; -1 when none holds any, or when more of
    it lies outside every neighbourhood than in any one (a site beyond the edge is not theirs to count)."""
    owner = np.full(count, -1, dtype=np.int64)
    outside = np.clip(1.0 - np.bincount(g_i, weights=share, minlength=count), 0.0, 1.0)
    held = share > 0
    g_i, n_i, share = g_i[held], n_i[held], share[held]
    if len(g_i):
        order = np.lexsort((n_i, -np.round(share / _TIE), g_i))
        g_i, n_i, share = g_i[order], n_i[order], share[order]
        first = np.concatenate([[True], g_i[1:] != g_i[:-1]])
        g_i, n_i, share = g_i[first], n_i[first], share[first]
        mostly_in = share >= outside[g_i] - _TIE
        owner[g_i[mostly_in]] = n_i[mostly_in]
    return owner


def credit_owners(neighbourhoods: np.ndarray, geoms: np.ndarray, hint: np.ndarray | None = None) -> np.ndarray:
    """Index of the neighbourhood holding the largest part of each footprint (ties: the first; -1: none).

    ``hint``, the neighbourhood holding each footprint's point (-1: none), only saves work: a footprint
    within it, or more than half in it, is settled without looking at any other neighbourhood.
    """
    neighbourhoods, geoms = np.asarray(neighbourhoods, dtype=object), np.asarray(geoms, dtype=object)
    count = len(geoms)
    owner = np.full(count, -1, dtype=np.int64)
    if not count or not len(neighbourhoods):
        return owner
    hint = np.full(count, -1, dtype=np.int64) if hint is None else np.asarray(hint, dtype=np.int64)
    rest = np.flatnonzero(hint >= 0)
    inside = shapely.within(geoms[rest], neighbourhoods[hint[rest]])
    owner[rest[inside]] = hint[rest[inside]]
    rest = rest[~inside]
    if len(rest):  # straddling an edge: more than half in the point's neighbourhood is the most any holds
        area = shapely.area(geoms[rest])
        part = shapely.area(shapely.intersection(geoms[rest], neighbourhoods[hint[rest]]))
        most = part > 0.5 * area
        owner[rest[most]] = hint[rest[most]]
    todo = np.setdiff1d(np.arange(count), np.flatnonzero(owner >= 0))
    if len(todo):
        owner[todo] = _largest(len(todo), *footprint_shares(neighbourhoods, geoms[todo]))
    return owner


def credit_pairs_overlapping(neighbourhoods: np.ndarray, geoms: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(footprint, neighbourhood) pairs when neighbourhoods may overlap: every neighbourhood holding more than
    half of the footprint, or, when none does, the one holding the largest part; and ``credit_owners``."""
    g_i, n_i, share = footprint_shares(neighbourhoods, geoms)
    best = _largest(len(geoms), g_i, n_i, share)
    most = share > 0.5
    without = np.flatnonzero((np.bincount(g_i[most], minlength=len(geoms)) == 0) & (best >= 0))
    return np.concatenate([g_i[most], without]), np.concatenate([n_i[most], best[without]]), best
