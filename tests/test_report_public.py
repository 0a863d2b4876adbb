"""The building report says whether it is internal or public, and long fields keep it to one page (issue 11).

Internal (the default) counts private assets and exact numbers of residents and says on the page that it
is not for publication; ``--public`` counts only public assets and treats fewer than 3 residents as none,
like the public map. A 200,000-character assessor, name or neighbourhood is shortened with a visible note.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import shapely
from test_assess_helpers import HALL_POINT, add_hall, full_assessment, hall  # noqa: F401 (fixture)
from test_assess_report import TODAY, _chromium, _printed_height_mm

from assetmap.cli import main
from assetmap.core.assessments import add_assessment
from assetmap.core.assessments.report import render_report
from assetmap.core.project import Project

WEST = "E01000001"


def _text(html: str) -> str:
    """What a reader sees: the page without its tags and styles."""
    html = re.sub(r"<(style|title)>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def busy_west(empty_project: Path) -> tuple[Path, str]:
    """The hall in West with a private meeting place next to it and two residents: a gap run stored."""
    hall = add_hall(empty_project)
    with Project.open(empty_project) as p:
        p.add_asset({"name": "Safe House", "kind": "physical/community_centre", "visibility": "private"},
                    shapely.Point(HALL_POINT.x + 50, HALL_POINT.y))
        for name in ("Ann", "Bo"):
            p.add_person({"display_name": name, "skills": "cooking", "consent": "yes", "consent_on": "2024-01-02",
                          "neighbourhood_code": WEST})
        add_assessment(p, hall, full_assessment())
    assert main(["gaps", str(empty_project), "--json"]) == 0
    return empty_project, hall


def _gaps(html: str) -> str:
    return re.search(r"<h2>Gaps in.*?</section>", html, re.S).group(0)


def _report(path: Path, hall: str, out: Path, *extra: str) -> str:
    assert main(["report", str(path), hall, "--out", str(out), "--today", TODAY.isoformat(), *extra]) == 0
    return out.read_text(encoding="utf-8")


def test_the_default_report_is_internal_and_says_so(busy_west: tuple[Path, str], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path, hall = busy_west
    text = _text(_report(path, hall, tmp_path / "r.html"))
    assert "Internal: not for publication" in text
    assert "physical 2" in text and "people 2" in text  # the private house and the exact residents


def test_a_public_report_counts_what_the_public_map_does(busy_west: tuple[Path, str], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path, hall = busy_west
    html = _report(path, hall, tmp_path / "r.html", "--public")
    text = _text(html)
    with Project.open(path, readonly=True) as p:  # nothing written back: the stored run stays the team's
        stored = p.connection.execute("SELECT result FROM gap_results WHERE code = ?", (WEST,)).fetchone()[0]
    assert json.loads(stored)["counts"]["people"] == 2
    assert "Internal" not in text and "not for publication" not in text
    assert "Public: private assets are not counted" in text
    assert "physical 1" in text and "people 0" in text and "people 2" not in text
    assert "Safe House" not in html
    with Project.open(path) as p:  # as with no residents at all: counts, flags and rank
        for person in p.people()["id"]:
            p.delete_person(person)
    none = _report(path, hall, tmp_path / "none.html", "--public")
    assert _gaps(html) == _gaps(none)


def test_a_public_report_on_a_private_asset_is_refused(busy_west: tuple[Path, str], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = busy_west
    with Project.open(path, readonly=True) as p:
        secret = str(p.assets().query("visibility == 'private'")["id"].iloc[0])
    capsys.readouterr()
    assert main(["report", str(path), secret, "--out", str(tmp_path / "r.html"), "--public"]) == 1
    err = capsys.readouterr().err.strip()
    assert "private" in err and "\n" not in err and not (tmp_path / "r.html").exists()
    assert main(["report", str(path), secret, "--out", str(tmp_path / "r.html")]) == 0  # internal: fine


HUGE = 200_000


def _huge_fields(path: Path, hall: str) -> None:
    word = "Longname"
    with Project.open(path) as p:
        p.set_setting("name", "Project " * (HUGE // 8))
        p.update_asset(hall, {"name": word * (HUGE // 8), "address": "Road " * (HUGE // 5)})
        p.replace_neighbourhoods(p.neighbourhoods().assign(name="Ward " * (HUGE // 5)))
        raw = full_assessment()
        raw.update(assessor="Assessor " * (HUGE // 9), notes="n" * HUGE, reasons="r" * HUGE)
        add_assessment(p, hall, raw)
    assert main(["gaps", str(path), "--json"]) == 0  # its flags name the huge neighbourhood


def test_huge_fields_are_shortened_with_a_note(hall: tuple[Path, str],  # noqa: F811
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path, asset_id = hall
    _huge_fields(path, asset_id)
    with Project.open(path, readonly=True) as p:
        html = render_report(p, asset_id, today=TODAY)
    assert len(html) < 60_000  # the whole page, CSS and map included
    assert "Assessor Assessor" in html and "…" in html
    assert "Long text ending in … is shortened here; the project holds it in full." in _text(html)


def test_huge_fields_keep_the_report_on_one_a4_page(hall: tuple[Path, str],  # noqa: F811
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _chromium()
    path, asset_id = hall
    _huge_fields(path, asset_id)
    with Project.open(path, readonly=True) as p:
        html = render_report(p, asset_id, today=TODAY)
    margin = re.search(r"@page\s*{[^}]*margin:\s*([\d.]+)mm", html)
    printable_mm = 297 - 2 * float(margin.group(1))
    for font in (None, "DejaVu Sans"):
        assert _printed_height_mm(html, font) <= printable_mm, font
