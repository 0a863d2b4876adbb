"""The static markup around the map: header, search, the accessible list and the footer.

It is plain HTML so that the title, description and date are readable before any script runs and
by screen readers; every value from the project goes through ``html.escape``. The page script
fills the list, search results and legend from the data, as text.
"""

from __future__ import annotations

from html import escape
from typing import Any


def _attributions(meta: dict[str, Any]) -> str:
    items = []
    for a in meta.get("attributions", []):
        text = escape(str(a.get("text", "")))
        url = str(a.get("url") or "")
        items.append(f'<li><a href="{escape(url)}">{text}</a></li>' if url.startswith("https://")
                     else f"<li>{text}</li>")
    return "".join(items)


def page_body(meta: dict[str, Any], map_id: str) -> str:
    """The body markup; ``map_id`` is the id folium gave the Leaflet map."""
    private = ""
    if meta.get("private"):
        # A named region (a landmark screen readers list) before everything else; the page title says so too.
        private = ('<section class="am-private" id="am-private" aria-labelledby="am-private-title">'
                   '<strong id="am-private-title">Private map.</strong> '
                   "It includes private assets and contact details. Do not publish or forward it.</section>")
    exported = escape(str(meta.get("exported", "")))
    return f"""
<a class="am-skip" href="#am-list">Skip to the list of assets</a>
{private}
<header class="am-header">
  <div class="am-heading">
    <h1 id="am-title">{escape(str(meta.get("title", "")))}</h1>
    <p id="am-description">{escape(str(meta.get("description", "")))}</p>
    <p class="am-meta">Exported on <time id="am-date" datetime="{exported}">{exported}</time>.
      <span id="am-basemap-status" role="status"></span></p>
  </div>
  <div class="am-search" role="search">
    <label for="am-search-input">Search assets by name</label>
    <input id="am-search-input" type="search" autocomplete="off" role="combobox" aria-autocomplete="list"
           aria-expanded="false" aria-controls="am-search-results" placeholder="e.g. library">
    <ul id="am-search-results" role="listbox" aria-label="Matching assets" hidden></ul>
  </div>
</header>
<main class="am-main">
  <div id="{escape(map_id)}" class="am-map folium-map" role="region" aria-label="Map of the assets"
       aria-describedby="am-map-help"></div>
  <p id="am-map-help" class="am-visually-hidden">With the map focused, arrow keys move it and plus and minus zoom.
    Tab reaches the zoom buttons, the layers, the legend, then the markers: Enter or Space opens one.
    The list of assets beside the map holds the same information.</p>
  <div class="am-list" id="am-side">
  <section id="am-list" class="am-assets" aria-labelledby="am-list-heading" tabindex="-1">
    <h2 id="am-list-heading">List of assets</h2>
    <div class="am-list-controls">
      <label for="am-filter-category">Category</label>
      <select id="am-filter-category"><option value="">All categories</option></select>
      <label for="am-filter-text">Name contains</label>
      <input id="am-filter-text" type="search" autocomplete="off">
    </div>
    <p id="am-list-status" class="am-list-status" aria-live="polite"></p>
    <div class="am-table-wrap">
      <table class="am-table" id="am-table">
        <caption class="am-visually-hidden">Assets on the map. Choose a name to show it on the map.</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Category</th><th scope="col">Kind</th>
          <th scope="col">Address</th></tr></thead>
        <tbody id="am-list-body"></tbody>
      </table>
    </div>
    <nav class="am-pager" aria-label="Pages of the list of assets">
      <button type="button" id="am-prev">Previous page</button>
      <span id="am-page"></span>
      <button type="button" id="am-next">Next page</button>
    </nav>
  </section>
  <section id="am-hoodlist" class="am-hoodlist" aria-labelledby="am-hoodlist-heading" tabindex="-1" hidden>
    <h2 id="am-hoodlist-heading">Neighbourhoods</h2>
    <p id="am-hoodlist-note" class="am-note"></p>
    <div class="am-table-wrap">
      <table class="am-table" id="am-hood-table">
        <caption class="am-visually-hidden">Neighbourhoods on the map with their gap analysis results.
          Choose a name to show it on the map with all its results.</caption>
        <thead><tr><th scope="col">Neighbourhood</th><th scope="col" id="am-hood-indicator">Share covered</th>
          <th scope="col">Gaps flagged</th><th scope="col">Priority rank</th></tr></thead>
        <tbody id="am-hood-body"></tbody>
      </table>
    </div>
    <nav class="am-pager" aria-label="Pages of the list of neighbourhoods">
      <button type="button" id="am-hood-prev">Previous page</button>
      <span id="am-hood-page"></span>
      <button type="button" id="am-hood-next">Next page</button>
    </nav>
  </section>
  </div>
</main>
<footer class="am-footer">
  <h2 class="am-visually-hidden">Sources and licences</h2>
  <ul class="am-attributions">{_attributions(meta)}</ul>
  <p>Made with assetmap. Map drawn with Leaflet (BSD-2-Clause) and Leaflet.markercluster (MIT).</p>
</footer>
<div id="am-announce" class="am-visually-hidden" aria-live="polite"></div>
"""
