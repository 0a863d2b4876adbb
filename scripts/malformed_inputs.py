"""The malformed-input catalogue: damaged archives, bombs, impossible numbers and coordinates, broken CRSs.

Run ``python3 scripts/malformed_inputs.py`` for the campaign figure (tried / failed). Each case writes
its file into a folder and runs ``python3 -m assetmap import`` (or ``new --boundaries``) on it as a real
process, with ``TMPDIR`` pointing at an empty folder of its own. A case passes when the process:

* refuses the file with exit 1 and exactly one line on stderr that matches the case's ``expect``, or,
  for a file whose bad rows are only rejected, exits 0 with the report the case expects (``check``);
* prints no traceback, finishes within ``TIME_LIMIT`` seconds and leaves nothing in its ``TMPDIR``.

Bombs are sized against the unpacking limit the child is given (``ASSETMAP_UNPACK_LIMIT_MB``, default
``LIMIT_MB`` here so that a run takes seconds): each unpacks to several times the limit.
``tests/test_malformed_catalogue.py`` runs the same catalogue.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("ASSETMAP_FUZZ_ROOT") or Path(__file__).resolve().parents[1])  # the code under test
TIME_LIMIT = 60.0
MAX_LINE = 1000
LIMIT_MB = 8  # the unpacking limit the children run with; the bombs unpack to 8 times as much
LON, LAT = -2.305, 53.405  # inside the catalogue project's neighbourhoods (near Sale)

Maker = Callable[[Path], Path]


@dataclass(frozen=True)
class Case:
    name: str
    make: Maker  # writes the case's file into a folder and returns its path
    command: str = "import"  # "import" (into a project) or "new" (--boundaries)
    args: tuple[str, ...] = ()
    expect: str = ""  # exit 1: a regular expression the one stderr line must match
    check: Callable[[dict[str, Any]], str | None] | None = None  # exit 0: the --json report's problem, if any


# --- file writers -----------------------------------------------------------------------------------------


def _feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _point(lon: float = LON, lat: float = LAT) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def _square(x: float, y: float, size: float) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def _collection(features: list[dict[str, Any]], crs: str | None = None) -> str:
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc)


def _assets_geojson() -> str:
    return _collection([_feature(_point(LON + i * 1e-4), name=f"Hall {i}", kind="village hall") for i in range(20)])


def _neighbourhoods(codes: list[Any], populations: list[Any] | None = None, crs: str | None = None,
                    size: float = 0.01) -> str:
    pops = populations or [1000] * len(codes)
    return _collection([_feature({"type": "Polygon", "coordinates": _square(LON + i * size, LAT, size)},
                                 LSOA21CD=code, LSOA21NM=f"Area {i}", population=pop)
                        for i, (code, pop) in enumerate(zip(codes, pops))], crs)


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def text(name: str, content: str | Callable[[], str]) -> Maker:
    return lambda folder: _write(folder, name, content() if callable(content) else content)


def _zip(folder: Path, name: str, members: dict[str, str | bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        for member, content in members.items():
            zf.writestr(member, content)
    return path


def _headers(data: bytes) -> tuple[list[int], list[int]]:
    """Offsets of the local headers and of the central directory entries of a zip held in ``data``."""
    end = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack("<HII", data[end + 10:end + 20])
    central, local, at = [], [], start
    for _ in range(count):
        central.append(at)
        local.append(struct.unpack("<I", data[at + 42:at + 46])[0])
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[at + 28:at + 34])
        at += 46 + name_len + extra_len + comment_len
    return local, central


def patched_zip(name: str, members: dict[str, str | bytes], *, flags: int = 0, method: int | None = None,
                flip: bool = False, stored: bool = False) -> Maker:
    """A zip whose headers say its members are encrypted (``flags``) or use another compression ``method``,
    or whose first member's data has bytes flipped (``flip``)."""

    def make(folder: Path) -> Path:
        path = _zip(folder, name, members, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        data = bytearray(path.read_bytes())
        local, central = _headers(bytes(data))
        for lo, ce in zip(local, central):
            if flags:
                data[lo + 6:lo + 8] = struct.pack("<H", struct.unpack("<H", data[lo + 6:lo + 8])[0] | flags)
                data[ce + 8:ce + 10] = struct.pack("<H", struct.unpack("<H", data[ce + 8:ce + 10])[0] | flags)
            if method is not None:
                data[lo + 8:lo + 10] = struct.pack("<H", method)
                data[ce + 10:ce + 12] = struct.pack("<H", method)
        if flip:
            lo = local[0]
            name_len, extra_len = struct.unpack("<HH", data[lo + 26:lo + 30])
            size = struct.unpack("<I", data[lo + 18:lo + 22])[0]
            begin = lo + 30 + name_len + extra_len
            for k in range(begin + size // 3, begin + size // 3 + 8):
                data[k] ^= 0x5A
        path.write_bytes(bytes(data))
        return path

    return make


_OPEN = b'{"type": "FeatureCollection", "features": ['
_CLOSE = b"]}"


def _spaces(out: Any, total: int) -> None:
    chunk = b" " * (1 << 20)
    left = total
    while left > 0:
        out.write(chunk[:left])
        left -= len(chunk)


def gzip_bomb(name: str, megabytes: int) -> Maker:
    """GeoJSON padded with spaces to ``megabytes``, gzipped: written as a stream, never held in memory."""

    def make(folder: Path) -> Path:
        path = folder / name
        with gzip.open(path, "wb", compresslevel=1) as out:
            out.write(_OPEN)
            _spaces(out, megabytes << 20)
            out.write(_CLOSE)
        return path

    return make


def zip_bomb(name: str, member: str, megabytes: int) -> Maker:
    def make(folder: Path) -> Path:
        path = folder / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            with zf.open(member, "w", force_zip64=True) as out:
                out.write(_OPEN)
                _spaces(out, megabytes << 20)
                out.write(_CLOSE)
        return path

    return make


def lying_zip_bomb(name: str, member: str, megabytes: int) -> Maker:
    """A zip bomb whose headers claim the member is 100 bytes long."""

    def make(folder: Path) -> Path:
        path = zip_bomb(name, member, megabytes)(folder)
        data = path.read_bytes()
        with zipfile.ZipFile(path) as zf:  # rewritten without zip64, whose sizes live in the extra fields
            info = zf.infolist()[0]
            raw_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            compressed = bytes(data[raw_start:raw_start + info.compress_size])
        with open(path, "wb") as out:
            encoded = member.encode()
            out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, info.CRC, len(compressed), 100,
                                  len(encoded), 0) + encoded + compressed)
            cd_start = out.tell()
            out.write(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, info.CRC, len(compressed), 100,
                                  len(encoded), 0, 0, 0, 0, 0, 0) + encoded)
            cd_size = out.tell() - cd_start
            out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 1, 1, cd_size, cd_start, 0))
        return path

    return make


def many_members(name: str, count: int) -> Maker:
    def make(folder: Path) -> Path:
        path = folder / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
            for i in range(count):
                zf.writestr(f"layer_{i:05d}.geojson", "{}")
        return path

    return make


def geopackage(name: str, *, crs: int | None = 4326, attributes_only: bool = False,
               polygons: bool = False) -> Maker:
    def make(folder: Path) -> Path:
        import geopandas as gpd
        import pandas as pd
        import shapely

        path = folder / name
        if attributes_only:
            import pyogrio

            pyogrio.write_dataframe(pd.DataFrame({"name": ["Hall", "Library"], "kind": ["village hall", "library"],
                                                  "LSOA21CD": ["E01000001", "E01000002"]}), path, layer="register",
                                    driver="GPKG")
            return path
        if polygons:
            geoms = [shapely.box(3.8e6 + i * 100, -1.5e5, 3.8e6 + i * 100 + 90, -1.5e5 + 90) for i in range(2)]
            frame = gpd.GeoDataFrame({"LSOA21CD": ["E01000001", "E01000002"], "population": [1, 2]},
                                     geometry=geoms, crs=crs)
        else:
            frame = gpd.GeoDataFrame({"name": ["Hall", "Library"], "kind": ["village hall", "library"]},
                                     geometry=[shapely.Point(3822000, -150000), shapely.Point(3822100, -150000)],
                                     crs=crs)
        frame.to_file(path, driver="GPKG")
        return path

    return make


def _circle(points: int, radius: float = 0.001) -> list[list[list[float]]]:
    ring = [[LON + radius * math.cos(2 * math.pi * k / points), LAT + radius * 0.6 * math.sin(2 * math.pi * k / points)]
            for k in range(points)]
    return [ring + [ring[0]]]


def _footprint(points: int) -> str:
    return _collection([_feature({"type": "Polygon", "coordinates": _circle(points)}, name="Round Park",
                                 kind="park")])


def _parts(count: int) -> str:
    step = 2e-5
    polys = [_square(LON + (i % 100) * step * 1.5, LAT + (i // 100) * step * 1.5, step) for i in range(count)]
    return _collection([_feature({"type": "MultiPolygon", "coordinates": polys}, name="Allotments", kind="allotment"),
                        _feature(_point(), name="Hall", kind="village hall")])


def _raw_geojson(coordinates: list[str]) -> str:
    features = ",".join('{"type":"Feature","properties":{"name":"Hall %d","kind":"village hall"},'
                        '"geometry":{"type":"Point","coordinates":%s}}' % (i, c) for i, c in enumerate(coordinates))
    return '{"type":"FeatureCollection","features":[%s]}' % features


# --- report checks ----------------------------------------------------------------------------------------


def rows(imported: int | None = None, rejected: int | None = None, unlocated: int | None = None,
         reason: str = "", note: str = "") -> Callable[[dict[str, Any]], str | None]:
    """A check of the import report: its counts, a word every reject gives, and a note."""

    def check(report: dict[str, Any]) -> str | None:
        for key, want in (("imported", imported), ("rejected", rejected), ("unlocated", unlocated)):
            if want is not None and report.get(key) != want:
                return f"{key} {report.get(key)}, expected {want}"
        if reason and not all(re.search(reason, r["reason"], re.IGNORECASE) for r in report.get("rejects", [])):
            return f"a reject does not say /{reason}/: {[r['reason'][:80] for r in report['rejects']]}"
        if note and not any(re.search(note, n, re.IGNORECASE) for n in report.get("notes", [])):
            return f"no note says /{note}/"
        return None

    return check


# --- the catalogue ----------------------------------------------------------------------------------------


def cases(limit_mb: int = LIMIT_MB) -> list[Case]:
    bomb = 8 * limit_mb
    zipped = {"assets.geojson": _assets_geojson()}
    shapefile = _shapefile_members()
    hoods = _neighbourhoods(["E01000001", "E01000002"])
    gml = ('<?xml version="1.0"?>\n<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml" xmlns:x="urn:x">'
           '<gml:featureMember><x:a><x:name>Hall</x:name><x:geom><gml:Point><gml:coordinates>abc,def'
           '</gml:coordinates></gml:Point></x:geom></x:a></gml:featureMember>')
    return [
        # damaged archives
        Case("bit-flipped zip (deflated member)", patched_zip("flipped.zip", zipped, flip=True),
             expect=r"flipped\.zip.*(damaged|corrupt)"),
        Case("bit-flipped zip (stored member)", patched_zip("flipped_stored.zip", zipped, flip=True, stored=True),
             expect=r"flipped_stored\.zip.*(damaged|corrupt|unpacked)"),
        Case("bit-flipped zipped shapefile", patched_zip("flipped_shp.zip", shapefile, flip=True),
             expect=r"flipped_shp\.zip"),
        Case("encrypted zip", patched_zip("encrypted.zip", zipped, flags=0x1), expect=r"encrypted\.zip.*password"),
        Case("encrypted zipped shapefile", patched_zip("encrypted_shp.zip", shapefile, flags=0x1),
             expect=r"encrypted_shp\.zip.*password"),
        Case("zip member with method 97 (WavPack)", patched_zip("method97.zip", zipped, method=97),
             expect=r"method97\.zip.*compress"),
        Case("zip member with method 99 (AES)", patched_zip("method99.zip", zipped, method=99),
             expect=r"method99\.zip.*(compress|encrypt)"),
        Case("zipped shapefile with method 99", patched_zip("method99_shp.zip", shapefile, method=99),
             expect=r"method99_shp\.zip.*(compress|encrypt)"),
        Case("zip of 20,000 members", many_members("many.zip", 20_000), expect=r"many\.zip.*files"),
        Case("random bytes called .zip", text("noise.zip", lambda: "PK\x03\x04" + "\x00\xff" * 3000),
             expect=r"noise\.zip"),
        Case("truncated gzip", lambda f: _write(f, "cut.geojson.gz", gzip.compress(_assets_geojson().encode())[:200]),
             expect=r"cut\.geojson\.gz.*damaged"),
        # bombs
        Case(f"gzip bomb ({bomb} MB of GeoJSON)", gzip_bomb("bomb.geojson.gz", bomb), expect=r"bomb\.geojson\.gz.*MB"),
        Case(f"zip bomb ({bomb} MB of GeoJSON)", zip_bomb("bomb.zip", "assets.geojson", bomb),
             expect=r"bomb\.zip.*MB"),
        Case(f"zip bomb whose header lies ({bomb} MB said to be 100 bytes)",
             lying_zip_bomb("liar.zip", "assets.geojson", bomb), expect=r"liar\.zip"),
        Case(f"zipped shapefile bomb ({bomb} MB .dbf)", _shapefile_bomb("bomb_shp.zip", bomb),
             expect=r"bomb_shp\.zip.*MB"),
        Case(f"workbook whose sheet unpacks to {bomb} MB", _xlsx_bomb("bomb.xlsx", bomb), expect=r"bomb\.xlsx.*MB"),
        Case("workbook of 2,000 columns", _xlsx_wide("wide.xlsx", 2_000), expect=r"wide\.xlsx.*columns"),
        # text that is too big to be a table
        Case("CSV with 10,000 header cells", text("wide.csv", lambda: ",".join(f"c{i}" for i in range(10_000))
                                                   + "\n" + ",".join("x" for _ in range(10_000)) + "\n"),
             expect=r"wide\.csv.*columns"),
        Case("CSV with a 10 MB header cell", text("tall_header.csv", lambda: "name," + "h" * 10_000_000 + "\nHall,1\n"),
             expect=r"tall_header\.csv.*characters"),
        Case("CSV with a 10 MB line of separators", text("commas.csv", lambda: "name,kind\nHall" + "," * 10_000_000),
             expect=r"commas\.csv.*(columns|characters|values)"),
        Case("CSV with a 10 MB cell in a row", text("long_cell.csv", lambda: "name,kind,lat,lon\n"
                                                     f'"{"x" * 10_000_000}",village hall,{LAT},{LON}\n'
                                                     f"Hall,village hall,{LAT},{LON}\n"),
             expect=r"long_cell\.csv.*characters"),
        Case("CSV with a 3 MB cell over many lines", text("multiline.csv", lambda: "name,kind,lat,lon,notes\n"
                                                          f'Hall,village hall,{LAT},{LON},"' + ("x" * 999 + "\n") * 3000
                                                          + '"\n'), expect=r"multiline\.csv.*characters"),
        Case("CSV with a 50,000-character header cell", text("long_header.csv", lambda: "name,kind," + "h" * 50_000
                                                              + "\nHall,village hall,1\n"),
             expect=r"long_header\.csv.*characters"),
        # numbers and coordinates
        Case("CSV with NaN, infinite and out-of-range coordinates", text("coords.csv", (
            "name,kind,lat,lon\n"
            f"Good Hall,village hall,{LAT},{LON}\n"
            f"Second Hall,village hall,{LAT},{LON + 1e-3}\n"
            f"Third Hall,village hall,{LAT + 1e-3},{LON}\n"
            f"Fourth Hall,village hall,{LAT + 1e-3},{LON + 1e-3}\n"
            "Missing Hall,village hall,nan,nan\n"
            "Infinite Hall,village hall,inf,-inf\n"
            f"Huge Hall,village hall,1e400,{LON}\n"
            f"North Hall,village hall,95,{LON}\n"
            f"West Hall,village hall,{LAT},-200\n")),
             args=("--json",), check=rows(imported=4, unlocated=1, rejected=4)),
        Case("GeoJSON with NaN and infinite coordinates", text("nan.geojson", _raw_geojson(
            [f"[{LON},{LAT}]", "[NaN,NaN]", "[Infinity,-Infinity]", f"[{LON},NaN]", f"[-Infinity,{LAT}]"])),
             args=("--json",), check=rows(imported=1, unlocated=1, rejected=3, reason="finite")),  # NaN NaN: empty
        Case("GeoJSON with a coordinate of 1e400", text("huge.geojson", _raw_geojson([f"[{LON},{LAT}]", "[1e400,1]"])),
             expect=r"huge\.geojson"),
        Case("GeoJSON with NaN in a footprint", text("nan_area.geojson", _collection([
            _feature(_point(), name="Hall", kind="village hall")])[:-2] + ',{"type":"Feature","properties":{"name":'
            '"Park","kind":"park"},"geometry":{"type":"Polygon","coordinates":[[[-2.3,53.4],[NaN,53.4],[-2.3,53.41],'
            '[-2.3,53.4]]]}}]}'), args=("--json",), check=rows(imported=1, rejected=1, reason="finite")),
        Case("a footprint far outside the Earth", text("far_area.geojson", _collection([
            _feature(_point(), name="Hall", kind="village hall"),
            _feature({"type": "Polygon", "coordinates": _square(5000, 5000, 10)}, name="Park", kind="park")])),
             args=("--json",), check=rows(imported=1, rejected=1, reason="outside")),
        Case("GeoJSON with out-of-range coordinates", text("far.geojson", _raw_geojson(
            [f"[{LON},{LAT}]", "[500,95]", "[1e300,1e300]"])),
             args=("--json",), check=rows(imported=1, rejected=2, reason="outside")),
        Case("--crs with NaN eastings in a CSV", text("bng.csv", "name,kind,x,y\nHall,village hall,380500,390500\n"
                                                      "Odd Hall,village hall,nan,inf\n"),
             args=("--json", "--crs", "EPSG:27700"), check=rows(imported=1, rejected=1)),
        Case("a 27-digit capacity", text("capacity.csv", "name,kind,lat,lon,capacity\n"
                                         f"Good Hall,village hall,{LAT},{LON},120\n"
                                         f"Vast Hall,village hall,{LAT},{LON + 1e-3},123456789012345678901234567\n"),
             args=("--json",), check=rows(imported=1, rejected=1, reason="capacity")),
        Case("a capacity of 1e400", text("capacity_inf.csv", "name,kind,lat,lon,capacity\n"
                                         f"Good Hall,village hall,{LAT},{LON},120\n"
                                         f"Vast Hall,village hall,{LAT},{LON + 1e-3},1e400\n"),
             args=("--json",), check=rows(imported=1, rejected=1, reason="capacity")),
        Case("a 27-digit capacity in GeoJSON", text("capacity.geojson", _collection([
            _feature(_point(), name="Good Hall", kind="village hall", capacity=120),
            _feature(_point(LON + 1e-3), name="Vast Hall", kind="village hall", capacity=10**26 + 7)])),
             args=("--json",), check=rows(imported=1, rejected=1, reason="capacity")),
        # coordinate systems
        Case("--crs garbage", text("plain.csv", f"name,kind,x,y\nHall,village hall,{LON},{LAT}\n"),
             args=("--crs", "garbage"), expect=r"garbage.*coordinate"),
        Case("--crs EPSG:999999", text("plain2.csv", f"name,kind,x,y\nHall,village hall,{LON},{LAT}\n"),
             args=("--crs", "EPSG:999999"), expect=r"999999"),
        Case("--crs geocentric (EPSG:4978)", text("plain3.csv", "name,kind,x,y\nHall,village hall,3822000,-150000\n"),
             args=("--crs", "EPSG:4978"), expect=r"geocentric"),
        Case("GeoJSON in a geocentric CRS", text("geocentric.geojson", _collection(
            [_feature({"type": "Point", "coordinates": [3822000, -150000, 5086000]}, name="Hall", kind="village hall")],
            "urn:ogc:def:crs:EPSG::4978")), expect=r"geocentric\.geojson.*geocentric"),
        Case("GeoPackage in a geocentric CRS", geopackage("geocentric.gpkg", crs=4978),
             expect=r"geocentric\.gpkg.*geocentric"),
        # files that are not what they claim
        Case("GeoPackage with only an attribute table", geopackage("attributes.gpkg", attributes_only=True),
             args=("--json",), check=rows(imported=0, unlocated=2)),  # read like a spreadsheet without coordinates
        Case("random bytes called .gpkg", text("noise.gpkg", lambda: "SQLite format 3\x00" + "\x07" * 5000),
             expect=r"noise\.gpkg"),
        Case("bogus GML", text("bogus.gml", gml), expect=r"bogus\.gml"),
        Case("GML that is not GML", text("other.gml", '<?xml version="1.0"?><html><body>hi</body></html>'),
             expect=r"other\.gml"),
        Case("random bytes called .osm.pbf", lambda f: _write(f, "noise.osm.pbf", bytes(range(256)) * 50),
             expect=r"noise\.osm\.pbf"),
        Case("GeoJSON nested 100,000 deep", text("deep.geojson", "[" * 100_000 + "]" * 100_000),
             expect=r"deep\.geojson"),
        # footprints
        Case("a footprint of 200,000 vertices", text("round.geojson", lambda: _footprint(200_000)),
             args=("--json",), check=rows(imported=1, note=r"simplified")),
        Case("a footprint of 5,000 parts", text("parts.geojson", lambda: _parts(5_000)),
             args=("--json",), check=rows(imported=1, rejected=1, reason="parts")),
        # neighbourhood boundaries for a new project
        Case("boundaries with a null code", text("null_code.geojson", _neighbourhoods(["E01000001", None,
                                                                                       "E01000003"])),
             command="new", expect=r"null_code\.geojson.*row 2.*code"),
        Case("boundaries with a blank code", text("blank_code.geojson", _neighbourhoods(["E01000001", " "])),
             command="new", expect=r"blank_code\.geojson.*row 2.*code"),
        Case("boundaries with a population of 1e400", text("pop_inf.geojson", _neighbourhoods(
            ["E01000001", "E01000002"], [1000, "1e400"])), command="new",
             expect=r"pop_inf\.geojson.*row 2.*population"),
        Case("boundaries with a numeric population of 1e400", lambda f: _write(f, "pop_inf_num.geojson", hoods.replace(
            '"population": 1000}', '"population": 1e400}', 1)), command="new",
             expect=r"pop_inf_num\.geojson"),
        Case("boundaries with a 27-digit population", text("pop_big.geojson", _neighbourhoods(
            ["E01000001", "E01000002"], [1000, "123456789012345678901234567"])), command="new",
             expect=r"pop_big\.geojson.*row 2.*population"),
        Case("boundaries with a negative population", text("pop_neg.geojson", _neighbourhoods(
            ["E01000001", "E01000002"], [1000, -5])), command="new", expect=r"pop_neg\.geojson.*row 2.*population"),
        Case("boundaries in a geocentric CRS", geopackage("geocentric_hoods.gpkg", crs=4978, polygons=True),
             command="new", expect=r"geocentric_hoods\.gpkg.*geocentric"),
        Case("boundaries: a GeoPackage with only an attribute table", geopackage("hoods_attr.gpkg",
                                                                                 attributes_only=True),
             command="new", expect=r"hoods_attr\.gpkg"),
        Case("boundaries with NaN coordinates", lambda f: _write(f, "nan_hoods.geojson", hoods.replace(
            str(LON), "NaN", 1)), command="new", expect=r"nan_hoods\.geojson"),
        Case("boundaries with infinite coordinates", lambda f: _write(f, "inf_hoods.geojson", hoods.replace(
            str(LAT), "1e999", 2)), command="new", expect=r"inf_hoods\.geojson"),
        Case("boundaries far outside the Earth", text("far_hoods.geojson", _collection([_feature(
            {"type": "Polygon", "coordinates": _square(5000, 5000, 10)}, LSOA21CD="E01000001", population=5)],
            "urn:ogc:def:crs:OGC:1.3:CRS84")), command="new", expect=r"far_hoods\.geojson"),
        Case("boundaries: bogus GML", text("bogus_hoods.gml", gml), command="new", expect=r"bogus_hoods\.gml"),
        Case("boundaries: bit-flipped zip", patched_zip("flipped_hoods.zip", {"hoods.geojson": hoods}, flip=True),
             command="new", expect=r"flipped_hoods\.zip"),
        Case(f"boundaries: gzip bomb ({bomb} MB)", gzip_bomb("bomb_hoods.geojson.gz", bomb), command="new",
             expect=r"bomb_hoods\.geojson\.gz.*MB"),
    ]


def _shapefile_members() -> dict[str, str | bytes]:
    """A small zipped shapefile's members, written through GDAL into a temporary folder."""
    import geopandas as gpd
    import shapely

    with tempfile.TemporaryDirectory() as tmp:
        frame = gpd.GeoDataFrame({"name": [f"Hall {i}" for i in range(50)], "kind": ["village hall"] * 50},
                                 geometry=[shapely.Point(LON + i * 1e-4, LAT) for i in range(50)], crs=4326)
        frame.to_file(Path(tmp) / "assets.shp")
        return {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir())}


def _shapefile_bomb(name: str, megabytes: int) -> Maker:
    """A zipped shapefile whose .dbf is padded with ``megabytes`` of spaces."""

    def make(folder: Path) -> Path:
        members = _shapefile_members()
        path = folder / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for member, content in members.items():
                if member.endswith(".dbf"):
                    with zf.open(member, "w", force_zip64=True) as out:
                        out.write(content[:-1])
                        _spaces(out, megabytes << 20)
                else:
                    zf.writestr(member, content)
        return path

    return make


def _xlsx_bomb(name: str, megabytes: int) -> Maker:
    """A real workbook whose sheet is padded with ``megabytes`` of spaces between its elements."""

    def make(folder: Path) -> Path:
        import openpyxl

        plain = folder / "plain.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        for row in (["name", "kind", "lat", "lon"], ["Hall", "village hall", LAT, LON]):
            sheet.append(row)
        book.save(plain)
        path = folder / name
        with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    head, _, tail = data.partition(b"</sheetData>")
                    with dst.open(info.filename, "w", force_zip64=True) as out:
                        out.write(head)
                        _spaces(out, megabytes << 20)
                        out.write(b"</sheetData>" + tail)
                else:
                    dst.writestr(info, data)
        plain.unlink()
        return path

    return make


def _xlsx_wide(name: str, columns: int) -> Maker:
    def make(folder: Path) -> Path:
        import openpyxl

        path = folder / name
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["name"] + [f"c{i}" for i in range(columns)])
        sheet.append(["Hall"] + ["x"] * columns)
        book.save(path)
        return path

    return make


# --- running ----------------------------------------------------------------------------------------------


def make_project(folder: Path) -> Path:
    """The catalogue's project: two 1 km squares near Sale, in British National Grid."""
    import geopandas as gpd
    import shapely

    from assetmap.core.project import Project

    squares = gpd.GeoDataFrame({"code": ["E01000001", "E01000002"], "name": ["West", "East"],
                                "population": [1500, 0]},
                               geometry=[shapely.box(380000, 390000, 381000, 391000),
                                         shapely.box(381000, 390000, 382000, 391000)], crs=27700)
    path = folder / "catalogue.gpkg"
    Project.create(path, 27700, name="Catalogue", neighbourhoods=squares)
    return path


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    left_behind: list[str] = field(default_factory=list)

    def problem(self, case: Case) -> str | None:
        """Why this is not what the case expects (None when it is)."""
        lines = self.stderr.strip("\n").split("\n") if self.stderr.strip() else []
        if self.returncode == -9 or self.seconds >= TIME_LIMIT:
            return "ran out of time"
        if "Traceback" in self.stderr:
            return "traceback: " + (lines[-1][:160] if lines else "")
        if self.left_behind:
            return f"left in the temp folder: {', '.join(self.left_behind[:3])}"
        if case.check is not None:
            if self.returncode != 0:
                return f"exit {self.returncode}: " + (lines[-1][:160] if lines else "")
            if lines:
                return f"{len(lines)} lines on stderr: {lines[0][:160]}"
            try:
                report = json.loads(self.stdout)
            except ValueError:
                return "no JSON report"
            return case.check(report)
        if self.returncode != 1:
            return f"exit {self.returncode}: " + (lines[-1][:160] if lines else "")
        if len(lines) != 1:
            return f"{len(lines)} lines on stderr: " + " | ".join(line[:80] for line in lines[:3])
        if len(lines[0]) > MAX_LINE:
            return f"a {len(lines[0])}-character line"
        if case.expect and not re.search(case.expect, lines[0], re.IGNORECASE):
            return f"message does not say /{case.expect}/: {lines[0][:200]}"
        return None


def run_case(case: Case, project: Path, folder: Path, limit_mb: int = LIMIT_MB) -> Outcome:
    """One case as a real process, on its own copy of ``project`` and with its own empty temp folder."""
    work = Path(tempfile.mkdtemp(prefix="case-", dir=folder))
    source = case.make(work)
    tmp = work / "tmp"
    tmp.mkdir()
    if case.command == "new":
        argv = ["new", str(work / "new.gpkg"), "--boundaries", str(source), *case.args]
    else:
        copy = work / "project.gpkg"
        shutil.copy(project, copy)
        argv = ["import", str(copy), str(source), *case.args]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(folder / "cache"),
           "XDG_STATE_HOME": str(folder / "state"), "ASSETMAP_UNPACK_LIMIT_MB": str(limit_mb)}
    start = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "assetmap", *argv], capture_output=True, text=True,
                              errors="replace", timeout=TIME_LIMIT, env=env, cwd=work)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        return Outcome(-9, "", err, TIME_LIMIT)
    outcome = Outcome(done.returncode, done.stdout, done.stderr, time.monotonic() - start,
                      sorted(p.name for p in tmp.iterdir()))
    shutil.rmtree(work, ignore_errors=True)
    return outcome


def campaign(report: Callable[[str], None] = print, limit_mb: int = LIMIT_MB) -> tuple[int, list[tuple[str, str]]]:
    """Run every case against a fresh project: (tried, [(case, problem)])."""
    failed: list[tuple[str, str]] = []
    catalogue = cases(limit_mb)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = make_project(folder)
        for case in catalogue:
            outcome = run_case(case, project, folder, limit_mb)
            problem = outcome.problem(case)
            report(f"{'FAIL' if problem else 'ok  '} {case.command} {case.name} ({outcome.seconds:.1f} s)"
                   + (f": {problem}" if problem else ""))
            if problem:
                failed.append((case.name, problem))
    return len(catalogue), failed


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    tried, failures = campaign(limit_mb=int(sys.argv[1]) if len(sys.argv) > 1 else LIMIT_MB)
    print(f"tried {tried}, failed {len(failures)}")
