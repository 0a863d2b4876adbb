"""The "Assessments" panel beside the asset form: the selected asset's assessment history and ACV timeline.

History is every assessment of the asset, newest first (none is ever overwritten); the timeline is
the core's ``acv_for``/``next_due`` for the newest one, with what is due next marked in words, in
bold and with a background, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QFont
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.assessments import acv_for, next_due
from assetmap.core.assessments.acv import LABELS
from assetmap.core.assessments.report import RECOMMENDATION_TEXT
from assetmap.gui import plain_text

STEPS: tuple[tuple[str, str], ...] = (  # short words for the list; the core's full sentence is the tooltip
    ("nominated_on", "Nominated"), ("decision_due", "Council's decision due"), ("listed_on", "Listed"),
    ("listing_ends", "Listing ends"), ("sale_notice_on", "Owner's notice of sale"),
    ("interim_moratorium_ends", "Interim moratorium ends"), ("full_moratorium_ends", "Full moratorium ends"),
    ("protected_period_ends", "Protected period ends"),
)
NEXT_BACKGROUND = QColor("#fff3cd")


def describe_assessment(rec: Mapping[str, Any]) -> str:
    """A few plain lines about one assessment (plain text: nothing here is read as HTML)."""
    lines = [f"Assessed {rec.get('date')} by {rec.get('assessor') or 'someone not named'}.",
             f"Score {rec.get('score'):g} out of 100. "
             f"Recommendation: {RECOMMENDATION_TEXT.get(rec.get('recommendation') or '', rec.get('recommendation'))}."]
    if rec.get("reasons"):
        lines.append(f"Reasons: {rec['reasons']}")
    scores = rec.get("scores") or {}
    for c in rec.get("criteria") or []:
        if c.get("id") in scores:
            lines.append(f"  {c.get('title')} (weight {c.get('weight'):g}): {scores[c['id']]:g} of 5")
    for flag in rec.get("flags") or []:
        lines.append(f"Note: {flag.get('message')}")
    return "\n".join(lines)


class AssessmentPanel(QWidget):
    """Buttons to assess and report, the ACV timeline and the history list of one asset."""

    assessRequested = pyqtSignal(str)
    reportRequested = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.asset_id = ""
        self.history: list[dict[str, Any]] = []
        self.heading = QLabel("")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.assess = QPushButton("Assess building…")
        self.assess.setToolTip("Add a new community asset transfer assessment of this asset (earlier ones are kept).")
        self.report = QPushButton("Export report…")
        self.report.setToolTip("Write the one-page A4 report of the newest assessment (web page or PDF).")
        self.assess.clicked.connect(lambda: self.assessRequested.emit(self.asset_id))
        self.report.clicked.connect(lambda: self.reportRequested.emit(self.asset_id))
        buttons = QHBoxLayout()
        buttons.addWidget(self.assess)
        buttons.addWidget(self.report)
        self.acv_status = QLabel("")
        self.acv_status.setWordWrap(True)
        self.next_due = QLabel("")
        self.next_due.setWordWrap(True)
        self.next_due.setStyleSheet(f"background: {NEXT_BACKGROUND.name()}; padding: 4px; font-weight: bold;")
        self.timeline = QTreeWidget()
        self.timeline.setHeaderLabels(["Date", "Asset of Community Value"])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setWordWrap(True)
        self.timeline.setColumnWidth(0, self.timeline.fontMetrics().horizontalAdvance("2024-02-29") + 24)
        self.timeline.setAccessibleName("Asset of Community Value timeline")
        self.list = QListWidget()
        self.list.setAccessibleName("Assessment history, newest first")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.currentRowChanged.connect(self._show_detail)
        self.detail = QLabel("")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.acv_status)
        top_layout.addWidget(self.next_due)
        top_layout.addWidget(self.timeline)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(QLabel("History (newest first):"))
        bottom_layout.addWidget(self.list, 1)
        bottom_layout.addWidget(self.detail, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        self.readonly = False
        self.show_asset(None, [])

    def show_asset(self, asset: Mapping[str, Any] | None, history: Sequence[Mapping[str, Any]],
                   today: date | None = None) -> None:
        """Show an asset's history (newest first, as ``assessments_for`` gives it) and its ACV dates."""
        today = today or date.today()
        self.asset_id = str(asset["id"]) if asset else ""
        self.history = [dict(r) for r in history]
        self.assess.setEnabled(bool(asset) and not self.readonly)
        self.report.setEnabled(bool(self.history))
        self.list.clear()
        self.timeline.clear()
        self.detail.setText("")
        if not asset:
            self.heading.setText("Choose an asset to see its assessments.")
            self.acv_status.setText("")
            self.next_due.setVisible(False)
            return
        count = len(self.history)
        self.heading.setText(f"{asset.get('name')}: " + (f"{count} assessment{'s' if count != 1 else ''}" if count
                                                        else "not assessed yet"))
        for rec in self.history:
            text = (f"{rec.get('date')} · {rec.get('score'):g}/100 · "
                    f"{RECOMMENDATION_TEXT.get(rec.get('recommendation') or '', rec.get('recommendation'))}")
            item = QListWidgetItem(text)
            item.setToolTip(plain_text.tooltip(f"By {rec.get('assessor')}"))
            self.list.addItem(item)
        if self.history:
            self.list.setCurrentRow(0)
        self._fill_timeline(asset, today)

    def _fill_timeline(self, asset: Mapping[str, Any], today: date) -> None:
        timeline = acv_for(self.history[0] if self.history else None, asset)
        due = next_due(timeline, today)
        self.acv_status.setText(f"Status: {timeline.status.replace('_', ' ')}"
                                + ("" if timeline.status != "none" else " (not nominated or listed)"))
        self.next_due.setText(f"Due next: {due.describe()}" if due else "")
        self.next_due.setVisible(due is not None)
        bold = QFont(self.timeline.font())
        bold.setBold(True)
        steps = sorted(((getattr(timeline, key), i, key, label) for i, (key, label) in enumerate(STEPS)
                        if getattr(timeline, key) is not None))
        for on, _, key, label in steps:  # in date order, so it reads as a timeline
            state = "next" if due is not None and due.key == key else ("passed" if on < today else "to come")
            item = QTreeWidgetItem([on.isoformat(), f"▶ Next: {label}" if state == "next" else
                                    (f"{label} (passed)" if state == "passed" else label)])
            item.setData(0, Qt.ItemDataRole.UserRole, key)
            item.setData(1, Qt.ItemDataRole.UserRole, state)
            if state == "next":
                for col in (0, 1):
                    item.setFont(col, bold)
                    item.setBackground(col, QBrush(NEXT_BACKGROUND))
            elif state == "passed":
                for col in (0, 1):
                    item.setForeground(col, QBrush(QColor("#666666")))
            item.setToolTip(1, LABELS.get(key, label))
            self.timeline.addTopLevelItem(item)
        if not self.timeline.topLevelItemCount():
            self.timeline.addTopLevelItem(QTreeWidgetItem(["", "No nomination, listing or sale recorded."]))

    def _show_detail(self, row: int) -> None:
        self.detail.setText(describe_assessment(self.history[row]) if 0 <= row < len(self.history) else "")

    def set_readonly(self, readonly: bool) -> None:
        self.readonly = readonly
        self.assess.setEnabled(bool(self.asset_id) and not readonly)
