"""Ways to look at a screening: text, a ship's story, HTML (notebooks and the audit report),
inline-SVG and folium maps, a matplotlib plot, and tracks for GeoJSON.

Most of it is reached through :class:`~vesselscreen.ScreeningResult` methods
(``text``, ``vessel``, ``to_html``, ``map``, ``plot_vessel``, ``to_geojson``) and the
notebook displays of results, watchlists, findings and stories. ``maps`` (folium) and
``plots`` (matplotlib) need the ``maps`` extra and are not imported here.
"""

from vesselscreen.report.html import report_html
from vesselscreen.report.story import VesselStory, vessel_story
from vesselscreen.report.table import findings_table, story_table, story_text
from vesselscreen.report.tracks import tracks

__all__ = [
    "VesselStory",
    "findings_table",
    "report_html",
    "story_table",
    "story_text",
    "tracks",
    "vessel_story",
]
