"""Server-side choropleth maps: regions and values → an accessible SVG (no tile server, no JS).

:func:`choropleth` returns the SVG markup and the legend classes.  The SVG is
``role="img"`` with a ``<title>`` and a ``<desc>`` (what is shown, highest and lowest regions);
each region carries its own ``<title>`` (name and value) for pointer users.  The figures
themselves are in the data table the page shows next to the map (the text alternative).

Colours: ColorBrewer YlGnBu, 5 classes (colour-blind safe, ordered light → dark); regions
without data are light grey, suppressed regions are hatched; every region has a dark outline
so shapes keep a 3:1 contrast against the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from lnob.maps.boundaries import Boundaries, norm
from lnob.maps.geo import projector, svg_path

PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#ececec"
OUTLINE = "#4d4d4d"


@dataclass
class Value:
    """A region's figure: ``value`` (None: suppressed or missing), its text and flags."""

    value: float | None
    text: str
    label: str = ""
    suppressed: bool = False
    flags: tuple = ()


@dataclass
class LegendClass:
    color: str
    low: float
    high: float
    text: str


def breaks(values: list[float], k: int = 5) -> list[float]:
    """k equal-width classes over [min, max] (k+1 edges); one class when all are equal."""
    lo, hi = min(values), max(values)
    if math.isclose(lo, hi):
        return [lo, hi]
    step = (hi - lo) / k
    return [lo + i * step for i in range(k)] + [hi]


def class_of(v: float, edges: list[float]) -> int:
    for i in range(len(edges) - 1):
        if v <= edges[i + 1] + 1e-12:
            return i
    return len(edges) - 2


def choropleth(bounds: Boundaries, values: dict, *, title: str, desc: str, fmt=lambda v: f"{v:g}",
               no_data: str = "no data", suppressed: str = "suppressed", width: int = 320,
               ident: str = "map") -> tuple[str, list[LegendClass]]:
    """``values``: region code → :class:`Value`.  Returns (SVG markup, legend)."""
    vals = {norm(k): v for k, v in values.items()}
    shown = [v.value for v in vals.values() if v.value is not None and not v.suppressed]
    edges = breaks(shown, min(5, max(1, len(shown)))) if shown else []
    n_cls = max(len(edges) - 1, 0)
    colors = PALETTE if n_cls == 5 else tuple(PALETTE[round(i * 4 / max(n_cls - 1, 1))] for i in range(n_cls))
    legend = [LegendClass(colors[i], edges[i], edges[i + 1], f"{fmt(edges[i])} – {fmt(edges[i + 1])}")
              for i in range(n_cls)]
    proj, height = projector(bounds.regions, width)
    tid, did, hid = f"{ident}-title", f"{ident}-desc", f"{ident}-hatch"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="choropleth" viewBox="0 0 {width} {height:.0f}" '
           f'role="img" aria-labelledby="{tid} {did}" focusable="false">',
           f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>',
           f'<defs><pattern id="{hid}" width="6" height="6" patternUnits="userSpaceOnUse" '
           f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
           f'<line x1="0" y1="0" x2="0" y2="6" stroke="{OUTLINE}" stroke-width="2"/></pattern></defs>',
           '<g stroke-linejoin="round">']
    # regions without data first, so outlines of regions with data are drawn on top
    order = sorted(bounds.regions, key=lambda r: norm(r.code) in vals)
    by_code: dict[str, list[str]] = {}
    for r in bounds.regions:
        by_code.setdefault(norm(r.code), []).append(r.name)
    for r in order:
        v = vals.get(norm(r.code))
        name = r.name
        if v is not None and v.label and v.label != r.name:
            name = v.label if len(by_code[norm(r.code)]) == 1 else f"{r.name} ({v.label})"
        if v is None:
            fill, text, width_ = NO_DATA, no_data, "0.4"
        elif v.suppressed or v.value is None:
            fill, text, width_ = f"url(#{hid})", v.text or suppressed, "0.8"
        else:
            fill, text, width_ = colors[class_of(v.value, edges)], v.text, "0.8"
        out.append(f'<path d="{svg_path(r, proj)}" fill="{fill}" stroke="{OUTLINE}" stroke-width="{width_}" '
                   f'fill-rule="evenodd" data-code="{escape(norm(r.code))}"><title>{escape(name)}: '
                   f'{escape(text)}</title></path>')
    out.append("</g></svg>")
    return "".join(out), legend


def describe(values: dict, names: dict, fmt) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """(highest, lowest) published regions as (name, formatted value)."""
    pub = [(v.value, k) for k, v in values.items() if v.value is not None and not v.suppressed]
    if not pub:
        return None, None
    hi, lo = max(pub), min(pub)
    return (names.get(hi[1], hi[1]), fmt(hi[0])), (names.get(lo[1], lo[1]), fmt(lo[0]))
