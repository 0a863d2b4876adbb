"""Bounded input (issue 11, point 5): each limit refuses with a message naming the file, in-process.

Real files in ``tmp_path`` read through ``read_table``, ``prepare_import``/``import_file`` and
``read_boundaries``; archives are unpacked into a temporary folder of the test's own, which must be
empty afterwards.
"""

from __future__ import annotations

import gzip
import json
import math
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from assetmap.core.boundaries import read_boundaries
from assetmap.core.errors import Cancelled, DataError
from assetmap.core.imports.pipeline import ImportOptions, import_file, prepare_import
from assetmap.core.io import limits, readers
from assetmap.core.io.coords import parse_coordinate, parse_crs
from assetmap.core.io.readers import read_table
from assetmap.core.project import Project

LON, LAT = -2.305, 53.405  # inside the empty_project's neighbourhoods


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of the test's own (where archives are unpacked), and an unpacking limit of 2 MB."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv(limits.UNPACK_LIMIT_ENV, "2")
    return folder


def _geojson(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def _hall(i: int = 0) -> dict:
    return {"type": "Feature", "properties": {"name": f"Hall {i}", "kind": "village hall"},
            "geometry": {"type": "Point", "coordinates": [LON + i * 1e-4, LAT]}}


def _bomb_zip(path: Path, member: str, megabytes: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open(member, "w", force_zip64=True) as out:
        out.write(b'{"type": "FeatureCollection", "features": [')
        for _ in range(megabytes):
            out.write(b" " * (1 << 20))
        out.write(b"]}")
    return path


# --- archives -------------------------------------------------------------------------------------------


def test_zip_bomb_is_refused_and_nothing_is_left(tmp_path: Path, own_tmp: Path) -> None:
    path = _bomb_zip(tmp_path / "bomb.zip", "assets.geojson", 20)
    with pytest.raises(DataError, match=r"bomb\.zip: the zip unpacks to more than 2\.0 MB"):
        read_table(path)
    assert list(own_tmp.iterdir()) == []


def test_gzip_bomb_is_refused_before_anything_is_written(tmp_path: Path, own_tmp: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.geojson.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        for _ in range(20):
            out.write(b" " * (1 << 20))
    written: list[int] = []
    real = limits.copy_bounded
    monkeypatch.setattr(limits, "copy_bounded", lambda *a, **k: written.append(1) or real(*a, **k))
    with pytest.raises(DataError, match=r"bomb\.geojson\.gz: the gzip file unpacks to more than 2\.0 MB"):
        read_table(path)
    assert written == [] and list(own_tmp.iterdir()) == []


def test_a_gzip_whose_trailer_lies_is_still_counted(tmp_path: Path, own_tmp: Path) -> None:
    """The size in a gzip trailer is only a hint: one that says 10 bytes does not let 20 MB through."""
    data = bytearray(gzip.compress(b" " * (20 << 20), compresslevel=1))
    data[-4:] = (10).to_bytes(4, "little")
    path = tmp_path / "liar.geojson.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"liar\.geojson\.gz: the gzip file unpacks to more than 2\.0 MB"):
        read_table(path)
    assert list(own_tmp.iterdir()) == []


def test_the_limit_is_never_more_than_the_free_space(monkeypatch: pytest.MonkeyPatch, own_tmp: Path) -> None:
    monkeypatch.setenv(limits.UNPACK_LIMIT_ENV, "100000")
    free = limits.shutil.disk_usage(own_tmp).free
    assert limits.unpack_limit() <= free - limits.FREE_SPACE_MARGIN
    monkeypatch.delenv(limits.UNPACK_LIMIT_ENV)
    assert limits.unpack_limit() <= limits.UNPACK_LIMIT_MB << 20


def test_zipped_shapefile_is_unpacked_within_the_limit(tmp_path: Path, own_tmp: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["Hall"], "kind": ["village hall"]}, geometry=[shapely.Point(LON, LAT)],
                             crs=4326)
    frame.to_file(tmp_path / "assets.shp")
    path = tmp_path / "assets.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in tmp_path.glob("assets.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    assert len(read_table(path)) == 1  # an ordinary one still reads
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("assets.shp.xml", "w") as out:
        for _ in range(3):
            out.write(b" " * (1 << 20))  # metadata next to it makes it too big to unpack
    with pytest.raises(DataError, match=r"assets\.zip: the zip unpacks to more than 2\.0 MB"):
        read_table(path)
    assert list(own_tmp.iterdir()) == []


def _patched(path: Path, *, flags: int = 0, method: int | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("assets.geojson", _geojson([_hall()]))
    data = bytearray(path.read_bytes())
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        k = data.find(sig)
        if flags:
            data[k + at] |= flags
        if method is not None:
            data[k + at + 2:k + at + 4] = method.to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("flags,method,message", [
    (1, None, "'assets.geojson' in the zip is protected with a password"),
    (0, 99, r"protected with a password \(AES encryption\)"),
    (0, 97, r"compressed with WavPack \(method 97\), which assetmap cannot unpack"),
    (0, 9, r"compressed with Deflate64 \(method 9\)"),
])
def test_encrypted_and_exotic_zips_are_refused(tmp_path: Path, own_tmp: Path, flags: int, method: int | None,
                                               message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_table(_patched(tmp_path / "odd.zip", flags=flags, method=method))


def test_bit_flipped_zip_says_it_is_damaged(tmp_path: Path, own_tmp: Path) -> None:
    path = tmp_path / "flipped.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("assets.geojson", _geojson([_hall(i) for i in range(200)]))
    data = bytearray(path.read_bytes())
    for k in range(400, 408):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"flipped\.zip: is a damaged zip file: 'assets\.geojson' could not be "):
        read_table(path)
    assert list(own_tmp.iterdir()) == []


def test_a_zip_of_too_many_files_is_refused_and_listings_are_short(tmp_path: Path, own_tmp: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(limits.MAX_MEMBERS + 1):
            zf.writestr(f"{i}.txt", "")
    with pytest.raises(DataError, match="the zip holds 10,001 files; assetmap opens zips of at most 10,000"):
        read_table(path)
    with zipfile.ZipFile(path := tmp_path / "layers.zip", "w") as zf:
        for i in range(500):
            zf.writestr(f"layer{i}.geojson", "{}")
    with pytest.raises(DataError) as err:
        read_table(path)
    assert "and 494 more" in str(err.value) and len(str(err.value)) < 300


# --- text ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,message", [
    (",".join(f"c{i}" for i in range(1500)) + "\n" + "x," * 1499 + "x\n", "has 1,500 values; assetmap reads at most "
                                                                          "1,000 columns"),
    ("name," + "h" * 3_000_000 + "\nHall,1\n", "line 1 is 3,000,005 characters long"),
    ("name,kind," + "h" * 5000 + "\nHall,hall,1\n", "the name of column 3 is 5,000 characters long"),
    ('name,notes\nHall,"' + ("x" * 999 + "\n") * 1500 + '"\n', "holds a cell of more than 1,000,000 characters"),
])
def test_csv_limits(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "big.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=f"big.csv: .*{message}"):
        read_table(path)


def test_a_long_description_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(f'name,description\nHall,"{"word " * 150_000}"\n', encoding="utf-8")
    assert len(read_table(path).rows.iloc[0]["description"]) == 750_000


def test_workbook_limits(tmp_path: Path, own_tmp: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["name"] + [f"c{i}" for i in range(1200)])
    book.active.append(["Hall"] + ["x"] * 1200)
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(DataError, match=r"wide\.xlsx: has 1,201 columns"):
        read_table(tmp_path / "wide.xlsx")


# --- numbers, coordinates and coordinate systems -----------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "-Infinity", "1e400", float("inf"), "N 1e999"])
def test_infinite_coordinates_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        parse_coordinate(value)


def test_nan_text_is_no_value() -> None:
    assert math.isnan(parse_coordinate("nan"))


@pytest.mark.parametrize("text,message", [
    ("garbage", "is not a coordinate reference system"),
    ("EPSG:999999", "is not a coordinate reference system"),
    ("EPSG:4978", "is geocentric"),
    ("+proj=geocent +ellps=GRS80", "is geocentric"),
    ("EPSG:5701", "gives heights, not a position on a map"),
    ("9" * 40, "is not a coordinate reference system"),
])
def test_unusable_crs(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_crs(text)


def test_crs_option_garbage_is_a_data_error(empty_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "halls.csv"
    path.write_text(f"name,kind,x,y\nHall,village hall,{LON},{LAT}\n", encoding="utf-8")
    with Project.open(empty_project, readonly=True) as project, \
            pytest.raises(DataError, match="--crs garbage: 'garbage' is not a coordinate reference system"):
        prepare_import(project, path, ImportOptions(crs="garbage"))


def test_geometry_at_nan_or_infinity_is_rejected_by_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "odd.geojson"
    features = [json.dumps(_hall(0)), json.dumps(_hall(1)).replace(str(LON + 1e-4), "NaN"),
                json.dumps(_hall(2)).replace(str(LAT), "Infinity")]
    path.write_text('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}", encoding="utf-8")
    table = read_table(path)
    assert len(table) == 1 and table.row_numbers == [1]
    assert [r for r, _ in table.early_rejects] == [2, 3]
    assert all("not finite numbers" in why for _, why in table.early_rejects)


def test_geocentric_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ecef.gpkg"
    gpd.GeoDataFrame({"name": ["Hall"]}, geometry=[shapely.Point(3822000, -150000)], crs=4978).to_file(path)
    with pytest.raises(DataError, match=r"ecef\.gpkg: its coordinate system WGS 84 is geocentric"):
        read_table(path)


def test_attribute_only_geopackage_is_read_like_a_spreadsheet(tmp_path: Path) -> None:
    import pandas as pd
    import pyogrio

    path = tmp_path / "register.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"name": ["Hall"], "lat": [LAT], "lon": [LON]}), path, driver="GPKG")
    table = read_table(path)
    assert table.geometry is None and table.columns == ["name", "lat", "lon"]
    assert "no geometry" in table.notes[0]


def test_huge_whole_numbers_are_rejected_rows(empty_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "halls.csv"
    path.write_text("name,kind,lat,lon,capacity\n"
                    f"Good Hall,village hall,{LAT},{LON},120\n"
                    f"Vast Hall,village hall,{LAT},{LON + 1e-3},123456789012345678901234567\n", encoding="utf-8")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert (report.imported, report.rejected) == (1, 1)
    assert "column 'capacity': 1.23e+26 is too large a number" in report.rejects[0]["reason"]


def _footprint(tmp_path: Path, coordinates: list, geometry: str = "Polygon") -> Path:
    path = tmp_path / "park.geojson"
    path.write_text(_geojson([_hall(), {"type": "Feature", "properties": {"name": "Park", "kind": "park"},
                                        "geometry": {"type": geometry, "coordinates": coordinates}}]),
                    encoding="utf-8")
    return path


def test_a_footprint_of_too_many_points_is_simplified(empty_project: Path, tmp_path: Path) -> None:
    n = 50_000
    ring = [[LON + 1e-3 * math.cos(2 * math.pi * k / n), LAT + 6e-4 * math.sin(2 * math.pi * k / n)]
            for k in range(n)]
    path = _footprint(tmp_path, [ring + [ring[0]]])
    with Project.open(empty_project, readonly=True) as project:
        prepared = prepare_import(project, path)
    area = prepared.areas[1]
    assert area is not None and shapely.get_num_coordinates(area) <= limits.MAX_FOOTPRINT_VERTICES
    assert area.area == pytest.approx(math.pi * 1e-3 * 6e-4 * 111_320 ** 2 * math.cos(math.radians(LAT)), rel=0.05)
    assert any("footprint of more than 10,000 points simplified (the largest, 50,001 points" in n
               for n in prepared.report.notes)


def test_a_footprint_of_too_many_parts_is_a_rejected_row(empty_project: Path, tmp_path: Path) -> None:
    step = 2e-5
    squares = [[[[LON + (i % 40) * 3 * step, LAT + (i // 40) * 3 * step], [LON + (i % 40) * 3 * step + step,
                  LAT + (i // 40) * 3 * step], [LON + (i % 40) * 3 * step + step, LAT + (i // 40) * 3 * step + step],
                 [LON + (i % 40) * 3 * step, LAT + (i // 40) * 3 * step]]] for i in range(1200)]
    path = _footprint(tmp_path, squares, "MultiPolygon")
    with Project.open(empty_project, readonly=True) as project:
        report = prepare_import(project, path).report
    assert report.rejected == 1
    assert report.rejects[0]["reason"].startswith("the area has 1,200 separate parts; assetmap keeps footprints of "
                                                  "at most 1,000")


def test_a_footprint_outside_its_crs_is_a_rejected_row(empty_project: Path, tmp_path: Path) -> None:
    path = _footprint(tmp_path, [[[5000, 5000], [5010, 5000], [5010, 5010], [5000, 5000]]])
    with Project.open(empty_project, readonly=True) as project:
        report = prepare_import(project, path).report
    assert report.rejected == 1 and "is outside longitude -180 to 180" in report.rejects[0]["reason"]


# --- neighbourhood boundaries ------------------------------------------------------------------------------


def _boundaries(tmp_path: Path, codes: list, **columns: list) -> Path:
    features = []
    for i, code in enumerate(codes):
        x = LON + i * 0.01
        props = {"LSOA21CD": code, "LSOA21NM": f"Area {i}", **{k: v[i] for k, v in columns.items()}}
        features.append({"type": "Feature", "properties": props, "geometry": {
            "type": "Polygon", "coordinates": [[[x, LAT], [x + 0.01, LAT], [x + 0.01, LAT + 0.01], [x, LAT]]]}})
    path = tmp_path / "hoods.geojson"
    path.write_text(_geojson(features), encoding="utf-8")
    return path


@pytest.mark.parametrize("codes,columns,message", [
    (["E01000001", None], {}, r"row 2, column 'LSOA21CD': has no code"),
    (["E01000001", "  "], {}, r"row 2, column 'LSOA21CD': has no code"),
    (["E01000001", "E01000002"], {"population": [100, "1e400"]}, r"row 2, column 'population': inf is not a number "
                                                                  "of residents"),
    (["E01000001", "E01000002"], {"population": [100, "123456789012345678901234567"]}, r"row 2, .* not a number of "
                                                                                        "residents"),
    (["E01000001", "E01000002"], {"population": [-1, 100]}, r"row 1, .* not a number of residents"),
    (["E01000001", "E01000002"], {"imd_decile": [2, 2.5]}, r"row 2, .* not an IMD decile \(a whole number from 1"),
    (["E01000001", "E01000002"], {"imd_decile": [2, 11]}, r"row 2, .* not an IMD decile"),
])
def test_boundary_figures_that_cannot_be(tmp_path: Path, codes: list, columns: dict, message: str) -> None:
    with pytest.raises(DataError, match=r"hoods\.geojson, " + message):
        read_boundaries(_boundaries(tmp_path, codes, **columns))


def test_good_boundary_figures_still_read(tmp_path: Path) -> None:
    b = read_boundaries(_boundaries(tmp_path, ["E01000001", "E01000002", "E01000003"], population=[100, 250, None],
                                    imd_decile=[2, None, 10]))
    assert b.frame["population"].isna().tolist() == [False, False, True]
    assert b.frame["population"].tolist()[:2] == [100, 250] and b.frame["imd_decile"].tolist()[::2] == [2, 10]


def test_boundaries_outside_their_crs_and_with_unreadable_rows(tmp_path: Path) -> None:
    path = tmp_path / "far.geojson"
    path.write_text(_geojson([{"type": "Feature", "properties": {"LSOA21CD": "E01000001"}, "geometry": {
        "type": "Polygon", "coordinates": [[[5000, 5000], [5010, 5000], [5010, 5010], [5000, 5000]]]}}]))
    with pytest.raises(DataError, match=r"far\.geojson, row 1: the boundary \(5000, 5000 to 5010, 5010\) is outside"):
        read_boundaries(path)
    nan = _boundaries(tmp_path, ["E01000001", "E01000002"])
    nan.write_text(nan.read_text().replace(f"[{LON + 0.01}, {LAT}]", "[NaN, NaN]", 1))
    with pytest.raises(DataError, match=r"hoods\.geojson, row 1: the geometry has coordinates that are not finite"):
        read_boundaries(nan)


# --- one place where a reader's surprises become DataErrors ----------------------------------------------


def test_unexpected_reader_errors_become_data_errors_but_cancel_passes(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "halls.csv"
    path.write_text("name\nHall\n", encoding="utf-8")

    def raising(error: BaseException):  # a reader whose library fails in a way nobody foresaw
        def read(p: Path, layer: str | None = None) -> None:
            raise error
        return read

    monkeypatch.setitem(readers.READERS, "csv", raising(IndexError("list index out of range")))
    with pytest.raises(DataError, match=r"halls\.csv: could not be read \(list index out of range\)") as err:
        read_table(path)
    assert isinstance(err.value.__cause__, IndexError)  # kept for the log
    monkeypatch.setitem(readers.READERS, "csv", raising(MemoryError()))
    with pytest.raises(DataError, match="is too big to read into memory"):
        read_table(path)
    for passes in (Cancelled("cancelled"), KeyboardInterrupt()):
        monkeypatch.setitem(readers.READERS, "csv", raising(passes))
        with pytest.raises(type(passes)):
            read_table(path)
