"""Hostile form files: size limits, zip bombs, XML entity bombs; every XML parser is defusedxml."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest

from lnob.errors import InputError
from lnob.forms import xlsform
from lnob.forms.xlsform import MAX_FORM_BYTES, MAX_FORM_UNPACKED, convert

SRC = Path(__file__).resolve().parents[2] / "src" / "lnob"


def _xlsform_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label"])
    ws.append(["integer", "members", "Members"])
    st = wb.create_sheet("settings")
    st.append(["form_id", "version"])
    st.append(["hh", "1"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in replace.items():
            if name not in src.namelist():
                zf.writestr(name, content)
    return out.getvalue()


def test_a_valid_workbook_still_converts():
    assert convert(_xlsform_bytes(), "hh.xlsx").form_id == "hh"


def test_zip_bomb_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/worksheets/sheet2.xml", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _i in range(MAX_FORM_UNPACKED // len(chunk) + 8):
                fh.write(chunk)
    bomb = _rezip(_xlsform_bytes(), {"xl/worksheets/sheet2.xml": b""})  # a real workbook around it
    bomb_zip = zipfile.ZipFile(io.BytesIO(bomb))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in bomb_zip.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":
                zf.writestr(info.filename, bomb_zip.read(info.filename))
        big = zipfile.ZipFile(io.BytesIO(out.getvalue()))
        with big.open("xl/worksheets/sheet2.xml") as src, zf.open("xl/worksheets/sheet2.xml", "w") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
    data = packed.getvalue()
    assert len(data) < MAX_FORM_BYTES // 10, "small on disk"
    started = time.monotonic()
    with pytest.raises(InputError) as e:
        convert(data, "bomb.xlsx")
    assert e.value.code == "forms.too-large" and "unpacks" in e.value.message
    assert time.monotonic() - started < 2


def test_oversized_and_damaged_files_are_refused():
    with pytest.raises(InputError) as e:
        convert(b"x" * (MAX_FORM_BYTES + 1), "big.csv")
    assert e.value.code == "forms.too-large"
    with pytest.raises(InputError) as e:
        convert(b"PK\x03\x04" + b"\0" * 100, "broken.xlsx")
    assert e.value.code == "forms.unreadable"


def test_xml_entity_bomb_in_a_workbook_is_refused_quickly():
    good = _xlsform_bytes()
    sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet1.xml").decode()
    entities = "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                       for i in range(1, 10))
    head, body = sheet.split("?>", 1) if sheet.startswith("<?xml") else ("<?xml version='1.0'", sheet)
    bomb = f'{head}?><!DOCTYPE worksheet [<!ENTITY lol "lol">{entities}]>' + body.replace("Members", "&lol9;")
    assert "&lol9;" in bomb
    data = _rezip(good, {"xl/worksheets/sheet1.xml": bomb.encode()})
    started = time.monotonic()
    with pytest.raises(InputError) as e:
        convert(data, "lol.xlsx")
    assert e.value.code in ("forms.unreadable", "forms.xlsform-invalid")
    assert time.monotonic() - started < 5


def test_spreadsheet_reader_uses_defusedxml():
    from openpyxl.xml import DEFUSEDXML
    from openpyxl.xml.functions import fromstring

    assert DEFUSEDXML and fromstring.__module__.startswith("defusedxml")


def test_no_module_parses_xml_without_defusedxml():
    unsafe = re.compile(r"^\s*(from|import)\s+(xml\.etree|xml\.dom|lxml|xml\.sax(?!\.saxutils))", re.M)
    found = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if unsafe.search(p.read_text(encoding="utf-8"))]
    assert not found, f"parse XML with defusedxml, not the standard library or lxml: {found}"
    assert xlsform.check_size.__doc__
