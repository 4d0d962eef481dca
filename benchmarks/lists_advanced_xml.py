"""Benchmark: stream-parse an OFAC SDN_ADVANCED-style XML of 100 MB and 200 MB.

The file is generated into a temporary folder by repeating the structure of the real
advanced format (tests/data/lists/ofac/sdn_advanced.xml: reference values, locations,
ID documents, distinct parties, relationships, sanctions entries), with varied ids. Both
sizes hold the same vessels; the larger one only adds non-vessel parties. Each parse runs
in a fresh process, which reports its own peak RSS, so the two figures compare directly.
Each size is parsed twice: with every party kept in ``wl.entities`` (the default), and
with ``vessels_only=True``, whose peak RSS must not grow with the number of parties.

Run: ``.venv/bin/python benchmarks/lists_advanced_xml.py [--sizes 100 200] [--vessels 2000]``
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "data" / "lists" / "ofac" / "sdn_advanced.xml"
MB = 1_000_000


def _party_templates(text: str) -> tuple[str, str]:
    parties = re.findall(r"    <DistinctParty FixedRef=.*?</DistinctParty>\n", text, re.S)
    vessel = next(p for p in parties if 'FixedRef="15036"' in p)
    entity = next(p for p in parties if 'FixedRef="99002"' in p)
    return vessel, entity


def _with_id(template: str, old: str, new: int) -> str:
    return template.replace(f'"{old}"', f'"{new}"')


def _entity(template: str, new: int) -> str:
    # real non-vessel parties carry many aliases (the real file averages about 6 kB a party)
    alias = re.search(
        r"          <Alias FixedRef=\"99002\" AliasTypeID=\"1400\".*?</Alias>\n", template, re.S
    )
    assert alias is not None
    extra = "".join(alias.group(0).replace("NITC", f"NITC ALIAS {k}") for k in range(8))
    return _with_id(template.replace(alias.group(0), alias.group(0) + extra), "99002", new)


def generate(path: Path, size_mb: int, vessels: int) -> dict[str, int]:
    text = FIXTURE.read_text(encoding="utf-8")
    head = text[: text.index("  <IDRegDocuments>")]
    vessel_t, entity_t = _party_templates(text)
    doc_t = re.search(r"    <IDRegDocument ID=\"50001\".*?</IDRegDocument>\n", text, re.S)
    entry_t = re.search(r"    <SanctionsEntry ID=\"15036\".*?</SanctionsEntry>\n", text, re.S)
    assert doc_t is not None
    assert entry_t is not None
    target = size_mb * MB
    counts = {"vessels": vessels, "parties": 0}
    with path.open("w", encoding="utf-8") as out:
        out.write(head + "  <IDRegDocuments>\n")
        for i in range(vessels):
            ident = 1_000_000 + i
            out.write(_with_id(doc_t.group(0), "15036", ident).replace('ID="50001"', f'ID="{ident}"'))
        out.write("  </IDRegDocuments>\n  <DistinctParties>\n")
        for i in range(vessels):
            out.write(_with_id(vessel_t, "15036", 1_000_000 + i))
        i = 0
        # leave room for the relationships and entries written after the parties
        while out.tell() < target * 0.97:
            block = "".join(_entity(entity_t, 2_000_000 + i + k) for k in range(200))
            out.write(block)
            i += 200
        counts["parties"] = i
        out.write("  </DistinctParties>\n  <ProfileRelationships>\n")
        for k in range(vessels):
            out.write(
                f'    <ProfileRelationship ID="{3_000_000 + k}" From-ProfileID="{1_000_000 + k}" '
                f'To-ProfileID="{2_000_000 + k % max(i, 1)}" RelationTypeID="92122" RelationQualityID="1" '
                'Former="false" />\n'
            )
        out.write("  </ProfileRelationships>\n  <SanctionsEntries>\n")
        for k in range(vessels):
            out.write(_with_id(entry_t.group(0), "15036", 1_000_000 + k))
        for k in range(i):
            out.write(_with_id(entry_t.group(0), "15036", 2_000_000 + k))
        out.write("  </SanctionsEntries>\n</Sanctions>\n")
    return counts


def parse(path: Path, vessels_only: bool) -> None:
    """Child process: import, parse, print figures as JSON."""
    import vesselscreen as vs

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    wl = vs.load_watchlist(path, vessels_only=vessels_only)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    frames = int(wl.vessels.memory_usage(deep=True).sum() + wl.entities.memory_usage(deep=True).sum())
    print(
        json.dumps(
            {
                "seconds": seconds,
                "vessels": len(wl.vessels),
                "entities": len(wl.entities),
                "peak_rss_kb": peak,
                "baseline_rss_kb": baseline,
                "frames_bytes": frames,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200], help="file sizes in MB")
    parser.add_argument("--vessels", type=int, default=2000)
    parser.add_argument("--parse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--vessels-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse is not None:
        parse(args.parse, args.vessels_only)
        return
    rows: dict[bool, list[tuple[int, float, dict[str, int], dict[str, float]]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"SDN_ADVANCED_{size}MB.XML"
            start = time.perf_counter()
            counts = generate(path, size, args.vessels)
            made = time.perf_counter() - start
            for vessels_only in (False, True):
                command = [sys.executable, __file__, "--parse", str(path)]
                child = subprocess.run(
                    command + (["--vessels-only"] if vessels_only else []),
                    check=True,
                    capture_output=True,
                    text=True,
                )
                figures = json.loads(child.stdout)
                file_mb = path.stat().st_size / MB
                rows[vessels_only].append((size, file_mb, counts, figures))
                _print_run(file_mb, made, counts, figures, vessels_only)
            path.unlink()
    for vessels_only, runs in rows.items():
        if len(runs) >= 2:
            _print_growth(runs, "vessels_only=True" if vessels_only else "all parties kept")


def _print_run(
    file_mb: float, made: float, counts: dict[str, int], figures: dict[str, float], vo: bool
) -> None:
    print(
        f"{'vessels_only' if vo else 'all parties '}  "
        f"{file_mb:7.1f} MB  generated in {made:5.1f} s  "
        f"parties={counts['parties'] + counts['vessels']:,} "
        f"(vessels {figures['vessels']:,}, entities {figures['entities']:,})  "
        f"parse {figures['seconds']:6.1f} s = {file_mb / figures['seconds']:5.1f} MB/s  "
        f"peak RSS {figures['peak_rss_kb'] / 1024:6.1f} MiB "
        f"(after imports {figures['baseline_rss_kb'] / 1024:5.1f} MiB; "
        f"result frames {figures['frames_bytes'] / 2**20:5.1f} MiB)",
        flush=True,
    )


def _print_growth(rows: list[tuple[int, float, dict[str, int], dict[str, float]]], label: str) -> None:
    if len(rows) >= 2:
        (_, mb0, c0, f0), (_, mb1, c1, f1) = rows[0], rows[-1]
        extra_parties = c1["parties"] - c0["parties"]
        extra_rss = (f1["peak_rss_kb"] - f0["peak_rss_kb"]) * 1024
        print(
            f"{label}: file grew {mb1 - mb0:.1f} MB (+{extra_parties:,} non-vessel parties); peak RSS grew "
            f"{extra_rss / 2**20:.1f} MiB = {extra_rss / max(extra_parties, 1):.0f} bytes per extra party "
            f"({extra_rss / ((mb1 - mb0) * MB):.3f} bytes of RSS per extra byte of XML); "
            f"result frames grew {(f1['frames_bytes'] - f0['frames_bytes']) / 2**20:.1f} MiB"
        )


if __name__ == "__main__":
    main()
