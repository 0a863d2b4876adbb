"""Build the sample project from the real open data in ``sample_data/`` (see its SOURCE.md).

The build uses the same importers a user does, driven by ``sample_data/manifest.json``, so the
sample doubles as a check that they work on real council and Ordnance Survey files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from assetmap.core.boundaries import read_boundaries
from assetmap.core.imports.pipeline import ImportOptions, ImportReport, import_file
from assetmap.core.io.postcodes import load_postcodes
from assetmap.core.progress import Progress, ensure_progress
from assetmap.core.project.atomic import atomic_path
from assetmap.core.project.lookups import remember_lookups
from assetmap.core.project.store import Project
from assetmap.core.resources import sample_data_dir


def _neighbourhoods(data: Path, manifest: dict[str, Any]) -> gpd.GeoDataFrame:
    """2021 LSOAs named with their ward, with mid-2024 population and IMD 2019 decile.

    IMD 2019 uses 2011 LSOA codes: most 2021 LSOAs kept theirs; the rest take the decile of the
    2011 LSOA they overlap most.
    """
    hoods = read_boundaries(data / manifest["boundaries"]).frame
    wards = read_boundaries(data / manifest["wards"]).frame.to_crs(hoods.crs)
    points = gpd.GeoDataFrame(hoods[["code"]], geometry=hoods.representative_point(), crs=hoods.crs)
    ward_of = gpd.sjoin(points, wards[["name", "geometry"]], predicate="within").drop_duplicates("code")
    ward_names = dict(zip(ward_of["code"], ward_of["name"]))
    hoods["name"] = [f"{n} ({ward_names[c]})" if c in ward_names else n for c, n in zip(hoods["code"], hoods["name"])]

    pop = pd.read_csv(data / manifest["population"], dtype={"area_code": str})
    pop = pop[pop["sex"] == "Persons"].set_index("area_code")["all_ages"]
    hoods["population"] = hoods["code"].map(pop).astype("Int64")

    imd = pd.read_csv(data / manifest["deprivation"], dtype=str)
    decile = dict(zip(imd["LSOA code (2011)"], imd["Index of Multiple Deprivation (IMD) Decile"].astype(int)))
    old = read_boundaries(data / manifest["boundaries_2011"]).frame.to_crs(hoods.crs)
    missing = hoods[~hoods["code"].isin(decile.keys())]
    if len(missing):
        overlap = gpd.overlay(missing[["code", "geometry"]], old[["code", "geometry"]].rename(columns={"code": "old"}))
        overlap["area"] = overlap.area
        best = overlap.sort_values("area").drop_duplicates("code", keep="last").set_index("code")["old"]
        for code, old_code in best.items():
            decile[code] = decile.get(old_code)
    hoods["imd_decile"] = hoods["code"].map(decile).astype("Int64")
    return hoods


def build_sample(dest: str | Path, progress: Progress | None = None) -> tuple[Path, list[ImportReport]]:
    """Write the sample project to ``dest`` (atomically: a failed build leaves no file behind)."""
    progress = ensure_progress(progress)
    data = sample_data_dir()
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    dest = Path(dest)
    reports: list[ImportReport] = []
    with atomic_path(dest) as tmp:
        hoods = _neighbourhoods(data, manifest)
        settings = {"description": manifest["description"], "attribution": manifest["attribution"]}
        Project.create(tmp, hoods.crs, name=manifest["name"], neighbourhoods=hoods, settings=settings)
        postcodes = load_postcodes(data / manifest["postcodes"])
        steps = manifest["imports"]
        with Project.open(tmp) as project:
            for i, step in enumerate(steps):
                progress.update(i, len(steps), f"Importing {Path(step['file']).name}")
                options = ImportOptions(
                    category=step.get("category"), kind=step.get("kind"), source=step.get("source"),
                    default_name=step.get("default_name"), name_from_kind=step.get("name_from_kind", False),
                    kind_values=step.get("kind_values", {}), mapping=step.get("map", {}),
                    postcodes=postcodes if step.get("postcodes") else None,
                    public_columns=step.get("public_columns", []), clip=step.get("clip", False),
                )
                reports.append(import_file(project, data / step["file"], options))
            if manifest.get("people"):
                from assetmap.core.imports.people import import_people

                progress.update(len(steps), len(steps) + 1, "Importing the invented skills audit")
                reports.append(import_people(project, data / manifest["people"]["file"]))
            remember_lookups(project, postcodes)  # as `import --postcodes` does: gaps then measure coverage of homes
        progress.update(len(steps), len(steps), "Sample project built")
    return dest, reports
