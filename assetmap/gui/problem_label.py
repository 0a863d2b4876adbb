"""The one look of a problem message in the app: dark red (7:1 on white), wrapped, beside what it is about.

Every form, dialog and wizard page says what is wrong the same way, so a user learns to look for it
once; the colour is never the only sign (the text always says what is wrong).
"""

from __future__ import annotations

from PyQt6.QtWidgets import QLabel

PROBLEM_COLOUR = "#b00020"
PROBLEM_STYLE = f"color: {PROBLEM_COLOUR};"


def problem_label(text: str = "", *, bold: bool = False) -> QLabel:
    """An empty (or ``text``) word-wrapped label in the problem colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(PROBLEM_STYLE + (" font-weight: bold;" if bold else ""))
    return label
