"""Numbers, percentages, intervals, dates and lists in the reader's language.

Every figure a reader sees on the dashboard, in a brief or in a finding sentence goes through
this module, so that one page never mixes "41.2" and "41,2".  It works with or without Django
(a plain ``import lnob.equity`` in a notebook gives English conventions):

* **separators** come from Django's locale formats of the active language
  (``DECIMAL_SEPARATOR`` / ``THOUSAND_SEPARATOR``: en and hi and bn ``.`` and ``,``;
  vi ``,`` and ``.``), so a project's ``FORMAT_MODULE_PATH`` can change them;
* **grouping** follows CLDR, which Django's locale files leave out for hi, bn and vi
  (their ``NUMBER_GROUPING`` is 0, i.e. none): thousands everywhere (``12,345``; vi
  ``12.345``) and the Indian lakh grouping for hi and bn (``12,34,567``), see :data:`GROUPING`;
* **digits** follow CLDR's default numbering system: Latin digits for en, hi and vi, Bengali
  digits (০–৯) for bn (Django keeps Latin digits in every language), see :data:`NUMERALS`;
* **dates** use Django's ``DATE_FORMAT`` of the language, whose month names Django translates
  (hi "25 नवंबर 2026", vi "Ngày 25 tháng 11 năm 2026");
* **templates** that put a number into words — the percent sign, an interval, a list — are
  translatable strings with named placeholders (:func:`lnob.i18n.pgettext`), so a translator
  can change their order and punctuation.

:func:`vega_locale` gives the same conventions as a d3-format locale for Vega / Vega-Lite
(``config.locale.number``), so chart axes and tooltips agree with the tables next to them.
"""

from __future__ import annotations

import math
from datetime import date as _date
from datetime import datetime

from lnob.i18n import pgettext

#: CLDR digit grouping: the first group, then the size of every further group
GROUPING = {"hi": (3, 2), "bn": (3, 2)}
#: CLDR default numbering systems other than Latin digits
NUMERALS = {"bn": "০১২৩৪৫৬৭৮৯"}
DASH = "–"  # shown for a missing or non-finite value


def language() -> str:
    """The active language's base code ("en" when Django is not configured)."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import get_language

            return (get_language() or "en").split("-")[0]
    except Exception:  # pragma: no cover - Django missing
        pass
    return "en"


def separators() -> tuple[str, str]:
    """(decimal, thousands) separators of the active language."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.formats import get_format

            return str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR"))
    except Exception:  # pragma: no cover - Django missing
        pass
    return ".", ","


def digits(text: str) -> str:
    """``text`` with ASCII digits written in the active language's numerals."""
    nums = NUMERALS.get(language())
    return text.translate(str.maketrans("0123456789", nums)) if nums else text


def _group(whole: str, sep: str, grouping: tuple) -> str:
    first = grouping[0]
    if len(whole) <= first:
        return whole
    parts, rest = [whole[-first:]], whole[:-first]
    size = grouping[1] if len(grouping) > 1 else first
    while rest:
        parts.insert(0, rest[-size:])
        rest = rest[:-size]
    return sep.join(parts)


def _finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and not math.isfinite(x))


def number(x, places: int = 1, *, grouping: bool = True) -> str:
    """``x`` rounded to ``places`` decimals in the reader's conventions (:data:`DASH` when missing).

    >>> number(12345.678, 1)
    '12,345.7'
    """
    if not _finite(x):
        return DASH
    text = f"{abs(float(x)):.{max(places, 0)}f}"
    whole, _dot, frac = text.partition(".")
    dec, thou = separators()
    if grouping and thou:
        whole = _group(whole, thou, GROUPING.get(language(), (3,)))
    out = whole + (dec + frac if frac else "")
    if float(x) < 0 and any(c not in "0." for c in text):  # no "-0.0"
        out = "-" + out
    return digits(out)


def significant(x, figures: int = 3) -> str:
    """``x`` with about ``figures`` significant digits and never an exponent (values that are
    not percentages: means, ratios, counts)."""
    if not _finite(x):
        return DASH
    if x == 0:
        return number(0, 0)
    places = max(0, figures - 1 - math.floor(math.log10(abs(x))))
    return number(x, places)


def count(n) -> str:
    """A whole number (respondents, tests, regions)."""
    return DASH if not _finite(n) else number(round(n), 0)


def year(y) -> str:
    """A year: the language's digits, never grouped ("2017", not "2,017")."""
    return DASH if y is None or y == "" else digits(str(y))


def with_percent(text: str) -> str:
    """A formatted number with the percent sign, as the language writes it."""
    return pgettext("a number followed by the percent sign", "%(number)s %%") % {"number": text}


def percent(fraction, places: int = 1) -> str:
    """A proportion (0.412) as a percentage ("41.2 %"; vi "41,2 %")."""
    if not _finite(fraction):
        return DASH
    return with_percent(number(fraction * 100, places))


def interval(low: str, high: str, *, compact: bool = False) -> str:
    """Two formatted bounds as an interval ("35.0 % – 47.0 %"; ``compact``: "35–47", as in a
    brief's tables)."""
    if compact:
        return pgettext("a compact range between two formatted numbers",
                        "%(low)s–%(high)s") % {"low": low, "high": high}
    return pgettext("an interval between two formatted numbers", "%(low)s – %(high)s") % {"low": low, "high": high}


def date(value, fmt: str = "DATE_FORMAT") -> str:
    """A date (a ``date``, a ``datetime`` or an ISO string) in the language's date format,
    month names translated ("November 25, 2026"; hi "25 नवंबर 2026")."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else _date.fromisoformat(value[:10])
        except ValueError:
            return value
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.formats import date_format

            return digits(date_format(value, fmt))
    except Exception:  # pragma: no cover - Django missing
        pass
    return value.isoformat()[:10]


def join(items, style: str = "and") -> str:
    """A list of phrases joined by the language's list pattern: ``style="and"`` ("A, B and C")
    or ``"plain"`` ("A, B, C": categories of one group, a table's row label)."""
    items = [str(i) for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if style == "plain":
        two = pgettext("list without a conjunction: two items", "%(first)s, %(second)s")
        middle = end = pgettext("list without a conjunction: further items", "%(first)s, %(rest)s")
    else:
        two = pgettext("list of two items", "%(first)s and %(second)s")
        middle = pgettext("list of three or more items: all but the last two", "%(first)s, %(rest)s")
        end = pgettext("list of three or more items: the last two", "%(first)s and %(rest)s")
    if len(items) == 2:
        return two % {"first": items[0], "second": items[1]}
    text = end % {"first": items[-2], "rest": items[-1]}
    for item in reversed(items[:-2]):
        text = middle % {"first": item, "rest": text}
    return text


def vega_locale() -> dict:
    """The active language's number conventions as a d3-format locale, for Vega-Lite's
    ``config.locale.number`` (Vega ≥ 5.12; the vendored Vega 6 and vl-convert read it)."""
    dec, thou = separators()
    first, *more = GROUPING.get(language(), (3,))
    # d3 cycles through the sizes: repeat the second size so that 12,34,56,789 stays Indian
    out = {"decimal": dec, "thousands": thou, "grouping": [first] + more * 8 if more else [first],
           "currency": ["", ""]}
    nums = NUMERALS.get(language())
    if nums:
        out["numerals"] = list(nums)
    return out
