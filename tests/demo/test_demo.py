"""The demo generator: real submissions, reproducibility, design weights and built-in effects."""

from __future__ import annotations

import numpy as np
import pytest

from lnob.core.models import Project
from lnob.demo import build_demo
from lnob.demo.frame import draw_sample, make_frame
from lnob.forms.services import library_form
from lnob.forms.xlsform import convert
from lnob.records.analytics import AnalyticsStore
from lnob.records.models import Record
from lnob.records.parse import parse_instance

pytestmark = pytest.mark.django_db

BASIC_SAN = ("wash__sanitation in ('flush_sewer','flush_septic','flush_pit','vip','pit_slab','composting') "
             "and wash__sanitation_shared = 'no'")
WG_DISABLED = " or ".join(f"wg__wg_{d} in ('a_lot_of_difficulty','cannot_do_at_all')"
                          for d in ("seeing", "hearing", "walking", "remembering", "selfcare", "communicating"))


def build(tmp_path, households, seed, name="analytics.duckdb"):
    store = AnalyticsStore(tmp_path / name)
    summary = build_demo(tmp_path, households=households, seed=seed, store=store)
    return summary, store


def fetch(store, sql, params=None):
    with store.connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def wmean(store, expr, where="true", view="demo_person"):
    return fetch(store, f"select sum(design_weight * ({expr})::int) / sum(design_weight), count(*) "
                        f"from {view} where {where}")[0]


@pytest.fixture(scope="module")
def iso():
    return {c["name"]: c["iso"] for c in convert(library_form("lnob_household")).survey_json["choices"]["province"]}


def test_small_demo_round_trips_and_is_reproducible(tmp_path):
    summary, store = build(tmp_path, 400, seed=3)
    project = Project.objects.get(slug="demo")
    assert project.organisation.name == "LNOB demo coalition"
    assert summary.households == 400 and Record.objects.filter(project=project).count() == 400
    assert summary.persons == fetch(store, "select count(*) from form_lnob_household__roster")[0][0]
    assert set(Record.objects.values_list("source", flat=True)) == {"demo"}

    # stored records are real submissions: parsing the raw XML gives the analytics rows exactly
    fv = project.forms.get().current_version
    main_cols = [r[0] for r in fetch(store, "select column_name from information_schema.columns where "
                                           "table_name = 'form_lnob_household' order by ordinal_position")]
    ros_cols = [r[0] for r in fetch(store, "select column_name from information_schema.columns where "
                                          "table_name = 'form_lnob_household__roster' order by ordinal_position")]
    for rec in Record.objects.filter(project=project).order_by("?")[:25]:
        p = parse_instance(rec.raw, fv.survey_json)
        assert p.instance_id == rec.instance_id and p.form_id == "lnob_household" and p.version == fv.version
        assert not p.unknown and not p.problems
        row = fetch(store, "select * from form_lnob_household where _record_id = ?", [rec.pk])[0]
        got = dict(zip(main_cols, row, strict=True))
        assert got.pop("_record_id") == rec.pk and got.pop("_instance_id") == rec.instance_id
        assert got.pop("_project") == "demo" and got.pop("_form_version") == fv.version
        assert {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in got.items()} == p.values
        people = fetch(store, "select * from form_lnob_household__roster where _record_id = ? order by _index",
                       [rec.pk])
        assert [dict(zip(ros_cols[1:], r[1:], strict=True)) for r in people] == p.repeats["roster"]
        assert len(people) == p.values["household__hh_size"]

    def content(st):
        return (fetch(st, "select * exclude (_record_id) from form_lnob_household order by _instance_id"),
                fetch(st, "select h._instance_id, r.* exclude (_record_id) from form_lnob_household__roster r "
                          "join form_lnob_household h using (_record_id) order by 1, _index"))

    first = content(store)
    ids = sorted(Record.objects.filter(project__slug="demo").values_list("instance_id", flat=True))
    # the same seed again (a rebuild of the same project and store) gives the same data
    build_demo(tmp_path, households=400, seed=3, store=store)
    assert sorted(Record.objects.filter(project__slug="demo").values_list("instance_id", flat=True)) == ids
    assert Record.objects.filter(project__slug="demo").count() == 400
    assert content(store) == first
    assert fetch(store, "select count(*) from demo_household")[0][0] == 400
    # another seed gives other data
    build_demo(tmp_path, households=400, seed=4, store=store)
    assert not set(Record.objects.filter(project__slug="demo").values_list("instance_id", flat=True)) & set(ids)
    assert content(store) != first


def test_other_projects_are_untouched(tmp_path):
    from lnob.core import services
    from lnob.forms.services import add_form
    from lnob.records.services import store_records, sync_analytics

    store = AnalyticsStore(tmp_path / "a.duckdb")
    other = services.create_project("field-2025", "Field survey")
    fv, _ = add_form(other, library_form("lnob_household"))
    build_demo(tmp_path, households=200, seed=1, store=store)
    raw = Record.objects.filter(project__slug="demo").first().raw.replace(
        "uuid:", "uuid:0", 1)
    store_records(other, fv, [raw])
    sync_analytics(other, store=store)
    build_demo(tmp_path, households=200, seed=2, store=store)
    assert Record.objects.filter(project=other).count() == 1
    assert fetch(store, "select count(*) from form_lnob_household where _project = 'field-2025'")[0][0] == 1
    assert fetch(store, "select count(*) from demo_household")[0][0] == 200


def test_design_weights_match_the_frame(iso):
    frame = make_frame(iso)
    rng = np.random.default_rng(5)
    sample = draw_sample(frame, 5000, rng)
    assert sample.households == 5000 and (sample.n_h >= 2).all()
    Nh = frame.n_villages[sample.village_stratum]
    # each sampled village's household weights add up to (N_h / n_h) * M_hi exactly
    per_village = np.bincount(sample.hh_village, weights=sample.hh_weight)
    expected = Nh / sample.n_h[sample.village_stratum] * frame.size[sample.village]
    np.testing.assert_allclose(per_village, expected)
    # stage one: the villages' weights add up to N_h in every stratum
    np.testing.assert_allclose(np.bincount(sample.village_stratum, weights=Nh / sample.n_h[sample.village_stratum]),
                               frame.n_villages)
    # the weighted household count estimates the frame's households (HT estimator within 4 SE)
    total = sample.hh_weight.sum()
    var = 0.0
    for h in range(len(frame.strata)):
        t = expected[sample.village_stratum == h]
        n, N = t.size, frame.n_villages[h]
        var += (1 - n / N) * n / (n - 1) * ((t - t.mean()) ** 2).sum()
    assert abs(total - frame.households) < 4 * np.sqrt(var)


def test_design_and_built_in_effects(tmp_path):
    summary, store = build(tmp_path, 5000, seed=1)
    assert summary.households == 5000 and summary.persons >= 20000 and summary.strata == 18
    design = Project.objects.get(slug="demo").survey_design
    hh, person = design["household"], design["person"]
    for d in (hh, person):
        cols = {r[0] for r in fetch(store, f"describe {d['table']}")}
        assert {d["weight"], d["strata"], *d["clusters"], *d["fpc"]} <= cols
    assert "wash__sanitation" in {r[0] for r in fetch(store, "describe demo_person")}
    assert fetch(store, "select count(distinct design_stratum), count(distinct design_village) "
                        "from demo_household")[0] == (18, summary.villages)
    # a PSU's weights agree with its fpc columns: w = N_h/n_h * M_hi/m_hi
    bad = fetch(store, """
        with v as (select design_stratum, design_village, any_value(design_weight) w,
                          any_value(design_fpc_villages) big_n, any_value(design_fpc_households) big_m,
                          count(*) small_m
                   from demo_household group by all),
             s as (select design_stratum, count(*) small_n from v group by all)
        select count(*) from v join s using (design_stratum)
        where abs(w - big_n / small_n * big_m / small_m) > 1e-6""")
    assert bad[0][0] == 0
    # province names and ISO codes as in the shipped boundaries
    assert ("ha_noi", "VN-HN") in fetch(store, "select distinct location__district, location__district_iso "
                                               "from demo_household")

    minority = "ethnicity not in ('kinh', 'prefer_not')"
    dis = f"({WG_DISABLED})"
    everyone, _ = wmean(store, BASIC_SAN)
    mrd_f, n_f = wmean(store, BASIC_SAN, f"{minority} and location__area = 'rural' and {dis} and sex = 'female'")
    mrd_m, n_m = wmean(store, BASIC_SAN, f"{minority} and location__area = 'rural' and {dis} and sex = 'male'")
    mr_nd_f, _ = wmean(store, BASIC_SAN, f"{minority} and location__area = 'rural' and not {dis} and sex = 'female'")
    assert n_f > 50 and n_m > 50
    assert mrd_f < everyone - 0.4  # markedly lower than the whole sample
    assert mrd_f < mrd_m - 0.2 and mrd_f < mr_nd_f - 0.2  # the intersection, not the sum of its parts
    # equalities built in: women = men on sanitation; persons with disabilities = others on insurance
    women, _ = wmean(store, BASIC_SAN, "sex = 'female'")
    men, _ = wmean(store, BASIC_SAN, "sex = 'male'")
    assert abs(women - men) < 0.03
    ins_d, _ = wmean(store, "health_insurance = 'yes'", dis)
    ins_nd, _ = wmean(store, "health_insurance = 'yes'", f"age >= 5 and not {dis}")
    assert abs(ins_d - ins_nd) < 0.05
    # Khmer = Kinh on basic drinking water in the Mekong delta strata (same provinces and areas)
    basic_water = ("wash__water_source not in ('unprotected_well','unprotected_spring','surface','other') and "
                   "(wash__water_location is distinct from 'elsewhere' or wash__water_time <= 30)")
    mekong = "location__district in ('soc_trang', 'tra_vinh')"
    khmer, _ = wmean(store, basic_water, f"{mekong} and ethnicity = 'khmer' and relation = 'head'")
    kinh, _ = wmean(store, basic_water, f"{mekong} and ethnicity = 'kinh' and relation = 'head'")
    assert abs(khmer - kinh) < 0.06
    # Hmong women 20-24 far more often married before 18 than Kinh women
    cm = "coalesce(age_first_marriage < 18, false)"
    hmong, n_h = wmean(store, cm, "sex = 'female' and age between 20 and 24 and ethnicity = 'hmong'")
    kinh_cm, _ = wmean(store, cm, "sex = 'female' and age between 20 and 24 and ethnicity = 'kinh'")
    assert n_h >= 20 and hmong > kinh_cm + 0.2
    assert fetch(store, "select count(*) from demo_person where age_first_marriage < 10")[0][0] == 0
    assert fetch(store, "select count(*) from demo_person where age_first_marriage is not null and not "
                        "(sex = 'female' and age between 20 and 24)")[0][0] == 0
    # migrants in the big cities lack health insurance
    mig, _ = wmean(store, "health_insurance = 'yes'", "migration in ('other_province', 'abroad')")
    assert mig < ins_nd - 0.2
    # self-identification: "prefer not to say" is kept as answered, never imputed
    pn = fetch(store, "select count(*) from demo_person where ethnicity = 'prefer_not'")[0][0]
    assert pn > 100
    truth = fetch(store, "select count(*) from demo_truth_person t join demo_person p "
                         "on p._instance_id = t._instance_id and p._index = t._index")[0][0]
    assert truth == summary.persons
