"""Regenerate the boundaries shipped in the package from their published source.

    python -m lnob.maps.build SOURCE.geojson [NAME] [--tolerance 0.01]

writes ``lnob/maps/data/<NAME>.geojson`` (default ``vnm_adm1``): every feature kept (names
stripped of whitespace, codes as published), rings simplified with Douglas–Peucker at the
tolerance in degrees (0.01° ≈ 1 km) and coordinates rounded to 3 decimals.  The shipped file
was made from geoBoundaries gbOpen VNM ADM1 (``geoBoundaries-VNM-ADM1_simplified.geojson``,
boundaryID VNM-ADM1-63759600) with the defaults.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lnob.maps.geo import read_geojson, simplify, to_geojson

DATA = Path(__file__).resolve().parent / "data"

CITATION = {
    "source": "geoBoundaries gbOpen VNM ADM1 (boundaryID VNM-ADM1-63759600, boundary year 2008), "
              "simplified by lnob.maps.build",
    "license": "Public Domain (geoBoundaries metadata); citation required",
    "citation": "Runfola D. et al. (2020) geoBoundaries: A global database of political administrative "
                "boundaries. PLoS ONE 15(4): e0231866. https://doi.org/10.1371/journal.pone.0231866",
    "attribution": "Administrative boundaries courtesy of geoBoundaries.org",
}


def build(source, name: str = "vnm_adm1", tolerance: float = 0.01, meta: dict | None = None) -> Path:
    regions = simplify(read_geojson(source), tolerance)
    DATA.mkdir(exist_ok=True)
    out = DATA / f"{name}.geojson"
    doc = to_geojson(regions, {"lnob": meta or CITATION})
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source")
    ap.add_argument("name", nargs="?", default="vnm_adm1")
    ap.add_argument("--tolerance", type=float, default=0.01)
    a = ap.parse_args(argv)
    print(build(a.source, a.name, a.tolerance))


if __name__ == "__main__":  # pragma: no cover
    main()
