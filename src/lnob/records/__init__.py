"""Records: submissions stored once, unchanged, and their parsed, typed copies.

A Django app (label ``records``).  The transactional database keeps each
record's raw XML or JSON exactly as received (never rewritten); the analytics
store (DuckDB, :mod:`lnob.records.analytics`) keeps typed tables per form —
one row per record and one table per repeat — that analysis reads.
"""
