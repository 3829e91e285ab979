"""The translation catalogues (hi, vi, bn): every entry translated, none fuzzy, placeholders kept,
and the compiled ``.mo`` that ships equal to its ``.po`` source (a stale ``.mo`` would show users
English, or an old text, for strings the ``.po`` translates)."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

import lnob

LOCALE = Path(lnob.__file__).parent / "locale"
LANGS = ["hi", "vi", "bn"]
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdfr]|\{[a-z_0-9]+\}")


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file (blocks separated by blank lines, as gettext writes them):
    msgctxt, msgid, msgid_plural, msgstr (index -> text) and flags; obsolete ``#~`` entries skipped."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        e = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set()}
        key = None
        for line in (raw.strip() for raw in block.splitlines()):
            if line.startswith("#,"):
                e["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif not line or line.startswith("#"):
                continue
            elif line.startswith('"'):
                if isinstance(key, int):
                    e["msgstr"][key] += ast.literal_eval(line)
                else:
                    e[key] += ast.literal_eval(line)
            else:
                word, text = line.split(" ", 1)
                m = re.fullmatch(r"msgstr(?:\[(\d+)\])?", word)
                if m:
                    key = int(m.group(1) or 0)
                    e["msgstr"][key] = ast.literal_eval(text)
                else:
                    key = word
                    e[key] = ast.literal_eval(text)
        if e["msgid"] is not None:
            entries.append(e)
    return entries


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_is_complete_and_keeps_placeholders(lang):
    entries = [e for e in read_po(LOCALE / lang / "LC_MESSAGES" / "django.po") if e["msgid"]]
    assert len(entries) > 1000
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, untranslated[:5]
    assert not fuzzy, fuzzy[:5]
    for e in entries:
        want = sorted(PLACEHOLDER.findall(e["msgid_plural"] or e["msgid"]))
        for text in e["msgstr"].values():
            got = sorted(PLACEHOLDER.findall(text))
            # a plural form may leave out the number (e.g. "one record"), never add or rename one
            assert set(got) <= set(want) | set(PLACEHOLDER.findall(e["msgid"])), (lang, e["msgid"], text)
            if not e["msgid_plural"]:
                assert got == want, (lang, e["msgid"], text)


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches_its_source(lang):
    folder = LOCALE / lang / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in read_po(folder / "django.po"):
        if not e["msgid"]:
            continue
        ctx = e["msgctxt"]
        if e["msgid_plural"]:
            got = (mo.npgettext(ctx, e["msgid"], e["msgid_plural"], 1) if ctx
                   else mo.ngettext(e["msgid"], e["msgid_plural"], 1))
            want = e["msgstr"][0]
        else:
            got = mo.pgettext(ctx, e["msgid"]) if ctx else mo.gettext(e["msgid"])
            want = e["msgstr"][0]
        if got != want:
            stale.append(e["msgid"])
    assert not stale, f"{len(stale)} entries differ — run compilemessages (docs/development.md): {stale[:3]}"
