"""Build the demo project: organisation, project, form, records, analytics tables, design.

Owns :func:`build_demo`, the only entry point the CLI calls.  Running it twice
with the same arguments gives the same records (instance IDs and content) and
the same analytics rows; other projects are never touched.

Written to the analytics store besides the form tables:

* ``demo_frame`` — every village of the frame with its stratum, N_h, n_h,
  M_hi, m_hi and (when sampled) the design weight;
* ``demo_household`` / ``demo_person`` — views: the form's record / roster
  table joined with the design columns (``design_stratum``, ``design_village``,
  ``design_weight``, ``design_fpc_villages``, ``design_fpc_households``); the
  person view also carries every household column (water, sanitation,
  location…) so person-level analysis of household services needs no join;
* ``demo_truth_household`` / ``demo_truth_person`` — the generator's latent
  groups and outcome probabilities, keyed by ``_instance_id`` (and ``_index``),
  to check estimates against the truth.  Not survey data: never publish them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import transaction

from lnob.demo.answers import answers
from lnob.demo.frame import PROVINCES, draw_sample, make_frame
from lnob.demo.population import ETHNICITIES, generate
from lnob.demo.render import Cat, InstanceWriter, Val, group_join
from lnob.i18n import _

PROJECT_SLUG = "demo"
ORGANISATION = "LNOB demo coalition"
CHUNK = 10_000

DESIGN_COLUMNS = {
    "weight": "design_weight",
    "strata": "design_stratum",
    "clusters": ["design_village", "_instance_id"],
    "fpc": ["design_fpc_villages", "design_fpc_households"],
}


@dataclass
class DemoSummary:
    project: str
    form_id: str
    form_version: str
    households: int
    persons: int
    villages: int
    strata: int
    #: households in the frame (what the weights estimate)
    population_households: int
    seed: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)


def _instance_ids(seed: int, n: int) -> list[str]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x1D5]))
    raw = rng.bytes(16 * n)
    return [f"uuid:{uuid.UUID(bytes=raw[i:i + 16], version=4)}" for i in range(0, 16 * n, 16)]


def _slice(col, a: int, b: int):
    if isinstance(col, Cat):
        return Cat(col.codes[a:b], col.names)
    return Val(col.values[a:b])


def build_demo(home: Path, households: int = 5000, seed: int = 1,
               progress: Callable[[str, int, int], None] | None = None, *, store=None) -> DemoSummary:
    """Build (or rebuild) the demo project in the workspace at ``home`` (Django already configured)."""
    from lnob.core.models import Project
    from lnob.core.services import create_project, get_or_create_organisation
    from lnob.forms.services import add_form, library_form
    from lnob.records.analytics import AnalyticsStore
    from lnob.records.models import Record
    from lnob.records.services import RecordItem, reset_analytics, store_records, sync_analytics
    from lnob.workspace import ANALYTICS_FILE

    report = progress or (lambda stage, done, total: None)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    store = store or AnalyticsStore(Path(home) / ANALYTICS_FILE)

    # -- the population (no database work yet) ------------------------------------------------
    report("generate", 0, 3)
    from lnob.forms.xlsform import convert

    converted = convert(library_form("lnob_household"))
    survey_json = converted.survey_json
    iso = {c["name"]: c["iso"] for c in survey_json["choices"]["province"]}
    missing = [p[0] for p in PROVINCES if p[0] not in iso]
    if missing:  # pragma: no cover - the shipped form and the demo disagree
        raise RuntimeError(f"provinces missing from the shipped form: {missing}")
    rng = np.random.default_rng(seed)
    frame = make_frame(iso)
    sample = draw_sample(frame, households, rng)
    people = generate(frame, sample, rng)
    report("generate", 1, 3)
    record_cols, roster_cols, _outcome = answers(frame, sample, people, rng, iso)
    ids = _instance_ids(seed, sample.households)
    record_cols["meta__instanceID"] = Val(ids)
    writer = InstanceWriter(survey_json)
    unknown = (set(record_cols) - set(writer.columns())) | (set(roster_cols) - set(writer.columns("roster")))
    if unknown:  # pragma: no cover - generator and questionnaire out of step
        raise RuntimeError(f"the demo generator writes columns the form does not have: {sorted(unknown)}")
    report("generate", 3, 3)
    timings["generate"] = time.perf_counter() - t0

    # -- the transactional database: project, form, records ------------------------------------
    t1 = time.perf_counter()
    H = sample.households
    P = int(people.p_age.size)
    person_start = np.concatenate([[0], np.cumsum(people.hh_size)])
    with transaction.atomic():
        org, _created = get_or_create_organisation(ORGANISATION, country="VN")
        project = Project.objects.filter(slug=PROJECT_SLUG).first()
        if project is None:
            project = create_project(
                PROJECT_SLUG, _("LNOB demo: household survey, Viet Nam"), org=org.slug,
                description=_("Synthetic data from lnob's demo generator: a two-stage stratified sample of "
                              "households in nine provinces of Viet Nam. See docs/demo-data.md."),
            )
        fv, _created = add_form(project, library_form("lnob_household"))
        Record.objects.filter(project=project).only("id").delete()
        for a in range(0, H, CHUNK):
            b = min(a + CHUNK, H)
            pa, pb = int(person_start[a]), int(person_start[b])
            roster = writer.render(pb - pa, {k: _slice(v, pa, pb) for k, v in roster_cols.items()},
                                   repeat_name="roster")
            roster_xml = group_join(roster, people.hh_size[a:b])
            docs = writer.render(b - a, {k: _slice(v, a, b) for k, v in record_cols.items()},
                                 repeats={"roster": roster_xml})
            items = [RecordItem(raw=d, instance_id=i) for d, i in zip(docs, ids[a:b], strict=True)]
            store_records(project, fv, items, source=Record.Source.DEMO)
            report("records", b, H)
        population = frame.households
        project.survey_design = {
            "household": {"table": "demo_household", "unit": "household", **DESIGN_COLUMNS},
            "person": {"table": "demo_person", "unit": "person", "household": "_record_id", **DESIGN_COLUMNS},
            "frame": {"table": "demo_frame", "households": population},
            "source": {"generator": "lnob.demo", "seed": seed, "households": H, "persons": P,
                       "form_id": fv.form.form_id, "form_version": fv.version, "docs": "docs/demo-data.md"},
        }
        project.save(update_fields=["survey_design"])
    timings["records"] = time.perf_counter() - t1
    del record_cols, roster_cols  # free the rendered answers before the parse workers start

    # -- the analytics store -----------------------------------------------------------------------
    t2 = time.perf_counter()
    for form in project.forms.all():
        reset_analytics(project, form, store=store)
    sync_analytics(project, store=store, form=fv.form, progress=report, batch_size=CHUNK)
    timings["analytics"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    _write_design(store, frame, sample, people, ids, iso)
    timings["design"] = time.perf_counter() - t3
    report("design", 1, 1)
    return DemoSummary(
        project=PROJECT_SLUG, form_id=fv.form.form_id, form_version=fv.version, households=H, persons=P,
        villages=int(sample.village.size), strata=len(frame.strata), population_households=population, seed=seed,
        seconds=time.perf_counter() - t0, timings=timings,
        tables={"household": "demo_household", "person": "demo_person", "frame": "demo_frame",
                "truth_household": "demo_truth_household", "truth_person": "demo_truth_person"},
    )


def _obj(values) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def _write_design(store, frame, sample, people, ids: list[str], iso: dict[str, str]) -> None:
    from lnob.records.analytics import table_name

    main = table_name("lnob_household")
    roster = table_name("lnob_household", "roster")
    n_frame = frame.stratum.size
    sampled = np.zeros(n_frame, dtype=bool)
    sampled[sample.village] = True
    take = np.zeros(n_frame, dtype=np.int64)
    take[sample.village] = sample.village_take
    N_h = frame.n_villages[frame.stratum]
    n_h = sample.n_h[frame.stratum]
    weight = np.where(sampled, N_h / n_h * frame.size / np.maximum(take, 1), np.nan)
    strata_names = [f"{p}_{a}" for p, a in frame.strata]
    frame_cols = {
        "village": _obj(frame.code),
        "stratum": _obj([strata_names[h] for h in frame.stratum.tolist()]),
        "province": _obj([frame.strata[h][0] for h in frame.stratum.tolist()]),
        "iso": _obj([iso[frame.strata[h][0]] for h in frame.stratum.tolist()]),
        "area": _obj([frame.strata[h][1] for h in frame.stratum.tolist()]),
        "villages_in_stratum": N_h.astype(np.int64),
        "sampled_villages_in_stratum": n_h.astype(np.int64),
        "households": frame.size.astype(np.int64),
        "sampled": sampled,
        "sampled_households": take,
        "weight": weight,
    }
    H = sample.households
    ph = people.p_household
    hh_ids = np.array(ids, dtype=object)
    eth_names = np.array(ETHNICITIES, dtype=object)
    truth_hh = {
        "_instance_id": hh_ids,
        "ethnicity_latent": eth_names[people.hh_ethnicity],
        "minority": people.hh_minority,
        "urban": people.hh_urban,
        "migrant": people.hh_migrant,
        "has_disabled": people.hh_has_disabled,
        "has_disabled_woman": people.hh_has_disabled_woman,
        "p_basic_sanitation": people.hh_p_sanitation,
        "p_basic_water": people.hh_p_water,
        "p_social_protection": people.hh_p_social_protection,
        "wealth_score": people.hh_wealth,
    }
    truth_p = {
        "_instance_id": hh_ids[ph],
        "_index": (people.p_position + 1).astype(np.int64),
        "ethnicity_latent": eth_names[people.p_ethnicity],
        "minority": people.p_minority,
        "female": people.p_female,
        "age": people.p_age,
        "disabled": people.p_disabled,
        "migrant": people.p_migrant,
        "p_school_attendance": people.p_p_school,
        "p_birth_registration": people.p_p_birth,
        "p_child_marriage": people.p_p_child_marriage,
        "p_health_insurance": people.p_p_insurance,
    }
    assert truth_hh["_instance_id"].size == H
    from lnob.records.services import open_store

    with open_store(store) as con:
        con.execute("begin transaction")
        try:
            for name, cols in (("demo_frame", frame_cols), ("demo_truth_household", truth_hh),
                               ("demo_truth_person", truth_p)):
                con.register("_lnob_demo", cols)
                con.execute(f"create or replace table {name} as select * from _lnob_demo")
                con.unregister("_lnob_demo")
            con.execute("update demo_frame set weight = null where not sampled")
            con.execute(f"""
                create or replace view demo_household as
                select h.*, f.stratum as design_stratum, f.village as design_village,
                       f.weight as design_weight, f.villages_in_stratum as design_fpc_villages,
                       f.households as design_fpc_households
                from {main} h join demo_frame f on f.village = h.location__village
                where h._project = '{PROJECT_SLUG}'""")
            con.execute(f"""
                create or replace view demo_person as
                select p.*, h.* exclude (_record_id)
                from {roster} p join demo_household h on h._record_id = p._record_id""")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
