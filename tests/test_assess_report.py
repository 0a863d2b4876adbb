"""The one-page report: hostile text escaped everywhere, no external resources, the map, the gap results,
and (in headless Chromium) the name, scores and dates on one A4 page with no network requests."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import shapely
from test_assess_helpers import full_assessment, hall, open_hall  # noqa: F401 (fixtures)

from assetmap.core.assessments import add_assessment, default_criteria_data, set_project_criteria
from assetmap.core.assessments.pdf import html_to_pdf
from assetmap.core.assessments.report import render_report, write_report
from assetmap.core.errors import AssetmapError
from assetmap.core.project import Project

EVIL = '<script>alert(1)</script>"><img src=x onerror=alert(2)>&amp;'
TODAY = date(2024, 3, 5)
GAP = {"code": "E01000001", "name": "West", "population": 1500, "counts": {"physical": 1, "associations": 0},
       "coverage": {"place_to_meet": 0.41}, "priority": 1,
       "flags": [{"rule": "place_to_meet", "severity": "high",
                  "message": "Only 41% of West is within 800 m of a place to meet; target 90%"}]}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.extend(attrs)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def _insert_gap(project: Project, result: dict) -> None:
    with project.transaction() as conn:
        conn.execute("INSERT INTO gap_results (code, result) VALUES (?, ?)", (result["code"], json.dumps(result)))


def _hostile_everything(project: Project, asset_id: str) -> str:
    project.update_asset(asset_id, {"name": EVIL + " Hall", "address": EVIL, "postcode": "B1 1AA",
                                    "website": "https://example.org/hall"})
    project.replace_neighbourhoods(project.neighbourhoods().assign(name=EVIL + " ward"))
    data = default_criteria_data()
    for c in data["criteria"]:
        c["title"] = EVIL
    set_project_criteria(project, data)
    raw = full_assessment()
    raw.update(assessor=EVIL, community_benefit=EVIL, reasons=EVIL, risks=[EVIL], conditions=[EVIL], notes=EVIL)
    raw["building"].update(current_use=EVIL, groups_using=[EVIL, "Scouts"])
    raw["organisation"] = {k: EVIL for k in ("name", "legal_form", "governance", "finances", "building_experience")}
    rec = add_assessment(project, asset_id, raw)
    _insert_gap(project, {**GAP, "counts": {EVIL: 3}, "coverage": {EVIL: 0.5},
                          "flags": [{"rule": EVIL, "severity": EVIL, "message": EVIL}], "priority": EVIL})
    return rec["id"]


def test_hostile_text_in_every_field_is_escaped(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    _hostile_everything(project, asset_id)
    html = render_report(project, asset_id, today=TODAY)
    parsed = _parse(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not [name for name, _ in parsed.attrs if name.startswith("on")]
    assert "<script" not in html.lower() and "<img" not in html.lower()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;"
    assert html.count(escaped) >= 15  # name, title, address, ward, assessor, texts, organisation, gaps...
    assert f"<h1>{escaped} Hall</h1>" in html
    assert f"<title>{escaped} Hall: asset transfer assessment</title>" in html
    assert "76.0" in html


def test_report_has_no_external_resources(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    _hostile_everything(project, asset_id)
    html = render_report(project, asset_id, today=TODAY)
    assert "http://" not in html and "https://" not in html  # not even the asset's website
    assert not re.search(r"""(?:src|href|xlink:href)\s*=\s*["']?\s*(?:[a-z]+:)?//""", html, re.I)
    assert "@import" not in html and not re.search(r"url\(", html)
    assert "<link" not in html and "<script" not in html


def test_report_shows_facts_scores_acv_and_recommendation(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    add_assessment(project, asset_id, {**full_assessment(), "date": "2023-01-10", "recommendation": "do_not_transfer",
                                       "reasons": "No business plan yet"})
    add_assessment(project, asset_id, {**full_assessment(), "market_value": 2_600_000, "tenure":
                                       {"type": "lease", "lease_years": 20}})
    html = render_report(project, asset_id, today=TODAY)
    assert "<h1>Elm Road Hall</h1>" in html and "Community centre" in html
    assert "76.0<small> / 100</small>" in html and "Transfer with conditions" in html
    assert "Community benefit</text>" in html and ">5/5</text>" in html and ">2/5</text>" in html
    for iso in ("2019-12-01", "2020-01-26", "2020-01-20", "2025-01-20", "2024-02-29", "2024-04-11", "2024-08-29",
                "2025-08-29"):
        assert f'<time datetime="{iso}">' in html
    assert "Interim moratorium ends" in html and "in 37 days" in html
    assert "Secretary of State consent" in html and "25-year threshold" in html
    assert "£2,600,000" in html and "£2,599,999" in html and "lease, 20 years" in html
    assert 'class="cond cond-poor">poor<' in html and "Friends of Elm Road Hall" in html
    assert "Earlier assessments:" in html and "Do not transfer" in html


def test_map_draws_the_building_in_its_neighbourhood(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    add_assessment(project, asset_id, full_assessment())
    html = render_report(project, asset_id, today=TODAY)
    svg = re.search(r'<svg class="map".*?</svg>', html, re.S).group(0)
    assert svg.count('class="nb-home"') == 1 and svg.count('class="nb"') == 1  # West shaded, East outlined
    assert 'class="asset"' in svg and ">500 m</text>" in svg
    assert "Elm Road Hall in West" in html
    project.update_asset(asset_id, {"geometry": shapely.Point(381500, 390500)})
    assert "Elm Road Hall in East" in render_report(project, asset_id, today=TODAY)


def test_gap_results_of_the_neighbourhood_or_not_run_yet(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    add_assessment(project, asset_id, full_assessment())
    html = render_report(project, asset_id, today=TODAY)
    assert "Gap analysis not run yet" in html
    _insert_gap(project, GAP)
    _insert_gap(project, {**GAP, "code": "E01000002", "name": "East", "flags": [
        {"rule": "play", "severity": "high", "message": "East has no play area"}]})
    html = render_report(project, asset_id, today=TODAY)
    assert "Gap analysis not run yet" not in html
    assert "Only 41% of West is within 800 m of a place to meet; target 90%" in html
    assert "a place to meet: 41%" in html and "Priority rank 1" in html and "IMD decile 2" in html
    assert "East has no play area" not in html


def test_unassessed_and_unlocated_asset_still_gets_a_report(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        asset_id = project.add_asset({"name": "Old Library", "category": "physical", "acv_status": "nominated"})
        html = render_report(project, asset_id, today=TODAY)
    assert "Not assessed yet" in html and "Not placed on the map yet" in html
    assert "The building is not in a neighbourhood" in html


def test_a_chosen_assessment_and_one_of_another_asset(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    old = add_assessment(project, asset_id, {**full_assessment(), "date": "2023-01-10", "reasons": "Old reasons"})
    add_assessment(project, asset_id, full_assessment())
    assert "Old reasons" in render_report(project, asset_id, assessment_id=old["id"], today=TODAY)
    other = project.add_asset({"name": "Library", "category": "physical"})
    with pytest.raises(AssetmapError, match="another asset"):
        render_report(project, other, assessment_id=old["id"], today=TODAY)


def _chromium() -> str:
    pytest.importorskip("playwright.sync_api")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("no Chromium on this machine")
    return path


def test_report_in_headless_chromium_makes_no_requests(open_hall, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    project, asset_id = open_hall
    add_assessment(project, asset_id, full_assessment())
    _insert_gap(project, GAP)
    out = write_report(project, asset_id, tmp_path / "report.html", today=TODAY)
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(out.as_uri(), wait_until="networkidle")
        text = page.inner_text("body")
        svg_count = page.locator("svg").count()
        browser.close()
    assert requests == [out.as_uri()] and errors == []
    assert "Elm Road Hall" in text and "76.0" in text and "5/5" in text
    assert "2024-04-11" in text and "2025-01-20" in text and "Transfer with conditions" in text
    assert svg_count == 2  # map and score chart


def _printed_height_mm(html: str, font: str | None = None) -> float:
    """How tall the report lays out in Chromium's print media at A4's printable width, in millimetres.

    This measures what matters (does the content fit the page the stylesheet sets?) rather than where one
    browser version breaks pages; ``font`` replaces the stylesheet's fonts, to try the fallbacks machines have.
    """
    from playwright.sync_api import sync_playwright

    css = re.search(r"@page\s*{[^}]*margin:\s*([\d.]+)mm\s+([\d.]+)mm", html)
    assert css, "the report sets its A4 margins in @page"
    width_mm = 210 - 2 * float(css.group(2))
    px_per_mm = 96 / 25.4
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": round(width_mm * px_per_mm), "height": 400})
            page.emulate_media(media="print")
            page.set_content(html)
            if font:
                page.add_style_tag(content=f"html, body, * {{ font-family: '{font}' !important; }}")
            bottom = page.evaluate("Math.max(...[...document.body.querySelectorAll('*')]"
                                   ".map(e => e.getBoundingClientRect().bottom))")
        finally:
            browser.close()
    return float(bottom) / px_per_mm


def test_pdf_is_one_a4_page(open_hall, tmp_path: Path) -> None:  # noqa: F811
    _chromium()
    project, asset_id = open_hall
    raw = full_assessment()
    long = "word " * 300
    raw.update(community_benefit=long, reasons=long, risks=[long] * 10, conditions=[long] * 10)
    raw["building"].update(current_use=long, groups_using=[f"Group {i}" for i in range(60)])
    raw["organisation"] = {k: long for k in ("name", "legal_form", "governance", "finances", "building_experience")}
    raw.update(tenure={"type": "lease", "lease_years": 10}, market_value=3_000_000)  # both notes
    project.update_asset(asset_id, {"name": "Elm Road Hall and Community Rooms of the Parish of St Mary",
                                    "address": long})
    add_assessment(project, asset_id, raw)
    _insert_gap(project, {**GAP, "flags": GAP["flags"] * 6,
                          "counts": {c: 2 for c in ("physical", "associations", "institutions", "economy", "culture")},
                          "coverage": {r: 0.5 for r in ("place_to_meet", "green_space", "play_area", "density")}})
    html = render_report(project, asset_id, today=TODAY)
    margin = re.search(r"@page\s*{[^}]*margin:\s*([\d.]+)mm", html)
    printable_mm = 297 - 2 * float(margin.group(1))
    # The longest report fits A4 in the stylesheet's own fonts and in the wider fallbacks a machine may have instead.
    for font in (None, "DejaVu Sans", "Liberation Sans"):
        assert _printed_height_mm(html, font) <= printable_mm, font
    out = write_report(project, asset_id, tmp_path / "report.pdf", today=TODAY)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/MediaBox [0 0 595" in data or b"/MediaBox [0 0 594" in data  # A4: 595 x 842 pt
    assert b"/StructTreeRoot" in data and b"/MarkInfo" in data  # a tagged PDF, for screen readers
    assert html_to_pdf("<p>x</p>").startswith(b"%PDF")
