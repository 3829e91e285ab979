"""Hostile import files: zip bombs (ODK Central ZIP, XLSX) and XML entity bombs are refused with typed errors."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from lnob.errors import InputError
from lnob.records import imports_read
from lnob.records.imports_read import read_tables


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("members", [
    {"small.csv": b"consent,_uuid\n" + b"yes," * 10 + b"\n" + b"0" * 3_000_000},  # a CSV zip (ODK Central)
    {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b" " * 3_000_000},  # an XLSX
])
def test_zip_bombs_are_refused_before_unpacking(monkeypatch, members):
    monkeypatch.setattr(imports_read, "MAX_UNCOMPRESSED", 2_000_000)
    data = _zip(members)
    assert len(data) < 100_000
    with pytest.raises(InputError) as e:
        read_tables(data, "export.zip")
    assert e.value.code == "records.import-too-large" and "unpacks" in e.value.message


def test_xml_entity_bomb_in_an_xlsx_import_is_refused_quickly():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["consent", "_uuid"])
    wb.active.append(["Members", "u1"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    sheet = src.read("xl/worksheets/sheet1.xml").decode()
    entities = "".join(f'<!ENTITY l{i} "{("&l" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l "lol">{entities}]>' + sheet.replace("Members", "&l9;")
    data = _zip({n: (bomb.encode() if n == "xl/worksheets/sheet1.xml" else src.read(n)) for n in src.namelist()})
    started = time.monotonic()
    with pytest.raises(InputError) as e:
        read_tables(data, "kobo.xlsx")
    assert e.value.code == "records.import-unreadable"
    assert time.monotonic() - started < 5
