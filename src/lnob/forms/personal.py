"""Personal data in forms: fields marked personal, and suggestions for unmarked ones.

A form marks personal fields with an ``lnob::personal`` column (``yes``) on the
survey sheet.  Managers can also mark and unmark fields on the form page; those
marks (:class:`lnob.forms.models.PersonalMark`) are kept per form and override the
column for every version (fields are matched by path).  The fields treated as
personal are therefore

    XLSForm column ∪ fields marked on the page − fields unmarked on the page

(:func:`personal_paths`); every place that hides or leaves out personal fields
(exports, record pages, the API) asks this module.

Fields that look personal but are not personal are *suggested*: names, phone
numbers, e-mail and postal addresses, identity numbers, GPS locations,
photos/audio/signatures, and free text (which often holds names).  Suggestions
are shown to the project's managers; only marked fields are treated as
personal, so a manager decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lnob.i18n import gettext_noop

_NAME_PATTERNS = [
    (re.compile(r"(^|_)(first|last|full|given|family|sur|respondent|child|head|member)?_?name(s)?($|_)"),
     gettext_noop("looks like a person's name")),
    (re.compile(r"(phone|mobile|tel(ephone)?|whatsapp|contact|msisdn)"), gettext_noop("looks like a phone number")),
    (re.compile(r"(e_?mail)"), gettext_noop("looks like an e-mail address")),
    (re.compile(r"(address|street|house_?(no|number))"), gettext_noop("looks like an address")),
    (re.compile(r"(aadhaar|national_?id|nid|passport|id_?(card|number|no)|cnic|ssn)"),
     gettext_noop("looks like an identity number")),
    (re.compile(r"(gps|geo|location|latitude|longitude|coords?)"), gettext_noop("looks like a location")),
]
_TYPE_REASONS = {
    "geopoint": gettext_noop("a GPS location"),
    "geotrace": gettext_noop("a GPS trace"),
    "geoshape": gettext_noop("a GPS shape"),
    "image": gettext_noop("a photo"),
    "photo": gettext_noop("a photo"),
    "signature": gettext_noop("a signature"),
    "audio": gettext_noop("an audio recording"),
    "video": gettext_noop("a video"),
    "file": gettext_noop("an uploaded file"),
    "text": gettext_noop("free text, which may hold names"),
}


@dataclass(frozen=True)
class Suggestion:
    field: str
    reason: str


def suggest_personal(fields, personal: set[str] | None = None) -> list[Suggestion]:
    """Fields that look personal but are not personal.

    ``personal`` is the set of paths treated as personal (:func:`personal_paths`);
    by default the XLSForm's ``lnob::personal`` column.
    """
    found = []
    for f in fields:
        if (f.path in personal) if personal is not None else f.personal:
            continue
        name = f.name.lower()
        reason = next((r for pattern, r in _NAME_PATTERNS if pattern.search(name)), None)
        if reason is None:
            reason = _TYPE_REASONS.get(f.type)
        if reason is not None:
            found.append(Suggestion(f.path, reason))
    return found


def marks(form) -> dict[str, bool]:
    """The marks set on the form page: field path → personal (True) or not (False)."""
    return dict(form.personal_marks.values_list("field", "personal"))


def personal_paths(form, fields, form_marks: dict[str, bool] | None = None) -> set[str]:
    """Paths of ``fields`` treated as personal: the XLSForm column, overridden by the page's marks."""
    m = marks(form) if form_marks is None else form_marks
    return {f.path for f in fields if m.get(f.path, f.personal)}


def is_personal(field, form_marks: dict[str, bool]) -> bool:
    return form_marks.get(field.path, field.personal)


def form_fields(form) -> dict[str, object]:
    """Every field of every version of the form, by path (the newest version's definition first)."""
    from lnob.forms.xlsform import FormSchema

    out: dict[str, object] = {}
    for sj in form.versions.order_by("-created_at", "-id").values_list("survey_json", flat=True):
        for f in FormSchema(sj).fields:
            out.setdefault(f.path, f)
    return out


def set_mark(form, path: str, personal: bool | None, *, user=None):
    """Mark the field ``path`` personal (True), not personal (False), or go back to the XLSForm (None).

    Recorded in the audit log (``personal_marking``).  Raises ``forms.unknown-field``
    for a path that no version of the form has.
    """
    from lnob.audit.log import record
    from lnob.errors import InputError, did_you_mean
    from lnob.forms.models import PersonalMark
    from lnob.i18n import _

    fields = form_fields(form)
    field = fields.get(path)
    if field is None:
        raise InputError(_("the form has no field %(f)r") % {"f": path}, where=path,
                         hint=did_you_mean(path, fields) or _("use a field path from the form page"),
                         code="forms.unknown-field")
    before = marks(form).get(path, field.personal)
    if personal is None:
        PersonalMark.objects.filter(form=form, field=path).delete()
    else:
        PersonalMark.objects.update_or_create(
            form=form, field=path,
            defaults={"personal": bool(personal),
                      "set_by": user if user is not None and user.is_authenticated else None})
    after = marks(form).get(path, field.personal)
    record("personal_marking", actor=user if user is not None and user.is_authenticated else None,
           project=form.project, target=f"{form.form_id}:{path}"[:255], form=form.form_id, field=path,
           mark={True: "personal", False: "not personal", None: "as in the XLSForm"}[personal],
           personal_before=before, personal=after, xlsform=field.personal)
    return after
