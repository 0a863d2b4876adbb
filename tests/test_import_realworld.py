"""Spreadsheets and files as people really keep them, through the real importer into a real project.

Each file is written here by hand the way Excel, LibreOffice, a council system or a volunteer leaves
it: European number formats, degrees-minutes-seconds, headers with units and line breaks, title rows,
formulas, placeholders for "not known", UTF-16 text, broken quotes. The project is ``empty_project``
(two 1 km squares in British National Grid in Sale, Manchester). Every test checks that each row is
accounted for, and where a file cannot be read, that the message names file, row and column and the
project is untouched.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from openpyxl.styles import Font
from pyproj import Transformer

from assetmap.core.errors import DataError
from assetmap.core.imports.pipeline import (
    ImportOptions,
    import_file,
    prepare_import,
    write_rejects,
)
from assetmap.core.io.postcodes import load_postcodes
from assetmap.core.project import Project

REPO = Path(__file__).resolve().parents[1]
CODEPOINT = REPO / "sample_data" / "postcodes" / "codepoint_open_trafford.csv"

# Places inside the project's two squares, in British National Grid metres; WGS84 worked out here
# with pyproj, independently of assetmap.
_TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)
PLACES = {"West Hall": (380500.0, 390500.0), "East Park": (381500.0, 390500.0),
          "Corner Library": (380250.0, 390750.0)}
KINDS = {"West Hall": "Village hall", "East Park": "Park", "Corner Library": "Library"}
# Project area (the two squares) with a margin: nothing imported may land outside it.
AREA = shapely.box(379000, 389000, 383000, 392000)


def lonlat(name: str) -> tuple[float, float]:
    return _TO_WGS84.transform(*PLACES[name])


def dms(value: float, positive: str, negative: str) -> str:
    """53.41 → 53°24'36.00"N, the way GPS apps and old registers write it."""
    hemisphere = positive if value >= 0 else negative
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return f"{degrees}°{minutes:02d}'{seconds:05.2f}\"{hemisphere}"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def accounted(report) -> None:
    assert report.imported + report.unlocated + report.duplicates + report.rejected == report.rows
    for reject in report.rejects:
        assert isinstance(reject["row"], int) and reject["reason"] and "\n" not in reject["reason"]


def assets_of(project_path: Path) -> gpd.GeoDataFrame:
    with Project.open(project_path, readonly=True) as project:
        return project.assets().set_index("name")


def at(assets: gpd.GeoDataFrame, name: str, tol: float = 5.0) -> bool:
    geom = assets.loc[name].geometry
    e, n = PLACES[name]
    return geom is not None and abs(geom.x - e) < tol and abs(geom.y - n) < tol


def located_in_area(assets: gpd.GeoDataFrame) -> bool:
    return all(AREA.contains(g) for g in assets.geometry if g is not None and not g.is_empty)


def unlocated(assets: gpd.GeoDataFrame, name: str) -> bool:
    geom = assets.loc[name].geometry
    return geom is None or (not isinstance(geom, shapely.Geometry)) or geom.is_empty


# --- CSV as Excel and other programs write it ------------------------------------------------------------------

def test_european_excel_csv_with_decimal_commas(empty_project: Path, tmp_path: Path) -> None:
    # Excel in Germany, France or the Netherlands: semicolons between cells, commas in numbers,
    # Windows-1252 text, and a "sep=;" line when the file is meant for Excel elsewhere.
    header = "Name;Type;Latitude;Longitude;Notes"
    rows = [f"{n};{KINDS[n]};{lonlat(n)[1]:.6f};{lonlat(n)[0]:.6f}".replace(".", ",") + ";Salle des fêtes"
            for n in PLACES]
    plain = write(tmp_path / "export.csv", "\r\n".join([header, *rows]) + "\r\n", "cp1252")
    lines = ["sep=;", header, *rows[:2], "Bad Row;Park;53,4x;-2,29;"]
    with_sep = write(tmp_path / "export_sep.csv", "\r\n".join(lines), "cp1252")
    with Project.open(empty_project) as project:
        report = import_file(project, plain)
        second = import_file(project, with_sep, ImportOptions(source="again"))
    accounted(report)
    accounted(second)
    assert report.imported == 3 and report.notes[0] == "read as Windows-1252, semicolon-separated"
    assets = assets_of(empty_project)
    assert all(at(assets, n) for n in PLACES) and set(assets["notes"]) == {"Salle des fêtes"}
    # The "sep=;" line is not a row (Excel hides it): the bad row is row 4 of what the user sees.
    assert (second.duplicates, second.rejected) == (2, 1)
    assert second.rejects[0]["row"] == 4 and "'53,4x' is not a number" in second.rejects[0]["reason"]


def test_degrees_minutes_seconds_and_hemisphere_letters(empty_project: Path, tmp_path: Path) -> None:
    (wlon, wlat), (elon, elat), (clon, clat) = (lonlat(n) for n in PLACES)

    def quoted(text: str) -> str:  # as Excel writes a cell holding a double quote
        return '"' + text.replace('"', '""') + '"'

    text = (
        "Name,Type,Latitude,Longitude\n"
        f'West Hall,Village hall,{quoted(dms(wlat, "N", "S"))},{quoted(dms(wlon, "E", "W"))}\n'  # 53°24'39.41"N
        f"East Park,Park,{elat:.6f}N,{abs(elon):.6f} W\n"  # a trailing letter instead of a minus sign
        f"Corner Library,Library,N {int(clat)} {(clat % 1) * 60:.4f},W {int(-clon)} {(-clon % 1) * 60:.4f}\n"
        f"Wrong Way Round,Village hall,{dms(wlon, 'E', 'W')},{dms(wlat, 'N', 'S')}\n"  # W in the latitude column
        "Bad Minutes,Park,53°75'00\"N,2°17'00\"W\n"
    )
    path = write(tmp_path / "gps.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assets = assets_of(empty_project)
    assert report.imported == 3 and all(at(assets, n) for n in PLACES)
    reasons = {r["row"]: r["reason"] for r in report.rejects}
    assert reasons[5].startswith("column 'Longitude': '53°")
    assert "is a latitude (N) in the longitude column" in reasons[5]
    assert "column 'Latitude'" in reasons[6] and "minutes of 60 or more" in reasons[6]


def test_headers_with_units_spaces_case_and_line_breaks(empty_project: Path, tmp_path: Path) -> None:
    lon, lat = lonlat("West Hall")
    text = ('"SITE NAME "," LONGITUDE ","Lat (WGS84)","Post\nCode","Asset\r\nType","Capacity\n(people)"\n'
            f'West Hall,{lon:.6f},{lat:.6f},m33 2lj,Village hall,80\n'
            f'East Park,{lonlat("East Park")[0]:.6f},{lonlat("East Park")[1]:.6f},M33 2QW,Park,lots\n')
    path = write(tmp_path / "headers.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assert report.mapping["name"] == "SITE NAME" and report.mapping["x"] == "LONGITUDE"
    assert report.mapping["y"] == "Lat (WGS84)" and report.mapping["postcode"] == "Post Code"
    assert report.mapping["kind"] == "Asset Type"
    assert report.imported == 1 and at(assets_of(empty_project), "West Hall")
    # The header's line break does not break the one-line reason.
    assert report.rejects == [{"row": 3, "reason": "column 'Capacity (people)': 'lots' is not a whole number"}]

    bng = write(tmp_path / "bng.csv", "Name of asset,X (Easting),Y (Northing),Type\n"
                                      "Corner Library,380250,390750,Library\n")
    with Project.open(empty_project) as project:
        second = import_file(project, bng)
    assert (second.mapping["name"], second.mapping["x"], second.mapping["y"]) == \
        ("Name of asset", "X (Easting)", "Y (Northing)")
    assert second.imported == 1 and at(assets_of(empty_project), "Corner Library", tol=0.01)


def test_map_option_matches_a_column_loosely(empty_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "odd.csv", "Ref,What it is called,Lat,Lon,Type\n"
                                       f"1,West Hall,{lonlat('West Hall')[1]},{lonlat('West Hall')[0]},Village hall\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path, ImportOptions(mapping={"Name": "what it is called"}))
    assert report.mapping["name"] == "What it is called" and report.imported == 1
    with Project.open(empty_project) as project, pytest.raises(DataError, match="no column 'Called'"):
        import_file(project, path, ImportOptions(mapping={"name": "Called"}))


def test_utf16_unicode_text_from_excel(empty_project: Path, tmp_path: Path) -> None:
    # Excel's "Unicode Text (*.txt)": UTF-16 little-endian with a byte-order mark, tab-separated.
    rows = ["Name\tType\tLatitude\tLongitude\tNotes"]
    rows += [f"{n}\t{KINDS[n]}\t{lonlat(n)[1]:.6f}\t{lonlat(n)[0]:.6f}\tCafé – £2 tea" for n in PLACES]
    unicode_text = write(tmp_path / "register.txt", "\ufeff" + "\r\n".join(rows) + "\r\n", "utf-16-le")
    no_bom = write(tmp_path / "register_nobom.csv", "\r\n".join(rows).replace("West Hall", "Neuadd Goffa"),
                   "utf-16-le")
    with Project.open(empty_project) as project:
        report = import_file(project, unicode_text)
        second = import_file(project, no_bom)
    accounted(report)
    assert report.imported == 3 and "read as UTF-16, tab-separated" in report.notes
    assets = assets_of(empty_project)
    assert all(at(assets, n) for n in PLACES) and set(assets["notes"]) == {"Café – £2 tea"}
    assert second.imported == 1 and second.duplicates == 2 and "Neuadd Goffa" in assets_of(empty_project).index


def test_mixed_encodings_and_old_mac_line_endings(empty_project: Path, tmp_path: Path) -> None:
    # A UTF-8 register that someone added a line to on an old Windows PC (Windows-1252 bytes)...
    header = "Name,Type,Easting,Northing\n"
    mixed = (header + "Café West Hall,Village hall,380500,390500\n").encode("utf-8") \
        + "Crème East Park,Park,381500,390500\n".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(mixed)
    # ... and Excel for Mac 2011's "CSV (Macintosh)": lines end with a bare CR.
    mac = write(tmp_path / "mac.csv", header.replace("\n", "\r") + "Corner Library,Library,380250,390750\r")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        second = import_file(project, mac)
    accounted(report)
    names = set(assets_of(empty_project).index)
    assert {"Café West Hall", "Crème East Park", "Corner Library"} == names  # no "CafÃ©" mojibake
    assert any("1 line in Windows-1252" in n for n in report.notes)
    assert second.imported == 1 and second.rows == 1


def test_thousands_separators_in_eastings(empty_project: Path, tmp_path: Path) -> None:
    # Numbers formatted "#,##0" and saved as text: 380,500 is 380 km, not 380.5 m.
    text = ('Name,Type,Easting,Northing\nWest Hall,Village hall,"380,500","390,500"\n'
            "East Park,Park,381 500,390 500\n")
    grid = write(tmp_path / "grid.csv", text)
    xy = write(tmp_path / "xy.csv", 'Name,Type,X,Y\nCorner Library,Library,"380,250","390,750"\n')
    with Project.open(empty_project) as project:
        report = import_file(project, grid)
        second = import_file(project, xy)
    accounted(report)
    assets = assets_of(empty_project)
    assert report.imported == 2 and second.imported == 1
    assert all(at(assets, n, tol=0.01) for n in PLACES)


# --- Placeholders for "no location" -------------------------------------------------------------------------

def test_placeholder_coordinates_never_place_an_asset_off_africa(empty_project: Path, tmp_path: Path) -> None:
    lon, lat = lonlat("West Hall")
    text = (
        "name,type,lat,lon\n"
        "Null Hall,Village hall,NULL,NULL\n"  # row 2
        "NA Hall,Village hall,N/A,N/A\n"  # 3
        "Dash Hall,Village hall,-,-\n"  # 4
        "Zero Hall,Village hall,0,0\n"  # 5
        "Empty Hall,Village hall,,\n"  # 6
        "Excel NA Hall,Village hall,#N/A,#N/A\n"  # 7
        "TBC Hall,Village hall,TBC,?\n"  # 8
        "Point Zero Hall,Village hall,0.000000,0.000000\n"  # 9
        f"West Hall,Village hall,{lat:.6f},{lon:.6f}\n"  # 10
        f"Equator Hall,Village hall,0,{lon:.6f}\n"  # 11: latitude missing, typed as 0
        f"Greenwich Hall,Village hall,{lat:.6f},0\n"  # 12: longitude missing, typed as 0
    )
    path = write(tmp_path / "placeholders.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assets = assets_of(empty_project)
    assert (report.imported, report.unlocated, report.rejected) == (1, 8, 2)
    assert located_in_area(assets) and at(assets, "West Hall")
    for name in ("Null Hall", "NA Hall", "Dash Hall", "Zero Hall", "Empty Hall", "Excel NA Hall", "TBC Hall",
                 "Point Zero Hall"):
        assert unlocated(assets, name), name
    assert "rows 5, 9: coordinates 0, 0 stand for no location; kept without a location" in report.notes
    reasons = {r["row"]: r["reason"] for r in report.rejects}
    assert reasons[11].startswith("column 'lat' is 0") and "far from the project's area" in reasons[11]
    assert reasons[12].startswith("column 'lon' is 0")


def test_zero_eastings_do_not_turn_a_grid_file_into_degrees(empty_project: Path, tmp_path: Path) -> None:
    # Most rows carry 0, 0 ("no grid reference yet"): the real ones are still read as British National Grid.
    text = ("Name,Type,Easting,Northing,Postcode\nA Hall,Village hall,0,0,\nB Hall,Village hall,0,0,\n"
            "West Hall,Village hall,380500,390500,\nPostcode Hall,Village hall,0,0,m33 2lj\n")
    path = write(tmp_path / "grid_zeros.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path, ImportOptions(postcodes=load_postcodes(CODEPOINT)))
    accounted(report)
    assets = assets_of(empty_project)
    assert any("British National Grid" in n for n in report.notes)
    assert (report.imported, report.unlocated, report.rejected) == (2, 2, 0)
    assert at(assets, "West Hall", tol=0.01) and located_in_area(assets)
    # A 0, 0 row with a postcode is placed at the postcode instead.
    assert assets.loc["Postcode Hall"].geometry.distance(shapely.Point(380987, 390977)) < 1


def test_geojson_point_at_null_island(empty_project: Path, tmp_path: Path) -> None:
    lon, lat = lonlat("East Park")
    features = [{"type": "Feature", "properties": {"name": "East Park", "type": "Park"},
                 "geometry": {"type": "Point", "coordinates": [lon, lat]}},
                {"type": "Feature", "properties": {"name": "Nowhere Park", "type": "Park"},
                 "geometry": {"type": "Point", "coordinates": [0, 0]}}]
    path = write(tmp_path / "parks.geojson", json.dumps({"type": "FeatureCollection", "features": features}))
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assets = assets_of(empty_project)
    assert (report.imported, report.unlocated) == (1, 1) and unlocated(assets, "Nowhere Park")
    assert located_in_area(assets) and any("the point 0, 0 stands for no location" in n for n in report.notes)


# --- Postcodes as people type them -------------------------------------------------------------------------

def test_postcodes_in_any_case_and_spacing(empty_project: Path, tmp_path: Path) -> None:
    text = ("name,type,postcode\n"
            "A Hall,Village hall,m33 2lj\n"  # lower case
            "B Hall,Village hall,M332QW\n"  # no space
            "C Hall,Village hall,  M33   2RJ \n"  # extra spaces
            "D Hall,Village hall,M33-2RW\n"  # a dash
            "E Hall,Village hall,m33 2tg.\n"  # a full stop
            "F Hall,Village hall,ZZ9 9ZZ\n"  # a real-looking postcode the lookup does not have
            "G Hall,Village hall,near the church\n")  # not a postcode
    path = write(tmp_path / "by_postcode.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path, ImportOptions(postcodes=load_postcodes(CODEPOINT)))
    accounted(report)
    assets = assets_of(empty_project)
    expected = {"A Hall": ("M33 2LJ", 380987, 390977), "B Hall": ("M33 2QW", 380450, 390942),
                "C Hall": ("M33 2RJ", 380601, 390984), "D Hall": ("M33 2RW", 380398, 390884),
                "E Hall": ("M33 2TG", 380020, 390725)}
    assert (report.imported, report.unlocated) == (5, 2)
    for name, (postcode, e, n) in expected.items():
        assert assets.loc[name, "postcode"] == postcode  # stored the standard way
        assert assets.loc[name].geometry.distance(shapely.Point(e, n)) < 1
    assert unlocated(assets, "F Hall") and unlocated(assets, "G Hall")
    assert "row 7: postcode not in the lookup (new, or outside the area it covers); kept without a location" \
        in report.notes
    assert "row 8: column 'postcode' does not hold a UK postcode; kept without a location" in report.notes


# --- Excel workbooks -----------------------------------------------------------------------------------------

def _set_cached_results(path: Path, results: dict[str, object], dimension: str | None = None) -> None:
    """Give formula cells the saved results Excel writes (openpyxl cannot calculate, so it writes none);
    with ``dimension``, also write the wrong sheet size some programs write."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in results.items():
        kind = ' t="str"' if isinstance(value, str) else ""
        cached = rf'<c r="{ref}"\g<1>{kind}><f>\g<2></f><v>{value}</v>'
        sheet, n = re.subn(rf'<c r="{ref}"([^>]*)><f>([^<]*)</f><v\s*/>', cached, sheet)
        assert n == 1, ref
    if dimension:
        sheet, n = re.subn(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', sheet)
        assert n == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _council_workbook(path: Path) -> None:
    (wlon, wlat), (elon, elat), (clon, clat) = (lonlat(n) for n in PLACES)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Register"
    sheet.append(["Community assets register – Sale West", None, None, "Printed", datetime.date(2025, 4, 1)])  # 1
    sheet.append([])  # 2
    sheet.append(["Ref", "Site name", " LONGITUDE ", "Lat (WGS84)", "Post\nCode", "Type", "Capacity",
                  "Last checked", "Notes", "Notes"])  # 3: header, with a repeated name
    sheet.append([1, "West Hall", f"{wlon:.6f}", f"{wlat:.6f}", "m33 2lj", "Village hall", "80",
                  datetime.datetime(2025, 3, 31), "Hall notes", "Second notes"])  # 4: numbers stored as text
    sheet.append([])  # 5
    sheet.append([None] * 6)  # 6
    sheet.append([2, "East Park", round(elon, 6), round(elat, 6), "M332QW", "Park", None, 45747])  # 7: a day number
    sheet.append([3, "Corner Library", f"=C7{round(clon, 6) - round(elon, 6):+.6f}",
                  f"=D7{round(clat, 6) - round(elat, 6):+.6f}", "M33 2RJ", "Library", "=10*8",
                  datetime.date(2024, 1, 2), '=IF(G8>100,"big","")'])  # 8: formulas
    sheet.append([4, "Broken Formula Hall", -2.29, 53.41, None, "Village hall", None, None, "#REF!"])  # 9
    for column in range(1, 30):  # formatted but empty cells: bold row 12 and trailing columns
        sheet.cell(row=12, column=column).font = Font(bold=True)
        sheet.cell(row=3, column=column + 10).font = Font(bold=True)
    book.create_sheet("Lookups").append(["Type", "Category"])
    book["Lookups"].append(["Village hall", "physical"])
    book.save(path)
    _set_cached_results(path, {"C8": round(clon, 6), "D8": round(clat, 6), "G8": 80, "I8": ""})


def test_xlsx_as_a_council_keeps_it(empty_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    _council_workbook(path)
    with Project.open(empty_project, readonly=True) as project:
        prepared = prepare_import(project, path)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assert report.rows == 4 and (report.imported, report.rejected) == (3, 1)
    assert "sheet 'Register', header on row 3" in report.notes
    assert "other sheets not read: 'Lookups' (choose one with --layer)" in report.notes
    assert "two columns are called 'Notes'; the later one is read as 'Notes_2'" in report.notes
    assert report.mapping["postcode"] == "Post Code"
    assets = assets_of(empty_project)
    assert all(at(assets, n, tol=1) for n in PLACES)  # Corner Library from the formulas' saved results
    assert assets.loc["West Hall", "capacity"] == 80 and assets.loc["Corner Library", "capacity"] == 80
    assert assets.loc["West Hall", "verified_on"] == "2025-03-31"
    assert assets.loc["East Park", "verified_on"] == "2025-03-31"  # 45747, a date that lost its format
    assert assets.loc["Corner Library", "verified_on"] == "2024-01-02"
    assert assets.loc["East Park", "postcode"] == "M33 2QW"
    assert pd.isna(assets.loc["Corner Library", "notes"])  # the formula's result was "", not a missing result
    # Row numbers are the sheet's own (title, blank rows and all).
    assert report.rejects == [{"row": 9, "reason": "column 'Notes': the cell shows the spreadsheet error #REF! "
                                                   "(a formula that failed), not a value"}]
    rejects = write_rejects(prepared, tmp_path / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejects[0].startswith("row,reason,Ref,Site name,LONGITUDE,Lat (WGS84),Post Code,Type")
    assert rejects[1].startswith("9,") and "#REF!" in rejects[1]


def test_xlsx_formulas_never_calculated(empty_project: Path, tmp_path: Path) -> None:
    # Written by a script or a database export: formulas, but no saved results to read.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Type", "Easting", "Northing"])
    sheet.append(["West Hall", "Village hall", 380500, 390500])
    sheet.append(["East Park", "Park", "=C2+1000", "=D2"])
    path = tmp_path / "generated.xlsx"
    book.save(path)
    before = digest(empty_project)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assert report.imported == 1 and report.rejected == 1 and digest(empty_project) != before
    reason = report.rejects[0]["reason"]
    assert report.rejects[0]["row"] == 3
    assert reason.startswith("column 'Easting': the formula =C2+1000 has no saved result")
    assert "open it in Excel or LibreOffice, save it and import it again" in reason
    assert "East Park" not in assets_of(empty_project).index  # not silently kept without a location


def test_xlsx_with_a_wrong_size_written_by_another_program(empty_project: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Type", "Easting", "Northing"])
    for name, (e, n) in PLACES.items():
        sheet.append([name, KINDS[name], e, n])
    path = tmp_path / "export.xlsx"
    book.save(path)
    _set_cached_results(path, {}, dimension="A1:B2")  # says two columns, two rows
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assert report.rows == 3 and report.imported == 3 and all(at(assets_of(empty_project), n, 0.01) for n in PLACES)


def test_xlsx_with_instructions_and_hidden_sheets_in_front(empty_project: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Codes"
    hidden.append(["Code", "Meaning"])
    hidden.append(["VH", "Village hall"])
    hidden.sheet_state = "hidden"
    notes = book.create_sheet("Instructions")
    notes.append(["How to fill in this register"])
    notes.append(["One row per asset. Give the easting and northing if you know them."])
    data = book.create_sheet("Assets")
    data.append(["Name", "Type", "Easting", "Northing"])
    data.append(["West Hall", "Village hall", 380500, 390500])
    path = tmp_path / "volunteers.xlsx"
    book.save(path)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        chosen = import_file(project, path, ImportOptions(layer="Codes", mapping={"name": "Meaning"},
                                                          category="physical"))
    accounted(report)
    assert report.imported == 1 and "sheet 'Assets', header on row 1" in report.notes
    assert "sheet 'Instructions' passed over: no table with rows in it" in report.notes
    assert chosen.imported + chosen.unlocated == 1 and "sheet 'Codes', header on row 1" in chosen.notes


# --- Cells: duplicates, empties, long text, emoji, HTML, spreadsheet artefacts --------------------------------

def test_duplicate_and_empty_columns_long_text_emoji_and_html(empty_project: Path, tmp_path: Path) -> None:
    long_text = "Volunteers run a warm space every weekday. " * 5000  # about 215 000 characters
    e, n = PLACES["West Hall"]
    rows = [
        "Name,Type,Easting,Northing,Notes,Notes,,Empty,Description",
        f'🌳 Green Park 🌳,Park,{e},{n},first,second,,,"{long_text}"',
        f"<b>Bold</b> Hall <script>alert(1)</script>,Village hall,{e + 100},{n},,,,,<p>Tea &amp; Chat</p>",
        f"Kids <5 club,Village hall,{e + 200},{n},,,,,Pasted\x0bfrom a PDF\x00",
        "华人社区中心,Village hall,,,,,,,",  # two different names in other scripts, both unlocated:
        "مسجد النور,Village hall,,,,,,,",  # neither is a duplicate of the other
        "Crème Café,Village hall,,,,,,,",
        "Creme Cafe,Village hall,,,,,,,",  # the same name without accents: a duplicate
    ]
    path = write(tmp_path / "volunteers.csv", "\n".join(rows) + "\n")
    with Project.open(empty_project, readonly=True) as project:
        prepared = prepare_import(project, path)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assets = assets_of(empty_project)
    assert (report.imported, report.unlocated, report.duplicates) == (3, 3, 1)
    assert assets.loc["🌳 Green Park 🌳", "notes"] == "first"
    assert assets.loc["🌳 Green Park 🌳", "description"] == long_text.strip()
    assert "Bold Hall" in assets.index and assets.loc["Bold Hall", "description"] == "Tea & Chat"
    assert "Kids <5 club" in assets.index  # not markup: kept as typed
    assert assets.loc["Kids <5 club", "description"] == "Pasted from a PDF"  # control characters gone
    assert {"华人社区中心", "مسجد النور", "Crème Café"} <= set(assets.index)
    assert "two columns are called 'Notes'; the later one is read as 'Notes_2'" in report.notes
    assert "2 cells held HTML: tags removed, text kept" in report.notes
    assert "column_7" not in prepared.table.columns and "Empty" in prepared.table.columns


def test_spreadsheet_errors_and_excel_text_tricks(empty_project: Path, tmp_path: Path) -> None:
    e, n = PLACES["West Hall"]
    text = ("Name,Type,Easting,Northing,Phone,Notes,UPRN\n"
            f'West Hall,Village hall,{e},{n},="0161 912 3456",ok,="010001234567"\n'  # Excel's ="..." keeps zeros
            f"Ref Hall,Village hall,{e + 50},{n},,#REF!,\n"
            f"#VALUE!,Village hall,{e + 90},{n},,,\n"
            f"Div Hall,Village hall,#DIV/0!,{n},,,\n"
            f"Sci Hall,Village hall,{e + 150},{n},,,1.00012E+11\n"
            f"Sci Hall Two,Village hall,{e + 250},{n},,,1.00012E+11\n")
    path = write(tmp_path / "errors.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assets = assets_of(empty_project)
    assert (report.imported, report.rejected, report.duplicates) == (1, 5, 0)
    assert assets.loc["West Hall", "phone"] == "0161 912 3456" and assets.loc["West Hall", "uprn"] == "010001234567"
    reasons = {r["row"]: r["reason"] for r in report.rejects}
    assert reasons[3] == ("column 'Notes': the cell shows the spreadsheet error #REF! (a formula that failed), "
                          "not a value")
    assert reasons[4].startswith("column 'Name': the cell shows the spreadsheet error #VALUE!")
    assert reasons[5].startswith("column 'Easting': the cell shows the spreadsheet error #DIV/0!")
    # Two UPRNs that Excel shortened to the same text are refused, not taken as one asset twice.
    assert "'1.00012E+11' is a UPRN cut short by a spreadsheet" in reasons[6] and "--map uprn=" in reasons[6]
    assert reasons[6].startswith("column 'UPRN'") and 7 in reasons


def test_csv_with_title_rows_repeated_header_and_a_totals_row(empty_project: Path, tmp_path: Path) -> None:
    # Saved from a workbook with a title above the table; then a second export pasted underneath.
    text = ("Community assets register 2025,,,\n"
            "Prepared by Sale West Community Partnership,,,\n"
            ",,,\n"
            "Name,Type,Easting,Northing\n"  # row 4
            "West Hall,Village hall,380500,390500\n"  # 5
            "Name,Type,Easting,Northing\n"  # 6: the pasted export's header
            "East Park,Park,381500,390500\n"  # 7
            ",,,\n"
            "Total: 2 assets,,,\n")  # 9
    path = write(tmp_path / "pasted.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assert report.rows == 4 and report.imported == 2 and any("header on row 4" in n for n in report.notes)
    reasons = {r["row"]: r["reason"] for r in report.rejects}
    assert reasons[6] == "repeats the header row (two files pasted together?)"
    assert reasons[9] == "'Total: 2 assets' looks like the spreadsheet's totals line, not an asset"


def test_private_column_with_yes_means_private(empty_project: Path, tmp_path: Path) -> None:
    text = ("Name,Type,Easting,Northing,Private?\nWest Hall,Village hall,380500,390500,Yes\n"
            "East Park,Park,381500,390500,no\nCorner Library,Library,380250,390750,\n")
    path = write(tmp_path / "private.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assets = assets_of(empty_project)
    assert report.mapping["visibility"] == "Private?"
    assert assets.loc["West Hall", "visibility"] == "private"
    assert assets.loc["East Park", "visibility"] == "public" and assets.loc["Corner Library", "visibility"] == "public"


def test_dates_as_excel_day_numbers_and_placeholders_in_optional_fields(empty_project: Path, tmp_path: Path) -> None:
    text = ("Name,Type,Easting,Northing,Last checked,Website,Capacity\n"
            "West Hall,Village hall,380500,390500,45747,TBC,n/k\n"
            "East Park,Park,381500,390500,31/03/2025,?,\n")
    path = write(tmp_path / "dates.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    accounted(report)
    assets = assets_of(empty_project)
    assert report.imported == 2 and report.rejected == 0
    assert set(assets["verified_on"]) == {"2025-03-31"} and assets["website"].isna().all()
    assert "1 date was an Excel day number (a date column without its date format), read as a date" in report.notes


# --- Files that cannot be read: one clear line, nothing written --------------------------------------------------

def test_unclosed_quote_is_refused_with_row_and_column(empty_project: Path, tmp_path: Path) -> None:
    # Without the check, the rest of the file would silently become the name of one asset.
    text = ('Name,Type,Easting,Northing\nWest Hall,Village hall,380500,390500\n'
            '"The Big Hall,Village hall,380600,390500\nEast Park,Park,381500,390500\n')
    path = write(tmp_path / "quote.csv", text)
    before = digest(empty_project)
    with Project.open(empty_project) as project, pytest.raises(DataError) as err:
        import_file(project, path)
    message = str(err.value)
    assert message.startswith("quote.csv, row 3, column 'Name': a quote (\") opens in this cell and never closes")
    assert "\n" not in message and digest(empty_project) == before


def test_command_line_reports_one_line_and_no_traceback(empty_project: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "quote.csv", 'Name,Type\n"Hall,Village hall\nPark,Park\n')
    result = subprocess.run([sys.executable, "-m", "assetmap", "import", str(empty_project), str(bad)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        ("assetmap import: quote.csv, row 2, column 'Name': a quote (\") opens in this cell and never closes, so "
         "every line after it would be read as part of this one cell; add the closing quote or remove the opening one")]
    messy = write(tmp_path / "messy.csv", "Site Name;Lat;Lon;Type\nWest Hall;53,41094;-2,29482;Village hall\n"
                                          "Nowhere;0;0;Park\nBad;53°75';2W;Park\n", "cp1252")
    done = subprocess.run([sys.executable, "-m", "assetmap", "import", str(empty_project), str(messy), "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["imported"], report["unlocated"], report["rejected"]) == (1, 1, 1)
    assert report["rejects"][0]["row"] == 4 and "column 'Lat'" in report["rejects"][0]["reason"]
