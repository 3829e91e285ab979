"""Which boundaries a project's map uses, and how a dimension's categories find their regions.

* Shipped boundaries (:data:`SHIPPED`): ``lnob/maps/data/<name>.geojson``, simplified by
  :mod:`lnob.maps.build` and cited in the file's ``lnob`` member.
* A project's own boundaries: one GeoJSON file in the workspace media directory,
  ``<media>/boundaries/<project-slug>.geojson``, written by :func:`save_project_boundaries`
  (checked and simplified on upload; no database table).  When it exists it is used instead
  of the shipped ones.
* The join: a category (the form's choice name, e.g. ``ha_noi``) → a region code, from the
  choice list's ``iso`` column when the form has one (the shipped questionnaire does), else
  from :mod:`lnob.forms.library.vn_provinces`, else the category itself.  Codes are compared
  stripped and upper-cased.  Several features may share a code (geoBoundaries' Côn Đảo
  reuses VN-43, Bà Rịa–Vũng Tàu's): all of them are drawn with that region's value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lnob.errors import InputError
from lnob.i18n import _
from lnob.maps.geo import Region, read_geojson, regions_from, simplify, to_geojson

DATA = Path(__file__).resolve().parent / "data"
#: shipped boundary sets: name -> (country, level)
SHIPPED = {"vnm_adm1": ("VN", "ADM1")}
#: largest boundaries upload accepted (bytes, before simplification)
MAX_UPLOAD = 20 * 1024 * 1024


@dataclass
class Boundaries:
    name: str
    regions: list[Region]
    citation: dict

    @property
    def codes(self) -> set[str]:
        return {norm(r.code) for r in self.regions}


def norm(code) -> str:
    return str(code).strip().upper()


@lru_cache(maxsize=8)
def shipped(name: str = "vnm_adm1") -> Boundaries:
    if name not in SHIPPED:
        raise InputError(_("no shipped boundaries named %(n)r") % {"n": name}, where=name,
                         hint=", ".join(SHIPPED), code="maps.unknown-boundaries")
    doc = json.loads((DATA / f"{name}.geojson").read_text(encoding="utf-8"))
    return Boundaries(name, regions_from(doc, source=name), doc.get("lnob", {}))


def project_file(media_root, slug: str) -> Path:
    return Path(media_root) / "boundaries" / f"{slug}.geojson"


def save_project_boundaries(media_root, slug: str, data: bytes, *, code_key: str | None = None,
                            tolerance: float = 0.01, source: str = "") -> Boundaries:
    """Check, simplify and store a project's own boundaries (GeoJSON bytes)."""
    if len(data) > MAX_UPLOAD:
        raise InputError(_("the boundaries file is too large (limit %(m)d MB)") % {"m": MAX_UPLOAD // 1048576},
                         where=source or "upload", hint=_("simplify it first (e.g. mapshaper)"),
                         code="maps.too-large")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(_("not a GeoJSON file: %(e)s") % {"e": exc}, where=source or "upload",
                         hint=_("upload a .geojson FeatureCollection"), code="maps.bad-geojson") from None
    regions = simplify(regions_from(doc, code_key=code_key, source=source or "upload"), tolerance)
    meta = {"source": source or _("uploaded by the project"), "license": "", "citation": "", "attribution": ""}
    path = project_file(media_root, slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_geojson(regions, {"lnob": meta}), ensure_ascii=False,
                               separators=(",", ":")), encoding="utf-8")
    return Boundaries(slug, regions, meta)


def project_boundaries(media_root, slug: str) -> Boundaries | None:
    path = project_file(media_root, slug)
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    return Boundaries(slug, regions_from(doc, source=path.name), doc.get("lnob", {}))


def region_codes(categories, choices: list[dict] | None = None) -> dict:
    """category -> region code (see the module docstring)."""
    from lnob.forms.library.vn_provinces import PROVINCES

    by_choice = {}
    for c in choices or []:
        code = c.get("iso") or c.get("code") or c.get("region")
        if code:
            by_choice[str(c.get("name"))] = norm(code)
    vn = {slug: norm(iso) for slug, iso, _geo, _ascii in PROVINCES}
    return {cat: by_choice.get(str(cat)) or vn.get(str(cat)) or norm(cat) for cat in categories}


def pick(codes, *, project: Boundaries | None = None) -> Boundaries | None:
    """The project's boundaries, else the shipped set matching most codes (None: none match)."""
    want = {norm(c) for c in codes}
    if project is not None:
        return project
    best, hits = None, 0
    for name in SHIPPED:
        b = shipped(name)
        n = len(want & b.codes)
        if n > hits:
            best, hits = b, n
    return best


def read_file(path, **kw) -> list[Region]:  # convenience re-export for the CLI and tests
    return read_geojson(path, **kw)
