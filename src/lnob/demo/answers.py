"""Turn the demo population into answers to the LNOB household questionnaire.

Owns the mapping from latent attributes (:class:`lnob.demo.population.People`)
to what an enumerator would record: choice names of the shipped form, skip
logic (relevance) applied exactly as in the XLSForm, self-identification with
"prefer not to say", names (fake), interview dates and times, JMP water and
sanitation categories consistent with the drawn service levels, WG-SS answers
consistent with the drawn disability status, and assets from the wealth score.
Returns column dicts for :class:`lnob.demo.render.InstanceWriter`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from lnob.demo.frame import PROVINCES, Frame, Sample
from lnob.demo.population import ETHNICITIES, HMONG, KHMER, KINH, OTHER, RELATIONS, People, logistic
from lnob.demo.render import Cat, Val, ints, multi

FIELDWORK_START = dt.date(2025, 3, 3)

FAMILY = {
    "kinh": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"],
    "tay": ["Hoàng", "Nông", "Lương", "Ma", "Vi", "Hà"],
    "thai": ["Lò", "Cầm", "Quàng", "Lường", "Tòng", "Vì"],
    "muong": ["Bùi", "Đinh", "Quách", "Xa", "Hà"],
    "khmer": ["Thạch", "Sơn", "Kim", "Danh", "Lâm", "Châu"],
    "hmong": ["Giàng", "Sùng", "Vàng", "Thào", "Lý", "Hầu", "Mùa"],
    "dao": ["Triệu", "Bàn", "Chảo", "Lý", "Đặng"],
    "nung": ["Nông", "Hoàng", "Lương", "Chu", "Mã"],
    "other": ["Trương", "Lâm", "Lục", "Vương", "Hứa"],
}
GIVEN_F = ["Lan", "Hoa", "Mai", "Hương", "Thảo", "Linh", "Ngọc", "Trang", "Dung", "Nhung", "Sen", "Pà", "Mỷ",
           "Chăn", "Sophal", "Xuân", "Yến", "Vân"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hùng", "Minh", "Nam", "Phúc", "Quang", "Sơn", "Tuấn", "Vinh", "Páo",
           "Chứ", "Sinh", "Sokha", "Khánh", "Long"]
ETHNICITY_OTHER = ["Hoa", "Giáy", "Lô Lô", "Ê Đê", "Gia Rai", "Sán Chay", "Chăm", "Phù Lá", "La Chí", "Pà Thẻn"]
RELIGIONS = ["none", "buddhist", "catholic", "protestant", "cao_dai", "hoa_hao", "hindu", "muslim", "other"]
#: religion distribution per latent ethnicity group
RELIGION_BY_GROUP = {
    "kinh": [0.78, 0.14, 0.06, 0.005, 0.01, 0.005, 0, 0, 0.0],
    "khmer": [0.07, 0.92, 0.0, 0.0, 0, 0, 0, 0, 0.01],
    "hmong": [0.64, 0.0, 0.02, 0.33, 0, 0, 0, 0, 0.01],
    "minority": [0.87, 0.05, 0.03, 0.04, 0, 0, 0, 0, 0.01],
}
WG_DOMAINS = ["wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_selfcare", "wg_communicating"]
WG = ["no_difficulty", "some_difficulty", "a_lot_of_difficulty", "cannot_do_at_all"]
WATER = ["piped_dwelling", "piped_yard", "piped_neighbour", "public_tap", "tubewell", "protected_well",
         "unprotected_well", "protected_spring", "unprotected_spring", "rainwater", "tanker", "bottled", "surface",
         "other"]
ON_PREMISES = {"piped_dwelling", "piped_yard", "bottled"}
SANITATION = ["flush_sewer", "flush_septic", "flush_pit", "flush_open", "vip", "pit_slab", "pit_open", "composting",
              "bucket", "hanging", "no_facility", "other"]
SP_TYPES = ["poor_household", "social_pension", "disability_allowance", "child_benefit", "ethnic_minority", "other"]
ASSETS = ["electricity", "radio", "television", "mobile_phone", "refrigerator", "washing_machine", "air_conditioner",
          "computer", "internet", "bicycle", "motorbike", "car"]
#: asset intercepts on the logit scale (slope 1.6 on the wealth score)
ASSET_INTERCEPT = [3.5, -1.0, 1.8, 2.8, 0.3, -0.6, -1.6, -1.2, -0.4, 0.0, 2.0, -2.6]


def _pick(rng, probs_by_row: np.ndarray) -> np.ndarray:
    cum = np.cumsum(probs_by_row, axis=1)
    u = rng.random(probs_by_row.shape[0])[:, None] * cum[:, -1:]
    return (u > cum).sum(axis=1)


def _choice(rng, n: int, probs) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return rng.choice(p.size, size=n, p=p / p.sum())


def answers(frame: Frame, sample: Sample, people: People, rng: np.random.Generator, iso: dict[str, str]):
    """(record columns, roster columns, person outcome flags) for the form ``lnob_household``."""
    H = sample.households
    pp = people
    P = pp.p_age.size
    ph = pp.p_household
    age = pp.p_age
    female = pp.p_female
    rural = ~pp.hh_urban

    # -- household level -----------------------------------------------------------------
    village_index = sample.village[sample.hh_village]
    day = pp.v_day[sample.hh_village]  # type: ignore[attr-defined]
    start_min = rng.integers(7 * 60, 17 * 60, H)
    duration = rng.integers(18, 55, H) + 2 * pp.hh_size
    start_sec = rng.integers(0, 60, H)
    dates = [(FIELDWORK_START + dt.timedelta(days=int(d))).isoformat() for d in range(80)]
    start = [f"{dates[d]}T{m // 60:02d}:{m % 60:02d}:{s:02d}.000+07:00"
             for d, m, s in zip(day.tolist(), start_min.tolist(), start_sec.tolist(), strict=True)]
    end_min = np.minimum(start_min + duration, 23 * 60 + 59)
    end = [f"{dates[d]}T{m // 60:02d}:{m % 60:02d}:{s:02d}.000+07:00"
           for d, m, s in zip(day.tolist(), end_min.tolist(), start_sec.tolist(), strict=True)]
    province_names = [p[0] for p in PROVINCES]

    # water: basic service or not, then a consistent source / location / time
    basic_water = rng.random(H) < pp.hh_p_water
    urban = pp.hh_urban
    w_basic_urban = [0.72, 0.10, 0.02, 0.02, 0.06, 0.01, 0, 0, 0, 0.01, 0, 0.06, 0, 0]
    w_basic_rural = [0.15, 0.12, 0.03, 0.05, 0.25, 0.15, 0, 0.12, 0, 0.10, 0.01, 0.02, 0, 0]
    src_basic = np.where(urban, _choice(rng, H, w_basic_urban), _choice(rng, H, w_basic_rural))
    w_not = [0, 0, 0, 0.03, 0.05, 0.05, 0.30, 0.05, 0.25, 0.02, 0, 0, 0.23, 0.02]
    src_not = _choice(rng, H, w_not)
    water_source = np.where(basic_water, src_basic, src_not)
    improved_src = np.isin(water_source, [0, 1, 2, 3, 4, 5, 7, 9, 10, 11])
    on_prem = np.isin(water_source, [0, 1, 11])
    # location: 0 in_dwelling, 1 in_yard, 2 elsewhere
    loc = np.where(rng.random(H) < 0.55, 1, 2)
    loc = np.where(rng.random(H) < 0.1, 0, loc)
    # not basic with an improved source: it must be > 30 minutes away
    loc = np.where(~basic_water & improved_src, 2, loc)
    water_location = np.where(on_prem, -1, loc)
    t_near = rng.integers(2, 31, H)
    t_far = rng.integers(31, 121, H)
    water_time = np.where(basic_water, t_near, np.where(improved_src, t_far, rng.integers(5, 91, H)))
    has_time = water_location == 2
    shortage_p = np.where(urban, 0.06, 0.18) + 0.15 * ~basic_water
    u = rng.random(H)
    water_shortage = np.where(u < 0.02, 2, np.where(u < 0.02 + shortage_p, 0, 1))  # yes_no_dk codes

    # sanitation
    basic_san = rng.random(H) < pp.hh_p_sanitation
    s_basic_urban = [0.35, 0.58, 0.02, 0, 0.02, 0.03, 0, 0, 0, 0, 0, 0]
    s_basic_rural = [0.02, 0.45, 0.15, 0, 0.10, 0.24, 0, 0.04, 0, 0, 0, 0]
    s_basic = np.where(urban, _choice(rng, H, s_basic_urban), _choice(rng, H, s_basic_rural))
    # not basic: limited (improved but shared), unimproved, or no facility
    od_p = 0.15 + 0.30 * (pp.hh_minority & rural)
    v = rng.random(H)
    limited = v < 0.30
    open_def = (~limited) & (v < 0.30 + od_p)
    s_unimp = _choice(rng, H, [0, 0, 0, 0.15, 0, 0, 0.60, 0, 0.05, 0.15, 0, 0.05])
    s_not = np.where(limited, s_basic, np.where(open_def, SANITATION.index("no_facility"), s_unimp))
    sanitation = np.where(basic_san, s_basic, s_not)
    shared = np.where(basic_san, False, limited | (rng.random(H) < 0.3))
    sanitation_shared = np.where(sanitation == SANITATION.index("no_facility"), -1, np.where(shared, 0, 1))

    # social protection
    sp_yes = rng.random(H) < pp.hh_p_social_protection
    dk = rng.random(H) < 0.02
    sp_receives = np.where(dk, 2, np.where(sp_yes, 0, 1))
    has_child = np.bincount(ph, weights=(age >= 5) & (age <= 17), minlength=H) > 0
    poor = pp.hh_wealth < np.quantile(pp.hh_wealth, 0.25) if H else np.zeros(0, bool)
    sp = np.zeros((H, len(SP_TYPES)), dtype=bool)
    sp[:, 0] = poor & (rng.random(H) < 0.8)
    sp[:, 1] = pp.hh_has_80plus & (rng.random(H) < 0.8)
    sp[:, 2] = pp.hh_has_disabled & (rng.random(H) < 0.7)
    sp[:, 3] = has_child & (rng.random(H) < 0.3)
    sp[:, 4] = pp.hh_minority & (rng.random(H) < 0.6)
    sp[:, 5] = rng.random(H) < 0.05
    none = ~sp.any(axis=1)
    sp[none, 0] = True  # someone receives something: at least poor-household support
    sp_types = multi(sp & (sp_receives == 0)[:, None], SP_TYPES)

    # assets
    a = np.array(ASSET_INTERCEPT)[None, :] + 1.6 * pp.hh_wealth[:, None]
    own = rng.random((H, len(ASSETS))) < logistic(a)
    own_all = np.concatenate([own, ~own.any(axis=1)[:, None]], axis=1)
    assets = multi(own_all, ASSETS + ["none"])

    record = {
        "start": Val(start),
        "end": Val(end),
        "today": Val([dates[d] for d in day.tolist()]),
        "country": Cat(np.zeros(H, dtype=np.int64), ["VN"]),
        "consent": Cat(np.zeros(H, dtype=np.int64), ["yes"]),
        "location__district": Cat(pp.hh_province, province_names),
        "location__district_iso": Cat(pp.hh_province, [iso[p] for p in province_names]),
        "location__area": Cat(np.where(urban, 0, 1), ["urban", "rural"]),
        "location__village": Val([frame.code[i] for i in village_index.tolist()]),
        "household__hh_size": ints(pp.hh_size),
        "wash__water_source": Cat(water_source, WATER),
        "wash__water_location": Cat(water_location, ["in_dwelling", "in_yard", "elsewhere"]),
        "wash__water_time": ints(water_time, has_time),
        "wash__water_shortage": Cat(water_shortage, ["yes", "no", "dont_know"]),
        "wash__sanitation": Cat(sanitation, SANITATION),
        "wash__sanitation_shared": Cat(sanitation_shared, ["yes", "no"]),
        "protection__sp_receives": Cat(sp_receives, ["yes", "no", "dont_know"]),
        "protection__sp_types": sp_types,
        "wealth__assets": assets,
    }

    # -- persons ----------------------------------------------------------------------------
    eth = pp.p_ethnicity
    prefer_eth = rng.random(P) < np.where(pp.p_minority, 0.05, 0.02)
    eth_code = np.where(prefer_eth, len(ETHNICITIES), eth)
    eth_other = [None] * P
    for i in np.flatnonzero((eth == OTHER) & ~prefer_eth).tolist():
        eth_other[i] = ETHNICITY_OTHER[i * 7919 % len(ETHNICITY_OTHER)]
    # religion: a household religion from the head's group, most members share it
    group = np.where(eth == KINH, 0, np.where(eth == KHMER, 1, np.where(eth == HMONG, 2, 3)))
    rel_table = np.array([RELIGION_BY_GROUP[k] for k in ("kinh", "khmer", "hmong", "minority")])
    rel_table = rel_table / rel_table.sum(axis=1, keepdims=True)
    mekong = np.isin(pp.hh_province, [i for i, p in enumerate(PROVINCES) if p[1] == "mekong_delta"])
    hh_rel = _pick(rng, rel_table[group[pp.p_position == 0]])
    # Kinh in the Mekong delta: Hòa Hảo and Cao Đài are common
    kinh_mekong = mekong & (pp.hh_ethnicity == KINH)
    alt = rng.random(H)
    hh_rel = np.where(kinh_mekong & (alt < 0.08), 5, np.where(kinh_mekong & (alt < 0.12), 4, hh_rel))
    own_rel = _pick(rng, rel_table[group])
    religion = np.where(rng.random(P) < 0.9, hh_rel[ph], own_rel)
    religion = np.where(rng.random(P) < 0.03, len(RELIGIONS), religion)

    # migration five years ago: 0 same_place 1 same_province 2 other_province 3 abroad 4 not_born 5 prefer_not
    m = rng.random(P)
    migration = np.where(m < 0.05, 1, 0)
    migration = np.where(pp.p_migrant, np.where(m < 0.03, 3, 2), migration)
    migration = np.where(rng.random(P) < 0.01, 5, migration)
    migration = np.where(age < 5, 4, migration)

    # Washington Group answers consistent with the drawn disability status
    older = np.clip((age - 40) / 40, 0, 1)
    dom_w = np.stack([0.25 + 0.5 * older, 0.15 + 0.4 * older, 0.3 + 0.8 * older,
                      0.3 - 0.1 * older, np.full(P, 0.15), 0.25 - 0.1 * older], axis=1)
    keys = np.log(dom_w) + rng.gumbel(size=(P, 6))
    k = 1 + rng.binomial(2, 0.3, P)
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    affected = (rank < k[:, None]) & pp.p_disabled[:, None]
    severe = rng.random((P, 6)) < 0.25
    some_p = np.where(pp.p_disabled, 0.3, 0.04 + 0.25 * older)[:, None]
    some = rng.random((P, 6)) < some_p
    wg = np.where(affected, np.where(severe, 3, 2), np.where(some, 1, 0))
    asked_wg = age >= 5
    wg = np.where(asked_wg[:, None], wg, -1)

    school_age = (age >= 5) & (age <= 17)
    attends = rng.random(P) < np.nan_to_num(pp.p_p_school)
    attends_school = np.where(school_age, np.where(attends, 0, 1), -1)

    registered = rng.random(P) < np.nan_to_num(pp.p_p_birth)
    b = rng.random(P)
    birth = np.where(registered, np.where(b < 0.9, 0, 1), np.where(b < 0.9, 2, 3))
    birth = np.where(age < 5, birth, -1)

    # marriage: women 20-24 from the child-marriage model; everyone else 15+ by age
    w2024 = female & (age >= 20) & (age <= 24)
    child_married = w2024 & (rng.random(P) < np.nan_to_num(pp.p_p_child_marriage))
    later = w2024 & ~child_married & ((rng.random(P) < np.where(pp.p_minority, 0.6, 0.45))
                                      | (pp.p_relation == 1))  # a spouse is married: at 18 or later here
    p_ever = logistic((age - 26) / 3.0 + 0.6 * pp.p_minority)
    ever = np.where(w2024, child_married | later, (age >= 15) & (rng.random(P) < p_ever))
    ever |= (pp.p_relation == 1)  # spouses are married
    c = rng.random(P)
    widowed_p = np.clip((age - 55) / 60, 0, 0.5)
    status = np.where(c < widowed_p, 4, np.where(c < widowed_p + 0.04, 3, np.where(c < widowed_p + 0.08, 2, 1)))
    status = np.where(pp.p_relation == 1, np.where(c < 0.05, 2, 1), status)
    marital = np.where(age >= 15, np.where(ever, status, 0), -1)
    afm = np.where(child_married, rng.choice([13, 14, 15, 16, 16, 17, 17, 17], P), 0)
    afm = np.where(later, 18 + (rng.random(P) * (age - 17)).astype(np.int64), afm)
    afm = np.minimum(afm, age)
    asked_afm = w2024 & (marital > 0)

    insured = rng.random(P) < pp.p_p_insurance
    ins_dk = rng.random(P) < 0.01
    health_insurance = np.where(ins_dk, 2, np.where(insured, 0, 1))

    family = np.empty(P, dtype=object)
    for gi, g in enumerate(ETHNICITIES):
        sel = np.flatnonzero(pp.hh_ethnicity[ph] == gi)  # family names follow the household
        names = FAMILY[g]
        family[sel] = np.array(names, dtype=object)[rng.integers(0, len(names), sel.size)]
    given = np.where(female, np.array(GIVEN_F, dtype=object)[rng.integers(0, len(GIVEN_F), P)],
                     np.array(GIVEN_M, dtype=object)[rng.integers(0, len(GIVEN_M), P)])
    middle = np.where(female, "Thị", "Văn")
    names = [f"{f} {m} {g}" for f, m, g in zip(family.tolist(), middle.tolist(), given.tolist(), strict=True)]

    roster = {
        "name": Val(names),
        "relation": Cat(pp.p_relation, RELATIONS),
        "sex": Cat(np.where(female, 0, 1), ["female", "male"]),
        "age": ints(age),
        "ethnicity": Cat(eth_code, ETHNICITIES + ["prefer_not"]),
        "ethnicity_other": Val(eth_other),
        "religion": Cat(religion, RELIGIONS + ["prefer_not"]),
        "migration": Cat(migration, ["same_place", "same_province", "other_province", "abroad", "not_born",
                                     "prefer_not"]),
        "attends_school": Cat(attends_school, ["yes", "no"]),
        "birth_registered": Cat(birth, ["certificate", "registered_no_certificate", "not_registered",
                                        "dont_know"]),
        "marital_status": Cat(marital, ["never_married", "married", "living_together", "divorced_separated",
                                        "widowed"]),
        "age_first_marriage": ints(afm, asked_afm),
        "health_insurance": Cat(health_insurance, ["yes", "no", "dont_know"]),
    }
    for j, d in enumerate(WG_DOMAINS):
        roster[f"wg__{d}"] = Cat(wg[:, j], WG)
    outcome = {
        "basic_water": basic_water, "basic_sanitation": basic_san,
        "wg_disabled": (wg >= 2).any(axis=1),
    }
    return record, roster, outcome
