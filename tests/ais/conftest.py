"""Shared fixtures for the AIS reader tests: the real sample files under tests/data/ais."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "ais"
NMEA = DATA / "nmea"
MARINECADASTRE = DATA / "csv" / "marinecadastre_2023-01-11_sample.csv"

NMEA_FILES = (
    "pyais_nmea_data_sample.txt",
    "pyais_mixed.txt",
    "gpsd_sample.aivdm",
    "dma_aislib_stream_example.txt",
)
# only the DMA feed carries its own times ($PGHP); the others need a reference time
NEEDS_REFERENCE = {"pyais_nmea_data_sample.txt", "pyais_mixed.txt", "gpsd_sample.aivdm"}
REFERENCE = datetime(2024, 1, 1, tzinfo=UTC)


def sentence_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of every line that is not blank and not a ``#`` comment."""
    text = path.read_bytes().decode("utf-8")
    return [
        (number, line.strip())
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]


@pytest.fixture
def marinecadastre_lines() -> list[str]:
    return MARINECADASTRE.read_text(encoding="utf-8").splitlines()
