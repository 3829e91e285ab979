"""Translation helpers usable from every layer.

User-facing strings in the library are wrapped in :func:`_` so that they are
extracted by ``makemessages`` and translated wherever Django's translation
machinery is configured (the web platform, the CLI after the workspace is
opened).  When Django is not configured — a plain ``import lnob.stats`` in a
notebook — the text is returned unchanged, so the library never requires Django.
"""

from __future__ import annotations

LANGUAGES = [
    ("en", "English"),
    ("hi", "हिन्दी"),
    ("vi", "Tiếng Việt"),
    ("bn", "বাংলা"),
]


def _(message: str) -> str:
    """Translate ``message`` into the active language, if any is configured."""
    try:
        from django.conf import settings

        if not settings.configured:
            return message
        from django.utils.translation import gettext

        return gettext(message)
    except Exception:  # pragma: no cover - Django missing or misconfigured
        return message


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` in ``context`` (for a word or template that could be read in more
    than one way), if a language is configured."""
    try:
        from django.conf import settings

        if not settings.configured:
            return message
        from django.utils.translation import pgettext as _pgettext

        return _pgettext(context, message)
    except Exception:  # pragma: no cover - Django missing or misconfigured
        return message


def gettext_noop(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message
