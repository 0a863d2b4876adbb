"""A list is usually a list of one kind of thing: the file's name, sheet or type column decides the kind before
any row's name can, and rows nothing classifies come in as private drafts to sort instead of being rejected.

The files are written here, named after host venues with the taxonomy's own words, the way real registers of
defibrillators or chemists are; nothing is tuned to one file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assetmap.core.analysis import run_gaps
from assetmap.core.export.tables import write_csv, write_geojson
from assetmap.core.export.webdata import build_map_data
from assetmap.core.imports.pipeline import ImportOptions, import_file, prepare_import
from assetmap.core.io.theme import decide_theme, kinds_named
from assetmap.core.project import Project
from assetmap.core.taxonomy import UNCATEGORISED, default_taxonomy

TAX = default_taxonomy()


def _host(kind: str) -> str:
    """A venue word of the taxonomy's own for this kind ("Primary School", "Gp Surgery", "Sports Club")."""
    words = TAX.kinds[kind].synonyms
    return next((w for w in words if " " in w), words[0]).title()


# Host venues, in the words the taxonomy itself uses for schools, surgeries, clubs, halls and libraries.
HOSTS = [_host(k) for k in ("institutions/school", "institutions/gp_surgery", "associations/sports_club",
                            "physical/village_hall", "institutions/library")]
PLACES = ["St Mary's", "Moss Lane", "Oakfield", "Riverside", "Hale Road", "Northenden", "Church Road"]


def _rows(names: list[str]) -> str:
    """CSV rows with easting/northing inside the test project's West neighbourhood."""
    return "".join(f"{n},{380050 + 17 * i},{390100 + 13 * i}\n" for i, n in enumerate(names))


def _write(path: Path, names: list[str], header: str = "name,easting,northing") -> Path:
    path.write_text(header + "\n" + _rows(names), encoding="utf-8")
    return path


def _venues(n: int) -> list[str]:
    return [f"{PLACES[i % len(PLACES)]} {HOSTS[i % len(HOSTS)]} {i // len(PLACES) + 1}" for i in range(n)]


def _kinds(project: Path) -> pd.Series:
    with Project.open(project, readonly=True) as p:
        return p.assets()["kind"].fillna("")


def test_defibrillators_at_schools_surgeries_and_clubs_are_all_defibrillators(empty_project: Path,
                                                                              tmp_path: Path) -> None:
    names = _venues(35)
    path = _write(tmp_path / "AED locations.csv", names)
    with Project.open(empty_project, readonly=True) as project:
        by_rows = prepare_import(project, path, ImportOptions(theme=False)).records
    # Read row by row, the venues' names would have made schools, surgeries and clubs of them.
    assert ({"institutions/school", "institutions/gp_surgery", "associations/sports_club"}
            <= {r["kind"] for r in by_rows})
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert report.imported == 35 and report.rejected == 0 and report.uncategorised == 0
    assert set(_kinds(empty_project)) == {"physical/defibrillator"}
    assert report.theme["kind"] == "physical/defibrillator" and report.theme["rows"] == 35
    assert report.theme["source"] == "file" and report.theme["evidence"]["file"]["kinds"] == ["physical/defibrillator"]
    assert "all 35 rows as Defibrillator: the file is called AED locations.csv" in report.notes
    assert report.to_json()["theme"]["label"] == "Defibrillator"


def test_one_word_chemists_are_pharmacies_in_a_list_of_pharmacies(empty_project: Path, tmp_path: Path) -> None:
    names = ["Boots", "Well", "Lloyds", "Rowlands", "Superdrug", "Asda", "Day Lewis", "Hale Health Centre",
             "Village Pharmacy"]
    path = _write(tmp_path / "Pharmacies.csv", names)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        assets = project.assets().set_index("name")
    assert report.imported == len(names) and report.uncategorised == 0
    assert set(assets["kind"]) == {"institutions/pharmacy"}  # "Hale Health Centre" is not a GP surgery here
    assert report.notes[-1] == f"all {len(names)} rows as Pharmacy: the file is called Pharmacies.csv and 1 name agrees"


def test_the_report_says_how_many_names_agree(empty_project: Path, tmp_path: Path) -> None:
    dental = TAX.kinds["institutions/dentist"].synonyms
    names = ([f"{PLACES[i % 7]} {dental[i % 3].title()} {i}" for i in range(41)]
             + [f"Smile Studio {i}" for i in range(16)])
    path = _write(tmp_path / "dental_practices.csv", names)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert "all 57 rows as Dental practice: the file is called dental_practices.csv and 41 names agree" in report.notes
    assert report.theme["evidence"]["names"] == {"kind": "institutions/dentist", "agree": 41, "rows": 57}


def test_a_sheet_called_after_its_kind_decides_when_the_file_name_says_nothing(empty_project: Path,
                                                                               tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Dentists"
    sheet.append(["Name", "Easting", "Northing"])
    for i, name in enumerate(_venues(6)):
        sheet.append([name, 380100 + 20 * i, 390200])
    path = tmp_path / "export (3).xlsx"
    book.save(path)
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert set(_kinds(empty_project)) == {"institutions/dentist"}
    assert "its sheet is called 'Dentists'" in report.theme["reason"]


def test_a_type_column_of_many_kinds_stays_row_by_row(empty_project: Path, tmp_path: Path) -> None:
    rows = [("Central Library", "Library"), ("Oak Youth Club", "Youth club"), ("Hope Food Bank", "Food bank"),
            ("Victoria Park", "Park"), ("The Bull", "Pub"), ("Sale Water Park", "Park")]
    path = tmp_path / "community_directory.csv"
    path.write_text("name,type,easting,northing\n" + "".join(
        f"{n},{t},{380100 + 30 * i},{390300}\n" for i, (n, t) in enumerate(rows)), encoding="utf-8")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        assets = project.assets().set_index("name")
    assert report.theme["kind"] is None and report.theme["source"] == "rows"
    assert assets.loc["The Bull", "kind"] == "economy/pub"
    assert assets.loc["Hope Food Bank", "kind"] == "associations/food_bank"
    assert report.theme["evidence"]["type_column"]["kinds"]["physical/park"] == 2


def test_a_file_named_after_one_kind_but_typed_with_others_is_mixed(empty_project: Path, tmp_path: Path) -> None:
    types = ["Playground", "Allotment", "Cemetery", "Playing field", "Bowling green", "Park"]
    path = tmp_path / "parks.csv"
    path.write_text("site_name,site_type,easting,northing\n" + "".join(
        f"Site {i},{t},{380100 + 30 * i},{390300}\n" for i, t in enumerate(types)), encoding="utf-8")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
    assert report.theme["kind"] is None
    assert "names other kinds for 5 of 6 rows (a mixed list)" in report.theme["reason"]
    assert set(_kinds(empty_project)) == {"physical/playground", "physical/allotment", "physical/cemetery",
                                          "physical/playing_field", "physical/sports_ground", "physical/park"}


def test_a_row_whose_own_type_names_another_kind_keeps_it(empty_project: Path, tmp_path: Path) -> None:
    rows = [(f"{p} Library", "Community managed library") for p in PLACES[:5]] + [
        ("Lostock Library", "Lostock High School run library"), ("Book Nook", ""), ("Reading Room Cafe", "Cafe")]
    path = tmp_path / "trafford_libraries.csv"
    path.write_text("name,type,easting,northing\n" + "".join(
        f"{n},{t},{380100 + 30 * i},{390300}\n" for i, (n, t) in enumerate(rows)), encoding="utf-8")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        assets = project.assets().set_index("name")
    assert assets.loc["Book Nook", "kind"] == "institutions/library"  # no type of its own: the file's
    assert assets.loc["Lostock Library", "kind"] == "institutions/library"  # the head of its type is "library"
    assert assets.loc["Reading Room Cafe", "kind"] == "economy/cafe"
    assert report.theme["kept_own_kind"] == 1 and report.theme["rows"] == 7
    assert report.notes[-1].endswith("; 1 row keeps the kind its own type column names")


def test_a_file_whose_name_says_nothing_is_read_row_by_row(empty_project: Path, tmp_path: Path) -> None:
    names = _venues(10)
    for name in ("data.csv", "export (3).csv"):
        path = _write(tmp_path / name, names)
        with Project.open(empty_project, readonly=True) as project:
            prepared = prepare_import(project, path)
        assert prepared.report.theme["kind"] is None
        kinds = {r["kind"] for r in prepared.records}
        assert {"institutions/school", "institutions/gp_surgery", "institutions/library"} <= kinds


def test_kind_and_no_theme_override_the_file(empty_project: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "AED locations.csv", _venues(7))
    with Project.open(empty_project, readonly=True) as project:
        every = prepare_import(project, path, ImportOptions(kind="physical/village_hall"))
        rows = prepare_import(project, path, ImportOptions(theme=False))
    assert {r["kind"] for r in every.records} == {"physical/village_hall"} and every.report.theme["source"] == "--kind"
    assert "physical/defibrillator" not in {r["kind"] for r in rows.records}
    assert rows.report.theme == {**rows.report.theme, "kind": None, "source": "--no-theme"}
    cli = [sys.executable, "-m", "assetmap", "import", str(empty_project), str(path), "--dry-run", "--json"]
    done = subprocess.run([*cli, "--no-theme"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["theme"]["source"] == "--no-theme"
    both = subprocess.run([*cli, "--no-theme", "--kind", "physical/park"], capture_output=True, text=True, check=False)
    assert both.returncode == 2 and "Traceback" not in both.stderr and len(both.stderr.strip().splitlines()) == 1
    wrong = subprocess.run([*cli, "--kind", "physical/parks"], capture_output=True, text=True, check=False)
    assert wrong.returncode == 2 and "did you mean physical/park" in wrong.stderr
    other = subprocess.run([*cli, "--kind", "physical/park", "--category", "culture"], capture_output=True, text=True,
                           check=False)
    assert other.returncode == 2 and "not culture" in other.stderr


def test_file_names_are_read_for_their_head_words() -> None:
    assert kinds_named("trafford_schools_and_colleges.csv", TAX) == ["institutions/school", "institutions/college"]
    assert kinds_named("Copy of Defibrillators (final) v2.xlsx", TAX) == ["physical/defibrillator"]
    assert kinds_named("public-toilets.geojson", TAX) == ["physical/public_toilet"]
    assert kinds_named("Pharmacies in Sale Moor.csv", TAX) == ["institutions/pharmacy"]
    assert kinds_named("libraries_sale_moor.csv", TAX, place_words={"sale", "moor"}) == ["institutions/library"]
    assert kinds_named("libraries_sale_moor.csv", TAX) == []  # without knowing the place, "moor" ends the name
    assert kinds_named("Church Street assets.csv", TAX) == []  # a street, not a list of churches
    assert kinds_named("trafford_greenspace_access_points.geojson", TAX) == []
    assert kinds_named("fish_and_chips.csv", TAX) == ["economy/takeaway"]
    # A file naming two kinds: its type column chooses for the rows that have no type of their own.
    theme = decide_theme(TAX, file_name="schools_and_colleges.csv", hints=["Academy"] * 9 + ["Sixth form college"],
                         names=["x"] * 10)
    assert theme.kind == "institutions/school"


def test_rows_nothing_classifies_are_private_drafts_to_sort(empty_project: Path, tmp_path: Path) -> None:
    names = ["Mrs Patel's front room", "The Old Barn", "Number 12", "Sunny Side Up"]
    path = tmp_path / "data.csv"
    path.write_text("name,category,easting,northing\n" + "".join(
        f"{n},{c},{380100 + 30 * i},{390300}\n" for i, (n, c) in enumerate(zip(names, ["", "stuff", "", ""]))) +
        "Moss Lane Hall,physical,380600,390400\nLost draft,,,\nTotal: 6 assets,,,\n", encoding="utf-8")
    with Project.open(empty_project) as project:
        report = import_file(project, path)
        assets = project.assets().set_index("name")
    assert (report.imported, report.unlocated, report.duplicates, report.rejected) == (5, 1, 0, 1)
    assert report.imported + report.unlocated + report.duplicates + report.rejected == report.rows == 7
    assert report.uncategorised == 5 and [r["row"] for r in report.uncategorised_rows] == [2, 3, 4, 5, 7]
    drafts = assets[assets["category"] == UNCATEGORISED]
    assert sorted(drafts.index) == sorted([*names, "Lost draft"])
    assert (drafts["visibility"] == "private").all() and drafts["kind"].isna().all()
    assert drafts.loc["The Old Barn", "tags"] == "stuff"  # the category text that matched nothing is kept
    assert "looks like the spreadsheet's totals line" in report.rejects[0]["reason"]
    assert any("5 rows came in as drafts to sort" in n for n in report.notes)
    as_json = report.to_json()
    assert as_json["uncategorised"] == 5 and as_json["uncategorised_rows"][0] == {"row": 2, "name": names[0]}


def test_drafts_never_reach_a_public_map_nor_the_gap_counts(empty_project: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "data.csv", ["Mystery Place", "Moss Lane Hall"])
    with Project.open(empty_project) as project:
        import_file(project, path)
        public_geojson = write_geojson(project, tmp_path / "public.geojson")
        private_csv = write_csv(project, tmp_path / "private.csv", private=True)
        public_map = build_map_data(project)
        private_map = build_map_data(project, private=True)
        result = run_gaps(project)
    assert public_geojson["assets"] == 1 and private_csv["assets"] == 2
    shown = json.loads((tmp_path / "public.geojson").read_text())["features"]
    assert [f["properties"]["name"] for f in shown] == ["Moss Lane Hall"]
    assert "uncategorised" in (tmp_path / "private.csv").read_text(encoding="utf-8-sig")
    assert UNCATEGORISED not in [c["id"] for c in public_map["categories"]]
    to_sort = next(c for c in private_map["categories"] if c["id"] == UNCATEGORISED)
    assert to_sort["label"] == "To sort" and to_sort["count"] == 1
    west = next(r for r in result.neighbourhoods if r["name"] == "West")
    assert UNCATEGORISED not in west["counts"] and sum(v for k, v in west["counts"].items() if k != "people") == 1
    assert result.meta["assets_to_sort"] == 1 and result.meta["assets_counted"] == 1


def test_a_draft_made_public_in_qgis_is_private_again(empty_project: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "data.csv", ["Mystery Place"])
    with Project.open(empty_project) as project:
        import_file(project, path)
    with sqlite3.connect(empty_project) as conn:  # as QGIS would write it
        conn.execute("UPDATE assets SET visibility = 'public'")
    with Project.open(empty_project) as project:
        asset = project.assets().iloc[0]
        notices = project.notices
    assert asset["visibility"] == "private" and asset["category"] == UNCATEGORISED
    assert any("visibility 'private' (was 'public')" in n for n in notices)
    with sqlite3.connect(empty_project) as conn:  # sorting it in QGIS: a kind says its category
        conn.execute("UPDATE assets SET kind = 'physical/village_hall'")
    with Project.open(empty_project) as project:
        assert project.assets().iloc[0]["category"] == "physical"


@pytest.mark.parametrize("tags, kind", [
    ({"historic": "memorial", "memorial": "plaque"}, "culture/blue_plaque"),
    ({"historic": "memorial", "memorial": "war_memorial"}, "culture/monument"),
    ({"amenity": "pub", "listed_status": "Grade II"}, "economy/pub"),
    ({"building": "yes", "listed_status": "Grade II*"}, "culture/listed_building"),
    ({"shop": "charity"}, "economy/charity_shop"),
    ({"shop": "bakery"}, "economy/shop"),
    ({"leisure": "garden", "garden:type": "community"}, "physical/community_garden"),
    ({"leisure": "garden"}, "physical/park"),
    ({"amenity": "clinic", "healthcare": "dentist"}, "institutions/dentist"),
    ({"amenity": "kindergarten"}, "institutions/nursery"),
    ({"amenity": "university"}, "institutions/college"),
    ({"leisure": "nature_reserve"}, "physical/nature_reserve"),
    ({"amenity": "community_centre", "emergency": "defibrillator"}, "physical/community_centre"),
])
def test_openstreetmap_tags_map_onto_the_richer_taxonomy(tags: dict[str, str], kind: str) -> None:
    assert TAX.kind_for_osm_tags(tags) == kind
