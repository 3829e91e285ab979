"""The ``indicators.run`` job kind: :func:`lnob.indicators.services.run_project` in the background.

Arguments (all optional): ``depth`` (0–4, default 2), ``variance`` (``design`` or
``ultimate-cluster``), ``force`` (recompute unchanged indicators), ``indicators`` (ids).
The result counts what was computed and left unchanged and lists the run's problems.
Registered when the indicators app is ready (``IndicatorsConfig.ready``).
"""

from __future__ import annotations

from lnob.errors import LnobError
from lnob.i18n import _
from lnob.jobs.queue import PermanentError, register

KIND = "indicators.run"


@register(KIND)
def run_indicators(job, progress):
    from lnob.indicators.runner import VARIANCE
    from lnob.indicators.services import run_project

    project = job.project
    if project is None:
        raise PermanentError(_("an indicator run needs a project"), where="project", code="jobs.no-project")
    args = job.args or {}
    try:
        depth = int(args.get("depth", 2))
    except (TypeError, ValueError):
        raise PermanentError(_("'depth' must be a whole number"), where="args.depth", hint=_("e.g. 2"),
                             code="jobs.bad-args") from None
    variance = str(args.get("variance", "design"))
    if variance not in VARIANCE:
        raise PermanentError(_("unknown variance method %(v)r") % {"v": variance}, where="args.variance",
                             hint=_("choose design or ultimate-cluster"), code="jobs.bad-args")
    wanted = args.get("indicators") or None

    def report(stage: str, done: int, total: int) -> None:
        progress(done, total, stage)

    try:
        res = run_project(project.slug, depth=depth, variance=variance, force=bool(args.get("force")),
                          indicators=[str(i) for i in wanted] if wanted else None, progress=report)
    except LnobError as exc:
        raise PermanentError(exc.message, where=exc.where, hint=exc.hint, code=exc.code) from None
    return {
        "computed": [c.indicator.id for c in res.computed],
        "unchanged": list(res.unchanged),
        "results": sum(len(c.rows) for c in res.computed),
        "seconds": round(res.seconds, 3),
        "problems": [{"code": p.code, "message": p.message, "where": p.where, "hint": p.hint, "level": p.level}
                     for p in res.problems[:200]],
    }
