"""Finding sentences in every language: the sentence and the group phrase are whole templates,
so a translation decides the word order (checked here with a small stand-in catalogue, as a
translator would fill it in), the numbers follow the language (lnob.l10n), and English stays
natural."""

from __future__ import annotations

import pytest
from django.utils import translation

from lnob import l10n
from lnob.equity import furthest
from lnob.equity.furthest import Label, describe_group, sentence
from lnob.stats.contrast import DomainEstimate

GROUP = {"eth": "hmong", "sex": "f", "dis": "yes", "area": "rural", "prov": "lc"}
EST = DomainEstimate(GROUP, 0.412, 0.03, 0.352, 0.473, 120, 1000.0, 30)
TOTAL = DomainEstimate({}, 0.78, 0.01, 0.76, 0.80, 5000, 1e6, 200)

TEMPLATES = {  # msgid -> translation, as the lead's catalogues will have them
    "vi": {
        "%(adjectives)s %(noun)s %(qualifiers)s %(where)s": "%(noun)s %(adjectives)s %(qualifiers)s %(where)s",
        "in %(area)s %(place)s": "ở %(area)s %(place)s",
        "in %(area)s areas": "ở khu vực %(area)s",
        "people": "người",
        "%(group)s: %(value)s (%(level)s %% CI %(low)s–%(high)s) %(outcome)s, against %(overall)s overall":
            "%(group)s: %(value)s (KTC %(level)s %% %(low)s–%(high)s) %(outcome)s, so với %(overall)s chung",
    },
    "hi": {
        "%(adjectives)s %(noun)s %(qualifiers)s %(where)s": "%(where)s %(qualifiers)s %(adjectives)s %(noun)s",
        "in %(area)s %(place)s": "%(area)s %(place)s में",
        "%(group)s: %(value)s (%(level)s %% CI %(low)s–%(high)s) %(outcome)s, against %(overall)s overall":
            "%(group)s: %(value)s (%(level)s %% विश्वास अंतराल %(low)s–%(high)s) %(outcome)s, जबकि कुल "
            "%(overall)s",
    },
}
LABELS = {
    "vi": {"eth": {"hmong": Label("Hmông", "adjective")}, "sex": {"f": Label("phụ nữ", "noun")},
           "dis": {"yes": Label("khuyết tật")}, "area": {"rural": Label("nông thôn", "area")},
           "prov": {"lc": Label("Lào Cai", "place")}},
    "hi": {"eth": {"hmong": Label("ह्मोंग", "adjective")}, "sex": {"f": Label("महिलाएँ", "noun")},
           "dis": {"yes": Label("विकलांग")}, "area": {"rural": Label("ग्रामीण", "area")},
           "prov": {"lc": Label("लाओ काई", "place")}},
    "en": {"eth": {"hmong": Label("Hmong", "adjective")}, "sex": {"f": Label("women", "noun")},
           "dis": {"yes": Label("with a disability")}, "area": {"rural": Label("rural", "area")},
           "prov": {"lc": Label("Lào Cai", "place")}},
}


@pytest.fixture
def catalogue(monkeypatch):
    """Stand-in translations of the sentence templates for the active language (every other
    text as in English, whatever the shipped catalogues say by then)."""
    def gettext(msg):
        return TEMPLATES.get(l10n.language(), {}).get(msg, msg)

    monkeypatch.setattr(furthest, "_", gettext)
    monkeypatch.setattr(furthest, "pgettext", lambda context, msg: gettext(msg))
    monkeypatch.setattr(l10n, "pgettext", lambda context, msg: msg)


def test_english_stays_natural():
    with translation.override("en"):
        s = sentence(GROUP, EST, TOTAL, "have basic sanitation", labels=LABELS["en"])
        assert s == ("Hmong women with a disability in rural Lào Cai: 41 % (95 % CI 35–47 %) have basic "
                     "sanitation, against 78 % overall")
        two = {"eth": {"h": Label("Hmong", "adjective")}, "min": {"y": Label("ethnic-minority", "adjective")},
               "dis": {"y": Label("with a disability")}, "age": {"y": Label("aged 15–24")}}
        assert describe_group({"eth": "h", "min": "y", "dis": "y", "age": "y"}, two) == \
            "Hmong ethnic-minority people with a disability aged 15–24"
        assert describe_group({"prov": "lc"}, LABELS["en"]) == "People in Lào Cai"
        assert describe_group({"area": "rural"}, LABELS["en"]) == "People in rural areas"
        assert describe_group({}) == "Everyone"
        # an indicator title as the outcome
        t = sentence({"sex": "f"}, EST, TOTAL, "population using basic sanitation", labels=LABELS["en"],
                     what_is_title=True)
        assert t == "Women — population using basic sanitation: 41 % (95 % CI 35–47 %), against 78 % overall"


def test_word_order_comes_from_the_translation(catalogue):
    with translation.override("vi"):
        s = sentence(GROUP, EST, TOTAL, "có nhà vệ sinh cơ bản", labels=LABELS["vi"], digits=1)
    # noun first, adjectives and qualifiers after it; the decimal comma
    assert s == ("Phụ nữ Hmông khuyết tật ở nông thôn Lào Cai: 41,2 % (KTC 95 % 35,2–47,3 %) "
                 "có nhà vệ sinh cơ bản, so với 78,0 % chung")
    with translation.override("hi"):
        s = sentence(GROUP, EST, TOTAL, "बुनियादी स्वच्छता है", labels=LABELS["hi"])
    # the place (with its postposition) first, the noun last
    assert s.startswith("ग्रामीण लाओ काई में विकलांग ह्मोंग महिलाएँ: 41 % (95 % विश्वास अंतराल 35–47 %)")
    with translation.override("vi"):
        assert describe_group({"area": "rural"}, LABELS["vi"]) == "Người ở khu vực nông thôn"


def test_numbers_follow_the_language(catalogue):
    mean = DomainEstimate({}, 1234.56, 10.0, 1214.0, 1255.1, 300, 1e5, 50)
    overall = DomainEstimate({}, 0.04567, 0.001, 0.0437, 0.0477, 9000, 1e6, 200)
    with translation.override("vi"):
        s = sentence({}, mean, overall, "x", percent=False, level=0.9)
        assert s == "Everyone: 1.235 (KTC 90 % 1.214–1.255) x, so với 0,0457 chung"
    with translation.override("bn"):
        s = sentence({}, EST, TOTAL, "x")
        assert "৪১ %" in s and "৩৫–৪৭ %" in s and not any(c.isascii() and c.isdigit() for c in s)
    with translation.override("en"):
        assert sentence({}, mean, overall, "x", percent=False, level=0.995).startswith(
            "Everyone: 1,235 (99.5 % CI 1,214–1,255)")


def test_unlabelled_category_and_lists(catalogue):
    with translation.override("en"):
        assert describe_group({"x": 3}) == "People with x = 3"
        assert l10n.join(["Hmong", "women", "rural"]) == "Hmong, women and rural"
        assert l10n.join(["Hmong", "women"]) == "Hmong and women"
        assert l10n.join(["Female", "Rural", "Kinh"], "plain") == "Female, Rural, Kinh"
        assert l10n.join([]) == "" and l10n.join(["one"]) == "one"
