"""The limits of the list readers, in one place: each bounds what one damaged or hostile file can cost.

These are module settings, read by the readers on every call: to change one, assign it
before reading (``vesselscreen.lists.limits.MAX_RECORD_LINES = 5_000``). Other bounds are
fixed by design and documented in ``docs/guarantees.md``: an XML list is parsed as a
stream that keeps one record at a time (and nothing of the elements between records);
at most 100 samples per kind are kept in a report (``vesselscreen.ingest.MAX_SAMPLES``);
a CSV field may hold at most 131,072 characters (the csv module's
``csv.field_size_limit()``, a process-wide setting).

>>> MAX_RECORD_LINES, MAX_NESTING
(1000, 16)
"""

from __future__ import annotations

__all__ = ["MAX_NESTING", "MAX_RECORD_LINES"]

MAX_RECORD_LINES: int = 1000
"""Physical lines one CSV record may span (line breaks inside quoted fields).

Real list files put a line break inside a field rarely and briefly (a few lines of
remarks); a record still open after this many lines is a quote left open, and is
rejected with its first line. The bound also caps the work of re-reading after such a
quote: at most this many lines per damaged record.
"""

MAX_NESTING: int = 16
"""Levels of entities nested inside one OpenSanctions JSON line (``targets.nested.json``).

The published files nest two or three levels (a target, its sanctions and ownerships,
their owners); deeper entities are not read and the line is flagged. JSON nested deeper
than Python's recursion limit (about 1,000 levels) rejects the line.
"""
