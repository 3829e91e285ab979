"""Charts of a brief: Vega-Lite specs rendered offline by vl-convert (SVG for HTML, PNG for
PDF, drawn with the fonts shipped in ``fonts/``), each with a text alternative listing every
value it shows.  Only published (disclosure-controlled) cells are charted."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from lnob import l10n
from lnob.i18n import _

FONTS = Path(__file__).resolve().parent / "fonts"
FONT_STACK = {"hi": "Noto Sans Devanagari", "bn": "Noto Sans Bengali"}
_registered = False


@dataclass
class Chart:
    title: str
    spec: dict
    alt: str
    svg: str = ""
    png: str = ""  # data: URI


def _register_fonts():
    global _registered
    if not _registered:
        import vl_convert as vlc

        vlc.register_font_directory(str(FONTS))
        _registered = True


def pct(x: float | None, percent: bool) -> str:
    """A figure of a brief in the reader's conventions (:mod:`lnob.l10n`): a proportion as a
    whole percentage (without the sign), else two decimals below 10 and a whole number above."""
    if x is None:
        return l10n.DASH
    if percent:
        return l10n.number(x * 100, 0)
    return l10n.number(x, 2) if abs(x) < 10 else l10n.count(x)


def unit(text: str, percent: bool) -> str:
    """A formatted figure with the percent sign when it is a percentage."""
    return l10n.with_percent(text) if percent else text


def group_chart(title: str, points: list[dict], overall: float | None, *, percent: bool, lang: str,
                overall_label: str) -> Chart:
    """Dots with 95 % intervals, one row per group, and a rule at the overall value.

    ``points``: ``{"label", "estimate", "ci_low", "ci_high"}`` of published cells."""
    scale = 100 if percent else 1
    values = [{"group": p["label"], "estimate": p["estimate"] * scale, "lo": p["ci_low"] * scale,
               "hi": p["ci_high"] * scale, "text": unit(pct(p["estimate"], percent), percent)} for p in points]
    font = FONT_STACK.get(lang, "Noto Sans")
    x = {"field": "estimate", "type": "quantitative", "title": (_("Percent") if percent else _("Value")),
         "scale": {"domain": [0, 100]} if percent else {"zero": True}}
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 360, "height": {"step": 13},
        "data": {"values": values},
        # the reader's decimal separator, grouping and digits on the axis (d3-format locale)
        "config": {"font": font, "view": {"stroke": None}, "locale": {"number": l10n.vega_locale()}, "axis": {"labelFontSize": 10, "titleFontSize": 10,
                                                                      "labelLimit": 220}},
        "layer": [
            {"mark": {"type": "rule", "color": "#6b7280"},
             "encoding": {"y": {"field": "group", "type": "nominal", "sort": None, "title": None},
                          "x": {**x, "field": "lo"}, "x2": {"field": "hi"}}},
            {"mark": {"type": "point", "filled": True, "size": 60, "color": "#1d4ed8"},
             "encoding": {"y": {"field": "group", "type": "nominal", "sort": None, "title": None}, "x": x}},
            {"mark": {"type": "text", "align": "left", "dx": 6, "dy": -7, "fontSize": 9},
             "encoding": {"y": {"field": "group", "type": "nominal", "sort": None}, "x": {**x, "field": "hi"},
                          "text": {"field": "text"}}},
        ],
    }
    if overall is not None:
        spec["layer"].append({"data": {"values": [{"overall": overall * scale}]},
                              "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#b91c1c"},
                              "encoding": {"x": {"field": "overall", "type": "quantitative"}}})
    parts = [_("%(group)s: %(value)s (%(low)s–%(high)s)") % {
        "group": p["label"], "value": unit(pct(p["estimate"], percent), percent), "low": pct(p["ci_low"], percent),
        "high": unit(pct(p["ci_high"], percent), percent)} for p in points]
    if overall is not None:
        parts.append(_("%(group)s: %(value)s") % {"group": overall_label,
                                                   "value": unit(pct(overall, percent), percent)})
    alt = _("Chart: %(t)s.") % {"t": title} + " " + "; ".join(parts)
    return Chart(title, spec, alt + ".")


def render(chart: Chart, fmt: str) -> Chart:
    import vl_convert as vlc

    _register_fonts()
    if fmt == "svg":
        chart.svg = vlc.vegalite_to_svg(chart.spec)
    else:
        png = vlc.vegalite_to_png(chart.spec, scale=2)
        chart.png = "data:image/png;base64," + base64.b64encode(png).decode()
    return chart
