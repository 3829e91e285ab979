"""The SDG catalogue: goals, targets, indicators, SDMX series and code lists.

Everything is read from the JSON files under ``lnob/sdg/data/`` (built by
:mod:`lnob.sdg.build_catalogue`), lazily: the framework tree and the English texts on first
use, another language's texts when first asked for, one code list file when that code list
is first asked for.  :func:`catalogue` returns one shared, cached instance.

Indicator codes.  The catalogue knows 253 indicator codes: the 252 of the open-sdg texts and
11.5.3, which only the SDMX structure (DSD 1.14) has.  Some indicators repeat under several
targets (1.5.1 = 11.5.1 = 13.1.1, ...): each code is kept, :attr:`Indicator.repeats` names the
others and :attr:`Indicator.unique_code` the first of the group, so counting
``unique_code`` over the codes that have SDMX series gives the UN's 231 unique indicators.
Six codes of the texts have no SDMX series in DSD 1.14 (:attr:`Indicator.in_sdmx` is false):
1.a.3, 8.9.2, 11.c.1, 13.3.2 and 17.6.2 are older codes of the framework, 1.b.1 has no series.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

from lnob.errors import InputError, NotFound, UsageError, close_matches, did_you_mean
from lnob.i18n import _

DEFAULT_LANGUAGE = "en"

#: Code-list ids people commonly use for the DSD's lists (the dimension name with CL_).
_CODELIST_ALIASES = {
    "CL_DISABILITY_STATUS": "CL_DISABILITY",
    "CL_INCOME_WEALTH_QUANTILE": "CL_QUANTILE",
    "CL_REF_AREA": "CL_AREA",
    "CL_COMPOSITE_BREAKDOWN": "CL_COMP_BREAKDOWN",
}

_SERIES_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)+$")
_PREFIX = re.compile(r"^(sdg|goal|target|indicator)\s*[:#]?\s*", re.IGNORECASE)
_LANG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


def _data(*parts: str):
    return resources.files("lnob.sdg").joinpath("data", *parts)


def _load(*parts: str):
    with _data(*parts).open("r", encoding="utf-8") as fh:
        return json.load(fh)


def _sort_key(code: str):
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


@dataclass(frozen=True)
class Text:
    """A text in the language it was found in.

    ``lang`` is the language of ``text``; ``requested`` the language asked for.  They differ
    when the catalogue has no text in the requested language and fell back to English
    (:attr:`fallback`).
    """

    text: str
    lang: str
    requested: str

    @property
    def fallback(self) -> bool:
        return self.lang != self.requested

    def __str__(self) -> str:
        return self.text


# --------------------------------------------------------------------------- items


class _Item:
    kind = "item"
    __slots__ = ("code", "_cat")

    def __init__(self, cat: "Catalogue", code: str) -> None:
        self.code = code
        self._cat = cat

    def text(self, lang: str | None = None) -> Text:
        return self._cat._text(self.kind, self.code, "title", lang)

    def title(self, lang: str | None = None) -> str:
        return self.text(lang).text

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.code == self.code

    def __hash__(self) -> int:
        return hash((self.kind, self.code))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"


class Goal(_Item):
    kind = "goal"
    __slots__ = ()

    def short(self, lang: str | None = None) -> str:
        return self._cat._text("goal", self.code, "short", lang).text

    @property
    def targets(self) -> list["Target"]:
        return [Target(self._cat, t) for t in self._cat._fw["targets"][self.code]]

    @property
    def indicators(self) -> list["Indicator"]:
        return [i for t in self.targets for i in t.indicators]

    def as_dict(self, lang: str | None = None) -> dict:
        title = self.text(lang)
        return {
            "kind": "goal", "code": self.code, "title": title.text, "short": self.short(lang),
            "lang": title.lang,
            "targets": [{"code": t.code, "title": t.title(lang),
                         "indicators": [i.code for i in t.indicators]} for t in self.targets],
        }


class Target(_Item):
    kind = "target"
    __slots__ = ()

    @property
    def goal(self) -> Goal:
        return Goal(self._cat, self.code.split(".")[0])

    @property
    def indicators(self) -> list["Indicator"]:
        return [Indicator(self._cat, i) for i in self._cat._fw["indicators"][self.code]]

    def as_dict(self, lang: str | None = None) -> dict:
        title = self.text(lang)
        return {
            "kind": "target", "code": self.code, "title": title.text, "lang": title.lang,
            "goal": {"code": self.goal.code, "title": self.goal.title(lang)},
            "indicators": [{"code": i.code, "title": i.title(lang)} for i in self.indicators],
        }


class Indicator(_Item):
    kind = "indicator"
    __slots__ = ()

    @property
    def target(self) -> Target:
        return Target(self._cat, self.code.rsplit(".", 1)[0])

    @property
    def goal(self) -> Goal:
        return Goal(self._cat, self.code.split(".")[0])

    @property
    def repeats(self) -> tuple[str, ...]:
        """The other codes of the same indicator (under other targets), in UN order."""
        group = self._cat._repeat_group.get(self.code, (self.code,))
        return tuple(c for c in group if c != self.code)

    @property
    def unique_code(self) -> str:
        """The first code of this indicator's repeat group (itself when it does not repeat)."""
        return self._cat._repeat_group.get(self.code, (self.code,))[0]

    @property
    def in_sdmx(self) -> bool:
        """True when the SDMX structure (DSD 1.14) has series for this indicator."""
        return self.code in self._cat._series_by_indicator

    @property
    def series(self) -> list["Series"]:
        return self._cat.series_for(self.code)

    def as_dict(self, lang: str | None = None) -> dict:
        title = self.text(lang)
        return {
            "kind": "indicator", "code": self.code, "title": title.text, "lang": title.lang,
            "target": {"code": self.target.code, "title": self.target.title(lang)},
            "goal": {"code": self.goal.code, "title": self.goal.title(lang)},
            "repeats": list(self.repeats),
            "in_sdmx": self.in_sdmx,
            "series": [{"code": s.code, "name": s.name} for s in self.series],
        }


class Series:
    """An SDMX series of the SDG DSD (``SH_H2O_SAFE``): its name, indicators and constraints."""

    kind = "series"
    __slots__ = ("code", "_cat", "_info")

    def __init__(self, cat: "Catalogue", code: str, info: dict) -> None:
        self.code = code
        self._cat = cat
        self._info = info

    @property
    def name(self) -> str:
        return self._cat.codelist("CL_SERIES").name(self.code)

    def title(self, lang: str | None = None) -> str:  # same interface as the other items
        return self.name

    @property
    def indicators(self) -> list[str]:
        return list(self._info.get("indicators", []))

    @property
    def indicator_code(self) -> str | None:
        """The DSD's internal indicator id (``C060101``)."""
        return self._info.get("indicator_code")

    @property
    def retired(self) -> str | None:
        """Why the series is retired (the DSD's note), or None."""
        return self._info.get("retired")

    @property
    def constraints(self) -> dict[str, list[str]] | None:
        """Allowed codes per dimension/attribute (absent = unconstrained); None when the
        global content constraints do not cover this series."""
        c = self._info.get("constraints")
        return None if c is None else {k: list(v) for k, v in c.items()}

    def allowed(self, dimension: str) -> list[str] | None:
        """Allowed codes of ``dimension`` for this series, None when unconstrained/unknown."""
        c = self._info.get("constraints")
        if c is None or dimension not in c:
            return None
        return list(c[dimension])

    def as_dict(self, lang: str | None = None) -> dict:
        return {
            "kind": "series", "code": self.code, "name": self.name,
            "indicators": [{"code": i, "title": self._cat.indicator(i).title(lang)}
                           for i in self.indicators],
            "indicator_code": self.indicator_code, "retired": self.retired,
            "constraints": self.constraints,
        }

    def __eq__(self, other) -> bool:
        return isinstance(other, Series) and other.code == self.code

    def __hash__(self) -> int:
        return hash(("series", self.code))

    def __repr__(self) -> str:
        return f"<Series {self.code}>"


class Codelist:
    """One SDMX code list: ``codes`` maps code → English name (the DSD has English only)."""

    def __init__(self, payload: dict, dimension: str | None = None) -> None:
        self.id: str = payload["id"]
        self.agency: str = payload.get("agency")
        self.version: str = payload.get("version")
        self.name_: str = payload.get("name")
        self.dimension = dimension
        self.codes: dict[str, str] = {}
        self._extra: dict[str, dict] = {}
        for row in payload["codes"]:
            self.codes[row[0]] = row[1]
            if len(row) > 2:
                self._extra[row[0]] = row[2]

    @property
    def title(self) -> str:
        return self.name_ or self.id

    def name(self, code: str) -> str:
        return self.codes[self.validate(code)]

    def description(self, code: str) -> str:
        code = self.validate(code)
        return self._extra.get(code, {}).get("description", self.codes[code])

    def parent(self, code: str) -> str | None:
        return self._extra.get(self.validate(code), {}).get("parent")

    def deprecated(self, code: str) -> bool:
        return bool(self._extra.get(self.validate(code), {}).get("deprecated"))

    def validate(self, code: str) -> str:
        """Return ``code`` if it is in the list, else raise an InputError with a hint."""
        if isinstance(code, str) and code in self.codes:
            return code
        text = str(code)
        same_case = [c for c in self.codes if c.lower() == text.strip().lower()]
        hint = ("did you mean " + repr(same_case[0]) + "?") if same_case else did_you_mean(text, self.codes)
        if hint is None:
            hint = _("%(n)d codes; list them with lnob.sdg.codelist(%(id)r).codes") % {
                "n": len(self.codes), "id": self.id}
        raise InputError(
            _("%(code)r is not a code of %(list)s (%(name)s)") % {"code": text, "list": self.id, "name": self.title},
            where=self.dimension or self.id,
            hint=hint,
            code="sdg.invalid-code",
        )

    def __contains__(self, code) -> bool:
        return code in self.codes

    def __iter__(self):
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        return f"<Codelist {self.agency}:{self.id}({self.version}) {len(self)} codes>"


# --------------------------------------------------------------------------- catalogue


class Catalogue:
    """The SDG framework and SDMX structure.  Use :func:`catalogue` for the shared instance."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: dict[str, dict] = {}
        self._codelists: dict[str, Codelist] = {}

    # ---- lazily loaded data
    @cached_property
    def _fw(self) -> dict:
        return _load("framework.json")

    @cached_property
    def _dsd(self) -> dict:
        return _load("sdmx", "dsd.json")

    @cached_property
    def _series(self) -> dict:
        return _load("sdmx", "series.json")

    @cached_property
    def _series_by_indicator(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for code, info in self._series.items():
            for ind in info.get("indicators", []):
                out.setdefault(ind, []).append(code)
        for codes in out.values():
            codes.sort(key=lambda c: (self._series[c].get("order", 0), c))
        return out

    @cached_property
    def _repeat_group(self) -> dict[str, tuple[str, ...]]:
        return {code: tuple(group) for group in self._fw["repeats"] for code in group}

    @cached_property
    def _all_targets(self) -> list[str]:
        return [t for g in self._fw["goals"] for t in self._fw["targets"][g]]

    @cached_property
    def _all_indicators(self) -> list[str]:
        return [i for t in self._all_targets for i in self._fw["indicators"][t]]

    def _texts_for(self, lang: str) -> dict:
        if lang not in self._texts:
            with self._lock:
                if lang not in self._texts:
                    self._texts[lang] = _load("texts", f"{lang}.json")
        return self._texts[lang]

    # ---- languages
    @property
    def languages(self) -> list[str]:
        """Languages with SDG texts (English first)."""
        langs = self._fw["languages"]
        return [DEFAULT_LANGUAGE] + [lang for lang in langs if lang != DEFAULT_LANGUAGE]

    def resolve_language(self, lang: str | None) -> tuple[str, str]:
        """Return ``(language used, language requested)`` for ``lang``.

        ``fr-FR`` and ``fr_CA`` use ``fr``; ``zh``, ``zh-CN`` use ``zh-Hans``; a language the
        catalogue has no texts in (``hi``, ``vi``, ``bn``, ...) uses English — callers report
        that with :attr:`Text.fallback`.
        """
        if lang is None or lang == "":
            return DEFAULT_LANGUAGE, DEFAULT_LANGUAGE
        if not isinstance(lang, str) or not _LANG.match(lang):
            raise UsageError(
                _("%(lang)r is not a language code") % {"lang": str(lang)},
                where="--lang",
                hint=_("use a code such as %(langs)s") % {"langs": ", ".join(self.languages)},
                code="sdg.bad-language",
            )
        by_lower = {x.lower(): x for x in self.languages}
        norm = lang.replace("_", "-").lower()
        if norm in by_lower:
            return by_lower[norm], lang
        if norm.startswith("zh") and "zh-hans" in by_lower and not norm.startswith(("zh-hant", "zh-tw", "zh-hk")):
            return by_lower["zh-hans"], lang
        base = norm.split("-")[0]
        if base in by_lower:
            return by_lower[base], lang
        return DEFAULT_LANGUAGE, lang

    def _text(self, kind: str, code: str, field: str, lang: str | None) -> Text:
        used, requested = self.resolve_language(lang)
        for candidate in (used, DEFAULT_LANGUAGE):
            texts = self._texts_for(candidate)
            if kind == "goal":
                value = texts["goals"].get(code, {}).get(field)
            else:
                value = texts[kind + "s"].get(code)
            if value:
                return Text(value, candidate, requested)
        if kind == "indicator" and code in self._fw["dsd_titles_en"]:
            return Text(self._fw["dsd_titles_en"][code], DEFAULT_LANGUAGE, requested)
        return Text("", DEFAULT_LANGUAGE, requested)  # pragma: no cover - build checks titles

    # ---- framework
    @property
    def counts(self) -> dict[str, int]:
        """Sizes of the catalogue (goals, targets, indicator codes, unique indicators, series)."""
        return dict(self._fw["counts"])

    def goals(self) -> list[Goal]:
        return [Goal(self, g) for g in self._fw["goals"]]

    def targets(self, goal: str | None = None) -> list[Target]:
        if goal is not None:
            return self.goal(goal).targets
        return [Target(self, t) for t in self._all_targets]

    def indicators(self, goal: str | None = None, target: str | None = None) -> list[Indicator]:
        """Every indicator code (repeats included), optionally of one goal or target."""
        if target is not None:
            return self.target(target).indicators
        if goal is not None:
            return self.goal(goal).indicators
        return [Indicator(self, i) for i in self._all_indicators]

    def unique_indicators(self, *, sdmx_only: bool = True) -> list[Indicator]:
        """One indicator per repeat group; by default only those with SDMX series (231)."""
        seen = []
        for ind in self.indicators():
            if ind.code != ind.unique_code or (sdmx_only and not ind.in_sdmx):
                continue
            seen.append(ind)
        return seen

    def normalize(self, code) -> tuple[str, str]:
        """``(kind, canonical code)`` for a goal, target, indicator or series code.

        Accepts ``6``, ``06``, ``6.1``, ``6.b``, ``6.B``, ``6.1.1``, ``6-1-1``, ``6_1_1``,
        ``SDG 6``, ``Goal 6``, ``indicator 6.1.1`` and series codes (``SH_H2O_SAFE``).
        """
        raw = str(code).strip()
        if _SERIES_CODE.match(raw) and not raw[0].isdigit():
            return "series", raw.upper()
        text = _PREFIX.sub("", raw).strip().rstrip(".")
        parts = [p for p in re.split(r"[.\-_\s]+", text) if p != ""] if text else []
        ok = 1 <= len(parts) <= 3 and parts[0].isdigit()
        if ok and len(parts) >= 2:
            ok = parts[1].isdigit() or (len(parts[1]) == 1 and parts[1].isalpha() and parts[1].isascii())
        if ok and len(parts) == 3:
            ok = parts[2].isdigit()
        if not ok:
            raise InputError(
                _("%(code)r is not an SDG code") % {"code": raw},
                where=raw or "''",
                hint=_("write a goal (6), a target (6.1 or 6.b), an indicator (6.1.1) or an SDMX series (SH_H2O_SAFE)"),
                code="sdg.bad-code",
            )
        parts = [str(int(p)) if p.isdigit() else p.lower() for p in parts]
        kind = {1: "goal", 2: "target", 3: "indicator"}[len(parts)]
        return kind, ".".join(parts)

    def _unknown(self, kind: str, code: str) -> NotFound:
        if kind == "goal":
            pool = self._fw["goals"]
        elif kind == "target":
            goal = code.split(".")[0]
            pool = self._fw["targets"].get(goal) or self._all_targets
        elif kind == "indicator":
            tgt = code.rsplit(".", 1)[0]
            pool = self._fw["indicators"].get(tgt) or self._all_indicators
        else:
            pool = list(self._series)
        matches = [] if kind == "goal" else close_matches(code, pool)
        if matches:
            hint = "did you mean " + " or ".join(repr(m) for m in matches) + "?"
        elif kind == "goal":
            hint = _("the goals are numbered 1 to %(n)d") % {"n": len(self._fw["goals"])}
        elif kind == "series":
            hint = _("see the series of an indicator with: lnob sdg show 6.1.1")
        else:
            hint = _("known codes near it: %(codes)s") % {
                "codes": ", ".join(pool[:12]) + (" …" if len(pool) > 12 else "")}
        labels = {"goal": _("no SDG goal %(code)r"), "target": _("no SDG target %(code)r"),
                  "indicator": _("no SDG indicator %(code)r"), "series": _("no SDMX series %(code)r")}
        return NotFound(labels[kind] % {"code": code}, where=code, hint=hint, code=f"sdg.unknown-{kind}")

    def goal(self, code) -> Goal:
        kind, norm = self.normalize(code)
        if kind != "goal" or norm not in self._fw["targets"]:
            raise self._unknown("goal", norm)
        return Goal(self, norm)

    def target(self, code) -> Target:
        kind, norm = self.normalize(code)
        if kind != "target" or norm not in self._fw["indicators"]:
            raise self._unknown("target", norm)
        return Target(self, norm)

    def indicator(self, code) -> Indicator:
        kind, norm = self.normalize(code)
        if kind != "indicator" or norm not in self._fw["indicators"].get(norm.rsplit(".", 1)[0], ()):
            raise self._unknown("indicator", norm)
        return Indicator(self, norm)

    def series(self, code) -> Series:
        norm = str(code).strip().upper()
        if norm not in self._series:
            raise self._unknown("series", norm)
        return Series(self, norm, self._series[norm])

    def get(self, code):
        """A goal, target, indicator or series from its code, whichever it is."""
        kind, norm = self.normalize(code)
        return {"goal": self.goal, "target": self.target, "indicator": self.indicator,
                "series": self.series}[kind](norm)

    def series_for(self, indicator) -> list[Series]:
        """The SDMX series that report an indicator (empty for codes without series)."""
        code = indicator.code if isinstance(indicator, Indicator) else self.indicator(indicator).code
        return [Series(self, s, self._series[s]) for s in self._series_by_indicator.get(code, [])]

    def all_series(self) -> list[Series]:
        return [Series(self, c, info) for c, info in self._series.items()]

    # ---- SDMX structure
    @property
    def dsd(self) -> dict:
        """The data structure: id, agency, version, concepts, dimensions, attributes."""
        return self._dsd

    @property
    def dimensions(self) -> list[str]:
        return [d["id"] for d in self._dsd["dimensions"]]

    def codelist_ids(self) -> list[str]:
        return list(self._dsd["codelists"])

    def _codelist_id(self, name) -> tuple[str, str | None]:
        """``(codelist id, dimension or attribute id)`` for a code list or component name."""
        text = str(name).strip().upper()
        by_component = {d["id"]: d.get("codelist") for d in self._dsd["dimensions"]}
        by_component.update({a["id"]: a.get("codelist") for a in self._dsd["attributes"] if a.get("codelist")})
        by_list = {v: k for k, v in by_component.items() if v}
        if text in self._dsd["codelists"]:
            return text, by_list.get(text)
        if text in by_component and by_component[text]:
            return by_component[text], text
        if text.startswith("CL_") and text[3:] in by_component and by_component[text[3:]]:
            return by_component[text[3:]], text[3:]
        if text in _CODELIST_ALIASES:
            target = _CODELIST_ALIASES[text]
            return target, by_list.get(target)
        pool = list(self._dsd["codelists"]) + [c for c, v in by_component.items() if v]
        raise NotFound(
            _("no SDMX code list %(name)r in the SDG DSD") % {"name": str(name)},
            where=str(name),
            hint=did_you_mean(text, pool) or _("code lists: %(ids)s") % {"ids": ", ".join(self._dsd["codelists"])},
            code="sdg.unknown-codelist",
        )

    def codelist(self, name) -> Codelist:
        """A code list by id (``CL_SEX``), dimension (``SEX``) or alias (``CL_DISABILITY_STATUS``)."""
        cid, component = self._codelist_id(name)
        if cid not in self._codelists:
            with self._lock:
                if cid not in self._codelists:
                    self._codelists[cid] = Codelist(_load("sdmx", "codelists", f"{cid}.json"), component)
        return self._codelists[cid]

    def validate_code(self, codelist, code, *, series=None) -> str:
        """Return ``code`` if it belongs to the code list (and, when ``series`` is given, is
        allowed for that series by the global content constraints); else raise InputError."""
        cl = self.codelist(codelist)
        code = cl.validate(code)
        if series is not None and cl.dimension:
            s = series if isinstance(series, Series) else self.series(series)
            allowed = s.allowed(cl.dimension)
            if allowed is not None and code not in allowed:
                raise InputError(
                    _("%(code)r is a code of %(list)s, but series %(series)s does not use it for %(dim)s")
                    % {"code": code, "list": cl.id, "series": s.code, "dim": cl.dimension},
                    where=f"{s.code}/{cl.dimension}",
                    hint=_("allowed: %(codes)s") % {"codes": ", ".join(allowed[:20]) + (" …" if len(allowed) > 20 else "")},
                    code="sdg.code-not-allowed",
                )
        return code


_lock = threading.Lock()
_instance: Catalogue | None = None


def catalogue() -> Catalogue:
    """The shared catalogue (created on first use, data loaded lazily)."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                _instance = Catalogue()
    return _instance
