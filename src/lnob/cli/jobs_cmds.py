"""Background jobs: ``lnob worker``, ``lnob jobs list|show|add``."""

from __future__ import annotations

import json
from typing import Optional

import typer

from lnob.cli.common import err, out, workspace
from lnob.errors import NotFound, UsageError
from lnob.i18n import _

jobs_app = typer.Typer(help="Background jobs (exports, imports, webhook deliveries…).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.add_typer(jobs_app, name="jobs")


def worker(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Run the jobs that are ready, then exit."),
    concurrency: int = typer.Option(1, "--concurrency", min=1, max=32, help="Jobs run at the same time (threads)."),
) -> None:
    """Run background jobs from the queue until stopped (SIGTERM/Ctrl-C: finish the running jobs, then exit).

    Run one worker as a service next to `lnob serve` (docs/deploy.md).  A job whose
    worker died is run again by the next worker.
    """
    workspace(ctx)
    from lnob.jobs.queue import kinds
    from lnob.jobs.worker import Worker

    def report(job):
        label = {"done": _("done"), "failed": _("failed"), "queued": _("will be retried")}.get(job.status, job.status)
        line = f"job #{job.pk} {job.kind}: {label}"
        if job.error and job.status != "done":
            line += f" — [{job.error.get('code')}] {job.error.get('message')}"
        err.print(line, markup=False)

    w = Worker(concurrency=concurrency, on_job=report)
    err.print(_("worker %(id)s: running job kinds %(k)s") % {"id": w.id, "k": ", ".join(kinds())}, markup=False)
    n = w.run(once=once)
    err.print(_("worker stopped after %(n)d jobs") % {"n": n}, markup=False)


def _get(job_id: int):
    from lnob.jobs.models import Job

    job = Job.objects.select_related("project", "user").filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("no job %(id)s") % {"id": job_id}, where=str(job_id), hint=_("list them with 'lnob jobs list'"),
                       code="jobs.unknown-job")
    return job


def _progress(job) -> str:
    if job.progress_total:
        return f"{job.progress_done}/{job.progress_total}"
    return str(job.progress_done or "")


@jobs_app.command("list")
def jobs_list(
    ctx: typer.Context,
    project: Optional[str] = typer.Option(None, "--project", metavar="SLUG", help="Only this project's jobs."),
    status: Optional[str] = typer.Option(None, "--status", help="queued, running, done or failed."),
    limit: int = typer.Option(50, "--limit", min=1, help="Show at most this many (newest first)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """List jobs, newest first, with their progress."""
    workspace(ctx)
    from lnob.cli.common import choice
    from lnob.jobs.models import Job

    qs = Job.objects.select_related("project", "user")
    if project:
        from lnob.core.services import get_project

        qs = qs.filter(project=get_project(project))
    if status:
        qs = qs.filter(status=choice(status, Job.Status.values, "--status"))
    jobs = list(qs[:limit])
    if as_json:
        for j in jobs:
            out.print(json.dumps(j.as_dict(), ensure_ascii=False), markup=False)
        return
    if not jobs:
        out.print(_("no jobs"), markup=False)
        return
    out.print("\t".join([_("id"), _("kind"), _("project"), _("status"), _("progress"), _("attempts"), _("message")]),
              markup=False)
    for j in jobs:
        msg = (j.error or {}).get("message") if j.status == "failed" else j.progress_message
        out.print("\t".join([str(j.pk), j.kind, j.project.slug if j.project_id else "-", j.status, _progress(j),
                             f"{j.attempts}/{j.max_attempts}", msg or ""]), markup=False)


@jobs_app.command("show")
def jobs_show(ctx: typer.Context, job_id: int = typer.Argument(..., help="The job's number.")) -> None:
    """Show one job as JSON: status, progress, result or error."""
    workspace(ctx)
    out.print(json.dumps(_get(job_id).as_dict(), indent=2, ensure_ascii=False), markup=False)


@jobs_app.command("add")
def jobs_add(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="A job kind, e.g. records.export, sleep, noop."),
    args: str = typer.Option("{}", "--args", help='Arguments as a JSON object, e.g. \'{"format": "xlsx"}\'.'),
    project: Optional[str] = typer.Option(None, "--project", metavar="SLUG", help="The project the job is for."),
) -> None:
    """Queue a job (a worker runs it); prints its number.

    Example: lnob jobs add records.export --project wash-2025 --args '{"format": "xlsx"}'
    """
    try:
        parsed = json.loads(args)
    except ValueError as exc:
        raise UsageError(_("--args is not valid JSON: %(e)s") % {"e": exc}, where="--args",
                         hint=_('e.g. --args \'{"seconds": 5}\''), code="jobs.bad-args") from None
    if not isinstance(parsed, dict):
        raise UsageError(_("--args must be a JSON object"), where="--args", code="jobs.bad-args")
    workspace(ctx)
    from lnob.jobs.queue import enqueue

    p = None
    if project:
        from lnob.core.services import get_project

        p = get_project(project)
    job = enqueue(kind, parsed, project=p)
    out.print(str(job.pk), markup=False)
    err.print(_("queued job #%(id)s (%(kind)s); run 'lnob worker' to run it") % {"id": job.pk, "kind": kind},
              markup=False)
