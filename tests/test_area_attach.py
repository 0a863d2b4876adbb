"""`assetmap attach`: newer population or IMD joined to the neighbourhoods by code, all or nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from assetmap.cli import main
from assetmap.core.project import Project

WARDS = Path(__file__).resolve().parent / "data" / "area" / "gm_ward_generalised.geojson"


def figures_table(project: Path) -> dict[str, tuple]:
    with sqlite3.connect(project) as conn:
        return {r[0]: r[1:] for r in conn.execute("SELECT code, population, imd_rank, imd_decile FROM neighbourhoods")}


@pytest.fixture
def bolton(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    project = tmp_path / "bolton.gpkg"
    assert main(["new", str(project), "--area", "Bolton"]) == 0
    capsys.readouterr()
    return project


def iod_style_csv(path: Path, codes: list[str], extra: list[str]) -> dict[str, tuple[int, int]]:
    """A File 1 look-alike with a title row above the header, the way MHCLG's spreadsheets come."""
    values = {}
    lines = ["English Indices of Deprivation 2025 (test copy)",
             ("LSOA code (2021),LSOA name (2021),Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
              "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),"
              "Income Rank (where 1 is most deprived)")]
    for i, code in enumerate(codes + extra):
        rank, decile = 1000 + 7 * i, i % 10 + 1
        values[code] = (rank, decile)
        lines.append(f'{code},Somewhere {i:03d}A,"{rank:,}",{decile},{5 + i}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return values


def test_attach_updates_matched_codes_and_reports_both_ways(bolton: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = figures_table(bolton)
    codes = sorted(before)[:150]
    source = tmp_path / "iod2025.csv"
    values = iod_style_csv(source, codes, ["E01000001", "E01035000"])  # City of London; a 2021-only code

    assert main(["attach", str(bolton), str(source), "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["matched"] == 150 and report["dry_run"] is True
    assert report["unmatched_file"] == {"count": 2, "codes": ["E01000001", "E01035000"]}
    assert report["unmatched_project"]["count"] == 27
    assert report["code_column"] == "LSOA code (2021)"
    assert set(report["columns"]) == {"imd_rank", "imd_decile"}  # the income rank is not the IMD
    assert figures_table(bolton) == before

    assert main(["attach", str(bolton), str(source)]) == 0
    out = capsys.readouterr().out
    assert "Updated 150 neighbourhoods from iod2025.csv" in out
    assert "2 rows in the file with no neighbourhood: E01000001, E01035000" in out
    assert "27 neighbourhoods the file lacks (figures kept)" in out
    after = figures_table(bolton)
    for code in codes:
        assert after[code] == (before[code][0], values[code][0], values[code][1])  # population untouched
    for code in sorted(before)[150:]:
        assert after[code] == before[code]
    with Project.open(bolton, readonly=True) as project:
        figures = project.get_setting("figures")
    assert figures["imd"]["source"] == "iod2025.csv" and figures["imd"]["method"] == "attached by neighbourhood code"
    assert figures["imd"]["matched"] == 150 and figures["imd"]["not_in_file"] == 27
    assert figures["population"]["method"] == "as published"  # not in the file, so its record stays


def test_population_from_a_workbook_with_an_override(bolton: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    codes = sorted(figures_table(bolton))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Area code", "Residents (mid-2024)", "Aged 0-15"])
    for i, code in enumerate(codes):
        sheet.append([code, 1500 + i, 300])
    source = tmp_path / "pop2024.xlsx"
    book.save(source)
    # "Residents (mid-2024)" is not a header assetmap knows, so it is named
    assert main(["attach", str(bolton), str(source)]) == 1
    assert "no population or IMD rank/decile column found" in capsys.readouterr().err
    assert main(["attach", str(bolton), str(source), "--column", "population=Residents (mid-2024)", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["matched"] == 177 and report["unmatched_project"]["count"] == 0
    after = figures_table(bolton)
    assert [after[c][0] for c in codes] == [1500 + i for i in range(len(codes))]
    assert report["figures"]["population"]["basis"] == "column 'Residents (mid-2024)'"


def test_a_bad_value_changes_nothing_and_names_row_and_column(bolton: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    before = figures_table(bolton)
    codes = sorted(before)
    lines = ["lsoa11cd,IMD19 decile"] + [f"{c},{i % 10 + 1}" for i, c in enumerate(codes)]
    lines[40] = f"{codes[39]},n/a"  # row 41 of the file (the header is row 1)
    source = tmp_path / "deciles.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["attach", str(bolton), str(source)]) == 1
    err = capsys.readouterr().err
    assert "deciles.csv, row 41, column 'IMD19 decile': 'n/a' is not a number" in err
    assert figures_table(bolton) == before
    lines[40] = f"{codes[39]},11"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["attach", str(bolton), str(source)]) == 1
    assert "'11' is not an IMD decile" in capsys.readouterr().err
    lines[40] = f"{codes[0]},3"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["attach", str(bolton), str(source)]) == 1
    assert f"code {codes[0]} appears again (first on row 2)" in capsys.readouterr().err
    assert figures_table(bolton) == before


def test_no_match_says_which_codes_each_side_holds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "wards.gpkg"
    assert main(["new", str(project), "--boundaries", str(WARDS), "--area", "Bolton"]) == 0
    capsys.readouterr()
    source = tmp_path / "iod.csv"
    iod_style_csv(source, ["E01004766", "E01004767"], ["E01035000"])
    assert main(["attach", str(project), str(source)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "none of its codes match the project's neighbourhoods" in err
    assert "3 LSOA codes (1 of the LSOA codes are not 2011 LSOA codes, so the file likely uses 2021 LSOAs)" in err
    assert "the project holds 20 ward codes" in err
