"""A fuzz suite that stays (issue 11, point 7): random and mutated files through the readers and through
opening a project. Whatever the bytes, only an ``AssetmapError`` may come out (a ``DataError`` naming
the file for the readers), never another exception.

Bounded to stay fast: few examples each (``ASSETMAP_FUZZ_EXAMPLES`` raises it for a campaign), small
files, no example database, no deadline.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetmap.core.errors import AssetmapError, DataError
from assetmap.core.io.readers import read_table
from assetmap.core.project import Project

EXAMPLES = int(os.environ.get("ASSETMAP_FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

_GOOD_CSV = "name,kind,lat,lon,capacity\nElm Hall,village hall,53.405,-2.305,120\nPark,park,53.41,-2.30,\n"
_GOOD_GEOJSON = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "Elm Hall", "kind": "village hall"},
     "geometry": {"type": "Point", "coordinates": [-2.305, 53.405]}},
    {"type": "Feature", "properties": {"name": "Park", "kind": "park"},
     "geometry": {"type": "Polygon", "coordinates": [[[-2.3, 53.4], [-2.29, 53.4], [-2.29, 53.41], [-2.3, 53.4]]]}}]})


def _zipped(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buffer.getvalue()


_GOOD_ZIP = _zipped({"assets.geojson": _GOOD_GEOJSON})
_GOOD_GZIP = gzip.compress(_GOOD_CSV.encode())


def _read(name: str, data: bytes) -> None:
    """Read ``data`` as a file called ``name``: a table, or a DataError that names the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            read_table(path)
        except DataError as exc:
            assert exc.file is not None and Path(exc.file).name == name, str(exc)
            assert "\n" not in str(exc).strip() and len(str(exc)) < 2000


def _mutate(data: bytes, flips: list[tuple[int, int]], cut: int | None) -> bytes:
    out = bytearray(data)
    for at, value in flips:
        out[at % len(out)] ^= value or 1
    return bytes(out[:cut] if cut else out)


_FLIPS = st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), min_size=1, max_size=8)
_CUT = st.none() | st.integers(1, 4000)
_CELL = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["nan", "inf", "-Infinity", "1e400", "123456789012345678901234567", "", '"', "#REF!", "=\"0\"", "53°25'N",
     "EPSG:4978", "0", "-0", "\x00"])


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_as_csv(data: bytes) -> None:
    _read("fuzz.csv", data)


@FUZZ
@given(st.lists(st.lists(_CELL, min_size=1, max_size=6), min_size=1, max_size=8),
       st.sampled_from([",", ";", "\t", "|"]))
def test_random_tables_as_csv(rows: list[list[str]], sep: str) -> None:
    text = "\n".join(sep.join(row) for row in [["name", "kind", "lat", "lon", "crs", "capacity"], *rows])
    _read("fuzz.csv", text.encode("utf-8", errors="surrogatepass"))


_JSON = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                  max_size=4), max_leaves=20)


@FUZZ
@given(_JSON)
def test_random_json_as_geojson(doc: object) -> None:
    _read("fuzz.geojson", json.dumps(doc).encode())


@FUZZ
@given(st.lists(st.tuples(_JSON, _JSON), max_size=4), st.sampled_from(["Point", "Polygon", "MultiPolygon",
                                                                      "LineString", "Nonsense"]))
def test_geojson_with_random_geometry_and_properties(pairs: list[tuple[object, object]], kind: str) -> None:
    features = [{"type": "Feature", "properties": {"name": "Hall", "x": prop},
                 "geometry": {"type": kind, "coordinates": coords}} for coords, prop in pairs]
    _read("fuzz.geojson", json.dumps({"type": "FeatureCollection", "features": features}).encode())


@FUZZ
@given(_FLIPS, _CUT)
def test_mutated_geojson(flips: list[tuple[int, int]], cut: int | None) -> None:
    _read("fuzz.geojson", _mutate(_GOOD_GEOJSON.encode(), flips, cut))


@FUZZ
@given(_FLIPS, _CUT)
def test_mutated_zip(flips: list[tuple[int, int]], cut: int | None) -> None:
    _read("fuzz.zip", _mutate(_GOOD_ZIP, flips, cut))


@FUZZ
@given(_FLIPS, _CUT)
def test_mutated_gzip(flips: list[tuple[int, int]], cut: int | None) -> None:
    _read("fuzz.csv.gz", _mutate(_GOOD_GZIP, flips, cut))


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_after_a_zip_signature(data: bytes) -> None:
    _read("fuzz.zip", b"PK\x03\x04" + data)


@settings(max_examples=max(10, EXAMPLES * 2 // 3), deadline=None, database=None)
@given(st.binary(max_size=4000), st.booleans())
def test_random_bytes_as_a_project(data: bytes, sqlite_header: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.gpkg"
        path.write_bytes((b"SQLite format 3\x00" if sqlite_header else b"") + data)
        try:
            with Project.open(path, readonly=True):
                pass
        except AssetmapError:
            pass


def test_mutated_real_project(empty_project: Path) -> None:
    """A real project with bytes flipped here and there: it opens, or is refused with an AssetmapError."""
    original = empty_project.read_bytes()
    for seed in range(12):
        data = bytearray(original)
        for k in range(1 + seed % 4):
            at = (seed * 7919 + k * 104729) % len(data)
            data[at] ^= 0xFF
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "mutated.gpkg"
            path.write_bytes(bytes(data))
            try:
                with Project.open(path, readonly=True) as project:
                    project.summary()
            except AssetmapError:
                pass
