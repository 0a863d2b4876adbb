"""The data behind the web map, as one JSON-able dict that the page's JavaScript draws from.

The exported page and the desktop map view share this: the export embeds it once in the HTML;
the desktop sends it (or a newer one) to ``window.assetmap.setData`` over QWebChannel. Assets are
stored column-wise as arrays (field names once, not per asset) with category and kind as
indices, so 10,000 assets stay well under the 5 MB budget. Nothing here is HTML: escaping is
the page's job, which only ever inserts these strings as text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from assetmap.core.analysis.flags import flag_text
from assetmap.core.analysis.public import public_results
from assetmap.core.analysis.rules import project_rules
from assetmap.core.analysis.run import stored_by_code
from assetmap.core.errors import AssetmapError
from assetmap.core.export.privacy import filter_areas, filter_assets, skill_summaries
from assetmap.core.export.resident import resident_summary
from assetmap.core.export.tables import DECIMALS, WGS84, export_records
from assetmap.core.export.text import neutral_tree
from assetmap.core.model import ASSET_FIELD_MAP
from assetmap.core.progress import Progress, ensure_progress, sub_progress
from assetmap.core.taxonomy import UNCATEGORISED, UNCATEGORISED_DESCRIPTION

DATA_VERSION = 1

# Okabe-Ito colours, each with its own marker shape so colour is never the only cue.
CATEGORY_STYLE: dict[str, tuple[str, str]] = {
    "associations": ("#E69F00", "circle"),
    "institutions": ("#0072B2", "square"),
    "physical": ("#009E73", "triangle"),
    "economy": ("#CC79A7", "diamond"),
    "culture": ("#D55E00", "star"),
    "people": ("#56B4E9", "hexagon"),
    UNCATEGORISED: ("#8C8C8C", "hexagon"),  # drafts to sort (private maps only); people are never points
}
ACCESSIBILITY_LABELS = {"step_free": "Step-free access", "accessible_toilet": "Accessible toilet",
                        "hearing_loop": "Hearing loop", "parking": "Accessible parking"}
# Fields shown in popups, after name/category/kind; private mode adds the private ones.
POPUP_FIELDS = ("description", "address", "postcode", "opening_times", "accessibility", "website")
PRIVATE_POPUP_FIELDS = ("contact_name", "phone", "email", "notes", "visibility")
ATTRIBUTIONS: tuple[dict[str, str], ...] = (
    {"text": "© OpenStreetMap contributors", "url": "https://www.openstreetmap.org/copyright"},
    {"text": "Contains OS data © Crown copyright and database right", "url": ""},
    {"text": "Office for National Statistics", "url": "https://www.ons.gov.uk/"},
    {"text": "Open Government Licence v3.0",
     "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"},
)


def _attributions(project: Any) -> list[dict[str, str]]:
    """The map's credits: the basemap and boundary ones, then what the project's own data asks for (its
    ``attribution`` setting: the sample's publishers, or the national pack's for a project made with --area)."""
    out = list(ATTRIBUTIONS)
    own = project.get_setting("attribution")
    if isinstance(own, str) and own.strip() and not any(a["text"] == own.strip() for a in out):
        out.append({"text": own.strip(), "url": ""})
    return out


SIMPLIFY_M = 1.0  # boundaries and footprints: 1 m is invisible on a web map and saves a lot of bytes


RULE_FIELDS = ("id", "title", "kinds", "distance_m", "target", "severity", "source")


def geometry_json(geom: shapely.Geometry | None) -> dict[str, Any] | None:
    """GeoJSON geometry in WGS84 ``[lon, lat]`` order, rounded to 6 dp, without repeated points."""
    if geom is None or geom.is_empty:
        return None
    rounded = shapely.transform(geom, lambda c: np.round(c, DECIMALS))
    rounded = shapely.remove_repeated_points(rounded)
    geojson: dict[str, Any] = mapping(rounded)  # shapely has no type hints
    return geojson


def _web_geometries(gdf: gpd.GeoDataFrame) -> list[dict[str, Any] | None]:
    if gdf.empty:
        return []
    geoms = (gdf.geometry.simplify(SIMPLIFY_M, preserve_topology=True) if gdf.crs and gdf.crs.is_projected
             else gdf.geometry)
    return [geometry_json(g) for g in gpd.GeoSeries(geoms, crs=gdf.crs).to_crs(WGS84)]


def read_gap_results(project: Any) -> dict[str, dict[str, Any]]:
    """The stored gap analysis by neighbourhood code; empty when it has not been run."""
    return stored_by_code(project)


def choose_indicator(rules: list[dict[str, Any]], results: dict[str, dict[str, Any]],
                     requested: str | None) -> str | None:
    """The rule the neighbourhoods are shaded by: the one asked for, or the first rule with results."""
    available: list[str] = [str(r["id"]) for r in rules if "id" in r]
    for res in results.values():
        for key in (res.get("coverage") or {}):
            if key not in available:
                available.append(key)
    if requested:
        if not results:
            raise AssetmapError("There are no gap analysis results to shade by; run `assetmap gaps` first, "
                                "or leave out --indicator.")
        if requested not in available:
            raise AssetmapError(f"No gap indicator '{requested}'; choose one of: {', '.join(available) or 'none'}.")
        return requested
    for key in available:
        if any(key in (res.get("coverage") or {}) for res in results.values()):
            return key
    return None


def _assets_block(assets: gpd.GeoDataFrame, private: bool, taxonomy: Any,
                  categories: list[str]) -> tuple[dict[str, Any], list[str]]:
    fields, rows, lon, lat = export_records(assets, private=private)
    index = {name: i for i, name in enumerate(fields)}
    popup = [f for f in POPUP_FIELDS + (PRIVATE_POPUP_FIELDS if private else ()) if f in index]
    popup += [f for f in fields if f not in ASSET_FIELD_MAP]  # the details this mode may show, by their header
    kinds: list[str] = []
    kind_index: dict[str, int] = {}
    out_rows: list[list[Any]] = []
    ids: list[str] = []
    for n, row in enumerate(rows):
        cat = row[index["category"]]
        if cat not in categories:
            categories.append(cat)
        kind = row[index["kind"]]
        if kind and kind not in kind_index:
            kind_index[kind] = len(kinds)
            kinds.append(kind)
        x, y = float(lon[n]), float(lat[n])
        rec = [row[index["id"]], row[index["name"]], categories.index(cat),
               kind_index[kind] if kind else None, None if np.isnan(x) else x, None if np.isnan(y) else y]
        for f in popup:
            value = row[index[f]]
            if f == "accessibility" and value:
                value = ", ".join(ACCESSIBILITY_LABELS.get(v.strip(), v.strip()) for v in str(value).split(","))
            rec.append(value)
        while rec and rec[-1] is None:  # trailing empties cost bytes and carry nothing
            rec.pop()
        out_rows.append(rec)
        ids.append(row[index["id"]])
    block = {
        "fields": ["id", "name", "category", "kind", "lon", "lat", *popup],
        "labels": {f: ASSET_FIELD_MAP[f].label if f in ASSET_FIELD_MAP else f for f in popup},
        "kinds": [{"id": k, "label": taxonomy.label(k)} for k in kinds],
        "rows": out_rows,
    }
    return block, ids


def _shown_counts(assets: gpd.GeoDataFrame, hoods: gpd.GeoDataFrame) -> dict[str, dict[str, int]]:
    """Assets per category in each neighbourhood, counting only what the public map shows.

    The stored gap results count private assets and people too (analysis stays inside the project);
    a public map must not reveal them, not even as a number. Each asset counts once.
    """
    shown = filter_assets(assets, private=False)
    shown = shown[shown.geometry.notna() & ~shown.geometry.is_empty]
    if shown.empty or hoods.empty:
        return {}
    joined = gpd.sjoin(shown[["id", "category", shown.geometry.name]], hoods[["code", hoods.geometry.name]],
                       predicate="intersects").drop_duplicates("id")
    out: dict[str, dict[str, int]] = {}
    for (code, category), n in joined.groupby(["code", "category"]).size().items():
        out.setdefault(str(code), {})[str(category)] = int(n)
    return out


def _neighbourhoods_block(project: Any, results: dict[str, dict[str, Any]], private: bool,
                          assets: gpd.GeoDataFrame,
                          wording: tuple[list[dict[str, Any]], dict[str, str]]) -> list[dict[str, Any]]:
    """Each neighbourhood's popup data: the team's flags and caveats in private mode; on a public map the flags
    keep only what the shading and outlines need, and the words are a resident's (see ``resident``)."""
    hoods = project.neighbourhoods()
    public_counts = None if private else _shown_counts(assets, hoods)
    skills = skill_summaries(project.people(), private=private)
    geoms = _web_geometries(hoods)
    out = []
    for rec, geom in zip(hoods.drop(columns=hoods.geometry.name).to_dict("records"), geoms):
        code = str(rec["code"])
        res = results.get(code, {})
        item: dict[str, Any] = {"code": code, "name": rec.get("name") or code, "g": geom}
        for key, src in (("population", "population"), ("imd_decile", "imd_decile")):
            value = rec.get(src)
            if value is not None and value == value:
                item[key] = int(value)
        if res:
            item["counts"] = (res.get("counts") or {}) if public_counts is None else public_counts.get(code, {})
            item["coverage"] = res.get("coverage") or {}
            if private:
                item["flags"] = [{"rule": f.get("rule"), "severity": f.get("severity"), "message": flag_text(f)}
                                 for f in res.get("flags") or []]
            else:
                item["flags"] = [{"rule": f.get("rule"), "severity": f.get("severity")} for f in res.get("flags") or []]
                item["resident"] = resident_summary(res, *wording)
            if res.get("priority") is not None:
                item["priority"] = res.get("priority")
            if "attention" in res:  # runs stored before this have none: the page falls back to medium/high flags
                item["attention"] = bool(res.get("attention"))
        if code in skills and skills[code].published:
            item["skills"] = skills[code].as_dict()
        out.append(item)
    return out


def _bounds(points: tuple[np.ndarray, np.ndarray], hoods: list[dict[str, Any]]) -> list[list[float]] | None:
    lon, lat = points
    xs = list(lon[~np.isnan(lon)]) if len(lon) else []
    ys = list(lat[~np.isnan(lat)]) if len(lat) else []
    for h in hoods:
        if h["g"]:
            b = shapely.bounds(shapely.geometry.shape(h["g"]))
            xs += [b[0], b[2]]
            ys += [b[1], b[3]]
    if not xs:
        return None
    return [[round(float(min(ys)), DECIMALS), round(float(min(xs)), DECIMALS)],
            [round(float(max(ys)), DECIMALS), round(float(max(xs)), DECIMALS)]]


def category_entries(taxonomy: Any, categories: list[str], counts: dict[str, int]) -> list[dict[str, Any]]:
    """The map's category list: label, description, colour and marker shape, and how many assets."""
    out = []
    for c in categories:
        colour, shape = CATEGORY_STYLE.get(c, ("#000000", "circle"))
        info = taxonomy.categories.get(c, {"description": UNCATEGORISED_DESCRIPTION if c == UNCATEGORISED else ""})
        out.append({"id": c, "label": taxonomy.category_label(c), "description": info.get("description", ""),
                    "color": colour, "shape": shape, "count": counts.get(c, 0)})
    return out


def build_map_data(project: Any, *, private: bool = False, title: str | None = None,
                   description: str | None = None, indicator: str | None = None,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Everything the map page draws, filtered for the chosen mode (public unless ``private``)."""
    progress = ensure_progress(progress)
    progress.update(0, 4, "Reading assets")
    taxonomy = project.taxonomy
    assets = project.assets()
    categories = [c for c in taxonomy.categories if c != "people"]
    block, ids = _assets_block(assets, private, taxonomy, categories)
    progress.update(1, 4, "Reading footprints")
    areas = filter_areas(project.asset_areas(), set(ids))
    id_index = {asset_id: i for i, asset_id in enumerate(ids)}
    area_list = [{"a": id_index[a], "g": g} for a, g in zip(areas["asset_id"], _web_geometries(areas)) if g]
    progress.update(2, 4, "Reading neighbourhoods and gap analysis")
    results = read_gap_results(project)
    if not private:  # private assets must not shape a public map's shading either
        results = public_results(project, results, sub_progress(progress, 2, 3, 4))
    try:
        full_rules = [r.public() for r in project_rules(project).rules]
    except AssetmapError:  # a damaged rule set must not stop a map being shared: shade by the results alone
        full_rules = []
    rules = [{k: v for k, v in r.items() if k in RULE_FIELDS} for r in full_rules]
    chosen = choose_indicator(rules, results, indicator)
    labels = {c: str(taxonomy.categories.get(c, {}).get("label", c)) for c in taxonomy.categories}
    hoods = _neighbourhoods_block(project, results, private, assets, (full_rules, labels))
    progress.update(3, 4, "Preparing the map")
    rows = block["rows"]
    lon = np.array([r[4] if len(r) > 4 and r[4] is not None else np.nan for r in rows], dtype=float)
    lat = np.array([r[5] if len(r) > 5 and r[5] is not None else np.nan for r in rows], dtype=float)
    counts = {c: 0 for c in categories}
    for r in rows:
        counts[categories[r[2]]] += 1
    cat_list = category_entries(taxonomy, categories, counts)
    name = project.name
    data = {
        "version": DATA_VERSION,
        "meta": {
            "title": title or name or "Community assets",
            "description": description if description is not None else (
                project.get_setting("description") or f"Community assets mapped by the people of {name}."),
            "exported": date.today().isoformat(),
            "private": bool(private),
            "attributions": _attributions(project),
            "located": int((~np.isnan(lon)).sum()),
        },
        "categories": cat_list,
        "assets": block,
        "areas": area_list,
        "neighbourhoods": hoods,
        "rules": rules,
        "indicator": chosen,
        "bounds": _bounds((lon, lat), hoods),
    }
    progress.update(4, 4, "Map data ready")
    return _neutral_text(data)


def _neutral_text(data: dict[str, Any]) -> dict[str, Any]:
    """The map data with bidi controls taken out of every text it carries (see ``text``); geometries are left
    alone, and asset rows already come neutral from ``export_records``."""
    out = {key: neutral_tree(value) for key, value in data.items()
           if key not in ("assets", "areas", "neighbourhoods", "bounds")}
    block = data["assets"]
    out["assets"] = {**{k: neutral_tree(v) for k, v in block.items() if k != "rows"}, "rows": block["rows"]}
    out["areas"] = data["areas"]
    out["neighbourhoods"] = [{k: v if k == "g" else neutral_tree(v) for k, v in hood.items()}
                             for hood in data["neighbourhoods"]]
    out["bounds"] = data["bounds"]
    return {key: out[key] for key in data}  # the same order of keys
