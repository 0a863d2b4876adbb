"""Start a project from an area: one local authority's LSOAs from the bundled pack, or a boundary file (all
of it, or one authority's units), with population and IMD filled in and where each figure came from.

``plan_from_area`` / ``plan_from_boundaries`` do the reading and the sums; ``create_project`` writes the
file in one go (the project and its ``figures`` setting together). The CLI (`assetmap new`) and the GUI's
New project dialog both call these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from assetmap.core.area import national
from assetmap.core.area.no_overlap import ALLOW_SETTING, find_overlaps, refuse_overlaps
from assetmap.core.area.overlap import OUTSIDE, WALES, overlap_figures
from assetmap.core.area.select import areas_in, authority_columns, select_area
from assetmap.core.boundaries import read_boundaries
from assetmap.core.errors import DataError
from assetmap.core.progress import Progress, ensure_progress, sub_progress

BNG = CRS.from_epsg(27700)
AS_PUBLISHED = "as published"
AREA_WEIGHTED = "area-weighted from LSOAs"
BY_CODE = "joined by 2011 LSOA code"
ABSENT = "absent"
AVERAGE_RANK = ("population-weighted mean of the LSOA IMD 2019 ranks (the 'average rank' measure MHCLG uses for "
                "areas larger than an LSOA; the bundled data has no IMD score); decile from the national LSOA "
                "rank thresholds (32,844 English LSOAs, 1 = most deprived tenth)")


@dataclass
class ProjectPlan:
    """What a new project will hold, before it is written."""

    frame: gpd.GeoDataFrame  # neighbourhoods: code, name, population, imd_decile, imd_rank, local_authority
    crs: CRS
    figures: dict[str, Any]  # the project's "figures" setting: source, basis and method of each figure
    notes: list[str] = field(default_factory=list)
    fields: dict[str, str | None] = field(default_factory=dict)  # boundary-file columns used
    area: dict[str, Any] | None = None  # the chosen local authority
    selection: dict[str, Any] | None = None  # how one authority's units were picked out of a wider file

    def summary(self) -> dict[str, Any]:
        pop = pd.to_numeric(self.frame["population"], errors="coerce")
        return {"area": self.area, "selection": self.selection, "figures": self.figures,
                "population_total": int(pop.sum()) if pop.notna().any() else None}


def _pack_figure(kind: str) -> dict[str, str]:
    info = national.pack_info()[kind]
    return {"source": info["source"], "basis": info["basis"]}


def plan_from_area(query: str, progress: Progress | None = None) -> ProjectPlan:
    """A project of one local authority's 2011 LSOAs, each named as ONS names it ("Bolton 001A")."""
    progress = ensure_progress(progress)
    authority = national.find_authority(query)
    progress.update(0, 2, f"Reading the LSOAs of {authority.name}")
    lsoas = national.load_lsoas(authority).to_crs(BNG)
    frame = gpd.GeoDataFrame({
        "code": lsoas["code"].astype(str).to_numpy(), "name": lsoas["name"].astype(str).to_numpy(),
        "population": lsoas["population"].to_numpy(), "imd_decile": lsoas["imd_decile"].to_numpy(),
        "imd_rank": pd.to_numeric(lsoas["imd_rank"]).astype(float).to_numpy(),
        "local_authority": authority.name}, geometry=lsoas.geometry.to_numpy(), crs=BNG)
    area = authority.to_dict()
    la = {"source": "bundled national pack", "value": authority.name,
          "basis": "2019 local authority district (IoD2019 File 1)" if authority.country == "England"
          else "principal area, from the LSOA name"}
    if authority.country == "England":
        figures = {"population": {**_pack_figure("population"), "method": AS_PUBLISHED},
                   "imd": {**_pack_figure("imd"), "method": AS_PUBLISHED}, "local_authority": la}
    else:
        figures = {"population": {"method": ABSENT, "reason": WALES},
                   "imd": {"method": ABSENT, "reason": WALES}, "local_authority": la}
    notes = [f"{len(frame)} neighbourhoods: the 2011 LSOAs of {authority.label}"]
    if authority.parts:
        names = [known.name if (known := national.by_code(p)) else p for p in authority.parts]
        notes.append(f"{authority.name} (formed {authority.formed}) is made of the 2019 districts "
                     f"{', '.join(names)}")
    progress.update(2, 2, "")
    return ProjectPlan(frame, BNG, figures, notes, {}, area, None)


def plan_from_boundaries(path: str | Path, *, area: str | None = None, area_field: str | None = None,
                         code_field: str | None = None, name_field: str | None = None,
                         population_field: str | None = None, imd_field: str | None = None,
                         layer: str | None = None, progress: Progress | None = None) -> ProjectPlan:
    """A project from a boundary file: all its units, or (``area``) one authority's; figures the file lacks
    come from the bundled LSOAs by overlap."""
    progress = ensure_progress(progress)
    path = Path(path)
    progress.update(0, 10, "Reading the boundaries")
    b = read_boundaries(path, code_field=code_field, name_field=name_field, population_field=population_field,
                        imd_field=imd_field, layer=layer)
    frame = b.frame
    notes = list(b.notes)
    selection = chosen = None
    if area:
        progress.update(2, 10, f"Finding {area} in the file")
        sel = select_area(frame, b.attributes, area, column=area_field, file_name=path.name)
        frame = frame[sel.mask].reset_index(drop=True)
        selection = {"method": sel.method, "column": sel.column, "kept": int(sel.mask.sum()), "of": len(sel.mask),
                     "description": sel.description}
        notes.append(sel.description[0].upper() + sel.description[1:])
        found = _authority_or_none(area)
        if found is not None:
            chosen = found.to_dict()
            frame["local_authority"] = found.name
    notes[0] = f"{len(frame)} neighbourhoods; project coordinate system {b.crs.name}"
    frame, figures, more = _fill_figures(frame, b, path, sub_progress(progress, 3, 10, 10), chosen is not None)
    notes.extend(more)
    fields = {**b.fields, **{k: v for k, v in b.extra_fields.items() if v}}
    progress.update(10, 10, "")
    return ProjectPlan(frame, b.crs, figures, notes, fields, chosen, selection)


def _authority_or_none(query: str) -> national.Authority | None:
    try:
        return national.find_authority(query)
    except DataError:  # a name the file knows and the pack does not (e.g. outside England and Wales)
        return None


def _fill_figures(frame: gpd.GeoDataFrame, b: Any, path: Path, progress: Progress,
                  area_chosen: bool) -> tuple[gpd.GeoDataFrame, dict[str, Any], list[str]]:
    """Population and IMD as the file gives them, else from the bundled LSOAs (by code, then by overlap)."""
    frame = frame.copy()
    notes: list[str] = []
    figures: dict[str, Any] = {}
    pop_col, imd_col, rank_col = b.fields.get("population"), b.fields.get("imd_decile"), b.extra_fields.get("imd_rank")
    if pop_col:
        figures["population"] = {"source": path.name, "basis": f"column '{pop_col}'", "method": AS_PUBLISHED}
    if imd_col or rank_col:
        cols = " and ".join(f"'{c}'" for c in (imd_col, rank_col) if c)
        figures["imd"] = {"source": path.name, "basis": f"column {cols}", "method": AS_PUBLISHED}
    has_la = frame["local_authority"].notna().all() if "local_authority" in frame else False
    if area_chosen:
        figures["local_authority"] = {"basis": "the area asked for (--area)"}
    elif has_la:
        figures["local_authority"] = {"source": path.name, "basis": f"column {b.extra_fields.get('local_authority')}"}
    if "population" in figures and "imd" in figures and has_la:
        return frame, figures, notes
    bounds = _wgs84_bounds(frame) if len(frame) else (0.0, 0.0, 0.0, 0.0)
    progress.update(0, 10, "Reading the bundled LSOAs nearby")
    lsoas = national.load_near(bounds)
    n = len(frame)
    exact = frame["code"].isin(set(lsoas["code"])).to_numpy() if len(lsoas) else np.zeros(n, dtype=bool)
    pop, rank = np.full(n, np.nan), np.full(n, np.nan)
    decile = pd.array([pd.NA] * n, dtype="Int64")
    reasons: list[str | None] = [None] * n
    largest: list[str | None] = [None] * n
    rest = np.flatnonzero(~exact)
    if len(rest):  # units that are not 2011 LSOAs themselves: by overlap
        ov = overlap_figures(frame.geometry.iloc[rest], lsoas, sub_progress(progress, 1, 10, 10))
        pop[rest], rank[rest] = ov.population, ov.imd_rank
        decile[rest] = pd.array(ov.imd_decile, dtype="Int64")
        for j, i in enumerate(rest):
            reasons[i], largest[i] = ov.reasons[j], ov.local_authority[j]
    if exact.any():  # 2011 LSOAs (or 2021 LSOAs whose code is unchanged since 2011): as published
        hit = lsoas.drop_duplicates("code").set_index("code").loc[frame.loc[exact, "code"]]
        pop[exact] = pd.to_numeric(hit["population"]).astype(float).to_numpy(na_value=np.nan)
        rank[exact] = pd.to_numeric(hit["imd_rank"]).astype(float).to_numpy(na_value=np.nan)
        decile[exact] = pd.array(hit["imd_decile"].to_numpy(), dtype="Int64")
        for i, la, p in zip(np.flatnonzero(exact), hit["local_authority"], pop[exact]):
            largest[i] = str(la)
            if np.isnan(p):
                reasons[i] = WALES
    method = _method(int(exact.sum()), n - int(exact.sum()))
    missing = [r for r in reasons if r]
    if "population" not in figures:
        frame["population"] = pd.array(np.where(np.isnan(pop), np.nan, np.round(pop)), dtype="Float64").astype("Int64")
        figures["population"] = _derived("population", method, missing, len(frame))
    if "imd" not in figures:
        frame["imd_rank"] = np.where(np.isnan(rank), np.nan, np.round(rank, 1))
        frame["imd_decile"] = decile
        figures["imd"] = _derived("imd", method, missing, len(frame))
        if exact.sum() < len(frame):
            figures["imd"]["measure"] = AVERAGE_RANK
    if not has_la:
        la = frame["local_authority"].astype(object).where(frame["local_authority"].notna(), None) \
            if "local_authority" in frame else pd.Series([None] * len(frame))
        frame["local_authority"] = [v if v is not None else o for v, o in zip(la, largest)]
        figures["local_authority"] = {"source": "bundled national pack",
                                      "basis": "the authority whose 2011 LSOAs cover most of the neighbourhood"}
    if missing:
        counts = pd.Series(missing).value_counts()
        for reason, n in counts.items():
            notes.append(f"{n} of {len(frame)} neighbourhoods have no bundled population or IMD: {reason}")
    return frame, figures, notes


def _method(exact: int, weighted: int) -> str:
    if exact and weighted:
        return f"{BY_CODE} for {exact} unchanged LSOAs; {AREA_WEIGHTED} for the other {weighted}"
    return BY_CODE if exact else AREA_WEIGHTED


def _derived(kind: str, method: str, missing: list[str], total: int) -> dict[str, Any]:
    if len(missing) == total:
        return {"method": ABSENT, "reason": missing[0] if len(set(missing)) == 1 else "; ".join(sorted(set(missing)))}
    out: dict[str, Any] = {**_pack_figure(kind), "method": method}
    if missing:
        out["missing"] = len(missing)
        out["missing_reason"] = "; ".join(sorted(set(missing)))
    return out


def create_project(path: str | Path, plan: ProjectPlan, *, name: str = "", allow_overlap: bool = False,
                   source: str = "the boundaries") -> Path:
    """Write the project, its neighbourhoods and its "figures" (and chosen area) settings in one go.

    Neighbourhoods overlapping by more than a sliver are refused (``no_overlap``) unless ``allow_overlap``.
    """
    from assetmap.core.project import Project

    settings: dict[str, Any] = {"figures": plan.figures}
    if allow_overlap:
        if find_overlaps(plan.frame):
            settings[ALLOW_SETTING] = True  # assets in an overlap count in every neighbourhood that holds them
    else:
        refuse_overlaps(plan.frame, source)
    if plan.area:
        settings["area"] = plan.area
    sources = sorted({str(f["source"]) for key, f in plan.figures.items()
                      if key != "local_authority" and isinstance(f, dict) and f.get("source")})
    if sources:  # shown on every map shared from the project, as the data's licences ask
        settings["attribution"] = "; ".join(sources) + ". Contains National Statistics and OS data © Crown " \
            "copyright and database right. Open Government Licence v3.0."
    return Project.create(path, plan.crs, name=name, neighbourhoods=plan.frame, settings=settings)


def file_areas(path: str | Path, layer: str | None = None) -> dict[str, Any]:
    """The local authorities a boundary file holds, for a pick list: by its own column, or else the bundled
    authorities its units overlap (chosen then by area)."""
    b = read_boundaries(path, layer=layer)
    cols = authority_columns(b.attributes)
    if cols is not None:
        return {"method": "column", "column": cols.describe(), "units": len(b.frame),
                "areas": areas_in(b.attributes, cols)}
    near = national.near(_wgs84_bounds(b.frame))
    return {"method": "area", "column": None, "units": len(b.frame),
            "areas": [{"code": a.code, "name": a.name, "units": None} for a in sorted(near, key=lambda a: a.name)]}


def _wgs84_bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees, as the pack's bounding boxes are."""
    west, south, east, north = (float(v) for v in frame.to_crs(4326).total_bounds)
    return west, south, east, north


def describe_figures(figures: dict[str, Any]) -> list[str]:
    """One line per figure, in plain words, for the CLI and the GUI."""
    out = []
    pop, imd = figures.get("population") or {}, figures.get("imd") or {}
    both_absent = pop.get("method") == ABSENT and imd.get("method") == ABSENT and pop.get("reason") == imd.get("reason")
    if both_absent:  # one line, not the same reason twice
        out.append(f"population and IMD: none, {pop.get('reason', '')}")
    for key, label in (("population", "population"), ("imd", "IMD"), ("local_authority", "local authority")):
        fig = figures.get(key)
        if not fig or (both_absent and key in ("population", "imd")):
            continue
        if fig.get("method") == ABSENT:
            out.append(f"{label}: none, {fig.get('reason', '')}")
            continue
        head = f"{label} ({fig['method']})" if fig.get("method") else label
        text = f"{head}: {fig.get('basis', '')}"
        if fig.get("measure"):
            text += f"; {fig['measure']}"
        if fig.get("source") and fig["source"] not in text:
            text += f" [{fig['source']}]"
        if fig.get("missing"):
            text += f"; none for {fig['missing']}: {fig['missing_reason']}"
        out.append(text)
    return out


__all__ = ["OUTSIDE", "WALES", "ProjectPlan", "create_project", "describe_figures", "file_areas",
           "plan_from_area", "plan_from_boundaries"]
