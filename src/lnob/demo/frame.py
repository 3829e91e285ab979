"""The demo's sampling frame and its two-stage stratified sample.

Owns: the provinces the demo covers, the frame (villages per stratum and
households per village), the allocation of the sample, the selection of
villages and households, and the design weights.

* **Strata** h = province × urban/rural (9 provinces → 18 strata).
* **Frame**: N_h villages in stratum h, village i holding M_hi households.  The
  frame is fixed (its own seed, :data:`FRAME_SEED`) like a census listing: the
  ``seed`` of :func:`lnob.demo.build_demo` changes the sample, not the frame.
* **Stage 1**: n_h villages by simple random sampling without replacement
  (fpc N_h).  Allocation ∝ √(households in the stratum), at least 2 villages per
  stratum, at most half of the stratum's villages.
* **Stage 2**: m_hi households by simple random sampling without replacement in
  each sampled village (fpc M_hi); the households are spread evenly over the
  sampled villages (20 per village by default).
* **Design weight** = 1/π = (N_h/n_h)·(M_hi/m_hi).  Within a sampled village the
  weights add up to (N_h/n_h)·M_hi exactly; over the sample they estimate the
  frame's Σ M_hi without bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lnob.errors import UsageError
from lnob.i18n import _

FRAME_SEED = 20250601
HOUSEHOLDS_PER_VILLAGE = 20
MAX_HOUSEHOLDS_PER_VILLAGE = 60
MIN_VILLAGE_SIZE = 60

#: (choice name in the form, region, households in thousands (2019 census, rounded), urban share)
PROVINCES = [
    ("ha_giang", "northern_mountains", 190, 0.16),
    ("lao_cai", "northern_mountains", 180, 0.23),
    ("son_la", "northern_mountains", 280, 0.14),
    ("cao_bang", "northern_mountains", 130, 0.24),
    ("hoa_binh", "northern_midlands", 230, 0.18),
    ("soc_trang", "mekong_delta", 330, 0.32),
    ("tra_vinh", "mekong_delta", 280, 0.17),
    ("ha_noi", "red_river_delta", 2220, 0.49),
    ("ho_chi_minh", "south_east", 2560, 0.79),
]
AREAS = ("urban", "rural")
#: mean households per village (urban "villages" are residential groups, tổ dân phố)
MEAN_VILLAGE_SIZE = {"urban": 420, "rural": 180}


@dataclass
class Frame:
    """All villages of the frame (one entry per village)."""

    stratum: np.ndarray  # int, index into strata
    size: np.ndarray  # M_hi, households
    code: list[str]  # village code, e.g. VN-03-R-0042
    strata: list[tuple[str, str]]  # (province, area) per stratum index
    n_villages: np.ndarray  # N_h per stratum

    @property
    def households(self) -> int:
        return int(self.size.sum())


@dataclass
class Sample:
    """The sampled villages (one entry per sampled village) and households (one per household)."""

    village: np.ndarray  # frame index of each sampled village
    village_stratum: np.ndarray
    village_take: np.ndarray  # m_hi
    n_h: np.ndarray  # sampled villages per stratum
    hh_village: np.ndarray  # index into the sampled villages, per household
    hh_weight: np.ndarray  # design weight per household

    @property
    def households(self) -> int:
        return int(self.hh_village.size)


def make_frame(iso: dict[str, str]) -> Frame:
    """The fixed frame; ``iso`` maps the province choice names to ISO 3166-2 codes."""
    rng = np.random.default_rng(FRAME_SEED)
    strata: list[tuple[str, str]] = []
    stratum, size, code, n_villages = [], [], [], []
    for province, _region, thousands, urban_share in PROVINCES:
        for area in AREAS:
            share = urban_share if area == "urban" else 1 - urban_share
            total = thousands * 1000 * share
            n = max(8, int(round(total / MEAN_VILLAGE_SIZE[area])))
            sizes = rng.lognormal(mean=0.0, sigma=0.45, size=n)
            sizes = np.maximum(MIN_VILLAGE_SIZE, np.round(sizes / sizes.sum() * total)).astype(np.int64)
            h = len(strata)
            strata.append((province, area))
            stratum.append(np.full(n, h))
            size.append(sizes)
            n_villages.append(n)
            letter = "U" if area == "urban" else "R"
            code.extend(f"{iso[province]}-{letter}-{i + 1:04d}" for i in range(n))
    return Frame(np.concatenate(stratum), np.concatenate(size), code, strata, np.array(n_villages))


def min_households(frame: Frame) -> int:
    return 2 * 2 * len(frame.strata)


def max_households(frame: Frame) -> int:
    cap = (frame.n_villages // 2).sum()
    return int(cap * MAX_HOUSEHOLDS_PER_VILLAGE)


def draw_sample(frame: Frame, households: int, rng: np.random.Generator) -> Sample:
    lo, hi = min_households(frame), max_households(frame)
    if not lo <= households <= hi:
        raise UsageError(
            _("the demo can have between %(lo)d and %(hi)d households, not %(n)d") % {"lo": lo, "hi": hi,
                                                                                    "n": households},
            where="--households",
            hint=_("e.g. --households 5000"),
            code="demo.households-out-of-range",
        )
    n_strata = len(frame.strata)
    stratum_hh = np.bincount(frame.stratum, weights=frame.size, minlength=n_strata)
    cap = frame.n_villages // 2
    villages = max(2 * n_strata, -(-households // HOUSEHOLDS_PER_VILLAGE))
    villages = min(villages, int(cap.sum()), households // 2)
    n_h = _allocate(villages, np.sqrt(stratum_hh), np.full(n_strata, 2), cap)
    chosen, chosen_stratum = [], []
    for h in range(n_strata):
        members = np.flatnonzero(frame.stratum == h)
        pick = np.sort(rng.choice(members, size=n_h[h], replace=False))
        chosen.append(pick)
        chosen_stratum.append(np.full(n_h[h], h))
    village = np.concatenate(chosen)
    village_stratum = np.concatenate(chosen_stratum)
    # spread the households evenly; the remainder goes to randomly chosen villages
    base, extra = divmod(households, village.size)
    take = np.full(village.size, base, dtype=np.int64)
    take[rng.choice(village.size, size=extra, replace=False)] += 1
    take = np.minimum(take, frame.size[village])
    short = households - int(take.sum())
    while short > 0:  # only when a village is smaller than its share (tiny frames)
        room = np.flatnonzero(take < frame.size[village])
        add = rng.choice(room, size=min(short, room.size), replace=False)
        take[add] += 1
        short -= add.size
    hh_village = np.repeat(np.arange(village.size), take)
    N_h = frame.n_villages[village_stratum]
    w_village = N_h / n_h[village_stratum] * frame.size[village] / take
    return Sample(village, village_stratum, take, n_h, hh_village, w_village[hh_village])


def _allocate(total: int, score: np.ndarray, low: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Integers ∝ ``score`` summing to ``total``, each within [low, cap]."""
    n = np.minimum(low, cap).astype(np.int64)
    left = total - int(n.sum())
    while left > 0:
        room = cap - n
        active = room > 0
        if not active.any():
            break
        want = score * active
        share = want / want.sum() * left
        add = np.minimum(np.floor(share).astype(np.int64), room)
        if add.sum() == 0:
            order = np.argsort(-(share - np.floor(share)) - active * 1e-9)
            for i in order:
                if left == 0:
                    break
                if room[i] > 0:
                    n[i] += 1
                    left -= 1
            continue
        n += add
        left -= int(add.sum())
    return n
