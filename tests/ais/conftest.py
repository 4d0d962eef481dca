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
    "kystverket_2019-08-07_1000lines.nm4",
    "gfw_ais_listener_tagblock_2022-11-10.txt",
    "gfw_ais_listener_gdansk.txt",
)
# the DMA feed ($PGHP) and the tag-block logs carry their own times; the others need a reference
NEEDS_REFERENCE = {
    "pyais_nmea_data_sample.txt",
    "pyais_mixed.txt",
    "gpsd_sample.aivdm",
    "gfw_ais_listener_gdansk.txt",
}
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
