"""Exports that leave the project: the web map (HTML), GeoJSON and CSV, all through one privacy filter."""

from assetmap.core.export.tables import write_csv, write_geojson
from assetmap.core.export.webdata import build_map_data
from assetmap.core.export.webmap import render_webmap_html, write_webmap

__all__ = ["build_map_data", "render_webmap_html", "write_csv", "write_geojson", "write_webmap"]
