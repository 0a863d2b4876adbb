"""Every other column of an imported file is kept with the asset as details: private unless made public.

A council register is written here with columns assetmap has no field for (a ward, a keyholder's name and
phone, parking notes), imported through the CLI into a real project, listed, and exported as HTML,
GeoJSON and CSV in public and private mode. Private details must never leave the project; public ones
appear, escaped like every other user string.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from assetmap.cli import main
from assetmap.core.project import Project

HOSTILE = '<img src=x onerror="window.__pwned=1">Brooklands'
FORMULA = '=HYPERLINK("http://evil.example","Sale Moor")'
KEYHOLDER = "Mrs K Holder 07700 900123"
PARKING = "Free car park behind the hall"
# A register as a council keeps it: the ward, a keyholder (personal data), parking notes, an internal code.


def quoted(text: str) -> str:
    """A CSV cell as Excel writes one holding double quotes."""
    return '"' + text.replace('"', '""') + '"'


REGISTER = (
    "Site name,Easting,Northing,Postcode,Type,Ward,Keyholder,Parking,Internal code\n"
    f"Brooklands Hall,380300,390300,M33 3SQ,Community centre,{quoted(HOSTILE)},{KEYHOLDER},{PARKING},BH-01\n"
    f"Sale Moor Hall,380700,390700,M33 2AB,Village hall,{quoted(FORMULA)},,,SM-02\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out) if out.strip() else None, err
    except ValueError:
        return code, out, err


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "community_buildings.csv"
    path.write_text(REGISTER, encoding="utf-8")
    return path


def embedded_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="assetmap-data">(.*?)</script>', html, re.DOTALL)
    assert match
    return json.loads(match.group(1))


def exports(capsys: pytest.CaptureFixture[str], project: Path, folder: Path, private: bool) -> dict[str, Path]:
    out = {}
    for ext in ("html", "geojson", "csv"):
        out[ext] = folder / f"{'private' if private else 'public'}.{ext}"
        code, _, err = run(capsys, "export", str(project), "--out", str(out[ext]), "--json",
                           *(["--no-basemap"] if ext == "html" else []), *(["--private"] if private else []))
        assert code == 0, err
    return out


def test_extra_columns_are_kept_and_private_by_default(capsys: pytest.CaptureFixture[str], empty_project: Path,
                                                       register: Path, tmp_path: Path) -> None:
    code, report, err = run(capsys, "import", str(empty_project), str(register), "--json")
    assert code == 0, err
    assert report["imported"] == 2
    assert report["extra_columns"] == ["Ward", "Keyholder", "Parking", "Internal code"]
    assert report["public_columns"] == []
    code, listed, _ = run(capsys, "assets", str(empty_project), "--json")
    by_name = {a["name"]: a for a in listed}
    # an object and a list, not JSON text; mapped columns (name, coordinates, postcode, type) are not repeated
    assert by_name["Brooklands Hall"]["details"] == {"Ward": HOSTILE, "Keyholder": KEYHOLDER, "Parking": PARKING,
                                                     "Internal code": "BH-01"}
    assert by_name["Sale Moor Hall"]["details"] == {"Ward": FORMULA, "Internal code": "SM-02"}  # blanks left out
    assert by_name["Brooklands Hall"]["public_details"] == [] and by_name["Sale Moor Hall"]["public_details"] == []

    public = exports(capsys, empty_project, tmp_path, private=False)
    for path in public.values():
        text = path.read_text(encoding="utf-8-sig")
        assert "Brooklands Hall" in text
        for secret in ("Brooklands", "HYPERLINK", "Mrs K Holder", "07700 900123", "Free car park", "BH-01",
                       "Keyholder", "Internal code"):
            assert secret not in text.replace("Brooklands Hall", ""), (path.name, secret)
    private = exports(capsys, empty_project, tmp_path, private=True)
    features = json.loads(private["geojson"].read_text(encoding="utf-8"))["features"]
    hall = next(f["properties"] for f in features if f["properties"]["name"] == "Brooklands Hall")
    assert hall["Keyholder"] == KEYHOLDER and hall["Ward"] == HOSTILE and hall["public_details"] == []
    with open(private["csv"], encoding="utf-8-sig", newline="") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    assert rows["Brooklands Hall"]["Parking"] == PARKING and rows["Sale Moor Hall"]["Parking"] == ""
    data = embedded_data(private["html"].read_text(encoding="utf-8"))
    assert "Keyholder" in data["assets"]["fields"] and data["assets"]["labels"]["Keyholder"] == "Keyholder"


def test_a_public_column_is_published_and_escaped(capsys: pytest.CaptureFixture[str], empty_project: Path,
                                                  register: Path, tmp_path: Path) -> None:
    # matched like --map: case, spaces and punctuation do not matter
    code, report, err = run(capsys, "import", str(empty_project), str(register), "--json", "--public-column", "ward",
                            "--public-column", "PARKING")
    assert code == 0, err
    assert report["public_columns"] == ["Ward", "Parking"]
    with Project.open(empty_project, readonly=True) as project:
        stored = {r["name"]: r for r in project.assets().to_dict("records")}
    assert json.loads(stored["Brooklands Hall"]["public_details"]) == ["Parking", "Ward"]
    assert json.loads(stored["Sale Moor Hall"]["public_details"]) == ["Ward"]  # it has no parking note

    public = exports(capsys, empty_project, tmp_path, private=False)
    features = json.loads(public["geojson"].read_text(encoding="utf-8"))["features"]
    props = {f["properties"]["name"]: f["properties"] for f in features}
    assert props["Brooklands Hall"]["Ward"] == HOSTILE and props["Brooklands Hall"]["Parking"] == PARKING
    assert "Keyholder" not in props["Brooklands Hall"] and "Internal code" not in props["Brooklands Hall"]
    assert "public_details" not in props["Brooklands Hall"] and "details" not in props["Brooklands Hall"]
    assert props["Sale Moor Hall"]["Parking"] is None

    with open(public["csv"], encoding="utf-8-sig", newline="") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    assert rows["Sale Moor Hall"]["Ward"] == "'" + FORMULA  # never a formula in a spreadsheet
    assert rows["Brooklands Hall"]["Ward"] == HOSTILE and "Keyholder" not in rows["Brooklands Hall"]

    html = public["html"].read_text(encoding="utf-8")
    assert "<img src=x" not in html and "HYPERLINK" in html  # the value is there, as text inside JSON
    data = embedded_data(html)
    fields = data["assets"]["fields"]
    assert "Ward" in fields and "Parking" in fields and "Keyholder" not in fields
    row = next(r for r in data["assets"]["rows"] if r[1] == "Brooklands Hall")
    assert row[fields.index("Ward")] == HOSTILE
    for text in (html, public["csv"].read_text(encoding="utf-8-sig"), public["geojson"].read_text(encoding="utf-8")):
        assert "Mrs K Holder" not in text and "BH-01" not in text


def test_a_detail_named_like_a_field_does_not_take_its_place(capsys: pytest.CaptureFixture[str],
                                                             empty_project: Path, tmp_path: Path) -> None:
    # The user keeps "Description" out of the description field (--map description=) but publishes it.
    path = tmp_path / "halls.csv"
    path.write_text("Name,Easting,Northing,Type,Description\nOak Hall,380400,390400,Village hall,Two rooms\n",
                    encoding="utf-8")
    code, _, err = run(capsys, "import", str(empty_project), str(path), "--json", "--map", "description=",
                       "--public-column", "Description")
    assert code == 0, err
    out = tmp_path / "a.geojson"
    assert run(capsys, "export", str(empty_project), "--out", str(out), "--json")[0] == 0
    props = json.loads(out.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert props["description"] is None and props["Description (detail)"] == "Two rooms"


def test_a_public_column_the_file_lacks_is_bad_data(capsys: pytest.CaptureFixture[str], empty_project: Path,
                                                    register: Path) -> None:
    code, _, err = run(capsys, "import", str(empty_project), str(register), "--json", "--public-column", "Opening")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "--public-column Opening" in err and "community_buildings.csv" in err and "Keyholder" in err
    with Project.open(empty_project, readonly=True) as project:
        assert project.count("assets") == 0


def test_a_public_column_used_for_a_field_is_only_a_note(capsys: pytest.CaptureFixture[str], empty_project: Path,
                                                         register: Path) -> None:
    code, report, _ = run(capsys, "import", str(empty_project), str(register), "--json", "--public-column", "Postcode")
    assert code == 0 and report["public_columns"] == []
    assert any("'Postcode' is used for the postcode field" in n for n in report["notes"])


def test_details_cannot_be_mapped_to_a_column(capsys: pytest.CaptureFixture[str], empty_project: Path,
                                              register: Path) -> None:
    code, _, err = run(capsys, "import", str(empty_project), str(register), "--json", "--map", "details=Ward")
    assert code == 1 and "--public-column" in err and len(err.strip().splitlines()) == 1


def test_making_a_detail_public_later_publishes_it(empty_project: Path, register: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "import", str(empty_project), str(register), "--json")[0] == 0
    with Project.open(empty_project) as project:
        hall = project.assets().set_index("name").loc["Brooklands Hall"]
        project.update_asset(hall["id"], {"public_details": json.dumps(["Parking"])})
    out = tmp_path / "a.csv"
    assert run(capsys, "export", str(empty_project), "--out", str(out), "--json")[0] == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    assert rows["Brooklands Hall"]["Parking"] == PARKING
    assert "Ward" not in rows["Brooklands Hall"] and "Keyholder" not in rows["Brooklands Hall"]


# --- in a real browser ------------------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_public_detail_shows_in_the_popup_as_text(capsys: pytest.CaptureFixture[str], empty_project: Path,
                                                  register: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    assert run(capsys, "import", str(empty_project), str(register), "--json", "--public-column", "Ward")[0] == 0
    page_path = tmp_path / "map.html"
    assert run(capsys, "export", str(empty_project), "--out", str(page_path), "--json", "--no-basemap")[0] == 0
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
            page.goto(page_path.as_uri())
            page.wait_for_selector("html[data-assetmap-ready]", state="attached", timeout=15000)
            page.locator(".am-rowbtn", has_text="Brooklands Hall").click()
            popup = page.locator(".leaflet-popup-content .am-popup")
            popup.wait_for(timeout=5000)
            terms = [t.strip() for t in popup.locator("dt").all_text_contents()]
            values = [t.strip() for t in popup.locator("dd").all_text_contents()]
            assert "Ward" in terms and values[terms.index("Ward")] == HOSTILE
            assert "Keyholder" not in terms and "Parking" not in terms
            assert page.evaluate("window.__pwned") is None and errors == []
            assert page.evaluate("document.querySelectorAll('.leaflet-popup img').length") == 0
        finally:
            browser.close()
