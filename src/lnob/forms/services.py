"""Adding and listing a project's forms.

:func:`add_form` converts an XLSForm and stores it as a new
:class:`~lnob.forms.models.FormVersion`, following ODK Central's rules:

* the same file again (same sha256) → the existing version, nothing new;
* a changed file → a new version, which needs a new ``version`` string in the
  settings sheet (the same version string with different content is refused:
  phones would not notice the change and submissions could not be told apart);
* a ``form_id`` new to the project creates the :class:`~lnob.forms.models.Form`.

Everything is written in one transaction.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from lnob.errors import AlreadyExists, InputError, NotFound, did_you_mean
from lnob.forms.models import Form, FormVersion
from lnob.forms.xlsform import Converted, convert
from lnob.i18n import _

#: where the questionnaires shipped with lnob live
LIBRARY = Path(__file__).resolve().parent / "library"


def library_form(name: str = "lnob_household") -> Path:
    """Path of a questionnaire shipped with lnob (``lnob_household``)."""
    path = LIBRARY / f"{name}.xlsx"
    if not path.is_file():
        known = sorted(p.stem for p in LIBRARY.glob("*.xlsx"))
        raise NotFound(
            _("no shipped questionnaire %(name)r") % {"name": name},
            where=name,
            hint=did_you_mean(name, known) or _("shipped: %(names)s") % {"names": ", ".join(known)},
            code="forms.unknown-library-form",
        )
    return path


def add_form(project, path, *, user=None, content: bytes | None = None,
             filename: str | None = None) -> tuple[FormVersion, bool]:
    """Add an XLSForm to ``project``; returns ``(form_version, created)``.

    ``path`` is the XLSForm's path; for an upload pass ``content`` (bytes) and
    ``filename`` instead (``path`` may then be None).
    """
    if content is not None:
        converted = convert(content, filename or (Path(path).name if path else None))
    else:
        converted = convert(path, filename)
    return store_converted(project, converted, user=user)


@transaction.atomic
def store_converted(project, c: Converted, *, user=None) -> tuple[FormVersion, bool]:
    """Store an XLSForm already converted with :func:`convert` (whose warnings the caller shows)."""
    form = Form.objects.select_for_update().filter(project=project, form_id=c.form_id).first()
    if form is None:
        form = Form.objects.create(project=project, form_id=c.form_id, title=c.title[:255])
    else:
        same = form.versions.filter(source_sha256=c.sha256).order_by("-created_at", "-id").first()
        current = form.current_version
        if same is not None:
            if current is None or same.pk == current.pk:
                return same, False
            raise AlreadyExists(
                _("this file is version %(old)s of form %(form)s, uploaded before; the current version is "
                  "%(current)s") % {"old": same.version, "form": c.form_id, "current": current.version},
                where=c.filename,
                hint=_("to make it current again, change the 'version' in its settings sheet and upload it"),
                code="forms.version-exists",
            )
        if form.versions.filter(version=c.version).exists():
            raise InputError(
                _("form %(form)s already has a version %(version)r with different content")
                % {"form": c.form_id, "version": c.version},
                where=_("%(file)s: settings sheet, column 'version'") % {"file": c.filename},
                hint=_("change the 'version' in the settings sheet (e.g. to today's date and a number, "
                       "'2025031201') and upload the file again"),
                code="forms.version-unchanged",
            )
        if form.title != c.title[:255]:
            form.title = c.title[:255]
            form.save(update_fields=["title"])
    fv = FormVersion.objects.create(
        form=form,
        version=c.version,
        xlsform=c.content,
        xlsform_name=c.filename[:255],
        xform=c.xform,
        xform_md5=c.xform_md5,
        source_sha256=c.sha256,
        survey_json=c.survey_json,
        default_language=c.default_language[:64],
        languages=c.languages,
        uploaded_by=user if (user is not None and getattr(user, "is_authenticated", False)) else None,
    )
    from lnob.forms.media import attach_media

    attach_media(fv, [])  # a new version keeps the previous version's media files
    return fv, True


def list_forms(project):
    """The project's forms (by title), each annotated with ``n_versions`` and ``n_records``."""
    from lnob.records.models import Record

    versions = (FormVersion.objects.filter(form=OuterRef("pk")).order_by().values("form")
                .annotate(n=Count("pk")).values("n"))
    records = (Record.objects.filter(form=OuterRef("pk")).order_by().values("form")
               .annotate(n=Count("pk")).values("n"))
    return list(
        Form.objects.filter(project=project)
        .annotate(n_versions=Coalesce(Subquery(versions), 0), n_records=Coalesce(Subquery(records), 0))
        .order_by("title", "form_id")
    )


def get_form(project, form_id: str) -> Form:
    """The project's form ``form_id`` (a :class:`NotFound` with suggestions otherwise)."""
    form = Form.objects.filter(project=project, form_id=form_id).first()
    if form is None:
        known = list(Form.objects.filter(project=project).values_list("form_id", flat=True))
        raise NotFound(
            _("project %(project)s has no form %(form)r") % {"project": project.slug, "form": form_id},
            where=form_id,
            hint=did_you_mean(form_id, known)
            or (_("its forms: %(forms)s") % {"forms": ", ".join(known)} if known
                else _("add one with 'lnob form add PROJECT FILE.xlsx'")),
            code="forms.unknown-form",
        )
    return form
