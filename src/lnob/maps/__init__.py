"""Maps without a tile server: boundaries shipped in the package and server-side SVG choropleths.

* :mod:`lnob.maps.geo` — GeoJSON reading and checks, Douglas–Peucker simplification,
  projection to SVG paths (pure Python);
* :mod:`lnob.maps.boundaries` — the shipped boundaries (``data/vnm_adm1.geojson``: geoBoundaries
  Vietnam ADM1, simplified, cited), a project's own boundaries (a GeoJSON file in the workspace
  media directory) and the join from a dimension's categories to region codes (the form's
  ``iso`` choice column; the boundary quirks are handled there);
* :mod:`lnob.maps.choropleth` — the accessible SVG choropleth (title, description, a title per
  region, colour-blind-safe classes, hatching for suppressed regions);
* :mod:`lnob.maps.build` — regenerates the shipped file from the published source.

No Django here: the web pages (``lnob.web.pages.evidence``) call it.  See docs/dashboard.md.
"""

from lnob.maps.boundaries import Boundaries, pick, project_boundaries, region_codes, save_project_boundaries, shipped
from lnob.maps.choropleth import LegendClass, Value, choropleth
from lnob.maps.geo import Region, douglas_peucker, read_geojson, regions_from, simplify

__all__ = ["Boundaries", "LegendClass", "Region", "Value", "choropleth", "douglas_peucker", "pick",
           "project_boundaries", "read_geojson", "region_codes", "regions_from", "save_project_boundaries",
           "shipped", "simplify"]
