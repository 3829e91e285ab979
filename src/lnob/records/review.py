"""Reviewing records: states, comments and the history of each record.

States (``Record.review_state``): *received* → *has issues* (set by the quality
check, :mod:`lnob.records.quality`) → *approved* or *rejected*; a reviewer may
move a record between any two states (a rejected record can be reopened).
Rejecting needs a comment.  Every change and comment is a
:class:`~lnob.records.models.ReviewEvent` (append-only), so the history of a
record shows who did what and when.  Callers check ``records.review``.
"""

from __future__ import annotations

from django.db import transaction

from lnob.errors import NotFound, UsageError, did_you_mean
from lnob.i18n import _


def _actor(user, actor_name: str):
    if user is not None and getattr(user, "is_authenticated", False):
        return user, user.get_username()[:150]
    return None, actor_name[:150]


def get_record(project, instance_id_or_pk):
    from lnob.records.models import Record

    qs = Record.objects.filter(project=project)
    rec = qs.filter(instance_id=str(instance_id_or_pk)).first()
    if rec is None and str(instance_id_or_pk).isdigit():
        rec = qs.filter(pk=int(instance_id_or_pk)).first()
    if rec is None:
        raise NotFound(_("project %(p)s has no record %(r)r") % {"p": project.slug, "r": str(instance_id_or_pk)},
                       where=str(instance_id_or_pk), hint=_("use the instance ID (uuid:…) or the record number"),
                       code="records.unknown-record")
    return rec


@transaction.atomic
def set_state(record, state: str, *, user=None, actor_name: str = "", comment: str = ""):
    """Move ``record`` to ``state`` (with an optional comment; required to reject)."""
    from lnob.records.models import Record, ReviewEvent

    if state not in Record.Review.values:
        raise UsageError(_("unknown review state %(s)r") % {"s": state}, where=state,
                         hint=did_you_mean(state, Record.Review.values)
                         or _("states: %(s)s") % {"s": ", ".join(Record.Review.values)},
                         code="records.unknown-state")
    comment = (comment or "").strip()
    if state == Record.Review.REJECTED and not comment:
        raise UsageError(_("rejecting a record needs a comment saying why"), where=record.instance_id,
                         hint=_("add a comment for the field team"), code="records.reject-needs-comment")
    rec = Record.objects.select_for_update().get(pk=record.pk)
    if rec.review_state == state:
        raise UsageError(_("the record is already %(s)s") % {"s": Record.Review(state).label},
                         where=rec.instance_id, code="records.same-state")
    actor, name = _actor(user, actor_name)
    event = ReviewEvent.objects.create(record=rec, kind=ReviewEvent.Kind.STATE, actor=actor, actor_name=name,
                                       from_state=rec.review_state, to_state=state, comment=comment)
    rec.review_state = state
    rec.save(update_fields=["review_state"])
    record.review_state = state
    return event


def add_comment(record, text: str, *, user=None, actor_name: str = ""):
    from lnob.records.models import ReviewEvent

    text = (text or "").strip()
    if not text:
        raise UsageError(_("the comment is empty"), where=record.instance_id, code="records.empty-comment")
    actor, name = _actor(user, actor_name)
    return ReviewEvent.objects.create(record=record, kind=ReviewEvent.Kind.COMMENT, actor=actor, actor_name=name,
                                      comment=text[:10000])


def history(record):
    """The record's review events, oldest first."""
    return list(record.review_events.order_by("at", "id"))
