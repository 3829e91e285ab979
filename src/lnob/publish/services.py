"""Publishing operations (Django side): open data and briefs, each a ``publication`` audit event.

* :func:`publish_open_data` — ``lnob publish PROJECT --format datapackage|sdmx-csv|opensdg``;
* :func:`write_brief` — ``lnob brief PROJECT --format pdf|html``.

Both build a :class:`~lnob.publish.release.Release` (every figure through disclosure control),
write into a temporary sibling of the output and move it into place when complete.
"""

from __future__ import annotations

from pathlib import Path

from lnob.errors import InputError, UsageError, did_you_mean
from lnob.i18n import _
from lnob.publish import BRIEF_FORMATS, FORMATS, LANGUAGES, TEMPLATES
from lnob.publish.output import atomic_dir, atomic_file, check_parent
from lnob.publish.release import build_release, parse_group


def _choice(value: str, allowed, option: str, code: str) -> str:
    if value not in allowed:
        raise UsageError(_("%(v)r is not one of %(a)s") % {"v": value, "a": ", ".join(allowed)}, where=option,
                         hint=did_you_mean(value, allowed) or _("choose one of: %(a)s") % {"a": ", ".join(allowed)},
                         code=code)
    return value


def _audit(slug: str, what: str, path: Path, release, **details) -> None:
    from lnob.audit.log import record
    from lnob.core.services import get_project

    from lnob.webhooks import publication_created

    project = get_project(slug)
    record("publication", project=project, target=str(path)[:255], kind=what,
           licence=release.licence, indicators=list(release.indicators), counts=release.counts(),
           policy=release.policy.as_dict(), **details)
    publication_created(project, what, name=Path(path).name, licence=release.licence,
                        indicators=list(release.indicators), counts=release.counts(), **details)


def publish_open_data(slug: str, fmt: str, out, *, indicators=None, dimensions=None, intersections=None,
                      licence: str | None = None, replace: bool = False) -> dict:
    """Write the release of ``slug`` in ``fmt`` into the directory ``out``."""
    from lnob.publish import datapackage, opensdg, sdmx

    _choice(fmt, FORMATS, "--format", "publish.bad-format")
    out = check_parent(Path(out))
    release = build_release(slug, indicators=indicators, dimensions=dimensions, intersections=intersections,
                            licence=licence)
    writer = {"datapackage": datapackage.write, "sdmx-csv": sdmx.write, "opensdg": opensdg.write}[fmt]
    with atomic_dir(out, replace=replace) as tmp:
        files = writer(release, tmp)
    _audit(slug, fmt, out, release, files=files)
    return {"path": str(out), "files": files, "counts": release.counts(), "release": release}


def write_brief(slug: str, out, *, fmt: str = "pdf", lang: str = "en", template: str = "local", indicators=None,
                groups=None, official=None) -> dict:
    """Write the advocacy brief of ``slug`` to the file ``out`` (see lnob.publish.brief)."""
    from django.utils import translation

    from lnob.publish import brief
    from lnob.publish.pdf import html_to_pdf

    _choice(fmt, BRIEF_FORMATS, "--format", "publish.bad-format")
    if lang not in LANGUAGES:
        raise UsageError(_("unsupported language %(l)r") % {"l": lang}, where="--lang",
                         hint=did_you_mean(lang, LANGUAGES) or _("choose one of: %(a)s") % {"a": ", ".join(LANGUAGES)},
                         code="publish.bad-language")
    _choice(template, TEMPLATES, "--template", "publish.bad-template")
    out = check_parent(Path(out))
    focus = [parse_group(g) if isinstance(g, str) else dict(g) for g in (groups or [])]
    official_data = []
    for path in official or []:
        from lnob.equity.official import read_official

        official_data.append(read_official(path))
    chosen = list(indicators or [])
    release = build_release(slug, indicators=chosen or None, groups=focus)
    if not chosen:
        chosen = default_indicators(release)
    with translation.override(lang):
        ctx = brief.context(release, chosen, lang=lang, template=template, focus=focus, official=official_data,
                            chart_format="svg" if fmt == "html" else "png")
        ctx["pdf"] = fmt == "pdf"
        html = brief.render_html(ctx)
    pages = None
    with atomic_file(out) as f:
        if fmt == "pdf":
            data, pages = html_to_pdf(html)
            f.write(data)
        else:
            f.write(html.encode("utf-8"))
    _audit(slug, f"brief-{fmt}", out, release, language=lang, template=template, pages=pages,
           groups=[dict(g) for g in focus])
    return {"path": str(out), "pages": pages, "findings": [f.sentence for f in ctx["findings"]], "release": release,
            "indicators": chosen}


def default_indicators(release, limit: int = 3) -> list[str]:
    """Indicators with an SDG code and a published total, the ones with most findings first."""
    from lnob.publish.brief import find

    cands = [i for i, info in release.indicators.items() if info.sdg and release.cell(i, {})
             and release.cell(i, {})["estimate"] is not None and not i.startswith("mpi_")]
    found = find(release, cands, "en", [])
    score = {i: sum(1 for f in found if f.indicator == i) for i in cands}
    ranked = sorted(cands, key=lambda i: (-score[i], i))
    if not ranked:
        raise InputError(_("no indicator of this project can be shown in a brief"), where=release.project,
                         hint=_("choose indicators with --indicator"), code="publish.nothing-to-show")
    return ranked[:limit]
