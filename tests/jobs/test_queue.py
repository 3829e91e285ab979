"""The job queue: claiming, progress, retries with back-off, permanent failures, requeueing dead workers' jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lnob.errors import InputError, UsageError
from lnob.jobs.models import Job
from lnob.jobs.queue import (DEATHS_ALLOWED, PermanentError, claim, enqueue, execute, register, requeue_stale,
                             run_pending)
from lnob.jobs.worker import Worker

pytestmark = pytest.mark.django_db

calls: dict[str, int] = {}


@register("test.flaky", max_attempts=3, backoff=5)
def flaky(job, progress):
    calls["flaky"] = calls.get("flaky", 0) + 1
    progress(calls["flaky"], 3, "trying")
    if calls["flaky"] < int(job.args["succeed_on"]):
        raise InputError("not yet", where="flaky", hint="wait", code="test.not-yet")
    return {"after": calls["flaky"]}


@register("test.permanent", max_attempts=5)
def permanent(job, progress):
    raise PermanentError("never", code="test.never")


@register("test.bug", max_attempts=1)
def bug(job, progress):
    return 1 / 0


def test_unknown_kind_is_refused():
    with pytest.raises(UsageError) as exc:
        enqueue("nope")
    assert exc.value.code == "jobs.unknown-kind"


def test_noop_and_sleep_report_progress_and_results():
    a = enqueue("noop", {"x": 1})
    b = enqueue("sleep", {"seconds": 0.05, "steps": 5})
    assert run_pending() == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == "done" and a.result == {"args": {"x": 1}} and a.attempts == 1 and a.locked_by == ""
    assert b.result == {"slept": 0.05, "steps": 5} and (b.progress_done, b.progress_total) == (5, 5)
    assert b.percent == 100.0 and b.finished_at >= b.started_at


def test_claim_takes_each_job_once_and_respects_run_after():
    later = enqueue("noop", delay=3600)
    now = enqueue("noop")
    got = claim("w1")
    assert got.pk == now.pk and got.status == "running" and got.locked_by == "w1" and got.attempts == 1
    assert claim("w2") is None  # `later` is not due, `now` is taken
    later.refresh_from_db()
    assert later.status == "queued"


def test_retries_back_off_exponentially_then_succeed():
    calls.clear()
    job = enqueue("test.flaky", {"succeed_on": 3})
    assert job.max_attempts == 3
    for attempt, expected in [(1, 5), (2, 10)]:
        before = timezone.now()
        j = execute(claim("w"), "w")
        assert j.status == "queued" and j.attempts == attempt and j.error["code"] == "test.not-yet"
        assert j.error["hint"] == "wait"
        assert expected - 1 <= (j.run_after - before).total_seconds() <= expected + 1
        Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    j = execute(claim("w"), "w")
    assert j.status == "done" and j.result == {"after": 3} and j.error is None and j.attempts == 3


def test_failure_after_the_last_attempt_and_permanent_errors():
    calls.clear()
    job = enqueue("test.flaky", {"succeed_on": 99}, max_attempts=2)
    for _ in range(2):
        Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
        run_pending()
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 2 and job.error["code"] == "test.not-yet"
    p = enqueue("test.permanent")
    run_pending()
    p.refresh_from_db()
    assert p.status == "failed" and p.attempts == 1 and p.error["code"] == "test.never"
    b = enqueue("test.bug")
    run_pending()
    b.refresh_from_db()
    assert b.status == "failed" and b.error["code"] == "internal" and "ZeroDivisionError" in b.error["message"]


def test_stale_running_jobs_are_requeued_then_failed_when_they_keep_killing_workers():
    job = enqueue("noop")
    claim("dead-worker")
    old = timezone.now() - dt.timedelta(seconds=300)
    Job.objects.filter(pk=job.pk).update(locked_at=old)
    fresh = enqueue("noop")
    claim("live-worker")
    assert requeue_stale(120) == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == "queued" and job.locked_by == "" and job.error["code"] == "jobs.worker-died"
    assert fresh.status == "running"
    Job.objects.filter(pk=job.pk).update(status="running", locked_by="dead", locked_at=old,
                                         attempts=job.max_attempts + DEATHS_ALLOWED)
    requeue_stale(120)
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_worker_that_lost_its_job_does_not_overwrite_it():
    job = enqueue("noop")
    claimed = claim("w1")
    Job.objects.filter(pk=job.pk).update(status="queued", locked_by="")  # requeued behind its back
    execute(claimed, "w1")
    job.refresh_from_db()
    assert job.status == "queued"


def test_worker_runs_ready_jobs_once():
    for _ in range(3):
        enqueue("noop")
    seen = []
    assert Worker(heartbeat=60, on_job=seen.append).run(once=True) == 3
    assert [j.status for j in seen] == ["done"] * 3
