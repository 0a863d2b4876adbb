"""Boundaries from any polygon file and CRS: reprojected, repaired, fields guessed or given."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from assetmap.core.boundaries import read_boundaries
from assetmap.core.errors import DataError

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_ons_lsoas_in_wgs84_go_to_british_national_grid() -> None:
    b = read_boundaries(SAMPLE / "boundaries" / "trafford_lsoa_2021.geojson")
    assert b.crs.to_epsg() == 27700 and len(b.frame) == 139
    assert b.fields["code"] == "area_code" and b.fields["name"] == "area_name"
    assert b.frame["code"].str.match(r"^E01\d{6}$").all()
    assert 100_000_000 < b.frame.area.sum() < 110_000_000  # Trafford is about 106 km²


def test_invalid_polygons_are_repaired_and_counted(tmp_path: Path) -> None:
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # self-intersecting
    square = shapely.box(20, 0, 30, 10)
    gdf = gpd.GeoDataFrame({"WD23CD": ["E05000001", "E05000002"], "WD23NM": ["Bow", "Square"], "Pop2024": [10, 20]},
                           geometry=[bowtie, square], crs=27700)
    path = tmp_path / "wards.gpkg"
    gdf.to_file(path)
    b = read_boundaries(path)
    assert b.repaired == 1 and any("repaired 1 invalid polygon" in n for n in b.notes)
    assert b.frame.geometry.is_valid.all() and b.frame.area.iloc[0] == pytest.approx(50)
    assert b.fields == {"code": "WD23CD", "name": "WD23NM", "population": "Pop2024", "imd_decile": None}


def test_zipped_shapefile_with_field_overrides_and_utm(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"ID": ["a", "b"], "Label": ["North", "South"], "people": [5, 7]},
                           geometry=[shapely.box(13.40, 52.52, 13.41, 52.53), shapely.box(13.40, 52.51, 13.41, 52.52)],
                           crs=4326)
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf.to_file(folder / "areas.shp")
    archive = tmp_path / "areas.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    b = read_boundaries(archive, code_field="ID", name_field="Label", population_field="people")
    assert b.crs.to_epsg() == 32633  # Berlin: outside Great Britain → its UTM zone
    assert list(b.frame["name"]) == ["North", "South"] and list(b.frame["population"]) == [5, 7]


def test_points_are_not_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"code": ["x"]}, geometry=[shapely.Point(0, 51)], crs=4326).to_file(path)
    with pytest.raises(DataError, match="row 1: is a Point, not a polygon"):
        read_boundaries(path)


def test_duplicate_codes_and_unknown_override(tmp_path: Path) -> None:
    path = tmp_path / "dupes.geojson"
    gpd.GeoDataFrame({"code": ["E01000001", "E01000001"]}, geometry=[shapely.box(0, 51, 0.1, 51.1)] * 2,
                     crs=4326).to_file(path)
    with pytest.raises(DataError, match="appears more than once"):
        read_boundaries(path)
    with pytest.raises(DataError, match="--name-field nom: no such column"):
        read_boundaries(path, name_field="nom")


def test_zipped_geojson_and_gzipped_geojson_as_downloaded(tmp_path: Path) -> None:
    """ONS and council downloads often come as a zip holding a GeoJSON, or a .geojson.gz."""
    import gzip
    import shutil

    source = SAMPLE / "boundaries" / "trafford_lsoa_2021.geojson"
    archive = tmp_path / "Lower_layer_Super_Output_Areas.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(source, "download/LSOA_2021.geojson")
        zf.writestr("download/metadata.txt", "Source: ONS")
    packed = tmp_path / "LSOA_2021.geojson.gz"
    with open(source, "rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    for path in (archive, packed):
        b = read_boundaries(path)
        assert len(b.frame) == 139 and b.fields["code"] == "area_code"
        assert b.frame["code"].str.match(r"^E01\d{6}$").all() and b.crs.to_epsg() == 27700

    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        zf.write(source, "a.geojson")
        zf.write(source, "b.geojson")
    with pytest.raises(DataError, match="several GIS files .*a.geojson, b.geojson.*--layer"):
        read_boundaries(two)
    assert len(read_boundaries(two, layer="b").frame) == 139
    broken = tmp_path / "broken.geojson.gz"
    broken.write_bytes(gzip.compress(b"{ not json")[:-8])
    with pytest.raises(DataError, match="broken.geojson.gz"):
        read_boundaries(broken)
