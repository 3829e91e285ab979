"""GeoJSON reading, checking and simplification (pure Python, no GIS library).

* :func:`read_geojson` — a FeatureCollection of Polygon/MultiPolygon features, checked, with
  each feature's region code (``shapeISO`` or another property) and name;
* :func:`simplify` — Douglas–Peucker on every ring (rings that collapse are dropped, a
  feature keeps at least its largest ring), coordinates rounded;
* :func:`project` — equirectangular projection scaled by cos(mean latitude) into an SVG
  viewport (fine for a country; no tile server, no web mercator).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from lnob.errors import InputError
from lnob.i18n import _

#: properties tried, in order, for a feature's region code and name
CODE_KEYS = ("shapeISO", "iso", "ISO", "iso_3166_2", "code", "id")
NAME_KEYS = ("shapeName", "name", "NAME", "title")


@dataclass
class Region:
    """One feature: its code (e.g. ISO 3166-2 ``VN-43``), its name and its polygons
    (a list of polygons, each a list of rings, each a list of ``(lon, lat)``)."""

    code: str
    name: str
    polygons: list = field(default_factory=list)


def _bad(message, where, hint=None) -> InputError:
    return InputError(message, where=where, hint=hint or _("give a GeoJSON FeatureCollection of "
                      "Polygon or MultiPolygon features with a region code property (e.g. shapeISO)"),
                      code="maps.bad-geojson")


def _ring(raw, where) -> list[tuple[float, float]]:
    try:
        pts = [(float(p[0]), float(p[1])) for p in raw]
    except (TypeError, ValueError, IndexError):
        raise _bad(_("a ring has a point that is not [longitude, latitude]"), where) from None
    if any(not (math.isfinite(x) and math.isfinite(y)) for x, y in pts):
        raise _bad(_("a ring has a coordinate that is not a finite number"), where)
    if len(pts) < 4:
        raise _bad(_("a ring needs at least four points"), where)
    return pts


def regions_from(doc, *, code_key: str | None = None, source: str = "GeoJSON") -> list[Region]:
    """Regions of a parsed GeoJSON FeatureCollection.  Names are stripped of surrounding
    whitespace (geoBoundaries names Hà Nội ``"Hà Nội\\t"``); codes too."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise _bad(_("not a GeoJSON FeatureCollection"), source)
    out = []
    for i, feat in enumerate(doc["features"]):
        where = f"{source}: feature {i + 1}"
        props = (feat or {}).get("properties") or {}
        geom = (feat or {}).get("geometry") or {}
        keys = (code_key,) if code_key else CODE_KEYS
        code = next((str(props[k]).strip() for k in keys if props.get(k) not in (None, "")), None)
        if code is None:
            raise _bad(_("a feature has no region code"), where,
                       _("give each feature a code property: one of %(k)s") % {"k": ", ".join(keys)})
        name = next((str(props[k]).strip() for k in NAME_KEYS if props.get(k) not in (None, "")), code)
        kind, coords = geom.get("type"), geom.get("coordinates")
        if kind == "Polygon":
            polys = [coords]
        elif kind == "MultiPolygon":
            polys = coords
        else:
            raise _bad(_("geometry type %(t)r is not supported") % {"t": kind}, where,
                       _("only Polygon and MultiPolygon features can be drawn as regions"))
        if not isinstance(polys, list) or not polys:
            raise _bad(_("a feature has no coordinates"), where)
        out.append(Region(code, name, [[_ring(r, where) for r in p] for p in polys]))
    if not out:
        raise _bad(_("the FeatureCollection has no features"), source)
    return out


def read_geojson(path, *, code_key: str | None = None) -> list[Region]:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(_("cannot read the GeoJSON file: %(e)s") % {"e": exc}, str(path)) from None
    return regions_from(doc, code_key=code_key, source=path.name)


def _perp(p, a, b) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def douglas_peucker(points: list, tolerance: float) -> list:
    """Douglas–Peucker line simplification (iterative; endpoints kept)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        s, e = stack.pop()
        best, idx = 0.0, -1
        for i in range(s + 1, e):
            d = _perp(points[i], points[s], points[e])
            if d > best:
                best, idx = d, i
        if idx >= 0 and best > tolerance:
            keep[idx] = True
            stack += [(s, idx), (idx, e)]
    return [p for p, k in zip(points, keep) if k]


def _area(ring) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))) / 2


def simplify(regions: list[Region], tolerance: float = 0.01, digits: int = 3) -> list[Region]:
    """Simplified copies: rings simplified with ``tolerance`` (degrees), coordinates rounded
    to ``digits`` decimals; rings left with fewer than four points are dropped, but every
    region keeps its largest outer ring (small islands stay visible)."""
    out = []
    for reg in regions:
        polys = []
        for poly in reg.polygons:
            rings = []
            for j, ring in enumerate(poly):
                pts = douglas_peucker(ring, tolerance)
                pts = [(round(x, digits), round(y, digits)) for x, y in pts]
                pts = [p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1]]
                if len(pts) >= 4:
                    rings.append(pts)
                elif j > 0:
                    continue
                else:
                    break  # the outer ring collapsed: drop the polygon (holes with it)
            if rings:
                polys.append(rings)
        if not polys:  # keep the largest outer ring, rounded, unsimplified
            big = max((p[0] for p in reg.polygons), key=_area)
            polys = [[[(round(x, digits), round(y, digits)) for x, y in big]]]
        out.append(Region(reg.code, reg.name, polys))
    return out


def to_geojson(regions: list[Region], extra: dict | None = None) -> dict:
    feats = []
    for r in regions:
        geom = ({"type": "Polygon", "coordinates": r.polygons[0]} if len(r.polygons) == 1 else
                {"type": "MultiPolygon", "coordinates": r.polygons})
        feats.append({"type": "Feature", "properties": {"shapeISO": r.code, "shapeName": r.name},
                      "geometry": geom})
    doc = {"type": "FeatureCollection", "features": feats}
    doc.update(extra or {})
    return doc


def bounds(regions: list[Region]) -> tuple[float, float, float, float]:
    xs = [x for r in regions for p in r.polygons for ring in p for x, _y in ring]
    ys = [y for r in regions for p in r.polygons for ring in p for _x, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def projector(regions: list[Region], width: float = 300.0, pad: float = 4.0):
    """A function (lon, lat) -> (x, y) fitting the regions into ``width`` px, and the height."""
    x0, y0, x1, y1 = bounds(regions)
    k = math.cos(math.radians((y0 + y1) / 2))
    scale = (width - 2 * pad) / max((x1 - x0) * k, 1e-9)
    height = (y1 - y0) * scale + 2 * pad

    def proj(lon: float, lat: float) -> tuple[float, float]:
        return pad + (lon - x0) * k * scale, pad + (y1 - lat) * scale

    return proj, height


def svg_path(region: Region, proj) -> str:
    """An SVG path (even-odd rings) for a region, one decimal per coordinate."""
    parts = []
    for poly in region.polygons:
        for ring in poly:
            pts = [proj(x, y) for x, y in ring]
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z")
    return "".join(parts)
