"""Residents' skills from a spreadsheet: kept only with consent, given a neighbourhood, never a place."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assetmap.core.errors import DataError
from assetmap.core.imports.people import import_people
from assetmap.core.io.postcodes import PostcodeLookup
from assetmap.core.project import Project

SKILLS = """Name,What I can share,Consent,Consent date,Area,Postcode,Email
Ann,"baking, fixing bikes",yes,01/09/2026,E01000001,,ann@example.org
Bob,gardening,no,,West,,
Cy,listening,yes,2026-09-02,East,,
Di,singing,Y,2026-09-03,,ZZ1 1ZZ,
Ed,knitting,yes,2026-09-04,Nowhere,,
"""


def test_people_import_keeps_only_consenting_residents_with_a_neighbourhood(empty_project: Path,
                                                                            tmp_path: Path) -> None:
    path = tmp_path / "skills.csv"
    path.write_text(SKILLS, encoding="utf-8")
    lookup = PostcodeLookup({"ZZ11ZZ": (381500.0, 390500.0)}, __import__("pyproj").CRS.from_epsg(27700), "test")
    with Project.open(empty_project) as project:
        report = import_people(project, path, postcodes=lookup)
        again = import_people(project, path, postcodes=lookup)
        people = project.people().set_index("display_name")
    assert (report.imported, report.duplicates, report.rejected) == (3, 0, 2)
    assert report.imported + report.duplicates + report.rejected == report.rows == 5
    reasons = {r["row"]: r["reason"] for r in report.rejects}
    assert "no consent" in reasons[3] and "cannot tell the neighbourhood" in reasons[6]
    assert people.loc["Ann", "skills"] == "baking, fixing bikes" and people.loc["Ann", "consent_on"] == "2026-09-01"
    assert people.loc["Cy", "neighbourhood_code"] == "E01000002"  # by the neighbourhood's name
    assert people.loc["Di", "neighbourhood_code"] == "E01000002"  # by postcode, inside the East square
    assert (again.imported, again.duplicates) == (0, 3)
    rows = sqlite3.connect(empty_project).execute("SELECT * FROM people").fetchall()
    assert "ZZ1" not in json.dumps(rows)  # the postcode only found the neighbourhood; it is not kept


def test_people_import_needs_a_consent_column(empty_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "no_consent.csv"
    path.write_text("Name,Skills,Area\nAnn,baking,West\n", encoding="utf-8")
    with Project.open(empty_project) as project, pytest.raises(DataError, match="no column holds people's consent"):
        import_people(project, path)
        assert project.count("people") == 0


def test_cli_import_people(empty_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "skills.csv"
    path.write_text(SKILLS, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "assetmap", "import", str(empty_project), str(path), "--people",
                           "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["imported"], report["rejected"]) == (2, 3)  # Di has only a postcode and no lookup here
