"""The desktop app (PyQt6). Every action calls ``assetmap.core``; nothing here decides what data means.

The package is split by panel and dialog so no module grows into a 2,000-line main window:
``document`` holds the open project and its undo stack, ``jobs`` runs long work off the GUI
thread, and each widget module binds one piece of the document to the screen.
"""
