"""The pooled views of a coalition (library side; the web pages, API and CLI present them).

* national: each member project's current snapshot is one independent sample; every indicator ×
  group is pooled with :func:`lnob.coalition.pooling.pool_indicator`;
* global: each national coalition's pooled cells are one member, pooled the same way (a national
  cell that is incomplete makes the global cell incomplete, naming the national member and what
  it lacks).

:func:`results` flattens either view into rows for CSV/JSON (``lnob coalition results``, the API).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lnob.coalition.models import Coalition
from lnob.coalition.pooling import MemberValue, Pooled, as_member, pool_indicator
from lnob.coalition.publishing import current_publications
from lnob.coalition.services import get_coalition, members_of
from lnob.errors import InputError, did_you_mean
from lnob.i18n import _


@dataclass
class View:
    coalition: Coalition
    #: indicator -> pooled cells (whole population first)
    cells: dict[str, list[Pooled]] = field(default_factory=dict)
    #: member label -> {"published_at", "organisation", "project" or "coalition"}
    members: dict[str, dict] = field(default_factory=dict)
    #: member organisations (national) or national coalitions (global) that published nothing
    silent: list[str] = field(default_factory=list)


def national(coalition: Coalition, indicator: str | None = None) -> View:
    view = View(coalition)
    pubs = current_publications(coalition)
    harmonised = {h.indicator: h for h in coalition.indicators.all()}
    wanted = [indicator] if indicator else sorted(harmonised)
    published_orgs = set()
    per_ind: dict[str, dict[str, list]] = {i: {} for i in wanted}
    kinds: dict[str, str] = {}
    for pub in pubs:
        label = pub.member
        published_orgs.add(pub.organisation_id)
        view.members[label] = {"published_at": pub.published_at, "organisation": pub.organisation.name,
                               "project": pub.project.slug, "publication": pub.id}
        for ident in wanted:
            info = pub.indicators.get(ident)
            cells = per_ind[ident].setdefault(label, [])
            if info is None:
                continue
            kinds.setdefault(ident, info["kind"])
            for row in pub.rows:
                if row["indicator"] != ident:
                    continue
                cells.append((row["groups"], MemberValue(
                    label, row["estimate"], row["se"], row["n"], row.get("population"), info["kind"],
                    info.get("definition_hash"), info.get("design", ""), "suppressed" in row["flags"],
                    row["ci_low"], row["ci_high"], list(row["flags"]))))
    for ident in wanted:
        h = harmonised.get(ident)
        kind = h.kind if h else kinds.get(ident, "mean")
        view.cells[ident] = pool_indicator(ident, kind, per_ind[ident], h.definition_hash if h else None)
    view.silent = [o.name for o in members_of(coalition) if o.id not in published_orgs]
    return view


def global_view(coalition: Coalition, indicator: str | None = None) -> View:
    view = View(coalition)
    harmonised = {h.indicator: h for h in coalition.indicators.all()}
    wanted = [indicator] if indicator else sorted(harmonised)
    per_ind: dict[str, dict[str, list]] = {i: {} for i in wanted}
    for nat in members_of(coalition):
        sub = national(nat)
        if not sub.members:
            view.silent.append(nat.name)
            continue
        view.members[nat.slug] = {"coalition": nat.name, "members": sorted(sub.members),
                                  "published_at": max(m["published_at"] for m in sub.members.values())}
        for ident in wanted:
            cells = per_ind[ident].setdefault(nat.slug, [])
            for p in sub.cells.get(ident, []):
                cells.append((p.groups, as_member(nat.slug, p)))
    for ident in wanted:
        h = harmonised.get(ident)
        kind = h.kind if h else _kind_from(per_ind[ident])
        view.cells[ident] = pool_indicator(ident, kind, per_ind[ident], h.definition_hash if h else None)
    return view


def _kind_from(members: dict) -> str:
    for rows in members.values():
        for _groups, v in rows:
            return v.kind
    return "mean"


def pooled(slug_or_coalition, indicator: str | None = None) -> View:
    """The coalition's view (national or global), optionally for one indicator."""
    c = slug_or_coalition if isinstance(slug_or_coalition, Coalition) else get_coalition(slug_or_coalition)
    if indicator is not None:
        known = list(c.indicators.values_list("indicator", flat=True))
        if indicator not in known:
            raise InputError(_("coalition %(c)s has no harmonised indicator %(i)r") % {"c": c.slug, "i": indicator},
                             where="--indicator", hint=did_you_mean(indicator, known)
                             or _("harmonised indicators: %(a)s") % {"a": ", ".join(known) or "-"},
                             code="coalition.unknown-indicator")
    return national(c, indicator) if c.national else global_view(c, indicator)


COLUMNS = ("coalition", "level", "indicator", "kind", "groups", "estimate", "se", "ci_low", "ci_high", "n",
           "population", "flags", "missing", "members", "definition_hash", "design")


def results(slug: str, indicator: str | None = None) -> list[dict]:
    """Flat rows of the pooled view (one per indicator × group), members' values included."""
    view = pooled(slug, indicator)
    c = view.coalition
    out = []
    for ident, cells in view.cells.items():
        for p in cells:
            d = p.as_dict()
            out.append({"coalition": c.slug, "level": c.level, **{k: d[k] for k in COLUMNS[2:] if k in d}})
    return out


def flat(row: dict) -> dict:
    """A results row for CSV: groups as ``dim=cat;…``, flags and missing joined, members as
    ``member=estimate±se``."""
    out = dict(row)
    out["groups"] = ";".join(f"{k}={v}" for k, v in sorted(row["groups"].items()))
    out["flags"] = ";".join(row["flags"])
    out["missing"] = ";".join(f"{m['member']} ({m['reason']})" for m in row["missing"])
    out["members"] = ";".join(f"{m['member']}={_fmt(m['estimate'])}±{_fmt(m['se'])}" for m in row["members"])
    return out


def _fmt(x) -> str:
    return "" if x is None else f"{x:.6g}"
