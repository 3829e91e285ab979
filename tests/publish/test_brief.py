"""`lnob brief`: a Hindi PDF with embedded Devanagari fonts (pdffonts, pdftotext, pdftoppm), an
HTML brief, suppressed groups never shown, bad input."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from helpers import lnob

POPPLER = all(shutil.which(t) for t in ("pdffonts", "pdftotext", "pdftoppm", "pdfinfo"))


@pytest.fixture(scope="module")
def hindi_pdf(pub_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "brief-hi.pdf"
    r = lnob("brief", "demo", "--lang", "hi", "--indicator", "basic_sanitation,child_marriage",
             "--group", "ethnic_group=MINORITY", "--format", "pdf", "--out", str(out), home=pub_home)
    assert r.code == 0, r.err
    return out


def test_hindi_pdf_embeds_its_fonts_and_extracts_devanagari(hindi_pdf, tmp_path):
    if not POPPLER:
        pytest.skip("poppler-utils (pdffonts, pdftotext, pdftoppm) not installed")
    pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(hindi_pdf)], capture_output=True,
                                                                  text=True).stdout.splitlines()
                     if line.startswith("Pages:")))
    assert 2 <= pages <= 4
    fonts = subprocess.run(["pdffonts", str(hindi_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    deva = [r for r in rows if "Devanagari" in r[0]]
    assert deva, fonts
    assert all(r[-5] == "yes" for r in rows), fonts  # every font embedded (emb column)
    text = subprocess.run(["pdftotext", "-layout", str(hindi_pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "स्वच्छता" in text  # "sanitation", from the indicator's Hindi title
    assert "जातीयता" in text  # "ethnicity", the dimension's Hindi title
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(hindi_pdf), str(tmp_path / "p")],
                   check=True)
    [png] = list(tmp_path.glob("p*.png"))
    from PIL import Image

    img = Image.open(png).convert("L")
    dark = sum(1 for v in img.tobytes() if v < 128)
    assert img.size[0] > 300 and dark > 2000  # page 1 has text and a chart


def test_html_brief_vnr(pub_home, tmp_path):
    out = tmp_path / "vnr.html"
    r = lnob("brief", "demo", "--template", "vnr", "--indicator", "basic_sanitation,school_attendance",
             "--format", "html", "--out", str(out), home=pub_home)
    assert r.code == 0, r.err
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="en"' in html
    assert "SDG 6" in html and "Clean water and sanitation" in html  # a VNR section per goal
    assert "Key findings" in html and "Hmong" in html and "against 82 % overall" in html
    assert "<svg" in html and 'role="img"' in html and "Chart: " in html  # chart with its text alternative
    assert "How these figures were made" in html and "suppressed" in html  # method note and annex


def test_a_small_group_never_appears(pub_home, raw_results, tmp_path):
    """A group under the threshold, asked for by name, is reported as too small — its figure is absent."""
    small = [r for r in raw_results if r["indicator"] == "child_marriage" and len(r["groups"]) == 2
             and r["n"] < 25 and r["n"] > 0 and r["estimate"] and all(not str(v).startswith("_") for v in r["groups"].values())]
    assert small
    cell = max(small, key=lambda r: r["estimate"])
    group = ",".join(f"{k}={v}" for k, v in cell["groups"].items())
    out = tmp_path / "b.html"
    r = lnob("brief", "demo", "--indicator", "child_marriage", "--group", group, "--format", "html", "--out", str(out),
             home=pub_home)
    assert r.code == 0, r.err
    html = out.read_text(encoding="utf-8")
    assert "too few respondents to publish" in html
    shown = f"{cell['ci_low'] * 100:.0f}–{cell['ci_high'] * 100:.0f}"
    assert shown not in html, (group, shown)
    assert f">{cell['n']}<" not in html


def test_bad_brief_input(pub_home, tmp_path):
    out = tmp_path / "b.pdf"
    cases = [
        (["--lang", "fr"], "publish.bad-language", "en, hi, vi, bn"),
        (["--template", "vnrr"], "publish.bad-template", "'vnr'"),
        (["--indicator", "basic_sanitaton"], "publish.unknown-indicator", "'basic_sanitation'"),
        (["--group", "ethnicty=hmong"], "publish.unknown-dimension", "'ethnicity'"),
        (["--group", "ethnicity=hmnog"], "publish.unknown-group", "'hmong'"),
        (["--group", "ethnicity"], "publish.bad-group", "DIMENSION=CATEGORY"),
    ]
    for extra, code, hint in cases:
        r = lnob("brief", "demo", *extra, "--format", "pdf", "--out", str(out), home=pub_home)
        assert r.code != 0 and len(r.err.strip().splitlines()) == 1, r.err
        assert f"[{code}]" in r.err and hint in r.err, r.err
    r = lnob("brief", "demo", "--format", "pdf", "--out", str(tmp_path / "missing" / "b.pdf"), home=pub_home)
    assert "[publish.not-writable]" in r.err
    r = lnob("brief", "demo", "--format", "pdf", "--out", str(tmp_path), home=pub_home)
    assert "[publish.not-writable]" in r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing half-written


def test_brief_is_audited(pub_home, hindi_pdf, audit_events):
    mine = [e for e in audit_events(pub_home) if e["target"] == str(hindi_pdf)]
    assert mine and mine[0]["details"]["kind"] == "brief-pdf" and mine[0]["details"]["language"] == "hi"
    assert 2 <= mine[0]["details"]["pages"] <= 4
