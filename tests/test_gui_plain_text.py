"""User text in the app's labels is shown as typed: markup in an asset's name is not rendered (issue 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shapely
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel, QMessageBox
from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.project import Project
from assetmap.gui import plain_text

MARKUP = '<h1 style="font-size:80px">Huge</h1><img src="file:///etc/passwd"><a href="http://x.invalid">link</a>'


def rendered_like_plain(label: QLabel) -> bool:
    """Whether Qt draws ``label``'s text as plain (its default, AutoText, renders what looks like HTML)."""
    return label.textFormat() == Qt.TextFormat.PlainText


def test_an_asset_name_with_markup_shows_as_typed_in_the_form(qtbot: Any, window: Any, empty_project: Path) -> None:  # noqa: F811
    with Project.open(empty_project) as project:
        asset_id = project.add_asset({"name": MARKUP, "category": "physical", "kind": "physical/village_hall"},
                                     shapely.Point(380500, 390500))
    open_and_wait(qtbot, window, empty_project)
    window.choose_asset(asset_id)
    qtbot.waitUntil(lambda: window.form.heading.text() == MARKUP, timeout=5000)
    assert rendered_like_plain(window.form.heading)


def test_labels_made_later_and_message_boxes_are_plain_too(qtbot: Any, window: Any) -> None:  # noqa: F811
    label = QLabel(MARKUP)
    qtbot.addWidget(label)
    label.show()
    assert rendered_like_plain(label)
    box = QMessageBox(QMessageBox.Icon.Warning, "Could not save", MARKUP)
    qtbot.addWidget(box)
    box.show()
    shown = [w for w in box.findChildren(QLabel) if w.text() == MARKUP]
    assert shown and all(rendered_like_plain(w) for w in shown)


def test_a_label_can_opt_into_rich_text(qtbot: Any, window: Any) -> None:  # noqa: F811
    label = QLabel()
    label.setProperty(plain_text.RICH_TEXT_PROPERTY, True)
    label.setText("<b>bold</b>")
    qtbot.addWidget(label)
    label.show()
    assert label.textFormat() == Qt.TextFormat.AutoText


def test_tooltips_show_user_text_as_typed() -> None:
    shown = plain_text.tooltip(MARKUP)
    assert "<h1" not in shown and "&lt;h1" in shown  # Qt renders the escaped text, which reads as typed
    assert plain_text.tooltip("Elm Road Hall") == "Elm Road Hall"  # plain text is left alone
