"""A project's own kinds: added, listed, used by imports (file names, type columns, OpenStreetMap tags) and
exports, and removed again only when nothing uses them; ``assetmap kinds`` and the checks behind it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assetmap.cli import main
from assetmap.core.analysis.rules import ensure_project_rules, set_project_rules
from assetmap.core.errors import AssetmapError
from assetmap.core.export.webdata import build_map_data
from assetmap.core.imports.pipeline import ImportOptions, import_file
from assetmap.core.project import Project
from assetmap.core.project.kinds import KindError, add_kind, kind_id_for, list_kinds, remove_kind
from assetmap.core.project.outside import OutsideEditError

REPO = Path(__file__).resolve().parents[1]
RUTLAND = REPO / "sample_data" / "rutland_osm" / "rutland-latest.osm.pbf"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assetmap", *args], capture_output=True, text=True, check=False)


def test_add_derives_the_id_and_refuses_names_already_taken(empty_project: Path) -> None:
    assert kind_id_for("Men's Shed (Sale)", "associations") == "associations/mens_shed_sale"
    assert kind_id_for("Café Lido", "physical") == "physical/cafe_lido"
    with Project.open(empty_project) as project:
        kind = add_kind(project, "Skate park", category="physical", osm=["leisure=skatepark"])
        assert (kind.id, kind.custom) == ("physical/skate_park", True)
        assert project.taxonomy.kinds["physical/skate_park"].osm == ("leisure=skatepark",)
        # "skate park" was a synonym of playgrounds: in this project it now means the project's own kind
        assert project.taxonomy.kind_for_text("Skate park") == "physical/skate_park"
        assert project.taxonomy.kind_for_text("Victoria Road Skate Park") == "physical/skate_park"
        for label, why in [("Library", "already the name of Library"), ("Skate park", "already a kind"),
                           ("x", "at least two characters")]:
            with pytest.raises(KindError, match=why):
                add_kind(project, label, category="physical")
        with pytest.raises(KindError, match="'parks' is not a category"):
            add_kind(project, "Lido", kind_id="parks/lido")
        with pytest.raises(KindError, match="not an OpenStreetMap tag"):
            add_kind(project, "Lido", category="physical", osm=["leisure swimming"])
        with pytest.raises(KindError, match="not a kind id"):
            add_kind(project, "Lido", kind_id="physical/Lido Pool")
        assert [k["id"] for k in list_kinds(project) if k["custom"]] == ["physical/skate_park"]
    with Project.open(empty_project, readonly=True) as again:  # stored in the file, for whoever opens it
        assert again.get_setting("taxonomy_additions")[0]["label"] == "Skate park"
        assert "physical/skate_park" in again.taxonomy.kinds


def test_a_new_kind_is_used_by_imports_and_shown_in_exports(empty_project: Path, tmp_path: Path) -> None:
    with Project.open(empty_project) as project:
        add_kind(project, "Skate park", category="physical")
        add_kind(project, "Community sauna", category="physical", synonyms=["sauna"])
    file = tmp_path / "skate_parks.csv"  # the file's name names the project's own kind
    file.write_text("name,easting,northing\nVictoria Bowl,380200,390200\nSt Mary's School Ramp,380300,390250\n",
                    encoding="utf-8")
    typed = tmp_path / "list.csv"  # a type column in the project's own words
    typed.write_text("name,type,easting,northing\nLake Sauna,Sauna,380400,390300\n", encoding="utf-8")
    with Project.open(empty_project) as project:
        report = import_file(project, file)
        import_file(project, typed)
        assets = project.assets().set_index("name")
        legend = build_map_data(project)["assets"]["kinds"]
    assert report.theme["kind"] == "physical/skate_park" and "the file is called skate_parks.csv" in report.notes[-1]
    assert set(assets.loc[["Victoria Bowl", "St Mary's School Ramp"], "kind"]) == {"physical/skate_park"}
    assert assets.loc["Lake Sauna", "kind"] == "physical/community_sauna"
    assert {"id": "physical/community_sauna", "label": "Community sauna"} in legend
    done = _cli("assets", str(empty_project), "--json")
    assert done.returncode == 0 and "physical/skate_park" in {a["kind"] for a in json.loads(done.stdout)}
    via_cli = _cli("import", str(empty_project), str(typed), "--kind", "physical/skate_park", "--dry-run", "--json")
    assert via_cli.returncode == 0, via_cli.stderr
    assert json.loads(via_cli.stdout)["theme"]["source"] == "--kind"


def test_remove_is_refused_while_assets_or_rules_use_the_kind(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        add_kind(project, "Skate park", category="physical")
        asset = project.add_asset({"name": "Bowl", "category": "physical", "kind": "physical/skate_park"})
        with pytest.raises(AssetmapError, match="1 asset is Skate park; give it another kind first"):
            remove_kind(project, "physical/skate_park")
        with pytest.raises(KindError, match="comes with assetmap"):
            remove_kind(project, "physical/park")
        project.update_asset(asset, {"kind": "physical/playground"})
        rules = ensure_project_rules(project).to_dict()
        rules["rules"][0]["kinds"].append("physical/skate_park")
        set_project_rules(project, rules)
        with pytest.raises(AssetmapError, match="the gap rule .a place to meet. counts Skate park"):
            remove_kind(project, "physical/skate_park")
        rules["rules"][0]["kinds"].remove("physical/skate_park")
        set_project_rules(project, rules)
        assert remove_kind(project, "physical/skate_park")["label"] == "Skate park"
        assert "physical/skate_park" not in project.taxonomy.kinds  # the cached taxonomy follows
        assert project.get_setting("taxonomy_additions") == []


def test_another_handle_sees_kinds_added_since_it_opened(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        worker = Project.attach(empty_project)  # as a GUI job has its own handle
        try:
            assert "physical/lido" not in worker.taxonomy.kinds
            add_kind(project, "Lido", category="physical")
            worker.assets()  # any read checks for changes made by others
            assert "physical/lido" in worker.taxonomy.kinds
        finally:
            worker.close()


def test_openstreetmap_tags_of_a_projects_own_kind(tmp_path: Path) -> None:
    path = tmp_path / "rutland.gpkg"
    Project.create(path, 27700)
    with Project.open(path) as project:
        add_kind(project, "Wildlife hide", category="physical", osm=["leisure=wildlife_hide", "leisure=bird_hide"])
        report = import_file(project, RUTLAND, ImportOptions(kind=None))
        kinds = project.assets()["kind"].value_counts()
    assert kinds["physical/wildlife_hide"] > 20  # Rutland Water's hides, which the shipped list has no kind for
    assert report.imported + report.unlocated + report.duplicates + report.rejected == report.rows


def test_kinds_command(empty_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kinds", str(empty_project), "--add", "physical/skate_park", "--label", "Skate park",
                 "--synonym", "skatepark", "--osm", "leisure=skatepark", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["added"]["id"] == "physical/skate_park" and added["added"]["synonyms"] == ["skatepark"]
    assert added["took_over"] == ["'Skate park' (Playground or play area)"]
    assert main(["kinds", str(empty_project), "--add", "culture", "--label", "Mural"]) == 0
    assert "Added culture/mural (Mural)" in capsys.readouterr().out
    assert main(["kinds", str(empty_project), "--json", "--category", "physical"]) == 0
    listed = json.loads(capsys.readouterr().out)
    own = [k for k in listed if k["custom"]]
    assert [k["id"] for k in own] == ["physical/skate_park"] and {k["category"] for k in listed} == {"physical"}
    assert main(["kinds", str(empty_project)]) == 0
    assert "physical/skate_park" in capsys.readouterr().out
    bad = _cli("kinds", str(empty_project), "--add", "physical/park", "--label", "Parkland")
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "assetmap kinds: --add physical/park: physical/park is already a kind (Park or public garden)"]
    with Project.open(empty_project) as project:
        project.add_asset({"name": "Wall art", "kind": "culture/mural"})
    used = _cli("kinds", str(empty_project), "--remove", "culture/mural")
    assert used.returncode == 1 and "1 asset is Mural" in used.stderr and "Traceback" not in used.stderr
    assert _cli("kinds", str(empty_project), "--label", "Lido").returncode == 2  # --label without --add


def test_a_kinds_setting_broken_outside_assetmap_is_one_clear_error(empty_project: Path) -> None:
    with sqlite3.connect(empty_project) as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('taxonomy_additions', ?)",
                     (json.dumps([{"id": "parks/skate", "label": "Skate"}]),))
    with pytest.raises(OutsideEditError, match="taxonomy_additions.*'parks' is not a category"):
        Project.open(empty_project)
    done = _cli("assets", str(empty_project))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
