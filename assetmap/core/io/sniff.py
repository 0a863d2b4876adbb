"""Tell what a file really is, from its extension and then from its first bytes.

Users rename files and e-mail clients mangle them: an ``.xlsx`` that is really CSV text, or a
``.csv`` that is an Excel workbook, gets a clear message instead of a parser's traceback.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from assetmap.core.errors import DataError

EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".geojson": "vector", ".json": "vector", ".gpkg": "vector", ".shp": "vector", ".fgb": "vector",
    ".kml": "vector", ".gml": "vector",
    ".zip": "zip", ".gz": "gzip",
    ".pbf": "osm", ".osm": "osm",
}
_DESCRIBE = {"csv": "a CSV text file", "xlsx": "an Excel workbook", "vector": "a GIS file",
             "zip": "a zip archive", "gzip": "a gzip-compressed file", "osm": "an OpenStreetMap extract",
             "xls": "an old Excel 97-2003 workbook",
             "sqlite": "a GeoPackage/SQLite database", "json": "a JSON file", "binary": "a binary file",
             "pdf": "a PDF document", "empty": "an empty file"}


def utf16_codec(head: bytes) -> str | None:
    """The codec of UTF-16 text (Excel's "Unicode Text"), with or without a byte-order mark; None if not."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and not head.startswith(b"\xff\xfe\x00\x00"):
        return "utf-16"
    sample = head[: len(head) - len(head) % 2][:2000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.6 and zeros_even < 0.05:  # ASCII-heavy text, low byte first
        return "utf-16-le"
    if zeros_even > 0.6 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


def sniff_content(path: Path) -> str:
    """What the first bytes say the file is."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            return "binary"
        return "xlsx" if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names) else "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    if b"OSMHeader" in head[:64]:
        return "osm"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return "json"
    if head.lstrip().startswith(b"<?xml") or head.lstrip().startswith(b"<osm"):
        return "xml"
    if utf16_codec(head):
        return "text"
    if b"\x00" in head:
        return "binary"
    return "text"


def detect_format(path: Path) -> str:
    """The reader to use, or a DataError when extension and content disagree."""
    if not path.exists():
        raise DataError("the file does not exist", file=path)
    if path.is_dir():
        raise DataError("is a folder; give a file", file=path)
    suffixes = "".join(path.suffixes[-2:]).lower()
    ext = ".pbf" if suffixes.endswith(".osm.pbf") else path.suffix.lower()
    claimed = EXTENSIONS.get(ext)
    content = sniff_content(path)
    if content == "empty":
        raise DataError("the file is empty", file=path)
    if claimed is None:
        raise DataError(f"'{ext or path.name}' is not a format assetmap reads "
                        "(CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile, .osm.pbf, or one of them gzipped)",
                        file=path)
    ok = {
        "csv": content == "text",
        "xlsx": content == "xlsx",
        "vector": (ext in (".geojson", ".json") and content == "json")
        or (ext == ".gpkg" and content == "sqlite")
        or (ext in (".kml", ".gml") and content == "xml")
        or ext in (".shp", ".fgb"),
        "zip": content == "zip",
        "gzip": content == "gzip",
        "osm": content in ("osm", "xml") or (ext == ".pbf" and content == "binary"),
    }[claimed]
    if not ok:
        expected = _DESCRIBE.get(claimed, claimed)
        found = _DESCRIBE.get(content, "plain text" if content == "text" else content)
        hint = " Save it as .xlsx from your spreadsheet program." if content == "xls" else ""
        raise DataError(f"the name says {expected} but the file is {found}.{hint}", file=path)
    return claimed
