"""One reader per format. Each returns a ``RawTable`` and never touches the project.

``read_table`` picks the reader from the extension, checked against the file's content
(see ``sniff``), the way a desktop GIS guesses a driver.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from assetmap.core.errors import AssetmapError, DataError
from assetmap.core.io import archives, limits
from assetmap.core.io.coords import unusable_crs
from assetmap.core.io.sniff import detect_format, utf16_codec
from assetmap.core.io.table import CellProblem, RawTable
from assetmap.core.taxonomy import Taxonomy

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is read
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

Reader = Callable[[Path, str | None], RawTable]
READERS: dict[str, Reader] = {}
_R = TypeVar("_R", bound=Reader)


def reader(fmt: str) -> Callable[[_R], _R]:
    """Register a reader, keeping its own signature (``read_vector`` takes a ``source`` too)."""
    def register(func: _R) -> _R:
        READERS[fmt] = func
        return func

    return register


def read_table(path: str | Path, layer: str | None = None, *, taxonomy: Taxonomy | None = None) -> RawTable:
    """Read any supported file into a ``RawTable``; ``taxonomy`` (a project's, with its own kinds) says which
    OpenStreetMap features are assets.

    Whatever goes wrong inside a reader or a library it calls comes out as a ``DataError`` naming the file
    (the library's words in brackets, the traceback kept as its cause); a Cancel or Ctrl+C passes through.
    """
    path = Path(path)
    try:
        table = _read(path, layer, taxonomy)
    except AssetmapError:
        raise
    except MemoryError:
        raise DataError("is too big to read into memory", file=path) from None
    except RecursionError:
        raise DataError("is nested too deeply to be read", file=path) from None
    except Exception as exc:  # a parser's own exception types: many, and undocumented
        raise DataError(f"could not be read ({limits.library_detail(exc, path)})", file=path) from exc
    if len(table) == 0 and not table.early_rejects:
        raise DataError("has a header row but no data rows" if table.format in ("csv", "xlsx")
                        else "holds no features", file=path)
    return table


def _read(path: Path, layer: str | None, taxonomy: Taxonomy | None) -> RawTable:
    fmt = detect_format(path)
    if fmt == "osm" and taxonomy is not None:
        from assetmap.core.io.osm import read_osm

        return read_osm(path, taxonomy)
    return READERS[fmt](path, layer)


def _decode(data: bytes) -> tuple[str, str]:
    """Text and a description of its encoding: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode
    Text"), Windows-1252, or UTF-8 with a few lines in Windows-1252 (a file added to on different PCs)."""
    codec = utf16_codec(data[:4096])
    if codec:
        return data.decode(codec, errors="replace").lstrip("\ufeff"), "UTF-16"
    label = "UTF-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, label = data[3:], "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), label
    except UnicodeDecodeError:
        pass
    lines, fallback, multibyte = [], 0, False
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
            multibyte = multibyte or not line.isascii()
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
            fallback += 1
    if not multibyte:
        return data.decode("cp1252", errors="replace"), "Windows-1252"
    return "\n".join(lines), f"{label}, with {fallback} line{'s' if fallback > 1 else ''} in Windows-1252"


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank(values: Sequence[object]) -> bool:
    return all(_empty(v) for v in values)


# What spreadsheets show instead of a value when a formula fails (Excel, and LibreOffice's Err:NNN).
_ERROR_CELL = re.compile(r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|"
                         r"CONNECT!|BUSY!|UNKNOWN!|EXTERNAL!|PYTHON!)|Err:\d{3}", re.IGNORECASE)
_NOT_AVAILABLE = re.compile(r"#N/A(?: N/A)?", re.IGNORECASE)


def _cell(value: object) -> object:
    """A cell with spreadsheet artefacts removed: #N/A is empty (Excel's "no value"), another error becomes
    a ``CellProblem``, and Excel's ="0123" (text kept from being read as a number) is its text."""
    if not isinstance(value, str) or not value or value[0] not in "#E=\t\n\r ":
        return value
    text = value.strip()
    if _NOT_AVAILABLE.fullmatch(text):
        return None
    if _ERROR_CELL.fullmatch(text):
        return CellProblem(text, f"the cell shows the spreadsheet error {text} (a formula that failed), not a value")
    if len(text) >= 3 and text.startswith('="') and text.endswith('"'):
        return text[2:-1]
    return value


def _header_text(value: object) -> str:
    """A header cell as one line: spaces, tabs and line breaks inside it ("Post\nCode") become one space."""
    text = "" if value is None else str(value)
    return re.sub(r"\s+", " ", text.replace("\ufeff", "").replace("\u200b", "")).strip()


def _header_index(rows: Sequence[Sequence[object]]) -> int | None:
    """Which row is the header: the first non-blank one, skipping title rows above it.

    A title row has one filled cell (a later row has more), or two or three when the next row has at
    least twice as many ("Asset register | Printed | 01/04/2025" above the real header); only the
    first dozen non-blank rows are looked at.
    """
    nonblank = [i for i, values in enumerate(rows[:200]) if not _blank(values)][:12]
    if not nonblank:
        return None
    counts = [sum(not _empty(v) for v in rows[i]) for i in nonblank]
    for k, i in enumerate(nonblank[:-1]):
        count, after = counts[k], counts[k + 1:]
        if not ((count == 1 and max(after) >= 2) or (count in (2, 3) and 2 * count <= after[0])):
            return i
    return nonblank[-1]


def _unique_headers(headers: Sequence[object], path: Path) -> tuple[list[str], list[str]]:
    """Column names from a header row, each one line and unique; and notes on the renamed duplicates."""
    limits.check_columns(len(headers), path)
    for i, h in enumerate(headers):
        limits.check_header(h, path, i + 1)
    names: list[str] = []
    notes: list[str] = []
    for i, h in enumerate(headers):
        name = _header_text(h) or f"column_{i + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        if name != base and not base.startswith("column_"):
            notes.append(f"two columns are called '{base}'; the later one is read as '{name}'")
        names.append(name)
    if all(n.startswith("column_") for n in names):
        raise DataError("the first row has no column names; the header row must name the columns", file=path)
    return names, notes


def _build(path: Path, fmt: str, header: Sequence[object], body: Sequence[tuple[int, Sequence[object]]],
           notes: list[str], rejects: list[tuple[int, str]]) -> RawTable:
    """The table from a header row and numbered data rows: spreadsheet artefacts cleaned, rows that
    repeat the header rejected, and columns with neither a name nor any value dropped."""
    columns, header_notes = _unique_headers(header, path)
    rows, numbers, problems = [], [], 0
    header_key = [_header_text(h).lower() for h in header]
    for number, values in body:
        values = (list(values) + [None] * len(columns))[: len(columns)]
        if _header_text(values[0]).lower() == header_key[0] and [_header_text(v).lower() for v in values] == header_key:
            rejects.append((number, "repeats the header row (two files pasted together?)"))
            continue
        for column, value in zip(columns, values):
            limits.check_cell(value, path, number, column)
        cells = [_cell(v) for v in values]
        problems += sum(isinstance(v, CellProblem) for v in cells)
        rows.append(cells)
        numbers.append(number)
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    unnamed_empty = [c for i, c in enumerate(columns)
                     if _empty(header[i] if i < len(header) else None) and frame[c].map(_empty).all()]
    frame = frame.drop(columns=unnamed_empty)
    if problems:
        header_notes.append(f"{problems} cell{'s hold' if problems > 1 else ' holds'} a spreadsheet error or a "
                            "formula without a result; rows that need them are rejected")
    return RawTable(path, fmt, frame, numbers, early_rejects=rejects, notes=notes + header_notes)


_SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@reader("csv")
def read_csv(path: Path, layer: str | None = None) -> RawTable:
    """CSV or tab-separated text in UTF-8 (with or without BOM), UTF-16 or Windows-1252; comma, semicolon,
    tab or pipe separated; any line endings (Excel for Mac's CR too); title rows above the header skipped."""
    text, encoding = _decode(path.read_bytes())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DataError("the file is empty", file=path)
    limits.check_lines(text, path)
    first, _, rest = text.partition("\n")
    declared = _SEP_LINE.fullmatch(first.strip())
    if declared:  # Excel's "sep=;" line names the separator and is not a row
        text, delimiter = rest, declared.group(1)
    else:
        sample = text[:20000]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            header_line = next((line for line in sample.splitlines() if line.strip()), "")
            counts = {d: header_line.count(d) for d in ",;\t|"}
            delimiter = max(counts, key=counts.__getitem__)
    csv.field_size_limit(_FIELD_LIMIT)  # a cell longer than the limit is refused below, with its row and column
    records, ends = [], [0]
    parser = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for record in parser:
            if len(record) > limits.MAX_COLUMNS:
                raise DataError(f"line {parser.line_num} has {len(record):,} values; assetmap reads at most "
                                f"{limits.MAX_COLUMNS:,} columns", file=path)
            records.append(record)
            ends.append(parser.line_num)
    except csv.Error as exc:
        if "end of data" in str(exc):
            _unclosed_quote(path, records, len(records) + 1, None)
        if "field larger than field limit" in str(exc):
            raise DataError(f"line {parser.line_num} holds a cell of more than {limits.MAX_CELL_CHARS:,} characters, "
                            "more than assetmap reads in one cell (is a closing quote missing?)", file=path) from None
        raise DataError(f"line {parser.line_num} could not be read as CSV ({exc})", file=path) from None
    if records and any("\n" in cell for cell in records[-1]):
        _check_last_record(path, text, records, ends[-2], delimiter)
    h = _header_index(records)
    if h is None:
        raise DataError("the file is empty", file=path)
    header = records[h]
    rejects: list[tuple[int, str]] = []
    body = []
    for index in range(h + 1, len(records)):
        line, number = records[index], index + 1
        if _blank(line):
            continue
        if len(line) > len(header) and not _blank(line[len(header):]):
            rejects.append((number, f"has {len(line)} values but the header has {len(header)} columns "
                                    "(a separator inside an unquoted value?)"))
            continue
        body.append((number, line))
    note = f"read as {encoding}, {_NAMES.get(delimiter, repr(delimiter))}-separated"
    if h:
        note += f", header on row {h + 1}"
    return _build(path, "csv", header, body, [note], rejects)


_FIELD_LIMIT = limits.MAX_CELL_CHARS + 1


def _check_last_record(path: Path, text: str, records: list[list[str]], start: int, delimiter: str) -> None:
    """A quote that opens and never closes swallows the rest of the file into one cell, silently. The
    last record then runs to the end of the file; reading it again strictly tells whether it was closed.
    ``start`` is the number of lines before it."""
    tail = "".join(io.StringIO(text).readlines()[start:])
    try:
        for _ in csv.reader(io.StringIO(tail), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "end of data" in str(exc):
            column = next((j for j, cell in enumerate(records[-1]) if "\n" in cell), None)
            _unclosed_quote(path, records, len(records), column)


def _unclosed_quote(path: Path, records: list[list[str]], row: int, column: int | None) -> None:
    header = records[0] if records else []
    name = _header_text(header[column]) if column is not None and column < len(header) else None
    raise DataError('a quote (") opens in this cell and never closes, so every line after it would be read '
                    "as part of this one cell; add the closing quote or remove the opening one",
                    file=path, row=row, column=name)


@reader("xlsx")
def read_xlsx(path: Path, layer: str | None = None) -> RawTable:
    """A sheet of a workbook: ``layer``, or else the first sheet that holds a table (an "Instructions"
    sheet in front is passed over). Title rows above the header are skipped; formulas give their saved
    results, and a formula the file holds no result for is a ``CellProblem``."""
    import openpyxl

    archives.check_zip(path)  # a workbook is a zip: the same limits on what it unpacks to
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise DataError(f"could not be read as an Excel workbook ({exc})", file=path) from None
    try:
        if layer and layer not in book.sheetnames:
            raise DataError(f"has no sheet '{layer}' (sheets: {', '.join(book.sheetnames)})", file=path)
        formulas = _has_formulas(path)
        visible = [ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        sheets = [book[layer]] if layer else (visible or list(book.worksheets))
        passed_over: list[str] = []
        found = None
        for sheet in sheets:
            rows, uncalculated = _sheet_rows(sheet, formulas)
            h = _header_index(rows)
            if h is None or sum(not _empty(v) for v in rows[h]) < 2:
                passed_over.append(sheet.title)
                continue
            found = (sheet, rows, uncalculated, h)
            if any(not _blank(r) for r in rows[h + 1:]) or layer:
                break
            passed_over.append(sheet.title)
        if found is None:
            raise DataError("the sheet is empty (no header row found)" if len(sheets) == 1 else
                            "no sheet holds a table (no header row found)", file=path)
        sheet, rows, uncalculated, h = found
        if uncalculated:
            _mark_uncalculated(path, sheet.title, rows, {(r, c) for r, c in uncalculated if r > h})
        title = sheet.title
        others = [n for n in book.sheetnames if n != title and n not in passed_over]
    finally:
        book.close()
    body = [(i + 1, values) for i, values in enumerate(rows) if i > h and not _blank(values)]
    width = max([len(rows[h])] + [len(v) for _, v in body])
    header = list(rows[h]) + [None] * (width - len(rows[h]))
    notes = [f"sheet '{title}', header on row {h + 1}"]
    if passed_over and not layer:
        notes.append(f"sheet{'s' if len(passed_over) > 1 else ''} {', '.join(repr(n) for n in passed_over)} "
                     "passed over: no table with rows in it")
    if others and not layer:
        notes.append(f"other sheets not read: {', '.join(repr(n) for n in others)} (choose one with --layer)")
    table = _build(path, "xlsx", header, body, notes, [])
    table.layer = title
    return table


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(path: Path) -> bool:
    """Does any sheet of the workbook hold a formula? (Only then is a second, slower read needed.)"""
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with zf.open(name) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 20):
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return False


def _sheet_rows(sheet: ReadOnlyWorksheet, formulas: bool) -> tuple[list[list[object]], set[tuple[int, int]]]:
    """Every row's values (trailing empty cells dropped), and, when the workbook has formulas, the cells
    present in the file without a value or a text type: those may be formulas with no saved result."""
    sheet.reset_dimensions()  # some programs write a wrong size; openpyxl would then cut rows off
    rows: list[list[object]] = []
    maybe: set[tuple[int, int]] = set()
    if not formulas:
        for values in sheet.iter_rows(values_only=True):
            rows.append(_trim(list(values)))
        return rows, maybe
    for r, cells in enumerate(sheet.iter_rows()):
        values = []
        for c, cell in enumerate(cells):
            value = cell.value
            if value is None and getattr(cell, "coordinate", None) and cell.data_type not in ("s", "str", "inlineStr"):
                maybe.add((r, c))
            values.append(value)
        rows.append(_trim(values))
    return rows, maybe


def _trim(values: list[object]) -> list[object]:
    while values and _empty(values[-1]):
        values.pop()
    return values


def _mark_uncalculated(path: Path, title: str, rows: list[list[object]], maybe: set[tuple[int, int]]) -> None:
    """Put a ``CellProblem`` where the file has a formula but no saved result: written by a program that
    does not calculate (a script, a database export), never opened and saved in a spreadsheet."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = book[title]
        sheet.reset_dimensions()
        for r, values in enumerate(sheet.iter_rows(values_only=True)):
            if r >= len(rows):
                break
            for c, value in enumerate(values):
                if (r, c) not in maybe:
                    continue
                formula = getattr(value, "text", value)
                if isinstance(formula, str) and formula.startswith("="):
                    while len(rows[r]) <= c:
                        rows[r].append(None)
                    rows[r][c] = CellProblem(formula, f"the formula {formula} has no saved result (the workbook was "
                                             "written by a program that does not calculate formulas); open it in "
                                             "Excel or LibreOffice, save it and import it again")
    finally:
        book.close()


def _from_geodataframe(path: Path, fmt: str, gdf: pd.DataFrame, note: str) -> RawTable:
    """The table of a GIS layer: its attributes, and its geometry in a usable coordinate system with only
    finite coordinates (a feature at NaN or infinity is rejected here, with its feature number). A layer
    without geometry (a GeoPackage's attribute table) is read like a spreadsheet."""
    limits.check_columns(len(gdf.columns), path)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        frame = pd.DataFrame(gdf).astype(object).reset_index(drop=True)
        return RawTable(path, fmt, frame, list(range(1, len(frame) + 1)),
                        notes=[f"{note}, which has no geometry: rows are placed by their columns"])
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object).reset_index(drop=True)
    geometry = gdf.geometry.reset_index(drop=True)
    try:
        crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    except CRSError as exc:
        raise DataError(f"has a coordinate system assetmap cannot use ({exc})", file=path) from None
    problem = unusable_crs(crs) if crs is not None else None
    if problem:
        raise DataError(f"its {problem}; save it in latitude and longitude (EPSG:4326) or a projected "
                        "system such as British National Grid (EPSG:27700)", file=path)
    numbers = list(range(1, len(frame) + 1))
    rejects = []
    bad = _non_finite(geometry)
    if len(bad):
        rejects = [(numbers[i], "the geometry has coordinates that are not finite numbers (NaN or infinity)")
                   for i in bad]
        keep = np.setdiff1d(np.arange(len(frame)), bad)
        frame, geometry = frame.iloc[keep].reset_index(drop=True), geometry.iloc[keep].reset_index(drop=True)
        numbers = [numbers[i] for i in keep]
    return RawTable(path, fmt, frame, numbers, geometry=geometry, crs=crs, early_rejects=rejects, notes=[note])


def _non_finite(geometry: gpd.GeoSeries) -> np.ndarray:
    """Positions of the geometries with a NaN or infinite x or y."""
    coords, index = shapely.get_coordinates(np.asarray(geometry.values, dtype=object), return_index=True)
    return np.unique(index[~np.isfinite(coords).all(axis=1)])


def _choose_layer(source: str, path: Path, layer: str | None) -> str | None:
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:
        raise DataError(f"could not be opened as a GIS file ({limits.library_detail(exc, source, path)})",
                        file=path) from None
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
        raise DataError(f"could not be read ({limits.library_detail(exc, src, path)})", file=path) from None
    table = _from_geodataframe(path, "vector", gdf, f"layer '{chosen}'")
    table.layer = chosen
    return table


# GIS files that may come zipped instead of a shapefile (ONS and council downloads do this).
_ZIPPED_GIS = (".geojson", ".json", ".gpkg", ".kml", ".fgb", ".gml")


@reader("zip")
def read_zip(path: Path, layer: str | None = None) -> RawTable:
    """A zipped Shapefile (the usual way councils publish them), or one zipped GeoJSON/GeoPackage/KML.
    What is read is unpacked first (see ``archives``: damaged, encrypted and oversized zips are refused)."""
    with archives.open_zip(path) as zf:
        names = [n for n in zf.namelist() if not n.startswith("__MACOSX") and not n.endswith("/")]
        shps = [n for n in names if n.lower().endswith(".shp")]
        if not shps:
            others = [n for n in names if n.lower().endswith(_ZIPPED_GIS)]
            if layer:
                others = [n for n in others if Path(n).stem == layer or Path(n).name == layer] or others
            if len(others) == 1:
                return _read_member(path, zf, others[0], layer)
            if len(others) > 1:
                raise DataError(f"the zip holds several GIS files ({_listing([Path(n).name for n in others])}); "
                                "choose one with --layer", file=path)
            raise DataError(f"the zip has no shapefile (.shp) or other GIS file (.geojson, .gpkg, .kml) inside; "
                            f"it holds: {_listing(names) if names else 'nothing'}", file=path)
        if layer:
            matches = [n for n in shps if Path(n).stem == layer]
            if not matches:
                raise DataError(f"the zip has no shapefile '{layer}' (it has: {_listing(shps)})", file=path)
            shps = matches
        if len(shps) > 1:
            raise DataError(f"the zip holds several shapefiles ({_listing([Path(s).stem for s in shps])}); "
                            "choose one with --layer", file=path)
        stem = shps[0][:-4]
        missing = [ext for ext in (".dbf", ".shx") if not any(n.lower() == (stem + ext).lower() for n in names)]
        if missing:
            raise DataError(f"the shapefile in the zip is incomplete: {', '.join(missing)} is missing", file=path)
        parts = [n for n in names if n[:len(stem) + 1].lower() == (stem + ".").lower() and "/" not in n[len(stem):]]
        with tempfile.TemporaryDirectory(prefix="assetmap-") as tmp:
            unpacked = archives.extract(path, zf, parts, Path(tmp))
            table = read_vector(path, None, source=str(unpacked[shps[0]]))
    table.format = "zip"
    return table


def _listing(names: Sequence[str], shown: int = 6) -> str:
    """Names for a message: the first few, and how many more (a zip may hold thousands)."""
    more = f" and {len(names) - shown:,} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _read_member(archive: Path, zf: zipfile.ZipFile, member: str, layer: str | None) -> RawTable:
    """One GIS file out of a zip."""
    inner_layer = None if layer in (Path(member).stem, Path(member).name) else layer
    return _read_unpacked(archive, Path(member).name, lambda folder: archives.extract(archive, zf, [member], folder),
                          inner_layer, f"read from {Path(member).name} inside {archive.name}")


@reader("gzip")
def read_gzip(path: Path, layer: str | None = None) -> RawTable:
    """A gzipped file (``LSOA.geojson.gz``), read by the reader of what it holds."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    if Path(name).suffix.lower() in (".gz", ".zip"):
        raise DataError("holds another archive inside; unpack it first", file=path)
    return _read_unpacked(path, name, lambda folder: archives.gunzip(path, folder / name), layer,
                          f"unpacked from {path.name}")


def _read_unpacked(source: Path, name: str, unpack: Callable[[Path], object], layer: str | None,
                   note: str) -> RawTable:
    """Unpack into a temporary folder (``unpack`` writes the file called ``name`` there) and read it, so
    every reader and check applies to it; messages name ``source``, the file the user chose."""
    with tempfile.TemporaryDirectory(prefix="assetmap-") as tmp:
        unpack(Path(tmp))
        inner = Path(tmp) / name
        try:
            table = READERS[detect_format(inner)](inner, layer)
        except DataError as exc:
            if exc.file is None or Path(exc.file) != inner:
                raise
            raise DataError(f"{name} inside it: {exc.reason}", file=source, row=exc.row, column=exc.column) from None
    table.path = source
    table.notes.insert(0, note)
    return table


@reader("osm")
def read_osm_reader(path: Path, layer: str | None = None) -> RawTable:
    from assetmap.core.io.osm import read_osm

    return read_osm(path)
