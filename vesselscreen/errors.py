"""The exception tree: every error vesselscreen raises on purpose derives from one root.

Catch :class:`VesselScreenError` to handle anything the library reports about your
input or configuration; the subclasses say what kind of problem it was and, for
input problems, *where* (file and line or row).

>>> try:
...     raise ColumnsError("positions.csv", missing=["MMSI"])
... except VesselScreenError as exc:
...     print(exc)
positions.csv: missing required columns: MMSI
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "ColumnsError",
    "ConfigError",
    "FormatError",
    "IdentifierError",
    "InputError",
    "ReferenceTimeError",
    "SchemaError",
    "SourceNotFoundError",
    "VesselScreenError",
]


class VesselScreenError(Exception):
    """Root of every error raised by vesselscreen."""


class IdentifierError(VesselScreenError, ValueError):
    """An IMO number, MMSI or other identifier is malformed or fails its check digit."""


class ConfigError(VesselScreenError, ValueError):
    """A configuration value or argument combination is invalid."""


class SchemaError(VesselScreenError, ValueError):
    """A DataFrame does not conform to a canonical schema (columns or dtypes)."""


class InputError(VesselScreenError):
    """A file, URL or stream could not be used. Says where: ``source`` and, if known, ``line``.

    ``line`` is 1-based and counts physical lines of the file (or data rows for CSV
    readers that say so in their message).
    """

    def __init__(self, source: str, message: str, *, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class SourceNotFoundError(InputError, FileNotFoundError):
    """The file does not exist or cannot be opened."""


class FormatError(InputError, ValueError):
    """The content is not in the expected (or any recognised) format."""


class ColumnsError(FormatError):
    """A tabular file lacks columns that its format requires."""

    def __init__(self, source: str, *, missing: Iterable[str]) -> None:
        self.missing = sorted(missing)
        super().__init__(source, "missing required columns: " + ", ".join(self.missing))


class ReferenceTimeError(InputError, ValueError):
    """Timestamps cannot be established: naive times, or NMEA with no time and no reference."""
