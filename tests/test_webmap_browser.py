"""The exported web map in a real browser (Debian's chromium driven by Playwright), opened from file://.

One browser for the module; each test gets a fresh context so listeners and routes don't leak.
"""

from __future__ import annotations

import base64
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from assetmap.core.export import write_webmap
from assetmap.core.project import Project

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
TILE_HOST = "tile.openstreetmap.org"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5E"
                       "rkJggg==")

_spec = importlib.util.spec_from_file_location("export_projects", Path(__file__).parent / "data/export/projects.py")
projects = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(projects)  # type: ignore[union-attr]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")

COUNT_JS = """() => {
  const markers = document.querySelectorAll('.am-marker').length;
  const clusters = Array.from(document.querySelectorAll('.am-cluster-count')).map(e => Number(e.dataset.count));
  return {markers, clusters: clusters.length, inClusters: clusters.reduce((a, b) => a + b, 0)};
}"""


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("webmap")
    project = folder / "p.gpkg"
    expected = projects.build(project)
    projects.write_maps(project, folder)
    return {"dir": folder, "expected": expected}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


class Page:
    """A page with its console errors, requests and dialogs recorded."""

    def __init__(self, browser: Any, *, bypass_csp: bool = False, tiles: str = "fulfil") -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=bypass_csp)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

        def route(r: Any) -> None:
            if urlparse(r.request.url).hostname == TILE_HOST and tiles == "fulfil":
                r.fulfill(status=200, content_type="image/png", body=PNG)
            elif r.request.url.startswith("file://"):
                r.continue_()
            else:
                r.abort()  # nothing leaves this machine in tests

        self.page.route("**/*", route)

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-assetmap-ready]", state="attached", timeout=15000)
        self.page.wait_for_timeout(150)  # let the last cluster icons be placed
        return self.page

    def hosts(self) -> set[str]:
        return {urlparse(u).hostname or "" for u in self.requests if not u.startswith(("file:", "data:"))}

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def make(**kwargs: Any) -> Page:
        pages.append(Page(browser, **kwargs))
        return pages[-1]

    yield make
    for p in pages:
        p.close()


def test_offline_page_makes_no_request_and_logs_no_error(maps: dict, tab: Any) -> None:
    t = tab()
    page = t.open(maps["dir"] / "offline.html")
    assert t.errors == [] and t.dialogs == []
    assert t.hosts() == set()
    assert all(u.startswith("file://") for u in t.requests) and len(t.requests) == 1
    assert page.evaluate("typeof L.markerClusterGroup") == "function"


def test_basemap_tiles_are_the_only_requests(maps: dict, tab: Any) -> None:
    t = tab()
    t.open(maps["dir"] / "public.html")
    assert t.errors == []
    assert t.hosts() == {TILE_HOST}


def test_map_is_usable_when_tiles_fail(maps: dict, tab: Any) -> None:
    t = tab(tiles="abort")
    page = t.open(maps["dir"] / "public.html")
    counts = page.evaluate(COUNT_JS)
    assert counts["markers"] + counts["inClusters"] == maps["expected"]["public_located"]
    assert "could not be loaded" in page.text_content("#am-basemap-status")
    assert all(TILE_HOST in e or "ERR_FAILED" in e for e in t.errors)  # only the failed tiles complain


def test_markers_plus_clusters_equal_public_located_assets(maps: dict, tab: Any) -> None:
    page = tab().open(maps["dir"] / "offline.html")
    counts = page.evaluate(COUNT_JS)
    assert counts["clusters"] >= 1  # 40 shops a few metres apart are clustered
    assert counts["markers"] + counts["inClusters"] == maps["expected"]["public_located"]


def test_toggling_a_category_hides_its_markers(maps: dict, tab: Any) -> None:
    page = tab().open(maps["dir"] / "offline.html")
    economy = page.locator(".leaflet-control-layers-overlays label", has_text="Local economy")
    index = page.evaluate("JSON.parse(document.getElementById('assetmap-data').textContent)"
                          ".categories.findIndex(c => c.id === 'economy')")
    cls = f".am-cat-{index}"  # markers and clusters carry their category's class
    assert page.locator(cls).count() >= 1
    economy.locator("input").uncheck()
    page.wait_for_timeout(100)
    assert page.locator(cls).count() == 0
    counts = page.evaluate(COUNT_JS)
    assert counts["markers"] + counts["inClusters"] == maps["expected"]["public_located"] - maps["expected"]["economy"]
    economy.locator("input").check()
    page.wait_for_timeout(100)
    assert page.locator(cls).count() >= 1


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_name_shows_as_text_and_never_runs(maps: dict, tab: Any, bypass_csp: bool) -> None:
    t = tab(bypass_csp=bypass_csp)
    page = t.open(maps["dir"] / "public.html")
    page.locator(".am-rowbtn", has_text=projects.HOSTILE).click()
    popup = page.locator(".leaflet-popup-content .am-popup")
    popup.wait_for(timeout=5000)
    assert popup.locator("h3").text_content() == projects.HOSTILE
    assert projects.HOSTILE2 in popup.text_content()
    assert popup.locator("a").count() == 1 and popup.locator("a").get_attribute("href") == "https://example.org/hall"
    page.locator(".leaflet-popup-close-button").click()
    popup.wait_for(state="detached")
    page.locator(".am-rowbtn", has_text="{{ 7*7 }}").click()
    popup.wait_for()
    assert popup.locator("a").count() == 0  # no website, no link (a javascript: one cannot reach a project)
    page.locator("#am-list-body").scroll_into_view_if_needed()
    page.mouse.click(300, 500)  # the West neighbourhood, whose name and flag are hostile
    page.fill("#am-search-input", "<img")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None and t.dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], #am-list script, .leaflet-popup script, "
                         "b[onmouseover]').length") == 0
    assert page.title() == "<b>Our</b> assets {{ 7*7 }}"
    assert page.text_content("#am-title") == "<b>Our</b> assets {{ 7*7 }}"
    assert not [u for u in t.requests if u.endswith("/x")]


def test_flagged_neighbourhood_popup_lists_flags_and_safe_skills(maps: dict, tab: Any) -> None:
    t = tab()
    page = t.open(maps["dir"] / "offline.html")
    page.evaluate("""() => { const m = window.assetmap.map; m.eachLayer(l => {
        if (l.feature && l.feature.properties && l.feature.properties.code === 'E01000001') l.openPopup(); }); }""")
    popup = page.locator(".leaflet-popup-content .am-popup")
    popup.wait_for()
    text = popup.text_content()
    # a resident's words, built from the rule and the share (the rule's title shown as text, markup and all);
    # the team's sentence, with its hostile script, is not published at all
    assert projects.HOOD_HOSTILE in text
    assert "Most of this area is further than 800 m from A place to meet <i>nearby</i>" in text
    assert "Only 41% of West" not in text and "__pwned=4" not in text
    assert "cooking (3)" in text and "juggling" not in text and "fewer than 3" in text
    assert page.evaluate("window.__pwned") is None and t.errors == []


def test_private_data_is_nowhere_in_the_public_file(maps: dict) -> None:
    for name in ("public.html", "offline.html"):
        text = (maps["dir"] / name).read_text(encoding="utf-8")
        for secret in projects.PRIVATE_STRINGS:
            assert secret not in text, (name, secret)
        for field in ('"phone"', '"email"', '"contact_name"', '"notes"', "Private map"):
            assert field not in text


def test_private_export_says_so_at_the_top_and_includes_everything(maps: dict, tab: Any) -> None:
    t = tab()
    page = t.open(maps["dir"] / "private.html")
    assert t.errors == []
    first = page.evaluate("document.body.querySelector('.am-private, header').className")
    assert first == "am-private" and "Private map" in page.text_content("#am-private")
    text = (maps["dir"] / "private.html").read_text(encoding="utf-8")
    assert "Secret Garden Club" in text and "SECRETNOTE" in text and "juggling" in text
    rows = page.locator("#am-list-body tr").count()
    assert rows == maps["expected"]["private_total"]
    assert "Green space" in page.text_content(".am-legend")


def test_list_has_one_row_per_asset_reachable_with_tab(maps: dict, tab: Any) -> None:
    page = tab().open(maps["dir"] / "offline.html")
    assert page.locator("#am-list-body tr").count() == maps["expected"]["public"]
    assert page.locator("#am-list-body .am-rowbtn").count() == maps["expected"]["public_located"]
    page.locator("body").click(position={"x": 5, "y": 5})
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('am-rowbtn')"):
            break
    else:
        pytest.fail("no row of the list could be reached with Tab")
    name = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content .am-popup h3")
    popup.wait_for()
    assert popup.text_content() == name
    page.select_option("#am-filter-category", label="Local economy (40)")
    assert page.locator("#am-list-body tr").count() == maps["expected"]["economy"]
    assert "Showing 1–40 of 40" in page.text_content("#am-list-status")


def test_skip_link_and_search(maps: dict, tab: Any) -> None:
    page = tab().open(maps["dir"] / "offline.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "am-skip"
    page.fill("#am-search-input", "central")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#am-search-input", "aria-activedescendant") == "am-opt-0"
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content .am-popup h3").wait_for()
    assert page.text_content(".leaflet-popup-content h3") == "Central Library"


def test_legend_explains_the_shading(maps: dict, tab: Any) -> None:
    page = tab().open(maps["dir"] / "offline.html")
    legend = page.locator(".am-legend")
    assert legend.count() == 1 and legend.get_attribute("role") == "region"
    text = legend.text_content()
    for label in ("Associations", "Institutions", "Physical spaces", "Local economy", "Culture and heritage"):
        assert label in text
    assert "A place to meet <i>nearby</i>" in text and "800 m" in text and "Target: 90%" in text
    assert "flagged" in text
    assert page.locator(".am-legend svg").count() >= 5  # a shape per category, not colour alone
    assert page.locator(".am-legend i").count() == 0


def test_desktop_api_set_data_select_and_click(maps: dict, tab: Any) -> None:
    page = tab().open(maps["dir"] / "offline.html")
    page.evaluate("""() => {
        window.clicked = [];
        window.assetmap.onAssetClick = (id, source) => window.clicked.push([id, source]);
        const data = JSON.parse(document.getElementById('assetmap-data').textContent);
        window.firstId = data.assets.rows[0][0];
        const economy = data.categories.findIndex(c => c.id === 'economy');
        data.assets.rows = data.assets.rows.filter(r => r[2] !== economy);
        data.meta.title = 'Updated';
        window.assetmap.setData(data);
    }""")
    page.wait_for_selector("html[data-assetmap-ready]", state="attached")
    page.wait_for_timeout(100)
    counts = page.evaluate(COUNT_JS)
    expected = maps["expected"]["public_located"] - maps["expected"]["economy"]
    assert counts["markers"] + counts["inClusters"] == expected
    assert page.text_content("#am-title") == "Updated"
    assert page.evaluate("window.assetmap.selectAsset(window.firstId)") is True
    page.locator(".leaflet-popup-content .am-popup").wait_for()
    page.locator(".am-marker").first.click()
    assert page.evaluate("window.clicked.length") == 1 and page.evaluate("window.clicked[0][1]") == "map"


def test_marker_and_cluster_icons_sit_on_their_places(tmp_path: Path, tab: Any) -> None:
    """Each drawn icon is centred on its coordinates (a CSS slip once laid cluster icons out in flow,
    so every cluster after the first drifted down the page)."""
    import shapely

    path = tmp_path / "clusters.gpkg"
    Project.create(path, 27700)
    with Project.open(path) as p:
        for town, (x, y) in enumerate([(380000, 390000), (390000, 400000), (370000, 395000)]):
            for i in range(15):
                p.add_asset({"name": f"Shop {town}-{i}", "kind": "economy/shop"}, shapely.Point(x + 5 * i, y))
        p.add_asset({"name": "Lone hall", "kind": "physical/village_hall"}, shapely.Point(385000, 392000))
        write_webmap(p, tmp_path / "clusters.html", basemap=False)
    page = tab().open(tmp_path / "clusters.html")
    offsets = page.evaluate("""() => {
      const map = window.assetmap.map, box = map.getContainer().getBoundingClientRect(), out = [];
      map.eachLayer(l => {
        if (!l._icon || !l.getLatLng) return;
        const r = l._icon.getBoundingClientRect(), p = map.latLngToContainerPoint(l.getLatLng());
        out.push(Math.hypot(r.left + r.width / 2 - box.left - p.x, r.top + r.height / 2 - box.top - p.y));
      });
      return out;
    }""")
    assert len(offsets) == 4  # three clusters and a marker
    assert max(offsets) < 3, offsets


def test_only_medium_or_high_gaps_are_outlined(tmp_path: Path, tab: Any) -> None:
    """Every neighbourhood may lack some category (a low flag); the outline picks out the serious gaps."""
    import json

    import geopandas as gpd
    import shapely

    hoods = gpd.GeoDataFrame({"code": ["A", "B"], "name": ["Serious", "Minor"], "population": [10, 10],
                              "imd_decile": [1, 9]},
                             geometry=[shapely.box(380000, 390000, 381000, 391000),
                                       shapely.box(381000, 390000, 382000, 391000)], crs=27700)
    path = tmp_path / "flags.gpkg"
    Project.create(path, 27700, neighbourhoods=hoods)
    with Project.open(path) as p:
        p.add_asset({"name": "Hall", "kind": "physical/village_hall"}, shapely.Point(380500, 390500))
        with p.transaction() as conn:
            for code, severity in (("A", "high"), ("B", "low")):
                flag = {"rule": "meet", "severity": severity, "message": f"a {severity} gap"}
                conn.execute("INSERT INTO gap_results (code, result) VALUES (?, ?)",
                             (code, json.dumps({"code": code, "coverage": {"meet": 0.5}, "flags": [flag]})))
        write_webmap(p, tmp_path / "flags.html", basemap=False)
    page = tab().open(tmp_path / "flags.html")
    dashed = page.evaluate("Array.from(document.querySelectorAll('.leaflet-am-hoods-pane path'))"
                           ".map(p => p.getAttribute('stroke-dasharray'))")
    assert sorted(d or "" for d in dashed) == ["", "8 5"]
