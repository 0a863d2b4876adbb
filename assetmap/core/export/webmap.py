"""The web map export: one self-contained HTML file built with folium, and the page the desktop reuses.

folium builds the page skeleton, the Leaflet map and the basemap layer; everything folium would
load from CDNs is replaced by inlined copies (``webassets``), and the markers, list, search and
legend are drawn in the browser by ``resources/web/assetmap.js`` from one embedded JSON block
(``webdata``), so each asset is in the file once. User text never passes through folium's Jinja
templates (where ``{{ }}`` would be evaluated) nor into HTML unescaped: it is in the JSON, with
``<`` escaped, and the page only ever inserts it as text. A Content-Security-Policy with hashes of
the page's own scripts is a second line of defence, and stops any request except basemap tiles.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure
from folium.template import Template

from assetmap.core.export.webassets import load_web_assets
from assetmap.core.export.webdata import build_map_data
from assetmap.core.export.webpage import page_body
from assetmap.core.progress import Progress, ensure_progress
from assetmap.core.project.atomic import atomic_path

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
PAGE_LANG = "en-GB"  # the page's own words (labels, legend, notes) are British English
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


class RawHtml(Element):
    """Markup that is emitted as it is, never rendered as a Jinja template."""

    def __init__(self, markup: str) -> None:
        super().__init__("")
        self._markup = markup

    def render(self, **kwargs: Any) -> str:
        return self._markup


class LeafletMap(folium.Map):
    """folium's Map without its CDN links, viewport lock or map div (the page lays the div out)."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
                center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }},
                ...{{ this.options|tojavascript }}
            });
        {% endmacro %}
        """
    )


def json_for_script(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` or line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _tile_origin(url: str) -> str:
    match = re.match(r"^(https?://[^/]+)", url.replace("{s}.", "*."))
    return match.group(1) if match else ""


def _csp(page: str, tiles: str | None, extra_sources: Sequence[str]) -> str:
    hashes = []
    for body in _SCRIPT.findall(page):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    img = "data:" + (f" {_tile_origin(tiles)}" if tiles else "")
    extra = " ".join(extra_sources)
    return (f"default-src 'none'; script-src {' '.join(hashes)} {extra}; style-src 'unsafe-inline'; "
            f"img-src {img}; connect-src 'none' {extra}; base-uri 'none'; form-action 'none'").replace("  ", " ")


def render_webmap_html(data: dict[str, Any], *, basemap: bool = True, tiles: str = OSM_TILES,
                       tiles_attribution: str = OSM_ATTRIBUTION, embed_data: bool = True,
                       extra_head: str = "", extra_sources: Sequence[str] = ()) -> str:
    """The whole page as text: the one rendering path for the export and the desktop map view.

    ``embed_data=False`` leaves the data out (the desktop then calls ``assetmap.setData``);
    ``extra_head`` is trusted markup for the desktop (e.g. the qwebchannel.js script tag) and
    ``extra_sources`` the CSP sources it needs (e.g. ``qrc:``).
    """
    meta = data["meta"]
    bounds = data.get("bounds") or [[51.5, -0.13], [51.5, -0.13]]
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    leaflet_map = LeafletMap(location=centre, zoom_start=13, tiles=None, control_scale=True)
    leaflet_map.options.update(max_zoom=19, min_zoom=2)  # clustering needs a maxZoom even without tiles
    if basemap:
        folium.TileLayer(tiles=tiles, attr=tiles_attribution, name="Basemap", max_zoom=19,
                         control=False).add_to(leaflet_map)
    figure = Figure()
    figure.add_child(leaflet_map)
    assets = load_web_assets()
    title = ("Private: " if meta.get("private") else "") + str(meta["title"])  # the page script sets the same
    head = ['<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">', "<!--CSP-->",
            f"<title>{html.escape(title)}</title>",
            f"<!--\nInlined third-party code keeps its licence notices:\n\n{assets.licences}\n-->"]
    head += [f"<style>{css}</style>" for css in assets.styles]
    head += [f"<script>{js}</script>" for js in assets.scripts]
    if extra_head:
        head.append(extra_head)
    figure.header.add_child(RawHtml("\n".join(head)), name="assetmap_head")
    body = page_body(meta, leaflet_map.get_name())
    if embed_data:
        body += f'\n<script type="application/json" id="assetmap-data">{json_for_script(data)}</script>'
    figure.html.add_child(RawHtml(body), name="assetmap_body")
    options = json_for_script({"basemap": bool(basemap), "embedded": bool(embed_data)})
    # Runs after folium's own script has created the map (folium writes its script last).
    figure.script.add_child(RawHtml(
        f"document.addEventListener('DOMContentLoaded', function () {{ window.assetmap.init({leaflet_map.get_name()}, "
        f"{options}); }});"), name="assetmap_init")
    page = figure.render()
    # folium writes a bare <html>; screen readers need the language to read the page in the right voice
    page = page.replace("<html>", f'<html lang="{PAGE_LANG}">', 1)
    csp = _csp(page, tiles if basemap else None, extra_sources)
    return page.replace("<!--CSP-->", f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">', 1)


def write_webmap(project: Any, out_path: str | Path, *, private: bool = False, title: str | None = None,
                 description: str | None = None, indicator: str | None = None, basemap: bool = True,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Export the project as one HTML file that works offline; returns a summary for the CLI."""
    progress = ensure_progress(progress)
    data = build_map_data(project, private=private, title=title, description=description,
                          indicator=indicator, progress=progress)
    progress.update(4, 5, "Writing the page")
    page = render_webmap_html(data, basemap=basemap)
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:
        tmp.write_text(page, encoding="utf-8")
        progress.check()  # the last chance to cancel: the rename follows (a Cancel removes the temporary file)
    progress.notify(5, 5, "Done")
    rows = data["assets"]["rows"]
    return {"out": str(out_path), "format": "html", "private": private, "assets": len(rows),
            "located": data["meta"]["located"], "areas": len(data["areas"]),
            "neighbourhoods": len(data["neighbourhoods"]), "indicator": data["indicator"],
            "basemap": basemap, "bytes": out_path.stat().st_size}
