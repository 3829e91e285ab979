"""Personal data in forms: fields marked personal, and suggestions for unmarked ones.

A form marks personal fields with an ``lnob::personal`` column (``yes``) on the
survey sheet.  Fields that look personal but are not marked are *suggested*:
names, phone numbers, e-mail and postal addresses, identity numbers, GPS
locations, photos/audio/signatures, and free text (which often holds names).
Suggestions are shown to the project's managers; only marked fields are
treated as personal, so a manager decides.
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


def suggest_personal(fields) -> list[Suggestion]:
    """Fields that look personal but are not marked ``lnob::personal``."""
    found = []
    for f in fields:
        if f.personal:
            continue
        name = f.name.lower()
        reason = next((r for pattern, r in _NAME_PATTERNS if pattern.search(name)), None)
        if reason is None:
            reason = _TYPE_REASONS.get(f.type)
        if reason is not None:
            found.append(Suggestion(f.path, reason))
    return found
