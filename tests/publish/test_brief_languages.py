"""A brief's numbers and dates follow its language (lnob.l10n): vi writes "41,25" and groups
thousands with a dot, hi names the month in Hindi, English is unchanged; the chart's axis uses
the same number locale."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.utils import translation
from django.utils.dates import MONTHS

from helpers import lnob

OFFICIAL_VALUE = 41.25  # a made-up official 6.2.1 value with two decimals, to see the separator


@pytest.fixture(scope="module")
def briefs(pub_home, tmp_path_factory):
    folder = tmp_path_factory.mktemp("briefs")
    official = folder / "indicator_6-2-1.csv"
    official.write_text(f"Year,Units,Value\n2024,Percentage (%),{OFFICIAL_VALUE}\n", encoding="utf-8")
    out = {}
    for lang in ("en", "vi", "hi"):
        path = folder / f"brief-{lang}.html"
        r = lnob("brief", "demo", "--lang", lang, "--indicator", "basic_sanitation", "--official", str(official),
                 "--format", "html", "--out", str(path), home=pub_home)
        assert r.code == 0, r.err
        out[lang] = htmllib.unescape(path.read_text(encoding="utf-8"))
    return out


def _text(html: str) -> str:
    html = re.sub(r"<(svg|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_vietnamese_brief_uses_the_decimal_comma(briefs, raw_results):
    vi, en = _text(briefs["vi"]), _text(briefs["en"])
    assert "41,25" in vi and "41.25" not in vi
    assert "41.25" in en and "41,25" not in en
    n = next(r["n"] for r in raw_results if r["indicator"] == "basic_sanitation" and not r["groups"])
    assert n >= 1000
    assert f"n = {n:,}".replace(",", ".") in vi and f"n = {n:,}" in en


def test_hindi_brief_names_the_month_in_hindi(briefs):
    # the collection period as the vi brief writes it (Django's vi DATE_FORMAT: "Ngày 03 tháng 3 năm 2025")
    day, month, year = map(int, re.search(r"Ngày (\d+) tháng (\d+) năm (\d{4})", _text(briefs["vi"])).groups())
    with translation.override("hi"):
        month_hi = str(MONTHS[month])
    with translation.override("en"):
        month_en = str(MONTHS[month])
    assert month_hi != month_en
    hi, en = _text(briefs["hi"]), _text(briefs["en"])
    assert f"{day} {month_hi} {year}" in hi and month_en not in hi
    assert f"{month_en[:3]}" in en and f"{day}, {year}" in en  # e.g. "March 3, 2025"


def test_chart_axis_and_labels_follow_the_language(settings):
    """The brief's chart (Vega-Lite rendered by vl-convert with config.locale): axis ticks and
    the printed values use the language's separators and digits, like the tables."""
    from lnob.publish.charts import group_chart, render

    points = [{"label": "A", "estimate": 1234.6, "ci_low": 1000.25, "ci_high": 1500.5}]
    ticks, alts = {}, {}
    for lang in ("en", "vi", "bn"):
        with translation.override(lang):
            chart = render(group_chart("T", points, 1100.75, percent=False, lang=lang, overall_label="overall"),
                           "svg")
        ticks[lang] = re.findall(r"<text[^>]*>([^<]*)</text>", chart.svg)
        alts[lang] = chart.alt
    assert "1,000" in ticks["en"] and "1,235" in ticks["en"]
    assert "1.000" in ticks["vi"] and "1.235" in ticks["vi"] and "1,000" not in ticks["vi"]
    assert "১,০০০" in ticks["bn"] and not any(re.search(r"[0-9]", t) for t in ticks["bn"])
    # the text alternative lists the same figures
    assert "1,235 (1,000–1,500)" in alts["en"] and "1.235 (1.000–1.500)" in alts["vi"]
