"""The job kinds lnob ships.

* ``noop`` — returns its arguments (tests, checking that a worker runs);
* ``sleep`` — sleeps ``seconds`` in ``steps`` steps, reporting progress (tests, demos);
* ``records.export`` — :func:`lnob.records.export.export_project` into the
  workspace's ``exports/<job id>/`` folder (downloaded through the API or the
  export page); with ``microdata`` arguments, a one-table microdata release
  (:func:`lnob.records.release.release`, risk summary in the result);
* ``records.import`` — :func:`lnob.records.imports.import_file` of an uploaded
  file kept in ``uploads/``.

``webhooks.deliver`` is registered by :mod:`lnob.webhooks.deliver`.
"""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

from django.conf import settings

from lnob.errors import InputError, UsageError
from lnob.i18n import _
from lnob.jobs.queue import PermanentError, register


def workspace_dir(name: str) -> Path:
    path = Path(getattr(settings, "HOME", Path.cwd() / "lnob-data")) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_dir() -> Path:
    return workspace_dir("exports")


def upload_dir() -> Path:
    return workspace_dir("uploads")


@register("noop")
def noop(job, progress):
    progress(1, 1, _("done"))
    return {"args": job.args}


@register("sleep")
def sleep(job, progress):
    try:
        seconds = float(job.args.get("seconds", 1))
        steps = max(1, int(job.args.get("steps", 10)))
    except (TypeError, ValueError):
        raise PermanentError(_("'seconds' and 'steps' must be numbers"), where="args",
                             hint=_('e.g. {"seconds": 5, "steps": 10}'), code="jobs.bad-args") from None
    if not 0 <= seconds <= 3600:
        raise PermanentError(_("'seconds' must be between 0 and 3600"), where="args.seconds", code="jobs.bad-args")
    done = int(job.progress_done or 0)  # a requeued job goes on where it was
    for step in range(done, steps):
        progress(step, steps, _("step %(n)d of %(m)d") % {"n": step + 1, "m": steps})
        time.sleep(seconds / steps)
    progress(steps, steps, _("done"))
    return {"slept": seconds, "steps": steps}


def _zip_dir(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(folder).as_posix())


@register("records.export")
def records_export(job, progress):
    """Arguments: ``format`` (csv, xlsx, parquet), ``form_id`` (optional), ``include_personal``;
    for a microdata release ``microdata`` = {``form_id``, ``table``, ``quasi``, ``k``, ``l``,
    ``sensitive``, ``suppress``} (see :class:`lnob.records.release.ReleaseSpec`)."""
    from lnob.records import export as export_mod

    project = job.project
    if project is None:
        raise PermanentError(_("an export needs a project"), where="project", code="jobs.no-project")
    fmt = str(job.args.get("format", "csv"))
    if fmt not in export_mod.FORMATS:
        raise PermanentError(_("unknown export format %(f)r") % {"f": fmt}, where="format",
                             hint=_("formats: %(f)s") % {"f": ", ".join(export_mod.FORMATS)},
                             code="records.export-format")
    folder = export_dir() / str(job.pk)
    shutil.rmtree(folder, ignore_errors=True)  # a rerun after a dead worker starts afresh
    folder.mkdir(parents=True)
    name = export_mod.default_out(project, fmt).name
    out = folder / name

    def report(stage, done, total):
        progress(done, total, stage)

    micro = job.args.get("microdata")
    summary, risks = None, None
    try:
        if micro:
            from lnob.records.release import ReleaseSpec, release

            result, summary = release(
                project, fmt, out, ReleaseSpec.from_args(dict(micro)),
                include_personal=bool(job.args.get("include_personal")), actor=job.user,
                actor_name="" if job.user else f"job:{job.pk}", progress=report,
            )
        else:
            from lnob.records.release import default_risks

            risks = [{k: v for k, v in r.as_dict().items() if k != "worst"}
                     for r in default_risks(project, job.args.get("form_id") or None,
                                            include_personal=bool(job.args.get("include_personal")))]
            result = export_mod.export_project(
                project, fmt, out, form_id=job.args.get("form_id") or None,
                include_personal=bool(job.args.get("include_personal")), actor=job.user,
                actor_name="" if job.user else f"job:{job.pk}", progress=report,
            )
    except (InputError, UsageError) as exc:
        raise PermanentError(exc.message, where=exc.where, hint=exc.hint, code=exc.code) from None
    path = Path(result.path)
    if path.is_dir():  # parquet: one file per table, downloaded as one ZIP
        zipped = path.with_name(path.name + ".zip")
        _zip_dir(path, zipped)
        shutil.rmtree(path)
        path = zipped
    return {
        "file": path.relative_to(export_dir()).as_posix(),
        "filename": path.name,
        "size": path.stat().st_size,
        "format": fmt,
        "tables": result.tables,
        "include_personal": bool(job.args.get("include_personal")),
        "personal_left_out": len(result.personal_left_out),
        # the values of the classes at risk stay out of the job (job lists are shown more widely)
        **({"microdata": {k: v for k, v in summary.as_dict().items() if k != "worst"}}
           if summary is not None else {}),
        # a full export: the risk of its record tables on the suggested quasi-identifiers
        **({"risk": risks} if risks is not None else {}),
    }


@register("records.import")
def records_import(job, progress):
    """Arguments: ``file`` (a name in the workspace's ``uploads/``), ``filename``, ``form_id`` (optional)."""
    from lnob.records.imports import import_file

    project = job.project
    if project is None:
        raise PermanentError(_("an import needs a project"), where="project", code="jobs.no-project")
    name = Path(str(job.args.get("file", ""))).name
    path = upload_dir() / name
    if not name or not path.is_file():
        raise PermanentError(_("the uploaded file is gone"), where=name or "file",
                             hint=_("upload it again"), code="jobs.upload-missing")

    def report(stage, done, total):
        progress(done, total, stage)

    try:
        result = import_file(project, path, filename=str(job.args.get("filename") or name),
                             form_id=job.args.get("form_id") or None, user=job.user, progress=report)
    except (InputError, UsageError) as exc:
        raise PermanentError(exc.message, where=exc.where, hint=exc.hint, code=exc.code) from None
    finally:
        path.unlink(missing_ok=True)
    return {
        "form_id": result.form_id, "version": result.version, "kind": result.kind, "rows": result.rows,
        "created": result.created, "already_present": result.already_present, "issues": result.issues,
        "problems": [{"code": p.code, "message": p.message, "where": p.where, "hint": p.hint, "level": p.level}
                     for p in result.problems[:200]],
        "problems_total": len(result.problems),
    }
