"""Make the pictures of docs/gallery.md from the demo (run by `make gallery`; needs Chromium).

    python tools/make_gallery.py

Writes docs/images/vessel-plot.png (matplotlib), docs/images/map.png (the folium map,
saved and photographed by headless Chromium) and docs/images/report.png (the top of the
HTML report, likewise). The pictures are committed, so the docs build needs no browser;
re-run this after changing how reports look.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import vesselscreen as vs

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
BUILD = ROOT / "build" / "gallery"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--virtual-time-budget=3000",
]  # fmt: skip


def screenshot(page: Path, out: Path, width: int, height: int) -> None:
    chromium = os.environ.get("VESSELSCREEN_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium not found: apt-get install chromium (or set VESSELSCREEN_CHROMIUM)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(  # a fixed command line
            [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             f"--screenshot={out}", page.resolve().as_uri()],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size} bytes")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    BUILD.mkdir(parents=True, exist_ok=True)
    ais = vs.read_ais(vs.demo.ais_path())
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    result = vs.screen(ais, watchlist)
    plot = IMAGES / "vessel-plot.png"
    result.plot_vessel("PORT OLYA 3").savefig(plot, dpi=80)
    print(f"{plot.relative_to(ROOT)}: {plot.stat().st_size} bytes")
    result.map().save(str(BUILD / "map.html"))
    screenshot(BUILD / "map.html", IMAGES / "map.png", 900, 700)
    result.to_html(BUILD / "report.html")
    screenshot(BUILD / "report.html", IMAGES / "report.png", 1000, 1300)


if __name__ == "__main__":
    main()
