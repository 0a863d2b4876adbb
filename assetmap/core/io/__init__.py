"""Readers and the import pipeline: files in, a report that accounts for every row out.

Readers return plain data (``RawTable``) and never touch the project; ``importer`` turns a
``RawTable`` into assets, checks them, removes duplicates and writes them in one transaction.
"""
