"""The ``publish.brief`` job kind: an advocacy brief written in the background.

:func:`lnob.publish.services.write_brief` (every figure through disclosure control) into the
workspace's ``briefs/<job id>/`` folder; the API serves the file
(``GET /api/projects/{slug}/briefs/{job id}/download``).  Arguments: ``format`` (pdf, html),
``lang``, ``template`` (local, vnr), ``indicators`` (ids; default: the ones with most
findings), ``groups`` (``"dimension=category"`` texts to focus on).  Writing the brief
records a ``publication`` audit event and fires the ``publication.created`` webhook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lnob.errors import InputError, NotFound, UsageError
from lnob.i18n import _
from lnob.jobs.kinds import workspace_dir
from lnob.jobs.queue import PermanentError, register

KIND = "publish.brief"


def brief_dir() -> Path:
    return workspace_dir("briefs")


def _strings(value, where: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PermanentError(_("%(w)r must be a list of texts") % {"w": where}, where=f"args.{where}",
                             code="jobs.bad-args")
    return [v.strip() for v in value]


@register(KIND)
def brief(job, progress):
    from lnob.publish import BRIEF_FORMATS
    from lnob.publish.services import write_brief

    project = job.project
    if project is None:
        raise PermanentError(_("a brief needs a project"), where="project", code="jobs.no-project")
    args = job.args or {}
    fmt = str(args.get("format") or "pdf")
    lang = str(args.get("lang") or "en")
    template = str(args.get("template") or "local")
    indicators = _strings(args.get("indicators"), "indicators")
    groups = _strings(args.get("groups"), "groups")
    suffix = fmt if fmt in BRIEF_FORMATS else "out"
    folder = brief_dir() / str(job.pk)
    shutil.rmtree(folder, ignore_errors=True)  # a rerun after a dead worker starts afresh
    folder.mkdir(parents=True)
    out = folder / f"brief-{project.slug}-{lang}.{suffix}"
    progress(0, 2, _("building the disclosure-controlled release and the brief"))
    try:
        res = write_brief(project.slug, out, fmt=fmt, lang=lang, template=template, indicators=indicators or None,
                          groups=groups or None)
    except (InputError, UsageError, NotFound) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise PermanentError(exc.message, where=exc.where, hint=exc.hint, code=exc.code) from None
    progress(2, 2, _("done"))
    return {
        "file": out.relative_to(brief_dir()).as_posix(),
        "filename": out.name,
        "size": out.stat().st_size,
        "format": fmt,
        "lang": lang,
        "template": template,
        "pages": res.get("pages"),
        "indicators": list(res.get("indicators") or []),
        "findings": len(res.get("findings") or []),
    }
