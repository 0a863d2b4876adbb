"""Website values are http(s) web addresses, on every way in: imports, the asset form and outside edits.

A website is published (GeoJSON, CSV, the map's popup), so anything that is not a web page address
is refused with the reason: in an import the row is rejected, in the form Save stays off with the
problem under the field, and a value written in QGIS stops the project opening with the fid named.
A bare host ("www.example.org") is a web address read as https, as the web map links it.
"""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import shapely

from assetmap.core.imports.pipeline import import_file
from assetmap.core.model import validate_asset
from assetmap.core.project import Project
from assetmap.core.project.outside import OutsideEditError
from assetmap.core.web_address import web_address_problem

REPO = Path(__file__).resolve().parents[1]
HALL = shapely.Point(380500, 390500)

# (value, words the reason must contain)
HOSTILE: list[tuple[str, str]] = [
    ("javascript:alert(document.domain)", "javascript:"),
    ("JaVaScRiPt:alert(1)", "javascript:"),
    ("  javascript:alert(1)", "javascript:"),
    ("javascript:1.1+alert(1)", "javascript:"),  # passed the old pattern, which took "javascript:1" for host:port
    ("javascript://example.org/%0Aalert(1)", "javascript:"),
    ("data:text/html,<script>alert(1)</script>", "data:"),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data:"),
    ("vbscript:msgbox(1)", "vbscript:"),
    ("file:///etc/passwd", "file:"),
    ("ftp://files.example.org/a", "ftp:"),
    ("mailto:hall@example.org", "E-mail field"),
    ("tel:01611234567", "Phone field"),
    ("java\tscript:alert(1)", "invisible character"),
    ("https://example.org/\u202egpj.exe", "U+202E"),
    ("https://exa mple.org", "space"),
    ("//evil.example.org", "https://"),
    ("http:example.org", "http://example.org"),
    ("https://trusted.org@evil.example.org", "user name"),
    ("https://example.org/\"onmouseover=\"alert(1)", "cannot"),
    ("https://example.org/<script>", "cannot"),
    ("https://example.org:99999/", "does not look like a web address"),
    ("https://", "does not look like a web address"),
    ("not a website", "space"),
    ("example", "does not look like a web address"),
    ("https://" + "a" * 3000 + ".org", "at most 2,000"),
]
ACCEPTED = ["https://example.org", "http://example.org/path?q=1#top", "HTTPS://Example.ORG/Hall",
            "www.example.org", "example.org/page", "www.example.org:8080/x", "https://bücher.example.de/",
            "https://en.wikipedia.org/wiki/St_John's_Church,_Sale", "https://www.trafford.gov.uk/residents/"
            "leisure-and-lifestyle/libraries/Sale-Library.aspx", "http://192.168.1.20/booking"]


@pytest.mark.parametrize(("value", "reason"), HOSTILE, ids=[v[:30] for v, _ in HOSTILE])
def test_every_other_scheme_is_refused_with_the_reason(value: str, reason: str) -> None:
    problem = web_address_problem(value)
    assert problem is not None and reason in problem, problem
    with pytest.raises(Exception) as err:
        validate_asset({"name": "Hall", "kind": "physical/village_hall", "website": value})
    assert set(err.value.problems) == {"website"} and reason in err.value.problems["website"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", ACCEPTED)
def test_web_addresses_are_kept_as_typed(value: str) -> None:
    assert web_address_problem(value) is None
    assert validate_asset({"name": "Hall", "kind": "physical/village_hall", "website": value})["website"] == value


def test_an_import_rejects_the_row_and_says_why(empty_project: Path, tmp_path: Path) -> None:
    source = tmp_path / "halls.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "type", "easting", "northing", "website"])
        writer.writerow(["Moss Lane Hall", "Village hall", 380200, 390200, "www.mosslanehall.org.uk"])
        for i, (value, _) in enumerate(HOSTILE):
            writer.writerow([f"Trap {i}", "Village hall", 380300 + i, 390300, value])
    with Project.open(empty_project) as project:
        report = import_file(project, source)
        names = set(project.assets()["name"])
    assert names == {"Moss Lane Hall"}
    assert len(report.rejects) == len(HOSTILE)
    for reject, (value, reason) in zip(report.rejects, HOSTILE):
        assert reject["reason"].startswith("column 'website': ") and reason in reject["reason"], reject


def test_the_import_command_reports_the_rejected_rows(empty_project: Path, tmp_path: Path) -> None:
    source = tmp_path / "halls.csv"
    source.write_text("name,type,easting,northing,website\nTrap,Village hall,380300,390300,javascript:alert(1)\n",
                      encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "assetmap", "import", str(empty_project), str(source), "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert '"rejected": 1' in done.stdout and "javascript: links are not kept" in done.stdout


def test_the_asset_form_shows_the_problem_and_keeps_save_off(qtbot: Any, empty_project: Path) -> None:
    from assetmap.core.taxonomy import default_taxonomy
    from assetmap.gui.asset_form import AssetForm

    with Project.open(empty_project) as project:
        form = AssetForm(default_taxonomy())
        qtbot.addWidget(form)
        form.set_project(project)
        form.show_new({}, "Click the map")
        form.editors["name"].input.setText("Moss Lane Hall")
        form.editors["category"].set_value("physical")
        form.editors["website"].input.setText("javascript:alert(document.cookie)")
        form.editors["website"].input.textEdited.emit("javascript:alert(document.cookie)")
        assert "javascript: links are not kept" in form.problems()["website"]
        assert not form.save.isEnabled()
        assert "javascript:" in form.editors["website"].problem.text()
        form.editors["website"].input.setText("www.mosslanehall.org.uk")
        form.editors["website"].input.textEdited.emit("www.mosslanehall.org.uk")
        assert "website" not in form.problems() and form.save.isEnabled()


@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:text/html,<b>x</b>", "vbscript:msgbox(1)",
                                   "file:///C:/Users/Public/list.xlsx"])
def test_an_outside_edit_is_refused_on_open_naming_the_feature(empty_project: Path, value: str) -> None:
    with Project.open(empty_project) as project:
        project.add_asset({"name": "Moss Lane Hall", "kind": "physical/village_hall",
                           "website": "https://mosslanehall.org.uk"}, HALL)
    con = sqlite3.connect(empty_project)  # as QGIS writes a typed-in value
    with con:
        con.execute("UPDATE assets SET website = ?", (value,))
        fid = con.execute("SELECT fid FROM assets").fetchone()[0]
    con.close()
    for readonly in (True, False):
        with pytest.raises(OutsideEditError) as err:
            Project.open(empty_project, readonly=readonly)
        message = str(err.value)
        assert f"layer 'assets', fid {fid}, column 'website': " in message and "links are not kept" in message
    done = subprocess.run([sys.executable, "-m", "assetmap", "export", str(empty_project), "--out",
                           str(empty_project.parent / "map.geojson")], capture_output=True, text=True, cwd=REPO,
                          timeout=120)
    assert done.returncode == 1 and len(done.stderr.strip().split("\n")) == 1 and "column 'website'" in done.stderr
    assert not (empty_project.parent / "map.geojson").exists()


def test_an_outside_edit_with_a_web_address_opens(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        project.add_asset({"name": "Moss Lane Hall", "kind": "physical/village_hall"}, HALL)
    con = sqlite3.connect(empty_project)
    with con:
        con.execute("UPDATE assets SET website = 'www.mosslanehall.org.uk'")
    con.close()
    with Project.open(empty_project, readonly=True) as project:
        assert list(project.assets()["website"]) == ["www.mosslanehall.org.uk"]
