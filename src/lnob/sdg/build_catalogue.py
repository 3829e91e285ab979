"""Build the SDG catalogue shipped in ``lnob/sdg/data/`` from the upstream files.

Run it from a checkout whenever the upstream sources change::

    python -m lnob.sdg.build_catalogue /path/to/data/sdg [--out src/lnob/sdg/data]

``/path/to/data/sdg`` holds ``translations/<lang>/global_{goals,targets,indicators}.yml``
(open-sdg/sdg-translations) and ``sdmx/IAEG-SDGs_SDG_1.14_dsd.xml``, ``sdmx/series_1.14.csv``
and ``sdmx/global_content_constraints.csv`` (see ``data/SOURCE.md``).  The output is
deterministic (sorted keys, fixed layout), so a rebuild from the same sources changes no
byte; ``tests/sdg/test_build.py`` checks that.

What is written (all JSON, UTF-8):

* ``framework.json`` — the goal → target → indicator tree, the repeated indicators,
  which codes have SDMX series and which have texts;
* ``texts/<lang>.json`` — goal titles and short names, target and indicator titles;
* ``sdmx/dsd.json`` — the data structure: concepts, dimensions, attributes and an index of
  the code lists;
* ``sdmx/codelists/<CL_ID>.json`` — one file per code list (code → name, and the
  description, parent and deprecation when the DSD has them);
* ``sdmx/series.json`` — per SDMX series: its indicators, the DSD's indicator code and
  title, whether it is retired and its content constraints.

The XML is parsed with :mod:`defusedxml` (no entity expansion, no external resources).
This module is a build tool: nothing at run time imports it.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

NS = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "str": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
}
S = "{%s}" % NS["str"]
C = "{%s}" % NS["com"]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

DSD_FILE = "IAEG-SDGs_SDG_1.14_dsd.xml"
SERIES_FILE = "series_1.14.csv"
CONSTRAINTS_FILE = "global_content_constraints.csv"
#: Constraint columns of global_content_constraints.csv (dimensions and series attributes).
CONSTRAINT_COLUMNS = [
    "UNIT_MEASURE", "UNIT_MULT", "SEX", "AGE", "URBANISATION", "COMPOSITE_BREAKDOWN",
    "EDUCATION_LEV", "DISABILITY_STATUS", "OCCUPATION", "INCOME_WEALTH_QUANTILE", "PRODUCT",
    "ACTIVITY",
]

GOAL_KEY = re.compile(r"^(\d+)-(title|short)$")
TARGET_KEY = re.compile(r"^(\d+)-([0-9a-z]+)-title$")
INDICATOR_KEY = re.compile(r"^(\d+)-([0-9a-z]+)-(\d+)-title$")


class BuildError(Exception):
    pass


# --------------------------------------------------------------------------- ordering

def _part_key(part: str):
    """Numbers before letters: 1, 2, ..., 10, a, b, c (the UN order of targets)."""
    return (0, int(part), "") if part.isdigit() else (1, 0, part)


def code_key(code: str):
    return tuple(_part_key(p) for p in code.split("."))


# --------------------------------------------------------------------------- texts

def _load_yaml(path: Path) -> dict:
    import yaml

    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise BuildError(f"{path}: expected a mapping")
    return data


def _clean(text) -> str:
    return " ".join(str(text).split())


def read_texts(translations: Path) -> dict[str, dict]:
    """``{lang: {"goals": {g: {"title", "short"}}, "targets": {...}, "indicators": {...}}}``."""
    out: dict[str, dict] = {}
    for lang_dir in sorted(p for p in translations.iterdir() if p.is_dir()):
        lang = lang_dir.name
        goals: dict[str, dict] = {}
        for key, value in _load_yaml(lang_dir / "global_goals.yml").items():
            m = GOAL_KEY.match(str(key))
            if not m:
                raise BuildError(f"{lang_dir}/global_goals.yml: unexpected key {key!r}")
            goals.setdefault(m.group(1), {})[m.group(2)] = _clean(value)
        targets = {}
        for key, value in _load_yaml(lang_dir / "global_targets.yml").items():
            m = TARGET_KEY.match(str(key))
            if not m:
                raise BuildError(f"{lang_dir}/global_targets.yml: unexpected key {key!r}")
            targets[f"{m.group(1)}.{m.group(2)}"] = _clean(value)
        indicators = {}
        for key, value in _load_yaml(lang_dir / "global_indicators.yml").items():
            m = INDICATOR_KEY.match(str(key))
            if not m:
                raise BuildError(f"{lang_dir}/global_indicators.yml: unexpected key {key!r}")
            indicators[f"{m.group(1)}.{m.group(2)}.{m.group(3)}"] = _clean(value)
        out[lang] = {
            "goals": dict(sorted(goals.items(), key=lambda kv: code_key(kv[0]))),
            "targets": dict(sorted(targets.items(), key=lambda kv: code_key(kv[0]))),
            "indicators": dict(sorted(indicators.items(), key=lambda kv: code_key(kv[0]))),
        }
    if "en" not in out:
        raise BuildError(f"{translations}: no English texts (translations/en)")
    return out


# --------------------------------------------------------------------------- SDMX

def _text(elem, tag: str) -> str | None:
    found = elem.find(tag)
    return None if found is None or found.text is None else found.text.strip()


def _annotations(elem) -> list[tuple[str | None, str | None]]:
    anns = elem.find(C + "Annotations")
    if anns is None:
        return []
    return [
        (_text(a, C + "AnnotationType"), _text(a, C + "AnnotationText"))
        for a in anns.findall(C + "Annotation")
    ]


def read_dsd(path: Path) -> tuple[dict, dict[str, dict], dict[str, dict]]:
    """Return (dsd, codelists, series annotations) from the SDMX-ML structure message."""
    from defusedxml import ElementTree

    root = ElementTree.parse(str(path)).getroot()
    structures = root.find("mes:Structures", NS)
    if structures is None:
        raise BuildError(f"{path}: not an SDMX-ML structure message")

    codelists: dict[str, dict] = {}
    series_ann: dict[str, dict] = {}
    for cl in structures.iter(S + "Codelist"):
        cl_id = cl.get("id")
        codes = []
        for code in cl.findall(S + "Code"):
            cid = code.get("id")
            name = _text(code, C + "Name") or ""
            extra = {}
            desc = _text(code, C + "Description")
            if desc and desc != name:
                extra["description"] = desc
            parent = code.find(S + "Parent/Ref")
            if parent is not None:
                extra["parent"] = parent.get("id")
            anns = _annotations(code)
            if any(t == "DEPRECATED" for t, _ in anns):
                extra["deprecated"] = True
            codes.append([cid, name, extra] if extra else [cid, name])
            if cl_id == "CL_SERIES":
                info = {"indicators": [], "order": None, "indicator_code": None,
                        "indicator_title": None, "retired": None}
                for typ, text in anns:
                    if typ == "Indicator" and text:
                        info["indicators"].extend(i.strip() for i in text.split(";") if i.strip())
                    elif typ == "ORDER" and text:
                        info["order"] = int(text)
                    elif typ == "IndicatorCode":
                        info["indicator_code"] = text
                    elif typ == "IndicatorTitle":
                        info["indicator_title"] = _clean(text) if text else None
                    elif typ == "RetiredSeries":
                        info["retired"] = _clean(text) if text else "retired"
                series_ann[cid] = info
        codelists[cl_id] = {
            "id": cl_id,
            "agency": cl.get("agencyID"),
            "version": cl.get("version"),
            "name": _text(cl, C + "Name"),
            "codes": codes,
        }

    concepts = {}
    for concept in structures.iter(S + "Concept"):
        concepts[concept.get("id")] = _text(concept, C + "Name")

    ds = structures.find(".//str:DataStructure", NS)
    if ds is None:
        raise BuildError(f"{path}: no DataStructure")

    def enum(comp):
        ref = comp.find(S + "LocalRepresentation/" + S + "Enumeration/Ref")
        return None if ref is None else ref.get("id")

    def text_type(comp):
        tf = comp.find(S + "LocalRepresentation/" + S + "TextFormat")
        return None if tf is None else tf.get("textType")

    dims_el = ds.find(".//str:DimensionList", NS)
    dimensions = []
    time_dimension = None
    for comp in dims_el:
        if comp.tag == S + "Dimension":
            dimensions.append({"id": comp.get("id"), "position": int(comp.get("position")),
                               "codelist": enum(comp)})
        elif comp.tag == S + "TimeDimension":
            time_dimension = comp.get("id")
    attributes = []
    for comp in ds.find(".//str:AttributeList", NS).findall(S + "Attribute"):
        rel = comp.find(S + "AttributeRelationship")
        if rel is not None and rel.find(S + "PrimaryMeasure") is not None:
            attached = "observation"
        elif rel is not None and rel.find(S + "Dimension") is not None:
            attached = "series"
        else:
            attached = "dataset"
        item = {"id": comp.get("id"), "status": comp.get("assignmentStatus"), "attached_to": attached}
        if enum(comp):
            item["codelist"] = enum(comp)
        elif text_type(comp):
            item["text_type"] = text_type(comp)
        attributes.append(item)
    measure = ds.find(".//str:PrimaryMeasure", NS)
    dsd = {
        "id": ds.get("id"),
        "agency": ds.get("agencyID"),
        "version": ds.get("version"),
        "name": _text(ds, C + "Name"),
        "urn": ds.get("urn"),
        "prepared": _text(root, "mes:Header/mes:Prepared".replace("mes:", "{%s}" % NS["mes"])),
        "concepts": concepts,
        "dimensions": sorted(dimensions, key=lambda d: d["position"]),
        "time_dimension": time_dimension,
        "measure": None if measure is None else measure.get("id"),
        "attributes": attributes,
        "codelists": {
            cid: {"agency": cl["agency"], "version": cl["version"], "name": cl["name"],
                  "count": len(cl["codes"])}
            for cid, cl in sorted(codelists.items())
        },
    }
    return dsd, codelists, series_ann


def read_series_csv(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["SERIES"]: row for row in csv.DictReader(fh)}


def read_constraints(path: Path) -> dict[str, dict]:
    out = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            allowed = {}
            for col in CONSTRAINT_COLUMNS:
                value = (row.get(col) or "").strip()
                if value and value != "ALL":
                    allowed[col] = [v.strip() for v in value.split(";") if v.strip()]
            out[row["SERIES"]] = allowed
    return out


# --------------------------------------------------------------------------- assembly

def _repeat_groups(series_ann: dict[str, dict]) -> list[list[str]]:
    """Indicator codes that are one indicator (a series serves all of them): union-find."""
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for info in series_ann.values():
        inds = info["indicators"]
        for code in inds:
            find(code)
        for other in inds[1:]:
            a, b = find(inds[0]), find(other)
            if a != b:
                parent[max(a, b, key=code_key)] = min(a, b, key=code_key)
    groups = defaultdict(list)
    for code in parent:
        groups[find(code)].append(code)
    return sorted((sorted(g, key=code_key) for g in groups.values() if len(g) > 1),
                  key=lambda g: code_key(g[0]))


def build(source: Path) -> dict[str, object]:
    """Return ``{relative path: JSON-able object}`` for everything under ``data/``."""
    texts = read_texts(source / "translations")
    dsd, codelists, series_ann = read_dsd(source / "sdmx" / DSD_FILE)
    series_csv = read_series_csv(source / "sdmx" / SERIES_FILE)
    constraints = read_constraints(source / "sdmx" / CONSTRAINTS_FILE)

    # cross-check the derived CSV against the DSD annotations it was made from
    if set(series_csv) != set(series_ann):
        raise BuildError("series_1.14.csv and CL_SERIES list different series")
    for code, row in series_csv.items():
        info = series_ann[code]
        csv_inds = [i.strip() for i in row["indicators"].split(";") if i.strip()]
        if csv_inds != info["indicators"] or (row["primary_indicator_code"] or None) != info["indicator_code"]:
            raise BuildError(f"series_1.14.csv disagrees with the DSD on {code}")
    unknown = sorted(set(constraints) - set(series_ann))
    if unknown:
        raise BuildError(f"content constraints for series not in the DSD: {unknown[:5]}")

    en = texts["en"]
    goals = sorted(en["goals"], key=code_key)
    sdmx_indicators = {i for info in series_ann.values() for i in info["indicators"]}
    text_indicators = set(en["indicators"])
    all_indicators = sorted(text_indicators | sdmx_indicators, key=code_key)
    all_targets = sorted(set(en["targets"]), key=code_key)
    for ind in all_indicators:
        if ind.rsplit(".", 1)[0] not in en["targets"]:
            raise BuildError(f"indicator {ind} belongs to no known target")

    # English titles of indicators the texts lack, from the DSD's IndicatorTitle annotations
    dsd_titles: dict[str, str] = {}
    for info in series_ann.values():
        if len(info["indicators"]) == 1 and info["indicator_title"]:
            dsd_titles.setdefault(info["indicators"][0], info["indicator_title"])
    extra_titles = {}
    for ind in sorted(sdmx_indicators - text_indicators, key=code_key):
        if ind not in dsd_titles:
            raise BuildError(f"indicator {ind} has no title anywhere")
        extra_titles[ind] = dsd_titles[ind]

    repeats = _repeat_groups(series_ann)
    unique_sdmx = len(sdmx_indicators) - sum(len(g) - 1 for g in repeats)

    framework = {
        "sources": {
            "texts": "open-sdg/sdg-translations 2.4.0 (c40a7d26ab84016de8d00f454a69c5f08214c7f8)",
            "sdmx": f"{dsd['agency']}:{dsd['id']}({dsd['version']})",
        },
        "languages": sorted(texts),
        "goals": goals,
        "targets": {g: [t for t in all_targets if t.split(".")[0] == g] for g in goals},
        "indicators": {t: [i for i in all_indicators if i.rsplit(".", 1)[0] == t] for t in all_targets},
        "repeats": repeats,
        "without_series": sorted(text_indicators - sdmx_indicators, key=code_key),
        "without_texts": sorted(sdmx_indicators - text_indicators, key=code_key),
        "dsd_titles_en": extra_titles,
        "counts": {
            "goals": len(goals),
            "targets": len(all_targets),
            "indicator_codes": len(all_indicators),
            "indicator_codes_in_texts": len(text_indicators),
            "indicator_codes_in_sdmx": len(sdmx_indicators),
            "unique_indicators_in_sdmx": unique_sdmx,
            "series": len(series_ann),
        },
    }

    series = {}
    for code in sorted(series_ann):
        info = series_ann[code]
        item = {"indicators": info["indicators"]}
        if info["indicator_code"]:
            item["indicator_code"] = info["indicator_code"]
        if info["order"] is not None:
            item["order"] = info["order"]
        if info["retired"]:
            item["retired"] = info["retired"]
        if code in constraints:
            item["constraints"] = constraints[code]
        series[code] = item

    files: dict[str, object] = {"framework.json": framework, "sdmx/dsd.json": dsd,
                                "sdmx/series.json": series}
    for lang, payload in texts.items():
        files[f"texts/{lang}.json"] = payload
    for cid, cl in codelists.items():
        files[f"sdmx/codelists/{cid}.json"] = cl
    return files


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


def write(files: dict[str, object], out: Path) -> list[Path]:
    written = []
    for rel, obj in sorted(files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(obj), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build lnob's SDG catalogue from the upstream files.")
    parser.add_argument("source", type=Path, help="directory with translations/ and sdmx/")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data")
    args = parser.parse_args(argv)
    try:
        files = build(args.source)
    except (BuildError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    written = write(files, args.out)
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files, {total} bytes, to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
