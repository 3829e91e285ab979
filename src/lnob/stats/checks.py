"""Input checks: every user mistake becomes a typed :class:`~lnob.errors.LnobError`.

Owns: unknown columns (with close matches), non-numeric columns, missing or negative
weights, missing design values, empty data, clusters not nested in strata, fpc that varies
within a stratum / is smaller than the sample / mixes counts and fractions, lonely PSUs under
``fail``, too many levels for a proportion, and replicate-weight problems.
All checks run as small aggregate queries in the engine.
"""

from __future__ import annotations

from lnob.errors import DesignError, InputError, NotFound, UsageError, close_matches
from lnob.i18n import _

MAX_LEVELS = 100


def unknown_column(name: str, columns, where: str) -> NotFound:
    matches = close_matches(name, columns)
    if matches:
        hint = _("did you mean {m}?").format(m=" or ".join(repr(m) for m in matches))
    else:
        shown = ", ".join(list(columns)[:12]) + (" ..." if len(columns) > 12 else "")
        hint = _("available columns: {cols}").format(cols=shown)
    return NotFound(
        _("unknown column {name!r}").format(name=name), where=where, hint=hint,
        code="stats.unknown-column",
    )


def check_columns(table, needs: list[tuple[str, str, bool]], types: bool = True) -> None:
    """``needs``: (column, where, must_be_numeric)."""
    cols = table.columns
    dialect = table.engine.dialect
    for name, where, numeric in needs:
        if name not in cols:
            raise unknown_column(name, list(cols), where)
    if not types:
        return
    for name, where, numeric in needs:
        if numeric and not dialect.is_numeric_type(cols[name]):
            raise InputError(
                _("column {name!r} is not numeric (type {t})").format(name=name, t=cols[name]),
                where=where,
                hint=_("use a numeric column here, or a proportion for a categorical variable"),
                code="stats.non-numeric",
            )


def empty_data() -> InputError:
    return InputError(
        _("the data have no rows"), where="DATA", hint=_("check the file or table"),
        code="stats.empty-data",
    )


def check_profile(p: dict, design, where_weight: str = "--weight") -> None:
    """Raise on the findings of the profile query (see ``prepare.prepare``)."""
    if p["rows"] == 0:
        raise empty_data()
    if p.get("w_null"):
        raise DesignError(
            _("{n} rows have a missing weight").format(n=p["w_null"]),
            where=f"{where_weight} {design.weights}",
            hint=_("every row needs a weight (R refuses missing weights too)"),
            code="stats.missing-weights",
        )
    if p.get("w_min") is not None and p["w_min"] < 0:
        raise DesignError(
            _("weights must not be negative (smallest is {v})").format(v=p["w_min"]),
            where=f"{where_weight} {design.weights}",
            hint=_("check the weight column"),
            code="stats.negative-weights",
        )
    for col, n in p.get("design_nulls", {}).items():
        if n:
            raise DesignError(
                _("{n} rows have a missing value in design column {col!r}").format(n=n, col=col),
                where=col,
                hint=_("strata, clusters, fpc and replicate weights must not be missing"),
                code="stats.missing-design-values",
            )


def too_many_levels(var: str, n: int) -> InputError:
    return InputError(
        _("{var!r} has {n} distinct values; a proportion needs a categorical variable").format(
            var=var, n=n
        ),
        where=f"--proportion {var}",
        hint=_("use --mean for a continuous variable (at most {m} categories)").format(m=MAX_LEVELS),
        code="stats.too-many-levels",
    )


def not_nested(examples: list) -> DesignError:
    return DesignError(
        _("clusters are not nested in strata: PSU {ids} appears in several strata").format(
            ids=", ".join(repr(e) for e in examples)
        ),
        where="--cluster",
        hint=_("if PSU ids are only unique within strata, add --nest (R: nest=TRUE)"),
        code="stats.not-nested",
    )


def lonely(strata: list, stage: int) -> DesignError:
    shown = ", ".join(repr(s) for s in strata[:10]) + (" ..." if len(strata) > 10 else "")
    return DesignError(
        _("{n} strata have only one PSU at stage {stage}: {shown}").format(
            n=len(strata), stage=stage, shown=shown
        ),
        where="--lonely-psu fail",
        hint=_("choose --lonely-psu remove|certainty|adjust|average, or merge strata"),
        code="stats.lonely-psu",
    )


def fpc_error(message: str, where: str, hint: str) -> DesignError:
    return DesignError(message, where=where, hint=hint, code="stats.bad-fpc")


def usage(message: str, where: str, hint: str, code: str) -> UsageError:
    return UsageError(message, where=where, hint=hint, code=code)
