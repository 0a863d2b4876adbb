"""Bad input: a specific message (file, row, column, what was expected) and nothing half-written."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assetmap.core.errors import DataError
from assetmap.core.imports.pipeline import import_file, prepare_import
from assetmap.core.project import Project


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize("name,content,message", [
    ("empty.csv", "", "the file is empty"),
    ("header_only.csv", "name,lat,lon\n", "has a header row but no data rows"),
    ("no_name.csv", "type,lat,lon\nLibrary,53.4,-2.3\n", "no column holds the assets' names"),
    ("really_text.xlsx", "name,lat\nHall,53.4\n", "the name says an Excel workbook but the file is plain text"),
    ("really_excel.csv", b"PK\x03\x04", "the name says a CSV text file but the file is"),
    ("broken.geojson", "name,lat\nHall,53\n", "the name says a GIS file but the file is plain text"),
    ("notes.docx", "hello", "is not a format assetmap reads"),
])
def test_file_level_problems_write_nothing(empty_project: Path, tmp_path: Path, name: str, content,
                                           message: str) -> None:
    path = _file(tmp_path, name, content)
    before = _digest(empty_project)
    with Project.open(empty_project) as project, pytest.raises(DataError) as err:
        import_file(project, path)
    assert message in str(err.value) and name in str(err.value)
    assert _digest(empty_project) == before


def test_zip_without_shapefile(empty_project: Path, tmp_path: Path) -> None:
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "no shapes here")
        zf.writestr("assets.csv", "name\nHall\n")
    with (Project.open(empty_project) as project,
          pytest.raises(DataError, match="no shapefile .* readme.txt, assets.csv")):
        import_file(project, archive)
        assert project.count("assets") == 0


def test_swapped_latitude_and_longitude(empty_project: Path, tmp_path: Path) -> None:
    # The project's neighbourhoods are near Sale (53.4 N, 2.3 W); these columns are the wrong way round.
    path = _file(tmp_path, "swapped.csv", "name,kind,lat,lon\nHall,village hall,-2.30,53.41\nPark,park,-2.31,53.42\n")
    before = _digest(empty_project)
    with Project.open(empty_project) as project, pytest.raises(DataError) as err:
        import_file(project, path)
    assert "latitude and longitude look swapped" in str(err.value)
    assert "--map lon=lat --map lat=lon" in str(err.value)
    assert _digest(empty_project) == before


def test_row_level_problems_are_reported_with_row_and_column(empty_project: Path, tmp_path: Path) -> None:
    text = (
        "name,kind,lat,lon,capacity,email,last_checked\n"
        "Good Hall,village hall,53.41,-2.30,100,hall@example.org,2025-01-31\n"  # row 2
        "Wordy Hall,village hall,53.41,-2.31,lots,,\n"  # row 3: text where a number belongs
        "Far Hall,village hall,153.41,-2.30,,,\n"  # row 4: latitude out of range
        "Typo Hall,village hall,fifty three,-2.30,,,\n"  # row 5: coordinate not a number
        ",village hall,53.42,-2.30,,,\n"  # row 6: no name
        "Mail Hall,village hall,53.43,-2.30,,hall at example,\n"  # row 7: bad e-mail
        "Date Hall,village hall,53.44,-2.30,,,next week\n"  # row 8: not a date
        "Mystery,,53.45,-2.30,,,\n"  # row 9: no category can be told → a private draft to sort, not a reject
        "Loose Hall,village hall,,,,,\n"  # row 10: no location → unlocated, kept
    )
    path = _file(tmp_path, "register.csv", text)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        names = sorted(project.assets()["name"])
        mystery = project.assets().set_index("name").loc["Mystery"]
    reasons = {r["row"]: r["reason"] for r in report.rejects}
    assert (report.imported, report.unlocated, report.rejected) == (2, 1, 6)
    assert report.imported + report.unlocated + report.duplicates + report.rejected == 9
    assert names == ["Good Hall", "Loose Hall", "Mystery"]
    assert (mystery["category"], mystery["visibility"]) == ("uncategorised", "private") and pd.isna(mystery["kind"])
    assert report.uncategorised == 1 and report.uncategorised_rows == [{"row": 9, "name": "Mystery"}]
    assert "column 'capacity'" in reasons[3] and "'lots' is not a whole number" in reasons[3]
    assert "outside longitude -180 to 180 and latitude -90 to 90" in reasons[4]
    assert "column 'lat'" in reasons[5] and "'fifty three' is not a number" in reasons[5]
    assert "a name is required" in reasons[6]
    assert "column 'email'" in reasons[7] and "e-mail" in reasons[7]
    assert "column 'last_checked'" in reasons[8] and "is not a date" in reasons[8]
    assert 9 not in reasons


def test_bng_coordinates_outside_the_grid(empty_project: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, "grid.csv", "name,kind,easting,northing\nHall,village hall,380500,390500\n"
                                       "Sea Hall,village hall,980500,390500\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert report.imported == 1 and report.rejects[0]["row"] == 3
    assert "outside eastings 0 to 700000" in report.rejects[0]["reason"]


def test_ragged_csv_row(empty_project: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, "ragged.csv", "name,kind\nHall,village hall\nSmith, Jones and Co,shop,extra\n")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert report.rows == 2 and report.rejected == 1
    assert "has 4 values but the header has 2" in report.rejects[0]["reason"]


def test_rejects_csv_keeps_original_values(empty_project: Path, tmp_path: Path) -> None:
    from assetmap.core.imports.pipeline import write_rejects

    path = _file(tmp_path, "r.csv", "name,kind,capacity\nHall,village hall,12\nBad,village hall,many\n")
    with Project.open(empty_project, readonly=True) as project:
        prepared = prepare_import(project, path)
    out = write_rejects(prepared, tmp_path / "rejects.csv")
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,reason,name,kind,capacity"
    assert lines[1].startswith("3,") and lines[1].endswith(",Bad,village hall,many")


def test_xlsx_without_header(empty_project: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["only one cell"])
    path = tmp_path / "blank.xlsx"
    book.save(path)
    with Project.open(empty_project) as project, pytest.raises(DataError, match="no header row"):
        import_file(project, path)
