"""Helpers shared by the AIS benchmarks: peak memory of a measurement, and test-data locations."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AIS_DATA = ROOT / "tests" / "data" / "ais"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    Linux's ``VmHWM`` where there is one: ``getrusage``'s maximum survives ``exec``, so a
    child started by a big parent would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_subprocess(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter (a clean peak RSS); it prints one JSON object as its last line."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def checksum(text: bytes) -> bytes:
    """The two hex digits of an NMEA checksum (XOR of the bytes between ``!``/``$`` and ``*``)."""
    value = 0
    for byte in text:
        value ^= byte
    return b"%02X" % value
