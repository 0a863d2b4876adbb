"""Postcode lookups on the command line: several at once, folders, the project's remembered lookup, --people.

The lookups are real OS Code-Point Open rows taken from sample_data (no header row, as OS ships them),
split into files and folders the way users have them; expected places are read from the same rows.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import shapely

from assetmap.cli import main
from assetmap.core.project import Project

CODEPOINT = Path(__file__).resolve().parents[1] / "sample_data" / "postcodes" / "codepoint_open_trafford.csv"
WEST = ("M33 2LJ", "M33 2QW", "M33 2RJ")  # inside the West square of the empty_project fixture


def codepoint_lines(postcodes: tuple[str, ...]) -> dict[str, tuple[str, float, float]]:
    """The sample lookup's own lines for these postcodes: (line as OS wrote it, easting, northing)."""
    found = {}
    with open(CODEPOINT, encoding="utf-8") as fh:
        for line in fh:
            row = next(csv.reader([line]))
            if row[0] in postcodes:
                found[row[0]] = (line, float(row[2]), float(row[3]))
    assert set(found) == set(postcodes)
    return found


def write_lookup(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, Any, str]:
    """The CLI in this process: (exit code, parsed JSON or text, stderr)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, out, err


def clubs_csv(path: Path, postcodes: tuple[str, ...]) -> Path:
    """A list of clubs with a postcode and nothing else to place them by, as voluntary sector lists come."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Club", "Post Code", "Contact"])
        for i, pc in enumerate(postcodes):
            writer.writerow([f"Club {i + 1}", pc.lower().replace(" ", ""), ""])  # typed any old way
    return path


def places(project_path: Path) -> dict[str, tuple[float, float] | None]:
    with Project.open(project_path, readonly=True) as project:
        assets = project.assets()
    return {n: (None if g is None else (g.x, g.y)) for n, g in zip(assets["name"], assets.geometry)}


def test_postcodes_given_twice_are_both_used(empty_project: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    rows = codepoint_lines(WEST)
    first = write_lookup(tmp_path / "lookups" / "m33_a.csv", [rows["M33 2LJ"][0], rows["M33 2QW"][0]])
    second = write_lookup(tmp_path / "lookups" / "m33_b.csv", [rows["M33 2RJ"][0]])
    data = clubs_csv(tmp_path / "clubs.csv", WEST)
    code, report, err = run(capsys, "import", empty_project, data, "--category", "associations",
                            "--postcodes", first, "--postcodes", second, "--json")
    assert code == 0, err
    assert (report["imported"], report["unlocated"]) == (3, 0)
    merged = next(n for n in report["notes"] if n.startswith("postcode lookup"))
    assert "2 from m33_a.csv" in merged and "1 from m33_b.csv" in merged
    located = places(empty_project)
    for i, pc in enumerate(WEST):
        assert located[f"Club {i + 1}"] == pytest.approx(rows[pc][1:])


def test_a_folder_of_lookups_with_subfolders_is_read_whole(empty_project: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Code-Point Open unzips to Data/CSV/<area>.csv beside Doc/ (whose CSVs are no lookups)."""
    rows = codepoint_lines(WEST)
    root = tmp_path / "codepo_gb"
    write_lookup(root / "Data" / "CSV" / "m.csv", [rows["M33 2LJ"][0], rows["M33 2QW"][0]])
    write_lookup(root / "Data" / "CSV" / "wa.csv", [rows["M33 2RJ"][0]])
    write_lookup(root / "Doc" / "Code-Point_Open_Column_Headers.csv", ["PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n"])
    data = clubs_csv(tmp_path / "clubs.csv", WEST)
    code, report, err = run(capsys, "import", empty_project, data, "--category", "associations",
                            "--postcodes", root, "--json")
    assert code == 0, err
    assert (report["imported"], report["unlocated"]) == (3, 0)
    assert any("3 postcodes from folder codepo_gb (2 CSV files)" in n for n in report["notes"])


def test_code_point_and_an_ons_directory_in_degrees_merge(empty_project: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """An ONS Postcode Directory extract (a header, lat/long in degrees) beside Code-Point eastings."""
    rows = codepoint_lines(WEST)
    codepoint = write_lookup(tmp_path / "cp.csv", [rows["M33 2LJ"][0]])
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(*rows["M33 2QW"][1:])
    ons = tmp_path / "onspd_extract.csv"
    ons.write_text(f"pcd,pcds,dointr,lat,long\nM33 2QW,M33 2QW,199001,{lat:.6f},{lon:.6f}\n", encoding="utf-8")
    data = clubs_csv(tmp_path / "clubs.csv", WEST[:2])
    code, report, err = run(capsys, "import", empty_project, data, "--category", "associations",
                            "--postcodes", codepoint, "--postcodes", ons, "--json")
    assert code == 0, err
    assert report["imported"] == 2
    assert places(empty_project)["Club 2"] == pytest.approx(rows["M33 2QW"][1:], abs=0.5)  # 6 decimals ≈ 0.1 m


def test_the_lookup_is_remembered_for_later_imports(empty_project: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    lookup = shutil.copy(CODEPOINT, tmp_path / "codepoint.csv")
    code, report, err = run(capsys, "import", empty_project, clubs_csv(tmp_path / "a.csv", WEST[:1]),
                            "--category", "associations", "--postcodes", lookup, "--json")
    assert code == 0 and report["imported"] == 1, err
    assert any("remembered for this project" in n for n in report["notes"])
    with Project.open(empty_project, readonly=True) as project:
        assert project.get_setting("postcode_lookups") == [str(Path(lookup).resolve())]

    code, report, err = run(capsys, "import", empty_project, clubs_csv(tmp_path / "b.csv", WEST[1:2]),
                            "--category", "associations", "--json")  # no --postcodes this time
    assert code == 0, err
    assert (report["imported"], report["unlocated"]) == (1, 0)
    assert any(n.startswith("used the postcode lookup remembered for this project: 6,482 postcodes")
               for n in report["notes"])

    code, report, err = run(capsys, "import", empty_project, clubs_csv(tmp_path / "c.csv", WEST[2:]),
                            "--category", "associations", "--no-postcodes", "--json")
    assert code == 0, err
    assert (report["imported"], report["unlocated"]) == (0, 1)
    assert any("was not used this time" in n for n in report["notes"])

    Path(lookup).unlink()  # moved or deleted since: a note, not a failure
    code, text, err = run(capsys, "import", empty_project, clubs_csv(tmp_path / "d.csv", ("M33 2XL",)),
                          "--category", "associations")
    assert code == 0, err
    assert "remembered for this project is no longer there" in text and str(Path(lookup).resolve()) in text
    assert "0 without a location" not in text and "1 without a location" in text


def test_people_import_uses_the_remembered_lookup(empty_project: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    lookup = write_lookup(tmp_path / "m33.csv", [v[0] for v in codepoint_lines(WEST).values()])
    run(capsys, "import", empty_project, clubs_csv(tmp_path / "a.csv", WEST[:1]), "--category", "associations",
        "--postcodes", lookup)
    skills = tmp_path / "skills.csv"
    skills.write_text("Name,Skills,Consent,Consent date,Postcode\nAnn,baking,yes,2026-09-01,M33 2QW\n",
                      encoding="utf-8")
    code, report, err = run(capsys, "import", empty_project, skills, "--people", "--json")
    assert code == 0, err
    assert report["imported"] == 1 and any("remembered" in n for n in report["notes"])
    with Project.open(empty_project, readonly=True) as project:
        assert project.people().iloc[0]["neighbourhood_code"] == "E01000001"


def test_bad_lookup_choices_are_refused_plainly(empty_project: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = clubs_csv(tmp_path / "clubs.csv", WEST[:1])
    code, _out, err = run(capsys, "import", empty_project, data, "--postcodes", CODEPOINT, "--no-postcodes")
    assert code == 2 and "exclude each other" in err
    code, _out, err = run(capsys, "import", empty_project, data, "--postcodes", tmp_path / "nowhere.csv")
    assert code == 1 and err.count("\n") == 1 and "nowhere.csv: the postcode lookup does not exist" in err
    not_lookup = tmp_path / "notes"
    not_lookup.mkdir()
    (not_lookup / "readme.csv").write_text("title,text\nhello,world\n", encoding="utf-8")
    code, _out, err = run(capsys, "import", empty_project, data, "--postcodes", not_lookup)
    assert code == 1 and "is not a postcode lookup" in err and "folder" in err
    with Project.open(empty_project, readonly=True) as project:
        assert project.count("assets") == 0 and project.get_setting("postcode_lookups") is None


def test_help_documents_the_folder_form(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "a folder of them" in text and "Repeatable" in text and "--no-postcodes" in text


def test_several_lookups_and_folders_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Importing your own data", 1)[1].split("\n## ", 1)[0]
    assert "--postcodes" in section and "folder" in section and "--no-postcodes" in section


def test_a_point_placed_from_the_lookup_is_inside_its_neighbourhood(empty_project: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The merged lookup's points are in the project's CRS (not swapped, not in degrees)."""
    code, _report, err = run(capsys, "import", empty_project, clubs_csv(tmp_path / "a.csv", WEST),
                             "--category", "associations", "--postcodes", CODEPOINT, "--json")
    assert code == 0, err
    west = shapely.box(380000, 390000, 381000, 391000)
    assert all(west.contains(shapely.Point(xy)) for xy in places(empty_project).values())
