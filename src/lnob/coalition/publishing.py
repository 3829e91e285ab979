"""A project publishes its aggregates to a national coalition: :func:`publish`.

The snapshot is the project's latest stored results (``lnob run``) for the coalition's
harmonised indicators, cut and protected exactly as a public release
(:func:`lnob.publish.release.build_release`: primary and secondary suppression with the
project's disclosure policy, linked across indicators).  Each published cell keeps estimate,
SE, CI, n, flags and its population (the sum of weights, from the stored result); a suppressed
cell keeps none of them.  Populations obey the same additive relations as the cells the
suppression pattern protects, so they reveal no suppressed cell either.  No record, no
microdata, leaves the project.

Publishing again supersedes the previous snapshot of the same project (kept, not current).
Every publication is an audit event (``coalition.publication``).
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from lnob.coalition.models import Publication
from lnob.coalition.pooling import group_key
from lnob.coalition.services import get_coalition
from lnob.errors import InputError, NotFound
from lnob.i18n import _


def definition_hash_of(result) -> str | None:
    """The hash of the normalised definition a stored result was computed from (None when its
    source cannot be read any more: pooled cells are then flagged "definitions differ")."""
    from lnob.indicators.definitions import load_library, spec_hash

    prov = result.provenance or {}
    if prov.get("spec_hash"):
        return prov["spec_hash"]
    where = str(prov.get("definition") or "")
    try:
        if where.startswith("indicators/library/"):
            lib = load_library()
        elif where.startswith("project:"):
            from lnob.indicators.project_defs import texts

            lib = load_library(texts=texts(result.project))
        else:
            path = Path(where.split(":")[0]) if where else None
            if path is None or not path.is_file():
                return None
            lib = load_library([path])
        return spec_hash(lib.indicator(result.indicator).spec)
    except Exception:  # an edited or removed definitions file: unknown, flagged downstream
        return None


def design_label(design: dict, unit: str) -> str:
    """A design type in words-ready form, e.g. ``stratified 2-stage weighted fpc``."""
    d = design.get(unit) or next(iter(design.values()), None) if design else None
    if not d:
        return "unknown"
    parts = []
    if d.get("stratified"):
        parts.append("stratified")
    stages = int(d.get("stages") or 0)
    parts.append(f"{stages}-stage" if stages else "unclustered")
    parts.append("weighted" if d.get("weighted") else "unweighted")
    if d.get("fpc"):
        parts.append("fpc")
    return " ".join(parts)


@transaction.atomic
def publish(project_slug: str, coalition_slug: str) -> Publication:
    """Publish ``project_slug``'s aggregates for the harmonised indicators of ``coalition_slug``."""
    from lnob.audit.log import record
    from lnob.core.services import get_project
    from lnob.indicators.models import IndicatorResult
    from lnob.publish.release import build_release

    project = get_project(project_slug)
    coalition = get_coalition(coalition_slug)
    if not coalition.national:
        raise InputError(_("projects publish to a national coalition; %(c)s is global") % {"c": coalition.slug},
                         where="--coalition", hint=_("the global view pools its national members"),
                         code="coalition.not-national")
    if not coalition.memberships.filter(organisation=project.organisation).exists():
        raise InputError(_("organisation %(o)s is not a member of coalition %(c)s")
                         % {"o": project.organisation.slug, "c": coalition.slug}, where=project_slug,
                         hint=_("lnob coalition join %(c)s --organisation %(o)s")
                         % {"c": coalition.slug, "o": project.organisation.slug}, code="coalition.not-member")
    harmonised = {h.indicator: h for h in coalition.indicators.all()}
    if not harmonised:
        raise InputError(_("coalition %(c)s has no harmonised indicators yet") % {"c": coalition.slug},
                         where=coalition.slug, hint=_("lnob coalition indicators %(c)s --add ID")
                         % {"c": coalition.slug}, code="coalition.no-indicators")
    stored = {r.indicator: r for r in IndicatorResult.objects.filter(project=project, indicator__in=list(harmonised))}
    if not stored:
        raise NotFound(_("project %(p)s has no results for the coalition's indicators (%(i)s)")
                       % {"p": project.slug, "i": ", ".join(sorted(harmonised))}, where=project.slug,
                       hint=_("run 'lnob run %(p)s --indicator %(i)s' first")
                       % {"p": project.slug, "i": ",".join(sorted(harmonised))}, code="coalition.no-results")
    wanted_dims = None
    if coalition.dimensions:
        present = {d for r in stored.values() for row in r.rows for d in row["groups"]}
        wanted_dims = [d for d in coalition.dimensions if d in present] or None
    release = build_release(project.slug, indicators=sorted(stored), dimensions=wanted_dims)
    population = {(r.indicator, group_key(row["groups"])): row.get("population")
                  for r in stored.values() for row in r.rows}
    rows = []
    for row in release.rows:
        suppressed = "suppressed" in row["flags"]
        rows.append({"indicator": row["indicator"], "groups": dict(row["groups"]),
                     "estimate": row["estimate"], "se": row["se"], "ci_low": row["ci_low"],
                     "ci_high": row["ci_high"], "n": row["n"], "flags": list(row["flags"]),
                     "population": None if suppressed else population.get((row["indicator"],
                                                                            group_key(row["groups"])))})
    indicators = {}
    for ident, r in stored.items():
        indicators[ident] = {"title": dict(r.title or {}), "kind": r.kind, "unit": r.unit,
                             "definition_hash": definition_hash_of(r), "binding_hash": r.definition_hash,
                             "computed_at": (r.provenance or {}).get("computed_at"),
                             "design": design_label(release.design, r.unit),
                             "harmonised_hash": harmonised[ident].definition_hash}
    Publication.objects.filter(coalition=coalition, project=project, current=True).update(current=False)
    pub = Publication.objects.create(coalition=coalition, project=project, organisation=project.organisation,
                                     indicators=indicators, design=release.design,
                                     policy=release.policy.as_dict(), rows=rows)
    counts = release.counts()
    event = record("coalition.publication", project=project, target=coalition.slug, publication=pub.id,
           indicators=sorted(indicators), counts=counts, policy=release.policy.as_dict(),
           missing=sorted(set(harmonised) - set(stored)))
    pub.published_by = event.actor_name
    pub.save(update_fields=["published_by"])
    return pub


def current_publications(coalition) -> list[Publication]:
    """The current snapshot of each member project, by member label."""
    qs = (Publication.objects.filter(coalition=coalition, current=True)
          .select_related("project", "organisation").order_by("organisation__slug", "project__slug"))
    return list(qs)
