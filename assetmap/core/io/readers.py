"""One reader per format. Each returns a ``RawTable`` and never touches the project.

``read_table`` picks the reader from the extension, checked against the file's content
(see ``sniff``), the way a desktop GIS guesses a driver.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from assetmap.core.errors import DataError
from assetmap.core.io.sniff import detect_format
from assetmap.core.io.table import RawTable

Reader = Callable[[Path, str | None], RawTable]
READERS: dict[str, Reader] = {}


def reader(fmt: str) -> Callable[[Reader], Reader]:
    def register(func: Reader) -> Reader:
        READERS[fmt] = func
        return func

    return register


def read_table(path: str | Path, layer: str | None = None) -> RawTable:
    """Read any supported file into a ``RawTable``."""
    path = Path(path)
    table = READERS[detect_format(path)](path, layer)
    if len(table) == 0 and not table.early_rejects:
        raise DataError("has a header row but no data rows" if table.format in ("csv", "xlsx")
                        else "holds no features", file=path)
    return table


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def _blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _unique_headers(headers: list, path: Path) -> list[str]:
    names: list[str] = []
    for i, h in enumerate(headers):
        name = "" if h is None else str(h).strip()
        name = name or f"column_{i + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    if all(n.startswith("column_") for n in names):
        raise DataError("the first row has no column names; the header row must name the columns", file=path)
    return names


@reader("csv")
def read_csv(path: Path, layer: str | None = None) -> RawTable:
    """CSV in UTF-8 (with or without BOM) or Windows-1252, comma/semicolon/tab/pipe separated."""
    text, encoding = _decode(path.read_bytes())
    if not text.strip():
        raise DataError("the file is empty", file=path)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        counts = {d: sample.splitlines()[0].count(d) for d in ",;\t|"}
        delimiter = max(counts, key=counts.get)
    lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    while lines and _blank(lines[0]):
        lines.pop(0)
    headers = _unique_headers(lines[0], path)
    rows, numbers, rejects = [], [], []
    for i, line in enumerate(lines[1:], start=2):
        if _blank(line):
            continue
        if len(line) > len(headers) and not _blank(line[len(headers):]):
            rejects.append((i, f"has {len(line)} values but the header has {len(headers)} columns "
                               "(a separator inside an unquoted value?)"))
            continue
        rows.append((line + [""] * len(headers))[: len(headers)])
        numbers.append(i)
    frame = pd.DataFrame(rows, columns=headers, dtype=object)
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    note = f"read as {encoding}, {names.get(delimiter, repr(delimiter))}-separated"
    return RawTable(path, "csv", frame, numbers, early_rejects=rejects, notes=[note])


@reader("xlsx")
def read_xlsx(path: Path, layer: str | None = None) -> RawTable:
    """The first sheet (or ``layer``); the header is the first row with two or more filled cells."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise DataError(f"could not be read as an Excel workbook ({exc})", file=path) from None
    try:
        if layer and layer not in book.sheetnames:
            raise DataError(f"has no sheet '{layer}' (sheets: {', '.join(book.sheetnames)})", file=path)
        sheet = book[layer] if layer else book.worksheets[0]
        header_row, headers, rows, numbers = None, None, [], []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = list(values)
            if headers is None:
                if sum(v is not None and str(v).strip() != "" for v in values) >= 2:
                    header_row, headers = number, _unique_headers(values, path)
                continue
            if _blank(values):
                continue
            rows.append((values + [None] * len(headers))[: len(headers)])
            numbers.append(number)
    finally:
        book.close()
    if headers is None:
        raise DataError("the sheet is empty (no header row found)", file=path)
    frame = pd.DataFrame(rows, columns=headers, dtype=object)
    notes = [f"sheet '{sheet.title}', header on row {header_row}"]
    return RawTable(path, "xlsx", frame, numbers, notes=notes)


def _from_geodataframe(path: Path, fmt: str, gdf: gpd.GeoDataFrame, note: str) -> RawTable:
    geometry = gdf.geometry
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    numbers = list(range(1, len(frame) + 1))
    crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    return RawTable(path, fmt, frame.reset_index(drop=True), numbers,
                    geometry=geometry.reset_index(drop=True), crs=crs, notes=[note])


def _choose_layer(source: str, path: Path, layer: str | None) -> str | None:
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:
        raise DataError(f"could not be opened as a GIS file ({str(exc).splitlines()[0]})", file=path) from None
    names = [str(n) for n, _ in layers]
    if layer:
        if layer not in names:
            raise DataError(f"has no layer '{layer}' (layers: {', '.join(names)})", file=path)
        return layer
    if "assets" in names:  # another assetmap project
        return "assets"
    with_geometry = [str(n) for n, g in layers if g]
    if len(names) > 1 and len(with_geometry) != 1:
        raise DataError(f"has several layers ({', '.join(names)}); choose one with --layer", file=path)
    return with_geometry[0] if with_geometry else names[0]


@reader("vector")
def read_vector(path: Path, layer: str | None = None, *, source: str | None = None) -> RawTable:
    """GeoJSON, GeoPackage, Shapefile and other formats GDAL reads, through pyogrio."""
    src = source or str(path)
    chosen = _choose_layer(src, path, layer)
    try:
        gdf = pyogrio.read_dataframe(src, layer=chosen)
    except Exception as exc:
        raise DataError(f"could not be read ({str(exc).splitlines()[0]})", file=path) from None
    return _from_geodataframe(path, "vector", gdf, f"layer '{chosen}'")


@reader("zip")
def read_zip(path: Path, layer: str | None = None) -> RawTable:
    """A zipped Shapefile (the usual way councils publish them)."""
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if not n.startswith("__MACOSX")]
    shps = [n for n in names if n.lower().endswith(".shp")]
    if not shps:
        listing = ", ".join(names[:6]) + (" ..." if len(names) > 6 else "") if names else "nothing"
        raise DataError(f"the zip has no shapefile (.shp) inside; it holds: {listing}", file=path)
    if layer:
        matches = [n for n in shps if Path(n).stem == layer]
        if not matches:
            raise DataError(f"the zip has no shapefile '{layer}' (it has: {', '.join(shps)})", file=path)
        shps = matches
    if len(shps) > 1:
        raise DataError(f"the zip holds several shapefiles ({', '.join(Path(s).stem for s in shps)}); "
                        "choose one with --layer", file=path)
    stem = shps[0][:-4]
    missing = [ext for ext in (".dbf", ".shx") if not any(n.lower() == (stem + ext).lower() for n in names)]
    if missing:
        raise DataError(f"the shapefile in the zip is incomplete: {', '.join(missing)} is missing", file=path)
    table = read_vector(path, None, source=f"/vsizip/{path}/{shps[0]}")
    table.format = "zip"
    return table


@reader("osm")
def read_osm_reader(path: Path, layer: str | None = None) -> RawTable:
    from assetmap.core.io.osm import read_osm

    return read_osm(path)
