"""The demo population model: who lives in the sampled households, and their outcomes.

Owns every number that makes groups differ (documented, with the resulting
true rates, in ``docs/demo-data.md``).  Everything is vectorised with NumPy and
driven by one ``numpy.random.Generator``; the same seed gives the same people.

Outcomes are drawn from logistic models whose linear predictors are kept (as
probabilities) in :class:`People` so the truth can be compared with estimates:

* household: basic sanitation (JMP: improved facility, not shared), basic
  drinking water (improved source, on premises or ≤ 30 min round trip), social
  protection receipt, a wealth score driving 12 assets;
* person: disability (Washington Group: "a lot of difficulty" or "cannot do at
  all" in any domain; from age alone), school attendance (5–17), birth
  registration (< 5), marriage before 18 (women 20–24), health insurance.

Built-in effects, in short: ethnic minorities are worse off on sanitation,
water, school and birth registration and more often married as children;
**Khmer equal Kinh on drinking water** (same province and area); **persons with
disabilities equal everyone on health insurance and drinking water**; **girls
equal boys at school** except in one intersection: minority girls with a
disability in rural areas (−1.8 on the logit scale beyond the additive model);
households with a disabled woman in rural minority communities are much less
likely to have basic sanitation (−1.8 beyond additive); migrants in Hà Nội and
Ho Chi Minh City lack health insurance and social protection.  Self-identified
ethnicity and religion include "prefer not to say", never imputed; outcomes
follow the person's latent group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lnob.demo.frame import PROVINCES, Frame, Sample

ETHNICITIES = ["kinh", "tay", "thai", "muong", "khmer", "hmong", "dao", "nung", "other"]
KINH, TAY, THAI, MUONG, KHMER, HMONG, DAO, NUNG, OTHER = range(9)

#: rural ethnic composition per province (household heads), order of ETHNICITIES
RURAL_ETHNIC = {
    "ha_giang": [0.10, 0.24, 0.00, 0.00, 0.00, 0.35, 0.16, 0.10, 0.05],
    "lao_cai": [0.28, 0.16, 0.00, 0.00, 0.00, 0.30, 0.16, 0.04, 0.06],
    "son_la": [0.12, 0.00, 0.56, 0.08, 0.00, 0.19, 0.02, 0.00, 0.03],
    "cao_bang": [0.03, 0.42, 0.00, 0.00, 0.00, 0.12, 0.11, 0.31, 0.01],
    "hoa_binh": [0.22, 0.02, 0.05, 0.66, 0.00, 0.01, 0.03, 0.00, 0.01],
    "soc_trang": [0.60, 0.00, 0.00, 0.00, 0.35, 0.00, 0.00, 0.00, 0.05],
    "tra_vinh": [0.64, 0.00, 0.00, 0.00, 0.35, 0.00, 0.00, 0.00, 0.01],
    "ha_noi": [0.975, 0.005, 0.002, 0.012, 0.00, 0.00, 0.002, 0.00, 0.004],
    "ho_chi_minh": [0.93, 0.002, 0.002, 0.002, 0.012, 0.00, 0.00, 0.002, 0.05],
}
#: in urban strata every minority share is multiplied by this (the rest is Kinh)
URBAN_MINORITY_FACTOR = 0.35

# -- model coefficients (logit scale); see docs/demo-data.md ------------------------------------
#: per ethnicity: sanitation, water, school, birth registration, child marriage, health insurance, wealth
ETH_EFFECT = np.array([
    # san   water  school birth  cmarr  insur  wealth
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # kinh
    [-0.5, -0.4, -0.3, -0.2, 0.6, 0.4, -0.4],  # tay
    [-0.9, -0.6, -0.5, -0.4, 1.3, 0.4, -0.7],  # thai
    [-0.5, -0.3, -0.3, -0.2, 0.7, 0.4, -0.4],  # muong
    [-0.9, 0.0, -0.8, -0.6, 0.6, 0.4, -0.6],  # khmer (water: equal to Kinh)
    [-1.8, -1.4, -1.2, -1.2, 2.4, 0.4, -1.2],  # hmong
    [-1.2, -0.9, -0.8, -0.7, 1.6, 0.4, -0.9],  # dao
    [-0.5, -0.4, -0.3, -0.2, 0.6, 0.4, -0.4],  # nung
    [-0.4, -0.3, -0.3, -0.3, 0.5, 0.2, -0.3],  # other
])
SAN, WAT, SCH, BIR, CMA, INS, WEA = range(7)
#: per province: sanitation, water, wealth
PROVINCE_EFFECT = {
    "ha_giang": (-0.6, -0.5, -0.6), "lao_cai": (-0.3, -0.3, -0.3), "son_la": (-0.4, -0.4, -0.5),
    "cao_bang": (-0.3, -0.3, -0.4), "hoa_binh": (0.0, -0.1, -0.2), "soc_trang": (-0.3, -0.2, -0.3),
    "tra_vinh": (-0.2, -0.1, -0.3), "ha_noi": (0.8, 0.8, 0.6), "ho_chi_minh": (1.0, 1.0, 0.7),
}
B_SAN = dict(intercept=1.5, urban=0.9, has_disabled=-0.35, interaction=-1.8, village=0.6)
B_WAT = dict(intercept=2.0, urban=1.2, village=0.6)
B_SCH = dict(intercept=3.3, age_over14=-0.45, rural=-0.4, disabled=-1.3, interaction=-1.8, village=0.3)
B_BIR = dict(intercept=3.0, rural=-0.4, migrant=-1.2)
B_CMA = dict(intercept=-3.2, rural=0.5)
B_INS = dict(intercept=2.0, migrant=-1.6)
B_SP = dict(intercept=-1.9, minority=1.3, rural=0.5, has_disabled=0.7, has_80plus=0.6, migrant=-1.4)
#: probability of a WG disability by age band (5–17, 18–39, 40–59, 60–69, 70+); not by group
DISABILITY_BY_AGE = ((5, 0.04), (18, 0.03), (40, 0.06), (60, 0.12), (70, 0.22))


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class People:
    """Latent attributes and outcome probabilities; arrays per household (hh_*) or person (p_*)."""

    hh_stratum: np.ndarray
    hh_province: np.ndarray  # index into PROVINCES
    hh_urban: np.ndarray
    hh_ethnicity: np.ndarray
    hh_minority: np.ndarray
    hh_migrant: np.ndarray
    hh_size: np.ndarray
    hh_village_effect: np.ndarray
    hh_has_disabled: np.ndarray
    hh_has_disabled_woman: np.ndarray
    hh_has_80plus: np.ndarray
    hh_p_sanitation: np.ndarray
    hh_p_water: np.ndarray
    hh_p_social_protection: np.ndarray
    hh_wealth: np.ndarray
    p_household: np.ndarray  # household index of each person
    p_position: np.ndarray  # 0 = head
    p_relation: np.ndarray  # index into RELATIONS
    p_female: np.ndarray
    p_age: np.ndarray
    p_ethnicity: np.ndarray  # latent
    p_minority: np.ndarray
    p_migrant: np.ndarray
    p_disabled: np.ndarray
    p_p_school: np.ndarray  # nan where not asked
    p_p_birth: np.ndarray
    p_p_child_marriage: np.ndarray
    p_p_insurance: np.ndarray


RELATIONS = ["head", "spouse", "child", "parent", "other_relative", "not_related"]


def _draw_categorical(rng, probs: np.ndarray) -> np.ndarray:
    """One category per row of ``probs`` (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0])[:, None] * cum[:, -1:]
    return (u > cum).sum(axis=1)


def ethnic_probs(province: str, urban: bool) -> np.ndarray:
    p = np.array(RURAL_ETHNIC[province], dtype=float)
    p = p / p.sum()
    if urban:
        p[1:] *= URBAN_MINORITY_FACTOR
        p[0] = 1 - p[1:].sum()
    return p


def generate(frame: Frame, sample: Sample, rng: np.random.Generator) -> People:
    n_v = sample.village.size
    H = sample.households
    v_stratum = sample.village_stratum
    prov_index = {p[0]: i for i, p in enumerate(PROVINCES)}
    strata_prov = np.array([prov_index[p] for p, _a in frame.strata])
    strata_urban = np.array([a == "urban" for _p, a in frame.strata])
    strata_eth = np.array([ethnic_probs(p, a == "urban") for p, a in frame.strata])

    # villages: dominant group and a random effect (clustering)
    v_dominant = _draw_categorical(rng, strata_eth[v_stratum])
    v_effect = rng.normal(0.0, 1.0, n_v)
    v_day = rng.integers(0, 80, n_v)

    hv = sample.hh_village
    stratum = v_stratum[hv]
    province = strata_prov[stratum]
    urban = strata_urban[stratum]
    own = _draw_categorical(rng, strata_eth[stratum])
    ethnicity = np.where(rng.random(H) < 0.8, v_dominant[hv], own)
    minority = ethnicity != KINH
    big_city = np.isin(province, [prov_index["ha_noi"], prov_index["ho_chi_minh"]])
    p_mig = np.where(big_city, np.where(urban, 0.22, 0.10), np.where(urban, 0.03, 0.01))
    migrant = rng.random(H) < p_mig
    lam = np.where(minority, 3.9, np.where(urban, 2.8, 3.1))
    lam = np.where(ethnicity == HMONG, 4.9, np.where(ethnicity == KHMER, 3.5, lam))
    size = np.minimum(1 + rng.poisson(lam), 15)

    # persons
    P = int(size.sum())
    ph = np.repeat(np.arange(H), size)
    starts = np.concatenate([[0], np.cumsum(size)[:-1]])
    pos = np.arange(P) - np.repeat(starts, size)
    p_min = minority[ph]
    u = rng.random(P)
    relation = np.full(P, 2)  # child
    relation[pos == 0] = 0
    relation[(pos == 1) & (u < 0.85)] = 1
    later = pos >= 2
    relation[later & (u >= 0.80) & (u < 0.90)] = 3
    relation[later & (u >= 0.90) & (u < 0.98)] = 4
    relation[later & (u >= 0.98)] = 5
    head_age = np.clip(np.round(rng.normal(46, 13, H)), 18, 90).astype(np.int64)
    ha = head_age[ph]
    age = np.zeros(P, dtype=np.int64)
    age[relation == 0] = ha[relation == 0]
    sp = relation == 1
    age[sp] = np.clip(ha[sp] + np.round(rng.normal(-2, 4, sp.sum())), 18, 95)
    ch = relation == 2
    gap = np.where(p_min[ch], rng.uniform(16, 38, ch.sum()), rng.uniform(19, 42, ch.sum()))
    child_age = np.round(ha[ch] - gap)
    child_age = np.where(child_age < 0, rng.integers(0, 5, ch.sum()), child_age)
    age[ch] = child_age
    pa = relation == 3
    age[pa] = np.clip(ha[pa] + np.round(rng.uniform(20, 35, pa.sum())), 40, 100)
    ot = relation == 4
    age[ot] = rng.integers(0, 81, ot.sum())
    nr = relation == 5
    age[nr] = rng.integers(15, 61, nr.sum())
    head_female = rng.random(H) < 0.22
    female = rng.random(P) < 0.5
    female[relation == 0] = head_female[ph[relation == 0]]
    female[sp] = ~head_female[ph[sp]]
    p_eth = np.where(rng.random(P) < 0.96, ethnicity[ph], _draw_categorical(rng, strata_eth[stratum[ph]]))
    p_minority = p_eth != KINH
    p_migrant = migrant[ph] & (age >= 5)  # under-5s answer 'not yet born'

    # disability: from age only
    p_dis = np.zeros(P)
    for lo, prob in DISABILITY_BY_AGE:
        p_dis[age >= lo] = prob
    disabled = rng.random(P) < p_dis
    has_disabled = np.bincount(ph, weights=disabled, minlength=H) > 0
    has_disabled_woman = np.bincount(ph, weights=disabled & female, minlength=H) > 0
    has_80plus = np.bincount(ph, weights=age >= 80, minlength=H) > 0

    # household outcomes
    pe = np.array([PROVINCE_EFFECT[PROVINCES[i][0]] for i in range(len(PROVINCES))])
    ve = v_effect[hv]
    rural = ~urban
    lp_san = (B_SAN["intercept"] + B_SAN["urban"] * urban + pe[province, 0] + ETH_EFFECT[ethnicity, SAN]
              + B_SAN["has_disabled"] * has_disabled
              + B_SAN["interaction"] * (minority & rural & has_disabled_woman) + B_SAN["village"] * ve)
    lp_wat = (B_WAT["intercept"] + B_WAT["urban"] * urban + pe[province, 1] + ETH_EFFECT[ethnicity, WAT]
              + B_WAT["village"] * ve)
    lp_sp = (B_SP["intercept"] + B_SP["minority"] * minority + B_SP["rural"] * rural
             + B_SP["has_disabled"] * has_disabled + B_SP["has_80plus"] * has_80plus
             + B_SP["migrant"] * migrant)
    wealth = (0.9 * urban + pe[province, 2] + ETH_EFFECT[ethnicity, WEA] - 0.5 * (migrant & urban)
              + 0.4 * ve + rng.normal(0, 1, H))

    # person outcomes (probabilities; nan where the question is not asked)
    nan = np.full(P, np.nan)
    school_age = (age >= 5) & (age <= 17)
    pve = ve[ph]
    lp_sch = (B_SCH["intercept"] + B_SCH["age_over14"] * np.maximum(age - 14, 0) * (1 + 0.5 * p_minority)
              + ETH_EFFECT[p_eth, SCH] + B_SCH["rural"] * rural[ph] + B_SCH["disabled"] * disabled
              + B_SCH["interaction"] * (p_minority & rural[ph] & disabled & female) + B_SCH["village"] * pve)
    p_school = np.where(school_age, logistic(lp_sch), nan)
    lp_bir = B_BIR["intercept"] + ETH_EFFECT[p_eth, BIR] + B_BIR["rural"] * rural[ph] + B_BIR["migrant"] * migrant[ph]
    p_birth = np.where(age < 5, logistic(lp_bir), nan)
    w2024 = female & (age >= 20) & (age <= 24)
    lp_cma = B_CMA["intercept"] + ETH_EFFECT[p_eth, CMA] + B_CMA["rural"] * rural[ph]
    p_cm = np.where(w2024, logistic(lp_cma), nan)
    lp_ins = B_INS["intercept"] + ETH_EFFECT[p_eth, INS] + B_INS["migrant"] * p_migrant
    p_ins = logistic(lp_ins)

    people = People(
        hh_stratum=stratum, hh_province=province, hh_urban=urban, hh_ethnicity=ethnicity, hh_minority=minority,
        hh_migrant=migrant, hh_size=size, hh_village_effect=ve, hh_has_disabled=has_disabled,
        hh_has_disabled_woman=has_disabled_woman, hh_has_80plus=has_80plus,
        hh_p_sanitation=logistic(lp_san), hh_p_water=logistic(lp_wat), hh_p_social_protection=logistic(lp_sp),
        hh_wealth=wealth, p_household=ph, p_position=pos, p_relation=relation, p_female=female, p_age=age,
        p_ethnicity=p_eth, p_minority=p_minority, p_migrant=p_migrant, p_disabled=disabled,
        p_p_school=p_school, p_p_birth=p_birth, p_p_child_marriage=p_cm, p_p_insurance=p_ins,
    )
    people.v_day = v_day  # type: ignore[attr-defined]
    return people
