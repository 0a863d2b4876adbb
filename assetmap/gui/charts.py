"""The charts panel: neighbourhoods compared, from the stored gap results.

Qt Charts (the ``PyQt6-Charts`` wheel, about 2 MB with its Qt library) rather than matplotlib:
it is drawn by Qt like the rest of the window (same fonts, high-DPI, keyboard focus, dark mode),
needs no second GUI toolkit inside the app and adds far less to install than matplotlib with
its numpy-based backend stack. If it is missing the panel says how to get it and the app runs on.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QMargins, Qt
from PyQt6.QtGui import QColor, QPainter
from PyQt6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QSpinBox, QVBoxLayout, QWidget

from assetmap.core.export.webdata import CATEGORY_STYLE
from assetmap.core.taxonomy import Taxonomy

try:
    from PyQt6.QtCharts import QBarCategoryAxis, QBarSet, QChart, QChartView, QHorizontalBarSeries, QValueAxis
except ImportError:  # pragma: no cover - depends on the machine
    QChart = None  # type: ignore[assignment,misc]

ROW_HEIGHT = 30  # pixels per neighbourhood: enough for its name and its bars to stay legible
CHART_CHROME = 100  # value axis with its title, and the legend (the chart has no title: the "Compare" list says it)
MEASURES = (("per_1000", "Assets per 1,000 residents, by category"), ("coverage", "Coverage for each gap rule"))


class ChartsPanel(QWidget):
    """A horizontal bar chart of the highest-priority neighbourhoods for one measure."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results: list[dict[str, Any]] = []
        self.rules: list[tuple[str, str]] = []
        self.taxonomy: Taxonomy | None = None
        self.measure = QComboBox()
        for key, label in MEASURES:
            self.measure.addItem(label, key)
        self.measure.setToolTip("What to compare between neighbourhoods.")
        self.count = QSpinBox()
        self.count.setRange(2, 40)
        self.count.setValue(10)
        self.count.setToolTip("How many neighbourhoods to show, highest priority first (as in the Gaps tab).")
        compare = QLabel("&Compare:")
        compare.setBuddy(self.measure)
        how_many = QLabel("&Neighbourhoods shown:")
        how_many.setBuddy(self.count)
        how_many.setToolTip(self.count.toolTip())
        bar = QHBoxLayout()
        bar.addWidget(compare)
        bar.addWidget(self.measure)
        bar.addSpacing(16)
        bar.addWidget(how_many)
        bar.addWidget(self.count)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        self.note = QLabel("")
        layout.addWidget(self.note)
        if QChart is None:
            self.view = None
            self.note.setText("Charts need the PyQt6-Charts package (pip install PyQt6-Charts).")
        else:
            self.view = QChartView()
            self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
            # In a short bottom panel the chart keeps a legible height and scrolls, instead of
            # squeezing its labels into "…".
            self.scroll_area = QScrollArea()  # not "scroll": that would hide QWidget.scroll()
            self.scroll_area.setWidgetResizable(True)
            self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
            self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.scroll_area.setWidget(self.view)
            layout.addWidget(self.scroll_area, 1)
        self.measure.currentIndexChanged.connect(self.redraw)
        self.count.valueChanged.connect(self.redraw)

    def set_results(self, results: list[dict[str, Any]], rules: list[tuple[str, str]], taxonomy: Taxonomy) -> None:
        self.results, self.rules, self.taxonomy = results, rules, taxonomy
        self.redraw()

    def series_data(self) -> tuple[list[str], list[tuple[str, str, list[float]]]]:
        """(neighbourhood names, [(series label, colour, values)]) for the chosen measure."""
        chosen = sorted(self.results, key=lambda r: r.get("priority") or 0)[: self.count.value()]
        names = [str(r.get("name") or r.get("code")) for r in chosen]
        out: list[tuple[str, str, list[float]]] = []
        if self.measure.currentData() == "per_1000":
            cats = [c for c in CATEGORY_STYLE
                    if c != "people" and any((r.get("per_1000") or {}).get(c) for r in chosen)]
            for cat in cats:
                label = (self.taxonomy.categories.get(cat, {}).get("label", cat) if self.taxonomy else cat)
                out.append((label, CATEGORY_STYLE[cat][0],
                            [float((r.get("per_1000") or {}).get(cat) or 0) for r in chosen]))
        else:
            palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"]
            for i, (rule_id, title) in enumerate(self.rules):
                out.append((title, palette[i % len(palette)],
                            [100 * float((r.get("coverage") or {}).get(rule_id) or 0) for r in chosen]))
        return names, out

    def redraw(self) -> None:
        if self.view is None:
            return
        chart = QChart()
        chart.setMargins(QMargins(4, 2, 4, 2))
        # legend and value axis at the top: in a short panel they are in view with the first bars,
        # and scrolling down only brings more neighbourhoods
        legend = chart.legend()
        if legend is not None:
            legend.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.view.setMinimumHeight(CHART_CHROME + ROW_HEIGHT * min(len(self.results) or 1, self.count.value()))
        if not self.results:
            chart.setTitle("Run Analysis ▸ Find gaps (F5) to compare neighbourhoods.")
            self.view.setChart(chart)
            self.note.setText("")
            return
        names, series_data = self.series_data()
        series = QHorizontalBarSeries()
        for label, colour, values in series_data:
            bars = QBarSet(label)
            bars.setColor(QColor(colour))
            bars.append([float(v) for v in reversed(values)])
            series.append(bars)
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append(list(reversed(names)))
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_y)
        axis_x = QValueAxis()
        per_1000 = self.measure.currentData() == "per_1000"
        reach = "% within reach (of homes where known, else of the area)"
        axis_x.setTitleText("assets per 1,000 residents" if per_1000 else reach)
        if not per_1000:
            axis_x.setRange(0, 100)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignTop)
        series.attachAxis(axis_x)
        if per_1000:
            axis_x.applyNiceNumbers()  # ticks at 0, 2, 4 … rather than 0, 2.5, 4.9, 7.4
        self.view.setChart(chart)
        self.note.setText("Highest priority first: priority weighs the gaps against deprivation. "
                          "Distances are straight-line.")
