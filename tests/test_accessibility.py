"""Accessibility of the two pages assetmap shares: the web map and the one-page assessment report.

axe-core (vendored, tests/vendor/axe-core/) runs its WCAG 2.1 A and AA rules inside Debian's
Chromium on each page in the states a visitor meets (just opened, a popup open, search results
showing, a private map, the real Trafford sample with 772 assets); no violation of serious or
critical impact may be left. Keyboard tests then drive the map with Tab, Enter, Space and Escape
only, as someone without a mouse would, and the report is checked for its text alternatives and
its print size.

No rule is switched off: Leaflet's own markup passes once the page fixes what it can from outside
(see resources/web/assetmap.js). Should a rule ever have to be excluded for Leaflet's markup, it
goes in ``LEAFLET_EXCLUSIONS`` with the reason beside it.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assetmap.core.analysis import run_gaps
from assetmap.core.assessments import add_assessment
from assetmap.core.assessments.report import write_report
from assetmap.core.export import write_webmap
from assetmap.core.project import Project
from assetmap.core.sample import build_sample

sync_api = pytest.importorskip("playwright.sync_api")
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
AXE = HERE / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
# Rules excluded because the violation is in Leaflet's own markup and cannot be fixed from outside,
# each with the reason. Empty: everything axe found has been fixed.
LEAFLET_EXCLUSIONS: dict[str, str] = {}
# Not an exclusion, a work-around for axe: Leaflet 1.9.4 gives basemap tiles `mix-blend-mode: plus-lighter`
# (against hairline gaps between tiles in Chromium), a blend mode axe 4.14 cannot compute, so its
# color-contrast rule errors out and checks nothing on a page with tiles (Leaflet/Leaflet#9699). The page
# keeps Leaflet's style for its visitors; only while axe runs do the (blank, test) tiles blend normally.
AXE_TILE_STYLE = "img.leaflet-tile { mix-blend-mode: normal !important; }"
FULL_ASSESSMENT = HERE / "data" / "assess" / "full.json"

_spec = importlib.util.spec_from_file_location("export_projects", HERE / "data/export/projects.py")
projects = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(projects)  # type: ignore[union-attr]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")

# What has focus, in a form a failure message can show.
ACTIVE_JS = """() => { const a = document.activeElement;
  return {tag: a.tagName, id: a.id, cls: typeof a.className === 'string' ? a.className : '',
          type: a.type || '',
          text: (a.getAttribute('aria-label') || a.title || a.textContent || '').trim().slice(0, 60),
          inMap: !!a.closest('.leaflet-container'), inPopup: !!a.closest('.leaflet-popup'),
          outline: getComputedStyle(a).outlineStyle,
          outlineWidth: parseFloat(getComputedStyle(a).outlineWidth) || 0}; }"""


# ---- the pages -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fixture project's maps and a report, and the real sample's map and report."""
    folder = tmp_path_factory.mktemp("a11y")
    fixture = folder / "fixture.gpkg"
    expected = projects.build(fixture)
    projects.write_maps(fixture, folder)
    with Project.open(fixture) as p:
        assets = p.assets()
        story = str(assets.loc[assets["name"] == "Story Walk", "id"].iloc[0])  # no location, not assessed
        write_report(p, story, folder / "report-unassessed.html")
    sample, _ = build_sample(folder / "trafford.gpkg")
    with Project.open(sample) as p:
        run_gaps(p)
        assets = p.assets()
        library = str(assets.loc[assets["name"] == "Altrincham Library", "id"].iloc[0])
        add_assessment(p, library, json.loads(FULL_ASSESSMENT.read_text(encoding="utf-8")))
        write_report(p, library, folder / "report.html")
        write_webmap(p, folder / "sample.html")
        n_sample = len(p.assets(include_private=False))
    return {"dir": folder, "expected": expected, "sample_assets": n_sample}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """Opens a page in a fresh context; basemap tiles answer with a blank tile, nothing else leaves."""
    contexts: list[Any] = []

    def opener(path: Path, *, ready: bool = True, width: int = 1280, height: int = 800) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        blank = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d"
                              "49444154789c63f8cfc0f01f0005000201a5f5cd5b0000000049454e44ae426082")

        def route(r: Any) -> None:
            if r.request.url.startswith("file://"):
                r.continue_()
            elif "tile.openstreetmap.org" in r.request.url:
                r.fulfill(status=200, content_type="image/png", body=blank)
            else:
                r.abort()

        page.route("**/*", route)
        page.goto(path.as_uri())
        if ready:
            page.wait_for_selector("html[data-assetmap-ready]", state="attached", timeout=20000)
            page.wait_for_timeout(200)  # the last cluster icons are placed
        return page

    yield opener
    for c in contexts:
        c.close()


# ---- axe -------------------------------------------------------------------------------------

def run_axe(page: Any) -> dict[str, Any]:
    """axe's WCAG 2.1 A/AA results for the page as it is now (injected as the page's CSP allows)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    page.evaluate("""(css) => { if (document.getElementById('axe-tiles')) return;
        const s = document.createElement('style');
        s.id = 'axe-tiles'; s.textContent = css; document.head.appendChild(s); }""", AXE_TILE_STYLE)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS},
               "rules": {rule: {"enabled": False} for rule in LEAFLET_EXCLUSIONS}}
    results = page.evaluate("async (o) => JSON.parse(JSON.stringify(await axe.run(document, o)))", options)
    errors = [f"{r['id']}: {c['data']}" for r in results["incomplete"] for n in r["nodes"]
              for c in n["any"] + n["all"] + n["none"] if c["id"] == "error-occurred"]
    assert not errors, f"axe could not run every rule: {errors[:3]}"  # an error would hide what it missed
    return results


def assert_no_serious_violations(page: Any, where: str) -> dict[str, Any]:
    results = run_axe(page)
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    lines = [f"{v['id']} ({v['impact']}): {v['help']} at "
             + "; ".join(" ".join(n["target"]) + " " + n["html"][:120] for n in v["nodes"][:5])
             for v in blocking]
    assert not blocking, f"axe on {where}:\n" + "\n".join(lines)
    passed = {r["id"] for r in results["passes"]}
    # axe really looked: these rules have something to check on every page here
    assert {"html-has-lang", "document-title", "color-contrast"} <= passed, (where, sorted(passed))
    return results


def test_axe_is_the_pinned_version_and_catches_a_known_fault(site: dict, open_page: Any) -> None:
    """The harness is not vacuous: the same run reports a fault put into the page on purpose."""
    page = open_page(site["dir"] / "offline.html")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate("axe.version") == "4.14.1"
    page.evaluate("""() => { document.documentElement.removeAttribute('lang');
                             document.querySelector('.am-legend-head button').textContent = ''; }""")
    found = {v["id"]: v["impact"] for v in run_axe(page)["violations"]}
    assert found.get("html-has-lang") == "serious" and found.get("button-name") == "critical", found


def test_web_map_just_opened(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "public.html")
    assert_no_serious_violations(page, "the public map, just opened")
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.errors == []


def popup_settled(page: Any) -> None:
    """Wait until the open popup has faded in and the map stopped moving: axe reads colours as drawn, and text
    in a popup still fading in is paler than it will be (a link once failed the contrast check that way)."""
    page.wait_for_function("""() => { const p = document.querySelector('.leaflet-popup');
        return !!p && getComputedStyle(p).opacity === '1' && window.assetmap.settled(); }""")


def test_web_map_with_a_popup_and_search_results_open(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "public.html")
    page.evaluate("""() => { const d = JSON.parse(document.getElementById('assetmap-data').textContent);
        window.assetmap.selectAsset(d.assets.rows.find(r => r[1] === 'Central Library')[0]); }""")
    page.locator(".leaflet-popup-content .am-popup a").wait_for()  # the library's website link
    page.fill("#am-search-input", "corner")  # ten results in the listbox, the popup still open
    assert page.locator("#am-search-results [role=option]").count() == 10
    assert page.locator(".leaflet-popup").count() == 1
    popup_settled(page)
    assert_no_serious_violations(page, "the map with an asset popup and search results")


def test_web_map_with_a_neighbourhood_popup_and_the_legend_hidden(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "public.html")
    page.locator(".am-legend-head button").click()
    page.locator("#am-hood-body .am-rowbtn", has_text="West").click()
    page.locator(".leaflet-popup-content .am-popup .am-flags").wait_for()
    popup_settled(page)
    assert_no_serious_violations(page, "the map with the West neighbourhood's popup and the legend hidden")


def test_private_web_map(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "private.html")
    assert_no_serious_violations(page, "the private map")


def test_real_sample_web_map(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "sample.html")
    results = assert_no_serious_violations(page, "the Trafford sample map")
    contrast = next(r for r in results["passes"] if r["id"] == "color-contrast")
    assert len(contrast["nodes"]) > 50  # the header, list, legend and layer labels were measured


@pytest.mark.parametrize("media", ["screen", "print"])
@pytest.mark.parametrize("name", ["report.html", "report-unassessed.html"])
def test_report(site: dict, open_page: Any, name: str, media: str) -> None:
    page = open_page(site["dir"] / name, ready=False, width=794, height=1123)  # A4 at 96 dpi
    page.emulate_media(media=media)
    assert_no_serious_violations(page, f"{name} ({media})")


# ---- keyboard: the map -----------------------------------------------------------------------

def wait_js(page: Any, expression: str, timeout_ms: int = 5000) -> None:
    """Wait until ``expression`` is true in the page (``wait_for_function`` needs eval, which the CSP forbids)."""
    for _ in range(timeout_ms // 50):
        if page.evaluate(f"(() => !!({expression}))()"):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


def tab_until(page: Any, test: str, limit: int = 120) -> list[dict[str, Any]]:
    """Press Tab until ``test`` (JS on document.activeElement, as ``a``) holds; every stop on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(ACTIVE_JS))
        if page.evaluate(f"(() => {{ const a = document.activeElement; return !!({test}); }})()"):
            return seen
    raise AssertionError(f"Tab never reached {test}: {[(s['tag'], s['cls'][:30], s['text'][:25]) for s in seen]}")


def test_tab_reaches_search_map_layers_legend_and_list_in_order_with_visible_focus(site: dict,
                                                                                   open_page: Any) -> None:
    page = open_page(site["dir"] / "offline.html")
    stops = tab_until(page, "a.classList.contains('am-rowbtn')")
    kinds = []
    for s in stops:
        if s["cls"] == "am-skip":
            kinds.append("skip")
        elif s["id"] == "am-search-input":
            kinds.append("search")
        elif "leaflet-container" in s["cls"]:
            kinds.append("map")
        elif "leaflet-control-zoom" in s["cls"]:
            kinds.append("zoom")
        elif "leaflet-control-layers-selector" in s["cls"]:
            kinds.append("layer")
        elif s["text"] == "Hide legend":
            kinds.append("legend")
        elif "leaflet-marker-icon" in s["cls"]:
            kinds.append("marker")
        elif s["cls"] == "am-rowbtn":
            kinds.append("row")
        else:
            kinds.append("other")
    # skip link first; then the search; the map; its controls before its many markers; the list last
    first = {k: kinds.index(k) for k in ("skip", "search", "map", "zoom", "layer", "legend", "marker", "row")}
    assert first["skip"] == 0 and first["search"] == 1, kinds
    order = [first[k] for k in ("search", "map", "zoom", "layer", "legend", "marker", "row")]
    assert order == sorted(order), kinds
    n_overlays = page.locator(".leaflet-control-layers-selector").count()
    assert kinds.count("layer") == n_overlays >= 6  # neighbourhoods and five categories, each a checkbox
    assert len(stops) < 60  # the controls are a few Tabs from the map, not behind every marker
    assert page.locator(".leaflet-control-layers").get_attribute("role") == "group"
    for s in stops:  # focus is always visible
        assert s["outline"] != "none" and s["outlineWidth"] >= 2, s
    names = page.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-control-layers-selector'))
        .map(i => i.closest('label').textContent.replace(/\\s+/g, ' ').trim())""")
    assert any(n.startswith("Neighbourhoods: A place to meet <i>nearby</i>") for n in names), names
    assert "Local economy (40)" in names, names


def test_skip_link_moves_focus_to_the_list(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "offline.html")
    page.keyboard.press("Tab")
    box = page.locator(".am-skip").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0  # on screen while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "am-list"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "am-filter-category"


def test_enter_on_a_list_row_opens_its_popup_and_escape_returns(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "offline.html")
    tab_until(page, "a.classList.contains('am-rowbtn') && a.textContent === 'Central Library'", limit=200)
    page.keyboard.press("Enter")
    heading = page.locator(".leaflet-popup-content .am-popup h3")
    heading.wait_for()
    assert heading.text_content() == "Central Library"
    wait_js(page, "document.activeElement.closest('.leaflet-popup') !== null")
    assert page.evaluate("document.activeElement.tagName") == "H3"  # the popup is read from its name down
    page.keyboard.press("Tab")
    link = page.evaluate(ACTIVE_JS)
    assert link["tag"] == "A" and link["inPopup"] and link["text"] == "https://library.example.org"
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE_JS)["text"] == "Close popup"
    page.keyboard.press("Escape")
    heading.wait_for(state="detached")
    back = page.evaluate(ACTIVE_JS)
    assert back["cls"] == "am-rowbtn" and back["text"] == "Central Library", back
    assert page.locator("#am-list-body tr.am-selected").get_attribute("data-id")


def test_space_and_enter_work_the_map_controls_and_markers(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "offline.html")
    zoom = page.evaluate("""() => { window.zooms = 0; window.assetmap.map.on('zoomend', () => { window.zooms += 1; });
                                    return window.assetmap.map.getZoom(); }""")
    tab_until(page, "a.classList.contains('leaflet-control-zoom-in')")
    page.keyboard.press("Space")  # Leaflet's zoom links answer Enter only, buttons Space too
    wait_js(page, "window.zooms === 1")
    page.keyboard.press("Enter")
    wait_js(page, "window.zooms === 2")
    assert page.evaluate("window.assetmap.map.getZoom()") == zoom + 2
    page.evaluate("window.assetmap.fitAll(false)")
    page.wait_for_timeout(300)

    economy = page.locator(".leaflet-control-layers-overlays label", has_text="Local economy").locator("input")
    tab_until(page, "a.closest('label') && a.closest('label').textContent.includes('Local economy')")
    page.keyboard.press("Space")
    assert not economy.is_checked()
    page.keyboard.press("Space")
    assert economy.is_checked()

    tab_until(page, "a.closest('.am-legend-head')")
    page.keyboard.press("Enter")
    assert page.get_attribute(".am-legend-head button", "aria-expanded") == "false"
    assert page.locator("#am-legend-body").is_hidden()
    page.keyboard.press("Space")
    assert page.get_attribute(".am-legend-head button", "aria-expanded") == "true"
    assert page.locator("#am-legend-body").is_visible()

    stops = tab_until(page, "a.classList.contains('am-marker')")
    marker = stops[-1]
    assert marker["text"]  # the icon's name is the asset's name
    page.keyboard.press("Space")
    heading = page.locator(".leaflet-popup-content .am-popup h3")
    heading.wait_for()
    assert heading.text_content() == marker["text"]
    wait_js(page, "document.activeElement.tagName === 'H3'")
    page.keyboard.press("Escape")
    heading.wait_for(state="detached")
    assert page.evaluate(ACTIVE_JS)["text"] == marker["text"]  # back on the marker
    page.keyboard.press("Enter")  # Enter opens it as well
    heading.wait_for()
    assert heading.text_content() == marker["text"]


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_a_cluster_opens_up_from_the_keyboard(site: dict, open_page: Any, key: str) -> None:
    page = open_page(site["dir"] / "offline.html")
    stops = tab_until(page, "a.classList.contains('am-cluster')")
    assert "Local economy, zoom in" in stops[-1]["text"]  # count and category, not a bare number
    before = page.evaluate("[window.assetmap.map.getZoom(), document.querySelectorAll('.am-marker').length]")
    page.keyboard.press(key)
    # zoomed in, or (shops a few metres apart, still together at the deepest zoom) spread out as markers
    wait_js(page, f"window.assetmap.map.getZoom() > {before[0]} || "
                           f"document.querySelectorAll('.am-marker').length > {before[1]}")
    active = page.evaluate(ACTIVE_JS)
    assert active["inMap"], active  # focus stays on the map, not dropped on the page's body


def test_search_by_keyboard_announces_matches_and_gives_focus_back(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "offline.html")
    tab_until(page, "a.id === 'am-search-input'")
    page.keyboard.type("central")
    wait_js(page, "document.getElementById('am-announce').textContent.includes('1 match')")
    assert page.get_attribute("#am-search-input", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#am-search-input", "aria-activedescendant") == "am-opt-0"
    page.keyboard.press("Enter")
    heading = page.locator(".leaflet-popup-content .am-popup h3")
    heading.wait_for()
    assert heading.text_content() == "Central Library"
    wait_js(page, "document.activeElement.tagName === 'H3'")
    page.keyboard.press("Escape")
    heading.wait_for(state="detached")
    assert page.evaluate("document.activeElement.id") == "am-search-input"


def test_neighbourhoods_list_gives_the_shading_and_gaps_as_text(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "offline.html")
    rows = page.locator("#am-hood-body tr")
    assert page.locator("#am-hoodlist").is_visible() and rows.count() == 2
    assert page.text_content("#am-hood-indicator") == "A place to meet <i>nearby</i> (share covered)"
    east, west = (rows.nth(i).locator("th, td").all_text_contents() for i in range(2))
    assert east == ["East", "95%", "None", "2"]
    assert west == [projects.HOOD_HOSTILE, "41%", "1 high", "1"]  # the hostile name, as text
    assert page.evaluate("document.querySelectorAll('b[onmouseover]').length") == 0
    assert "Target: 90%" in page.text_content("#am-hoodlist-note")
    tab_until(page, "a.closest('#am-hood-body')", limit=200)
    assert page.evaluate("document.activeElement.textContent") == "East"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # West
    popup = page.locator(".leaflet-popup-content .am-popup")
    popup.wait_for()
    assert "Most of this area is further than 800 m from A place to meet" in popup.text_content()
    wait_js(page, "document.activeElement.tagName === 'H3'")
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    assert page.evaluate("document.activeElement.textContent") == projects.HOOD_HOSTILE


def test_pager_keeps_focus_when_a_button_turns_off(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "sample.html")
    pages = -(-site["sample_assets"] // 200)
    assert pages >= 3
    page.focus("#am-next")
    for _ in range(pages - 1):
        page.keyboard.press("Enter")
    assert page.text_content("#am-page") == f"Page {pages} of {pages}"
    assert page.evaluate("document.activeElement.id") == "am-prev"  # not dropped on the page's body
    assert f"of {site['sample_assets']} assets" in page.text_content("#am-list-status")


def test_a_row_focused_going_back_up_is_not_under_the_sticky_header(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "sample.html")
    page.locator("#am-list-body .am-rowbtn").nth(60).focus()
    for _ in range(20):
        page.keyboard.press("Shift+Tab")
    page.wait_for_timeout(100)
    row, head = page.evaluate("""() => { const a = document.activeElement;
        return [a.getBoundingClientRect().top,
                a.closest('table').tHead.rows[0].cells[0].getBoundingClientRect().bottom]; }""")
    assert page.evaluate("document.activeElement.className") == "am-rowbtn"
    assert row >= head, (row, head)


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_cluster_counts_and_legend_text_contrast(site: dict, open_page: Any) -> None:
    """axe leaves one- and two-digit cluster counts to a person ("too short to tell"): measured here."""
    page = open_page(site["dir"] / "sample.html")
    pairs = page.evaluate("""() => Array.from(
        document.querySelectorAll('.am-cluster-count, .am-legend li, .am-legend h2'))
        .map(e => { const s = getComputedStyle(e); let bg = s.backgroundColor, p = e;
          while (bg === 'rgba(0, 0, 0, 0)' && p.parentElement) {
            p = p.parentElement; bg = getComputedStyle(p).backgroundColor; }
          return [e.className || e.tagName, s.color, bg]; })""")
    assert sum(1 for p in pairs if p[0] == "am-cluster-count") >= 10
    low = [(name, round(_contrast(fg, bg), 2)) for name, fg, bg in pairs if _contrast(fg, bg) < 4.5]
    assert not low, low


def test_private_map_says_so_first_in_title_and_landmarks(site: dict, open_page: Any) -> None:
    private = open_page(site["dir"] / "private.html")
    assert private.title().startswith("Private: ")
    banner = private.get_by_role("region", name="Private map.")
    assert banner.count() == 1 and "Do not publish or forward it" in banner.text_content()
    tree = private.locator("body").aria_snapshot()
    assert tree.index("region \"Private map.\"") < tree.index("banner")  # before the header, the first landmark
    public = open_page(site["dir"] / "offline.html")
    assert "Private" not in public.title()
    assert public.get_by_role("region", name="Private map.").count() == 0


def test_focus_ring_on_the_map_shows_on_any_background(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "offline.html")
    tab_until(page, "a.classList.contains('am-marker')")
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {outline: s.outlineStyle, colour: s.outlineColor, width: parseFloat(s.outlineWidth),
                shadow: s.boxShadow}; }""")
    assert style["outline"] == "solid" and style["width"] >= 3 and style["colour"] == "rgb(11, 87, 208)"
    assert "rgb(255, 255, 255)" in style["shadow"]  # a white halo: the blue ring shows on dark shading too


# ---- the report ------------------------------------------------------------------------------

def test_report_score_chart_has_a_text_alternative(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "report.html", ready=False, width=794, height=1123)
    assert page.locator("svg.chart").get_attribute("aria-hidden") == "true"
    table = page.get_by_role("table", name="Scores by criterion, each out of 5")
    assert table.count() == 1
    rows = [r.locator("th, td").all_text_contents() for r in table.locator("tbody tr").all()]
    criteria = json.loads(FULL_ASSESSMENT.read_text(encoding="utf-8"))["scores"]
    assert len(rows) == len(criteria) + 1
    assert rows[0] == ["Community benefit", "5 out of 5", "30", "30.0 of 30.0"]
    assert rows[-1] == ["Total", "", "", "76.0 of 100"]
    tree = page.locator("body").aria_snapshot()
    assert "5 out of 5" in tree and "Community benefit" in tree
    map_name = page.get_by_role("img").first.get_attribute("aria-label")
    assert map_name == "Map of Altrincham Library in Trafford 025B (Altrincham)"
    # drawn for the eye, not on the page twice
    box = page.locator(".visually-hidden").bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1


def test_report_landmarks_headings_and_warnings_in_words(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "report.html", ready=False, width=794, height=1123)
    assert page.get_attribute("html", "lang") == "en-GB"
    for role in ("banner", "main", "contentinfo"):
        assert page.get_by_role(role).count() == 1, role
    levels = page.evaluate("Array.from(document.querySelectorAll('h1,h2,h3')).map(h => Number(h.tagName[1]))")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels  # no level skipped
    assert page.get_by_role("heading", name="Conditions", level=3).count() == 1
    assert page.get_by_role("heading", name="Risks", level=3).count() == 1
    scopes = page.evaluate("Array.from(document.querySelectorAll('table th'))"
                           ".filter(th => !th.closest('.visually-hidden')).map(th => th.getAttribute('scope'))")
    assert len(scopes) > 20 and set(scopes) == {"row"}  # each fact is read with its label


def test_report_text_is_readable_when_printed(site: dict, open_page: Any) -> None:
    page = open_page(site["dir"] / "report.html", ready=False, width=794, height=1123)
    page.emulate_media(media="print")
    smallest = page.evaluate("""() => {
      let least = Infinity, where = '';
      for (const el of document.querySelectorAll('body *')) {
        if (el.closest('.visually-hidden')
            || !Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        let px = parseFloat(getComputedStyle(el).fontSize);
        const svg = el.closest('svg');
        if (svg) px *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;  // drawn at the SVG's scale
        if (px < least) { least = px; where = el.tagName + ' ' + el.textContent.slice(0, 30); }
      }
      return [least * 0.75, where];  // CSS px to printed points
    }""")
    assert smallest[0] >= 6.0, smallest
    # colours of the recommendation and condition badges print even with background graphics off
    adjust = page.evaluate("getComputedStyle(document.querySelector('.rec')).printColorAdjust")
    assert adjust == "exact"
    text = page.inner_text("body")
    assert "Transfer with conditions" in text and "poor" in text  # said in words, not colour alone
