#!/usr/bin/env python3
"""Build the bundled national pack (``resources/national/``): every 2011 LSOA of England and Wales with
its local authority, IMD 2019 rank and decile and mid-2015 population (England), one gzipped GeoJSON per
local authority so that starting a project for one authority reads one small file.

Inputs (ONS and MHCLG open data, OGL v3; see resources/national/SOURCE.md):

- ONS "LSOA (Dec 2011) Boundaries Super Generalised Clipped (BSC) EW V3", as LSOA.geojson.gz;
- MHCLG English Indices of Deprivation 2019, File 1 (IMD rank and decile, 2019 local authority of
  each English LSOA) and File 6 (population denominators, mid-2015 total).

Run by hand after changing an input::

    python scripts/build_national_pack.py --lsoas DIR/LSOA.geojson.gz --imd DIR/imd2019_england

The output is byte-for-byte the same for the same inputs (sorted rows, gzip without a timestamp).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

OUT = Path(__file__).resolve().parents[1] / "resources" / "national"
PRECISION = 6  # decimal degrees: about 0.1 m, far finer than the super-generalised (200 m) source

# The 22 principal areas of Wales (unitary since 1996) with their GSS codes: public facts from the ONS
# Register of Geographic Codes. The LSOA names (e.g. "Cardiff 001A") carry the English name.
WALES = {
    "Isle of Anglesey": "W06000001", "Gwynedd": "W06000002", "Conwy": "W06000003", "Denbighshire": "W06000004",
    "Flintshire": "W06000005", "Wrexham": "W06000006", "Ceredigion": "W06000008", "Pembrokeshire": "W06000009",
    "Carmarthenshire": "W06000010", "Swansea": "W06000011", "Neath Port Talbot": "W06000012",
    "Bridgend": "W06000013", "Vale of Glamorgan": "W06000014", "Cardiff": "W06000015",
    "Rhondda Cynon Taf": "W06000016", "Caerphilly": "W06000018", "Blaenau Gwent": "W06000019",
    "Torfaen": "W06000020", "Monmouthshire": "W06000021", "Newport": "W06000022", "Powys": "W06000023",
    "Merthyr Tydfil": "W06000024",
}
# LSOA names spell a few Welsh areas differently from the register.
WALES_NAME_IN_LSOAS = {"The Vale of Glamorgan": "Vale of Glamorgan"}

# Unitary authorities formed after 2019 from whole 2019 districts (the Structural Changes Orders of
# 2019-2022; public facts). Each is the union of its predecessors' LSOAs, so a user can name the council
# that exists today.
SUCCESSORS = {
    ("E06000060", "Buckinghamshire", "2020"): ("E07000004", "E07000005", "E07000006", "E07000007"),
    ("E06000061", "North Northamptonshire", "2021"): ("E07000150", "E07000152", "E07000153", "E07000156"),
    ("E06000062", "West Northamptonshire", "2021"): ("E07000151", "E07000154", "E07000155"),
    ("E06000063", "Cumberland", "2023"): ("E07000026", "E07000028", "E07000029"),
    ("E06000064", "Westmorland and Furness", "2023"): ("E07000027", "E07000030", "E07000031"),
    ("E06000065", "North Yorkshire", "2023"): ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167",
                                              "E07000168", "E07000169"),
    ("E06000066", "Somerset", "2023"): ("E07000187", "E07000188", "E07000189", "E07000246"),
}

LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]$")


def read_imd(folder: Path) -> pd.DataFrame:
    """File 1 (rank, decile, 2019 local authority) joined to File 6 (mid-2015 total population)."""
    f1 = pd.read_csv(next(folder.glob("File_1_*.csv*")), encoding="utf-8-sig", thousands=",", dtype=str)
    f6 = pd.read_csv(next(folder.glob("File_6_*.csv*")), encoding="utf-8-sig", thousands=",", dtype=str)
    f1 = f1.rename(columns=lambda c: c.strip())
    f6 = f6.rename(columns=lambda c: c.strip())
    code = "LSOA code (2011)"
    rank = next(c for c in f1.columns if "Multiple Deprivation" in c and c.endswith("Rank"))
    decile = next(c for c in f1.columns if "Multiple Deprivation" in c and c.endswith("Decile"))
    total = next(c for c in f6.columns if c.startswith("Total population"))
    out = f1[[code, "Local Authority District code (2019)", "Local Authority District name (2019)", rank, decile]]
    out.columns = ["code", "la_code", "la_name", "imd_rank", "imd_decile"]
    pop = f6[[code, total]].rename(columns={code: "code", total: "population"})
    out = out.merge(pop, on="code", how="left", validate="one_to_one")
    for col in ("imd_rank", "imd_decile", "population"):
        out[col] = pd.to_numeric(out[col].str.replace(",", ""), errors="raise").astype(int)
    return out


def read_lsoas(path: Path) -> gpd.GeoDataFrame:
    """The national LSOAs in WGS84, the invalid ones (3 as published) repaired, coordinates rounded."""
    source = f"/vsigzip/{path}" if path.suffix == ".gz" else str(path)
    gdf = gpd.read_file(source, columns=["LSOA11CD", "LSOA11NM", "LSOA11NMW"]).to_crs(4326)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bad = ~shapely.is_valid(geoms)
    print(f"{int(bad.sum())} invalid polygons as published: {', '.join(gdf.loc[bad, 'LSOA11CD'])}", file=sys.stderr)
    geoms[bad] = [polygonal(g) for g in geoms[bad]]
    geoms = shapely.set_precision(geoms, 10 ** -PRECISION)  # rounds to the grid and keeps polygons valid
    geoms = np.array([polygonal(g) for g in geoms], dtype=object)
    assert shapely.is_valid(geoms).all() and not any(g is None for g in geoms)
    return gpd.GeoDataFrame({"code": gdf["LSOA11CD"], "name": gdf["LSOA11NM"], "name_cy": gdf["LSOA11NMW"]},
                            geometry=geoms, crs=4326)


def polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """Only the areas of a repaired geometry (make_valid can add stray lines or points)."""
    geom = shapely.make_valid(geom) if not geom.is_valid else geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    return shapely.union_all(parts) if parts else None


def prefix(name: str) -> str:
    return LSOA_SUFFIX.sub("", name)


def local_authorities(lsoas: gpd.GeoDataFrame, imd: pd.DataFrame) -> gpd.GeoDataFrame:
    """Each LSOA with its authority: the 2019 district from File 1 (England), the name prefix (Wales)."""
    df = lsoas.merge(imd, on="code", how="left", validate="one_to_one")
    english = df["code"].str.startswith("E")
    if df.loc[english, "la_code"].isna().any():
        raise SystemExit(f"English LSOAs missing from File 1: {df.loc[english & df['la_code'].isna(), 'code'][:5]}")
    welsh_prefix = df.loc[~english, "name"].map(prefix).replace(WALES_NAME_IN_LSOAS)
    unknown = sorted(set(welsh_prefix) - set(WALES))
    if unknown:
        raise SystemExit(f"Welsh LSOA names with no principal area: {unknown}")
    df.loc[~english, "la_name"] = welsh_prefix
    df.loc[~english, "la_code"] = welsh_prefix.map(WALES)
    return df


def aliases(group: pd.DataFrame, official: str) -> list[str]:
    """Other names users know the authority by: 2011 LSOA-name prefixes (Bournemouth, Shepway...) and the
    Welsh names (Caerdydd)."""
    names = set(group["name"].map(prefix)) | set(group["name_cy"].dropna().map(prefix))
    names.discard(official)
    return sorted(names)


def feature_collection(group: pd.DataFrame, welsh: bool) -> bytes:
    features = []
    for row in group.sort_values("code").itertuples(index=False):
        props = {"code": row.code, "name": row.name,
                 "population": None if welsh else int(row.population),
                 "imd_rank": None if welsh else int(row.imd_rank),
                 "imd_decile": None if welsh else int(row.imd_decile)}
        geom = json.loads(shapely.to_geojson(row.geometry))
        features.append({"type": "Feature", "properties": props, "geometry": round_coords(geom)})
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"))
    return gzip_bytes(text.encode("utf-8"))


def round_coords(geom: dict) -> dict:
    def walk(c):  # nested lists of positions
        return [round(v, PRECISION) for v in c] if isinstance(c[0], float | int) else [walk(x) for x in c]
    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as fh:
        fh.write(data)
    return buf.getvalue()


def bbox(geoms: gpd.GeoSeries) -> str:
    """The extent in degrees, widened to 4 decimals, so a file's units find their authorities quickly."""
    minx, miny, maxx, maxy = geoms.total_bounds
    return " ".join(f"{v:.4f}" for v in (np.floor(minx * 1e4) / 1e4, np.floor(miny * 1e4) / 1e4,
                                         np.ceil(maxx * 1e4) / 1e4, np.ceil(maxy * 1e4) / 1e4))


def build(lsoa_path: Path, imd_folder: Path, out: Path) -> None:
    imd = read_imd(imd_folder)
    df = local_authorities(read_lsoas(lsoa_path), imd)
    (out / "lsoa").mkdir(parents=True, exist_ok=True)
    for old in (out / "lsoa").glob("*.geojson.gz"):
        old.unlink()
    rows = []
    for code, group in df.groupby("la_code", sort=True):
        welsh = code.startswith("W")
        name = group["la_name"].iloc[0]
        (out / "lsoa" / f"{code}.geojson.gz").write_bytes(feature_collection(group, welsh))
        rows.append({"code": code, "name": name, "country": "Wales" if welsh else "England", "lsoas": len(group),
                     "population": "" if welsh else int(group["population"].sum()),
                     "aliases": "; ".join(aliases(group, name)), "parts": "",
                     "bbox": bbox(gpd.GeoSeries(group.geometry))})
    by_code = {r["code"]: r for r in rows}
    for (code, name, year), parts in SUCCESSORS.items():
        missing = [p for p in parts if p not in by_code]
        if missing:
            raise SystemExit(f"{name}: predecessors {missing} are not 2019 districts in File 1")
        group = df[df["la_code"].isin(parts)]
        rows.append({"code": code, "name": name, "country": "England", "lsoas": len(group),
                     "population": int(group["population"].sum()), "aliases": "", "parts": " ".join(parts),
                     "bbox": bbox(gpd.GeoSeries(group.geometry)),
                     "formed": year})
    fields = ["code", "name", "country", "lsoas", "population", "aliases", "parts", "formed", "bbox"]
    with open(out / "areas.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, lineterminator="\n")
        writer.writeheader()
        for row in sorted(rows, key=lambda r: r["code"]):
            writer.writerow({k: row.get(k, "") for k in fields})
    english = imd.sort_values("imd_rank")
    uppers = [int(english.loc[english["imd_decile"] == d, "imd_rank"].max()) for d in range(1, 11)]
    meta = {
        "lsoas": len(df), "england_lsoas": len(imd), "wales_lsoas": int((~df["code"].str.startswith("E")).sum()),
        "england_population": int(imd["population"].sum()),
        "imd_decile_upper_ranks": uppers,
        "boundaries": "ONS LSOA (Dec 2011) Boundaries Super Generalised Clipped (BSC) EW V3",
        "population": {"source": "MHCLG English Indices of Deprivation 2019, File 6 (population denominators)",
                       "basis": "IoD2019 population denominators, mid-2015 total (excluding prisoners), by 2011 LSOA"},
        "imd": {"source": "MHCLG English Indices of Deprivation 2019, File 1",
                "basis": "Index of Multiple Deprivation 2019 rank (1 = most deprived of 32,844 LSOAs in England) "
                         "and decile, by 2011 LSOA"},
        "local_authority": "2019 local authority district (File 1) for England; the LSOA name for Wales",
        "precision_decimal_degrees": PRECISION,
    }
    (out / "pack.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{len(rows)} areas, {len(df)} LSOAs; pack {size / 1e6:.2f} MB in {out}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lsoas", type=Path, required=True, help="LSOA.geojson.gz (2011 BSC, England and Wales)")
    parser.add_argument("--imd", type=Path, required=True, help="folder with IoD2019 File_1 and File_6 CSVs")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    build(args.lsoas, args.imd, args.out)


if __name__ == "__main__":
    main()
