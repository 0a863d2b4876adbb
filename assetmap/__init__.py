"""assetmap: map community assets, find gaps in social infrastructure, share a web map."""

__version__ = "0.1.0"
