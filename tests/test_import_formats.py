"""Round trips for every input format, coordinate detection, and the report accounting for every row."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from pyproj import Transformer

from assetmap.core.imports.pipeline import ImportOptions, import_file
from assetmap.core.io.postcodes import load_postcodes
from assetmap.core.project import Project

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"

# Three real Trafford libraries (Trafford Council, OGL v3): WGS84 as published; British National
# Grid computed here with pyproj, independently of assetmap.
_TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)
LIBRARIES = [
    (name, lon, lat, *(round(v) for v in _TO_BNG.transform(lon, lat)), pc)
    for name, lon, lat, pc in [
        ("Altrincham Library", -2.352157, 53.387055, "WA14 1AH"),
        ("Coppice Library", -2.351126, 53.414091, "M33 4ND"),
        ("Sale Library", -2.320417, 53.424488, "M33 7ZF"),
    ]
]


def _bng_close(geom: shapely.Point, e: float, n: float, tol: float = 2.0) -> bool:
    return abs(geom.x - e) < tol and abs(geom.y - n) < tol


def _check_libraries(project_path: Path, report, expected_rows: int = 3) -> None:
    assert report.imported + report.unlocated + report.duplicates + report.rejected == report.rows == expected_rows
    with Project.open(project_path, readonly=True) as project:
        assets = project.assets().set_index("name")
    for name, _lon, _lat, e, n, _pc in LIBRARIES:
        assert assets.loc[name, "kind"] == "institutions/library"
        assert _bng_close(assets.loc[name].geometry, e, n, tol=15), (name, assets.loc[name].geometry)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding,bom,sep", [("utf-8", False, ","), ("utf-8", True, ";"), ("cp1252", False, "\t")])
def test_csv_encodings_and_separators(empty_project: Path, tmp_path: Path, encoding: str, bom: bool, sep: str) -> None:
    lines = [sep.join(["Name", "Type", "Longitude", "Latitude", "Notes"])]
    for name, lon, lat, *_ in LIBRARIES:
        lines.append(sep.join([name, "Library", str(lon), str(lat), "Café upstairs – £2 tea"]))
    data = ("\ufeff" if bom else "") + "\r\n".join(lines)
    path = _write(tmp_path / "libraries.csv", data, encoding)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        notes = project.assets()["notes"].tolist()
    _check_libraries(empty_project, report)
    assert notes == ["Café upstairs – £2 tea"] * 3  # the Windows-1252 pound sign and dash survive


def test_bng_detected_from_values_and_geox_geoy_register(empty_project: Path, tmp_path: Path) -> None:
    rows = ["PropertyName,UPRN,GeoX,GeoY,PropertyType"]
    rows += [f"{n},1000{i},{e},{nn},Library" for i, (n, _lo, _la, e, nn, _p) in enumerate(LIBRARIES)]
    path = _write(tmp_path / "council_register.csv", "\n".join(rows))
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert report.mapping["x"] == "GeoX" and report.mapping["name"] == "PropertyName"
    assert any("coordinates read as British National Grid eastings and northings in metres" in n
               for n in report.notes)
    _check_libraries(empty_project, report)


def test_crs_column_per_row(empty_project: Path, tmp_path: Path) -> None:
    (a, lon, lat, *_), (b, _, _, e, n, _), (c, lon3, lat3, *_) = LIBRARIES
    text = (f"name,kind,x,y,crs\n{a},library,{lon},{lat},EPSG:4326\n{b},library,{e},{n},EPSG:27700\n"
            f"{c},library,{lon3},{lat3},WGS84\n")
    path = _write(tmp_path / "mixed.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert report.mapping["crs"] == "crs"
    _check_libraries(empty_project, report)


def test_xlsx_with_title_rows_and_typed_cells(empty_project: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Trafford libraries, as kept by the council"])
    sheet.append([])
    sheet.append(["Site name", "Type", "Easting", "Northing", "Capacity", "Last checked"])
    import datetime

    for name, _lo, _la, e, n, _pc in LIBRARIES:
        sheet.append([name, "Library", e, n, 80, datetime.datetime(2025, 3, 31)])
    path = tmp_path / "libraries.xlsx"
    book.save(path)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        assets = project.assets()
    _check_libraries(empty_project, report)
    assert set(assets["verified_on"]) == {"2025-03-31"} and set(assets["capacity"]) == {80}
    assert report.rejects == []


def _libraries_gdf(crs: int = 4326) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame({"Name": [r[0] for r in LIBRARIES], "Type": ["Library"] * 3},
                           geometry=[shapely.Point(r[1], r[2]) for r in LIBRARIES], crs=4326)
    return gdf.to_crs(crs)


def test_geojson_and_geopackage(empty_project: Path, tmp_path: Path) -> None:
    gj = tmp_path / "libraries.geojson"
    _libraries_gdf().to_file(gj, driver="GeoJSON")
    with Project.open(empty_project) as project:
        report = import_file(project, gj)
    _check_libraries(empty_project, report)
    gpkg = tmp_path / "libraries.gpkg"
    _libraries_gdf(27700).to_file(gpkg, layer="libs", driver="GPKG")
    with Project.open(empty_project) as project:
        again = import_file(project, gpkg)
    assert (again.imported, again.duplicates) == (0, 3)  # same names within 25 m


def test_zipped_shapefile_in_bng(empty_project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    _libraries_gdf(27700).to_file(folder / "libraries.shp")
    archive = tmp_path / "libraries.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"data/{f.name}")
    with Project.open(empty_project) as project:
        report = import_file(project, archive)
    _check_libraries(empty_project, report)


def test_polygons_keep_footprint(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        report = import_file(project, SAMPLE / "assets" / "trafford_allotments.geojson",
                             ImportOptions(kind="physical/allotment", name_from_kind=True))
        areas = project.asset_areas()
        assets = project.assets()
    assert report.imported == 35 and len(areas) == 35
    assert (areas["area_m2"] > 100).all()
    joined = assets.merge(areas, left_on="id", right_on="asset_id")
    assert all(a.within(b) for a, b in zip(joined["geometry_x"], joined["geometry_y"]))


def test_openstreetmap_extract(tmp_path: Path) -> None:
    path = tmp_path / "rutland.gpkg"
    Project.create(path, 27700)
    with Project.open(path) as project:
        report = import_file(project, SAMPLE / "rutland_osm" / "rutland-latest.osm.pbf")
        assets = project.assets()
        again = import_file(project, SAMPLE / "rutland_osm" / "rutland-latest.osm.pbf")
    assert report.imported + report.duplicates == report.rows > 300 and report.rejected == 0
    assert report.duplicates < 30  # OSM often maps a place twice: a node and its building
    kinds = set(assets["kind"])
    assert {"economy/pub", "physical/place_of_worship", "institutions/library", "physical/playground"} <= kinds
    assert assets["source_ref"].str.match(r"^(node|way|relation)/\d+$").all()
    oakham = assets[assets["name"] == "Rutland County Library"]
    assert len(oakham) == 1 and oakham.iloc[0]["kind"] == "institutions/library"
    assert again.imported == 0 and again.duplicates == again.rows  # importing twice adds nothing


def test_postcode_lookup_places_rows_without_coordinates(empty_project: Path, tmp_path: Path) -> None:
    text = ("name,type,postcode\n" + "\n".join(f"{n},Library,{pc}" for n, *_r, pc in LIBRARIES)
            + "\nLost Club,Library,ZZ9 9ZZ\n")
    path = _write(tmp_path / "by_postcode.csv", text)
    lookup = load_postcodes(SAMPLE / "postcodes" / "codepoint_open_trafford.csv")
    with Project.open(empty_project) as project:
        report = import_file(project, path, ImportOptions(postcodes=lookup))
        assets = project.assets().set_index("name")
    assert (report.imported, report.unlocated) == (3, 1)
    assert assets.loc["Lost Club"].geometry is None
    for name, _lo, _la, e, n, _pc in LIBRARIES:  # postcode centroids are within a few hundred metres
        assert assets.loc[name].geometry.distance(shapely.Point(e, n)) < 300


def test_map_override_and_import_twice(empty_project: Path, tmp_path: Path) -> None:
    text = "Ref,Called,Lat,Lon\n1,Altrincham Library,53.387055,-2.352157\n2,Coppice Library,53.414091,-2.351126\n"
    path = _write(tmp_path / "odd_names.csv", text)
    options = ImportOptions(mapping={"name": "Called"}, kind="institutions/library")
    with Project.open(empty_project) as project:
        first = import_file(project, path, options)
        second = import_file(project, path, options)
    assert first.imported == 2 and first.mapping["name"] == "Called"
    assert second.imported == 0 and second.duplicates == 2


def test_clip_on_an_extract_keeps_what_lies_just_over_the_boundary(tmp_path: Path) -> None:
    """Rutland's extract reaches a little beyond its LSOAs: --clip keeps those within the 2 km margin (they serve
    the people near the edge) and --margin 0 cuts at the boundary itself."""
    from assetmap.core.boundaries import read_boundaries

    hoods = read_boundaries(SAMPLE / "rutland_osm" / "rutland_lsoa11_bsc.geojson")
    area = shapely.union_all(hoods.frame.geometry.values)
    reports, kept = [], []
    for margin in (None, 0.0):
        path = tmp_path / f"rutland-{margin}.gpkg"
        Project.create(path, hoods.crs, neighbourhoods=hoods.frame)
        with Project.open(path) as project:
            reports.append(import_file(project, SAMPLE / "rutland_osm" / "rutland-latest.osm.pbf",
                                       ImportOptions(clip=True, margin_m=margin)))
            kept.append(project.assets())
    margin, boundary = reports
    outside = kept[0][kept[0].geometry.notna() & ~kept[0].geometry.intersects(area)]
    assert len(outside) == margin.nearby > 0 and margin.rejected == 0
    assert {r["reason"] for r in boundary.rejects} == {"more than 0 m outside the project's neighbourhoods (--clip)"}
    assert boundary.rejected == margin.nearby and boundary.nearby == 0
    assert all(area.intersects(g) for g in kept[1].geometry.dropna())
    for report in reports:
        assert report.imported + report.unlocated + report.duplicates + report.rejected == report.rows


def test_column_of_latitude_longitude_pairs(empty_project: Path, tmp_path: Path) -> None:
    # As people paste them from a web map: "lat, lon" in one cell, in a column called Location.
    text = "Name,Type,Location\n" + "\n".join(f'{n},Library,"{lat}, {lon}"' for n, lon, lat, *_ in LIBRARIES) \
        + "\nHidden Library,Library,\n"
    path = _write(tmp_path / "pasted.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert "column 'Location' holds latitude, longitude pairs" in report.notes
    assert report.unlocated == 1 and "address" not in report.mapping
    _check_libraries(empty_project, report, expected_rows=4)


def test_map_a_field_to_no_column(empty_project: Path, tmp_path: Path) -> None:
    # "Notes" here is the council's internal remark: the user says not to import it.
    text = "name,type,lat,lon,notes\nAltrincham Library,Library,53.387055,-2.352157,Lease query - do not share\n"
    path = _write(tmp_path / "register.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path, ImportOptions(mapping={"notes": ""}))
        notes = project.assets()["notes"].tolist()
    assert "notes" not in report.mapping and notes == [None]


def test_coordinate_headers_with_units(empty_project: Path, tmp_path: Path) -> None:
    rows = ["Site,Type,Easting (m),Northing (m)"] + [f"{n},Library,{e},{nn}" for n, _lo, _la, e, nn, _p in LIBRARIES]
    path = _write(tmp_path / "units.csv", "\n".join(rows))
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert (report.mapping["x"], report.mapping["y"], report.mapping["name"]) == ("Easting (m)", "Northing (m)", "Site")
    _check_libraries(empty_project, report)


def test_gzipped_csv_and_zipped_geojson_of_assets(empty_project: Path, tmp_path: Path) -> None:
    import gzip

    csv_text = "name,lat,lon\nElm Hall,53.4205,-2.2950\nOak Library,53.4210,-2.2900\n"
    packed = tmp_path / "register.csv.gz"
    packed.write_bytes(gzip.compress(csv_text.encode("utf-8")))
    points = gpd.GeoDataFrame({"name": ["Birch Park"]}, geometry=[shapely.Point(380500, 390500)], crs=27700)
    points.to_file(tmp_path / "parks.geojson")
    archive = tmp_path / "parks.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(tmp_path / "parks.geojson", "parks.geojson")
    with Project.open(empty_project) as project:
        first = import_file(project, packed)
        second = import_file(project, archive)
        names = set(project.assets()["name"])
    assert (first.imported, first.rows) == (2, 2) and (second.imported, second.rows) == (1, 1)
    assert names == {"Elm Hall", "Oak Library", "Birch Park"}
    assert any("register.csv.gz" in n for n in first.notes)
    assert any("coordinates read as latitude and longitude in degrees" in n for n in first.notes)
