"""Running the indicators of a project and reading its stored results (Django side).

* :func:`run_project` — bind the definitions to the project's form and survey design, run
  the sweep (:class:`lnob.indicators.runner.Runner`) on the analytics store (read-only) and
  store every result with its provenance; indicators whose definition hash and data
  snapshot are unchanged are not recomputed.
* :func:`results` — the stored rows (the JSON contract of ``lnob results``).

The library is the ready-made one, any ``definitions`` files, and the latest saved version of
the project's own definitions (:mod:`lnob.indicators.project_defs`).

The project's ``survey_design`` names the analysis tables: ``{"household": {"table": ...,
"weight": ..., "strata": ..., "clusters": [...], "fpc": [...]}, "person": {..., "household":
"_record_id"}}`` (as the demo writes it).  An optional ``"indicators": {"fields": {...}}``
holds the project's field map.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

from lnob import __version__
from lnob.errors import InputError, Problem
from lnob.i18n import _
from lnob.indicators.definitions import load_library
from lnob.indicators.runner import RunResult, Runner, UnitSource


def load_field_map(path) -> dict:
    from lnob.indicators.yamlsrc import load

    doc = load(path)
    if not isinstance(doc, dict):
        raise InputError(_("a field map is a mapping canonical name -> question"), where=str(path),
                         hint=_("e.g. wg_seeing: wgq_vision"), code="indicators.bad-field-map")
    return dict(doc.get("fields", doc)) if "format" in doc else dict(doc)


def sources_of(project) -> dict[str, UnitSource]:
    design = project.survey_design or {}
    out = {}
    for unit in ("household", "person"):
        spec = design.get(unit)
        if isinstance(spec, dict) and spec.get("table"):
            out[unit] = UnitSource.from_design(unit, spec)
    if not out:
        raise InputError(_("project %(p)r has no survey design (analysis tables and weights)") % {"p": project.slug},
                         where=project.slug,
                         hint=_("set the project's survey_design (household/person tables, weight, strata, clusters)"),
                         code="indicators.no-design")
    return out


#: answers to a form's consent question that mean "yes"
CONSENT_YES = ("yes", "1", "true", "y")


def consented_sources(con, sources: dict[str, UnitSource], schema) -> tuple[dict[str, UnitSource], int]:
    """Restrict the analysis tables to records whose consent question says yes.

    Records without consent are kept (as received) and counted on the data-quality page,
    but never analysed or published: each source table that has the form's consent column
    is read through a temporary view of the consenting rows.  Returns the sources and the
    number of household/record rows left out.
    """
    from dataclasses import replace

    from lnob.records.quality import consent_field

    field = consent_field(schema) if schema is not None else None
    if field is None:
        return sources, 0
    yes = ", ".join("'" + v + "'" for v in CONSENT_YES)
    out, excluded = {}, 0
    for unit, src in sources.items():
        cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                          [src.table]).fetchall()}
        if field.column not in cols:
            out[unit] = src
            continue
        view = f"{src.table}__consented"
        col = '"' + field.column.replace('"', '""') + '"'
        table = '"' + src.table.replace('"', '""') + '"'
        condition = f"lower(trim(CAST({col} AS VARCHAR))) IN ({yes})"
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS SELECT * FROM {table} WHERE {condition}')
        if unit == "household" or len(sources) == 1:
            excluded += con.execute(f"SELECT count(*) FROM {table} WHERE NOT coalesce({condition}, false)").fetchone()[0]
        out[unit] = replace(src, table=view)
    return out, excluded


def form_schema(project):
    from lnob.forms.xlsform import FormSchema

    for form in project.forms.all():
        v = form.current_version
        if v is not None:
            return FormSchema(v.survey_json), [f"{form.form_id}:{x}" for x in form.versions.values_list("version", flat=True)]
    return None, []


def previous_hashes(project) -> dict:
    from lnob.indicators.models import IndicatorResult

    return {r.indicator: (r.definition_hash, r.snapshot_hash)
            for r in IndicatorResult.objects.filter(project=project).only("indicator", "definition_hash", "snapshot_hash")}


#: where ``lnob run`` computes the estimates (``--engine``, or the LNOB_ENGINE variable)
ENGINES = ("duckdb", "spark")


def stats_engine_for(engine: str | None = None, spark_master: str | None = None):
    """None for DuckDB (the estimates run on the analytics store's connection), or a
    :class:`lnob.stats.spark.SparkEngine` that receives each analysis table as Parquet (in
    ``$LNOB_SPARK_STAGING``, a temporary directory by default) and runs the same statistics."""
    import os

    name = (engine or os.environ.get("LNOB_ENGINE") or "duckdb").strip().lower()
    if name == "duckdb":
        return None
    if name != "spark":
        from lnob.errors import UsageError

        raise UsageError(_("unknown engine %(e)r") % {"e": name}, where="--engine",
                         hint=_("use duckdb or spark"), code="indicators.unknown-engine")
    from lnob.stats.spark import SparkEngine

    return SparkEngine(spark_master or os.environ.get("LNOB_SPARK_MASTER") or None,
                       staging=os.environ.get("LNOB_SPARK_STAGING") or None)


def run_project(slug: str, *, depth: int = 2, dimensions=None, indicators=None, variance: str = "design",
                definitions=None, builtin: bool = True, field_map=None, force: bool = False, progress=None,
                store=None, threads: int | None = None, engine: str | None = None,
                spark_master: str | None = None, project_definitions: bool = True) -> RunResult:
    import duckdb

    from lnob.core.services import get_project
    from lnob.indicators.models import IndicatorResult
    from lnob.records.services import default_store

    project = get_project(slug)
    from lnob.indicators.project_defs import texts as project_texts

    # the ready-made library, extra files, then the latest version of the project's own definitions
    lib = load_library(definitions, builtin=builtin, texts=project_texts(project) if project_definitions else None)
    sources = sources_of(project)
    form, versions = form_schema(project)
    fmap = dict((project.survey_design or {}).get("indicators", {}).get("fields", {}))
    fmap.update(field_map or {})
    store = store or default_store()
    if not Path(store.path).exists():
        raise InputError(_("the analytics store does not exist yet"), where=str(store.path),
                         hint=_("add records (or run 'lnob demo') first"), code="indicators.no-store")
    stats_engine = stats_engine_for(engine, spark_master)
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        if threads:
            con.execute(f"SET threads={int(threads)}")
        sources, without_consent = consented_sources(con, sources, form)
        runner = Runner(con, lib, sources, form=form, field_map=fmap, depth=depth, dimensions=dimensions,
                        indicators=indicators, variance=variance, progress=progress,
                        previous=previous_hashes(project), force=force,
                        stats_engine=stats_engine)
        result = runner.run()
        if without_consent:
            result.problems.append(Problem(
                "indicators.no-consent",
                _("%(n)d records without consent were left out of the analysis") % {"n": without_consent},
                None, _("they are kept, and counted on the data-quality page"), "info"))
    finally:
        con.close()
        if stats_engine is not None:
            stats_engine.close()
    now = datetime.now(timezone.utc).isoformat()
    for c in result.computed:
        ind = c.indicator
        prov = {"definition": ind.where, "definition_hash": c.definition_hash, "snapshot": c.snapshot,
                "form_versions": versions, "engine": f"lnob {__version__} / lnob.stats on {'Spark' if stats_engine else 'DuckDB'}",
                "variance": variance, "depth": depth, "dimensions": result.dimensions.get(ind.unit, []),
                "computed_at": now, "seconds": round(c.seconds, 3)}
        IndicatorResult.objects.update_or_create(
            project=project, indicator=ind.id,
            defaults={"title": ind.title, "sdg": ind.sdg, "kind": ind.kind, "unit": ind.unit,
                      "definition_hash": c.definition_hash, "snapshot_hash": c.snapshot["hash"],
                      "provenance": prov, "rows": c.rows})
    from lnob.webhooks import run_completed

    run_completed(project, result, variance=variance, depth=depth, computed_at=now)
    return result


def results(slug: str, indicator: str | None = None) -> list[dict]:
    from lnob.core.services import get_project
    from lnob.indicators.models import IndicatorResult

    project = get_project(slug)
    qs = IndicatorResult.objects.filter(project=project)
    if indicator:
        qs = qs.filter(indicator=indicator)
        if not qs.exists():
            known = list(IndicatorResult.objects.filter(project=project).values_list("indicator", flat=True))
            from lnob.errors import did_you_mean

            raise InputError(_("no results for indicator %(i)r in project %(p)r") % {"i": indicator, "p": slug},
                             where="--indicator", hint=did_you_mean(indicator, known) or _("run 'lnob run %(p)s' first") % {"p": slug},
                             code="indicators.no-results")
    out = []
    for r in qs.order_by("indicator"):
        out.extend(r.rows)
    return out
