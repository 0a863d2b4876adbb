"""Inline SVG for the report: a small map of the building in its neighbourhood and the score bars.

Drawn from the project's own geometries in its projected CRS, so the report needs no tiles, no
network and no JavaScript, prints sharply and opens from an e-mail attachment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

import shapely
from shapely.geometry.base import BaseGeometry

MAP_W, MAP_H = 300, 175


@dataclass(frozen=True)
class MapShape:
    geometry: BaseGeometry
    home: bool  # the neighbourhood the asset is in


def _e(value: object) -> str:
    return escape(str(value), quote=True)


class _View:
    """Map units (metres, y up) to SVG pixels (y down), keeping the aspect ratio."""

    def __init__(self, bounds: tuple[float, float, float, float], width: int, height: int) -> None:
        minx, miny, maxx, maxy = bounds
        dx, dy = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
        self.scale = min(width / dx, height / dy)
        self.ox = minx - (width / self.scale - dx) / 2
        self.oy = maxy + (height / self.scale - dy) / 2

    def xy(self, x: float, y: float) -> str:
        return f"{(x - self.ox) * self.scale:.1f} {(self.oy - y) * self.scale:.1f}"

    def path(self, geom: BaseGeometry) -> str:
        parts = []
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            for ring in (poly.exterior, *poly.interiors):
                coords = list(ring.coords)
                parts.append("M" + " L".join(self.xy(x, y) for x, y in coords[:-1]) + " Z")
        return " ".join(parts)


def _nice_length(max_m: float) -> float:
    """The largest 1, 2 or 5 x 10^n metres that fits in ``max_m``."""
    exp = 10.0 ** math.floor(math.log10(max_m))  # a float, so a negative power types (and works) too
    for step in (5, 2, 1):
        if step * exp <= max_m:
            return step * exp
    return exp


def map_svg(asset_point: BaseGeometry | None, footprint: BaseGeometry | None, shapes: Sequence[MapShape],
            *, label: str, width: int = MAP_W, height: int = MAP_H) -> str:
    """The asset (dot and footprint) over neighbourhood outlines, its own neighbourhood shaded."""
    home = [s.geometry for s in shapes if s.home]
    if home:
        bounds = shapely.union_all(home).bounds
    elif asset_point is not None:
        bounds = asset_point.buffer(500).bounds
    else:
        return ""
    pad = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) * 0.08 + 20
    bounds = (bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
    view = _View(bounds, width, height)
    frame = shapely.box(*bounds)
    tolerance = 0.5 / view.scale
    out = [f'<svg class="map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="{_e(label)}"><title>{_e(label)}</title>',
           f'<rect x="0" y="0" width="{width}" height="{height}" class="map-bg"/>']
    for shape in sorted(shapes, key=lambda s: s.home):
        geom = shapely.simplify(shape.geometry.intersection(frame.buffer(pad)), tolerance)
        if geom.is_empty:
            continue
        cls = "nb-home" if shape.home else "nb"
        out.append(f'<path class="{cls}" fill-rule="evenodd" d="{view.path(geom)}"/>')
    if footprint is not None and not footprint.is_empty:
        out.append(f'<path class="footprint" fill-rule="evenodd" d="{view.path(footprint)}"/>')
    if asset_point is not None:
        cx, cy = view.xy(asset_point.x, asset_point.y).split()
        out.append(f'<circle class="asset" cx="{cx}" cy="{cy}" r="6"/>'
                   f'<circle class="asset-dot" cx="{cx}" cy="{cy}" r="2"/>')
    length = _nice_length((width * 0.3) / view.scale)
    px = length * view.scale
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    y = height - 12
    out.append(f'<g class="scale"><rect x="8" y="{y - 2}" width="{px:.1f}" height="4"/>'
               f'<text x="8" y="{y - 6}">{text}</text></g>')
    out.append(f'<g class="north"><path d="M{width - 16} 10 L{width - 10} 26 L{width - 16} 22 L{width - 22} 26 Z"/>'
               f'<text x="{width - 16}" y="38" text-anchor="middle">N</text></g>')
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Bar:
    label: str
    score: float
    max_score: float
    note: str  # shown after the bar, e.g. "weight 30 · 24.0 of 30 points"


def bars_svg(bars: Iterable[Bar], *, label: str, width: int = 330) -> str:
    """Horizontal bars, one per criterion, each labelled with its score so greyscale print still reads.

    The chart is for the eye only (``aria-hidden``): the caller puts its figures beside it as a table,
    which screen readers can move around in, instead of one long label. ``label`` is its tooltip.
    """
    bars = list(bars)
    row, label_w, bar_w = 27, 140, 130
    height = row * len(bars) + 4
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'aria-hidden="true" focusable="false"><title>{_e(label)}</title>']
    for i, bar in enumerate(bars):
        y = i * row + 4
        frac = 0.0 if bar.max_score <= 0 else max(0.0, min(1.0, bar.score / bar.max_score))
        out.append(f'<text class="bar-label" x="0" y="{y + 10}">{_e(bar.label)}</text>')
        out.append(f'<rect class="bar-bg" x="{label_w}" y="{y}" width="{bar_w}" height="12"/>')
        out.append(f'<rect class="bar" x="{label_w}" y="{y}" width="{bar_w * frac:.1f}" height="12"/>')
        out.append(f'<text class="bar-value" x="{label_w + bar_w + 6}" y="{y + 10}">'
                   f'{bar.score:g}/{bar.max_score:g}</text>')
        out.append(f'<text class="bar-note" x="{label_w}" y="{y + 22}">{_e(bar.note)}</text>')
    out.append("</svg>")
    return "".join(out)
