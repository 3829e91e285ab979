"""Views of the web platform shell: home, project page.

Every project view resolves the user's role first and refuses by default
(:mod:`lnob.core.roles`).
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render

from lnob.core import services
from lnob.core.models import Project
from lnob.core.roles import ROLE_LABELS, role_allows
from lnob.i18n import _
from lnob.web import ratelimit
from lnob.web.access import project_view, public_view


@public_view
def home(request):
    projects = []
    if request.user.is_authenticated:
        projects = list(
            services.projects_for(request.user).annotate(n_records=Count("records", distinct=True))
        )
    return render(request, "lnob/home.html", {"projects": projects})


@project_view("project.view")
def project_detail(request, project):
    role = request.project_role
    forms = project.forms.annotate(n_records=Count("records")).prefetch_related("versions")
    return render(
        request,
        "lnob/project.html",
        {
            "project": project,
            "role": role,
            "role_label": ROLE_LABELS.get(role, ""),
            "forms": forms,
            "n_records": project.records.count(),
            "n_members": project.memberships.count(),
            "can_audit": role_allows(role, "audit.view"),
            "can_manage_forms": role_allows(role, "forms.manage"),
            "links": {
                "records": role_allows(role, "records.view"),
                "import": role_allows(role, "forms.manage"),
                "jobs": role_allows(role, "results.view"),
                "export": role_allows(role, "records.export"),
                "publish": role_allows(role, "results.publish"),
                "manage": role_allows(role, "project.manage"),
            },
        },
    )


@public_view
class LoginView(auth_views.LoginView):
    """Django's login, refusing attempts while a user name or address is rate-limited."""

    template_name = "lnob/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if ratelimit.is_blocked(username, request.META.get("REMOTE_ADDR")):
            from lnob.audit.log import record

            record("login_blocked", actor_name=username[:150], target=username, request=request)
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again, "
                                   "or ask a project owner to reset your password."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


@project_view("audit.view")
def project_audit(request, project):
    from django.core.paginator import Paginator

    from lnob.audit.models import AuditEvent

    events = AuditEvent.objects.filter(project=project)
    members = list(project.memberships.values_list("user__username", flat=True))
    user_events = AuditEvent.objects.filter(project__isnull=True, actor_name__in=members)
    page = Paginator((events | user_events).order_by("-at", "-id"), 100).get_page(request.GET.get("page"))
    return render(request, "lnob/audit.html", {"project": project, "page": page})


MAX_XLSFORM_BYTES = 10 * 1024 * 1024


@project_view("forms.manage")
def form_upload(request, project):
    """Upload an XLSForm: a new form, or a new version of one (POST only)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from lnob.errors import LnobError
    from lnob.forms.services import store_converted
    from lnob.forms.xlsform import convert

    slug = project.slug
    if request.method != "POST":
        return redirect("project", slug=slug)
    upload = request.FILES.get("xlsform")
    if upload is None:
        messages.error(request, _("Choose an XLSForm file to upload."))
        return redirect("project", slug=slug)
    if upload.size > MAX_XLSFORM_BYTES:
        messages.error(request, _("The file is too large (%(size)d MB; the limit is %(limit)d MB).")
                       % {"size": upload.size // 1048576, "limit": MAX_XLSFORM_BYTES // 1048576})
        return redirect("project", slug=slug)
    from django.db import transaction

    from lnob.forms.media import attach_media, missing_media

    media = request.FILES.getlist("media")
    if sum(m.size for m in media) > 5 * MAX_XLSFORM_BYTES:
        messages.error(request, _("The media files are too large together (limit %(limit)d MB).")
                       % {"limit": 5 * MAX_XLSFORM_BYTES // 1048576})
        return redirect("project", slug=slug)
    try:
        converted = convert(upload.read(), upload.name)
        with transaction.atomic():
            version, created = store_converted(project, converted, user=request.user)
            if media:
                attach_media(version, [(m.name, m.read()) for m in media])
    except LnobError as exc:
        text = exc.message
        if exc.where:
            text += " — " + _("at %(where)s") % {"where": exc.where}
        if exc.hint:
            text += " — " + exc.hint
        messages.error(request, text)
        return redirect("project", slug=slug)
    for w in converted.warnings:
        messages.warning(request, (f"{w.where}: " if w.where else "") + w.message)
    for name in missing_media(version):
        messages.warning(request, _("The form uses the media file %(name)s; upload it with the form.")
                         % {"name": name})
    if created:
        messages.success(request, _("Form '%(form)s' version %(version)s added.")
                         % {"form": version.form.title, "version": version.version})
    else:
        messages.info(request, _("This form version is already here; nothing changed."))
    return redirect("project", slug=slug)


@project_view("project.view")
def form_detail(request, project, form_id: str):
    """A form: its versions, fields (with personal data marked or suggested) and media."""
    from lnob.forms.media import missing_media
    from lnob.forms.personal import marks, personal_paths, suggest_personal
    from lnob.forms.xlsform import FormSchema

    form = project.forms.filter(form_id=form_id).first()
    if form is None:
        raise Http404
    current = form.current_version
    fields = FormSchema(current.survey_json).fields if current else []
    form_marks = marks(form)
    personal = personal_paths(form, fields, form_marks)
    suggestions = {s.field: _(s.reason) for s in suggest_personal(fields, personal)}
    lang = (request.LANGUAGE_CODE or "en")
    rows = []
    for f in fields:
        label = next((v for k, v in f.labels.items() if k.endswith(f"({lang})")), None) or next(
            iter(f.labels.values()), "")
        rows.append({"path": f.path, "type": f.type, "label": label, "personal": f.path in personal,
                     "xlsform": f.personal, "mark": form_marks.get(f.path), "suggestion": suggestions.get(f.path, "")})
    return render(request, "lnob/form.html", {
        "project": project, "form": form, "current": current, "fields": rows,
        "versions": form.versions.annotate(n_records=Count("records")).order_by("-created_at", "-id"),
        "media": current.media.all() if current else [],
        "missing_media": missing_media(current) if current else [],
        "can_manage_forms": role_allows(request.project_role, "forms.manage"),
    })


@project_view("forms.manage")
def form_version_download(request, project, form_id: str, version: str):
    """Download the XLSForm file of one version, as uploaded."""
    from django.http import HttpResponse

    form = project.forms.filter(form_id=form_id).first()
    fv = form.versions.filter(version=version).first() if form else None
    if fv is None:
        raise Http404
    resp = HttpResponse(bytes(fv.xlsform), content_type="application/octet-stream")
    resp["Content-Disposition"] = f'attachment; filename="{fv.xlsform_name}"'
    return resp


@project_view("project.manage")
def project_public(request, project):
    """Owners make the project's disclosure-controlled dashboard public, or private again (POST)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from lnob.audit.log import record

    if request.method == "POST":
        public = request.POST.get("public") == "1"
        if public != project.public:
            project.public = public
            project.save(update_fields=["public"])
            record("publication", project=project, target="dashboard", public=public)
            from django.urls import reverse

            from lnob.webhooks import publication_created

            publication_created(project, "dashboard", public=public,
                                url=reverse("evidence-public", kwargs={"slug": project.slug}))
            messages.success(request, _("The dashboard is now public.") if public
                             else _("The dashboard is now private."))
    return redirect("project", slug=project.slug)


@project_view("project.view")
def brief_download(request, project, indicator: str):
    """The advocacy brief for one indicator (PDF, or HTML with ?format=html), in the reader's language.

    Every figure in it passes disclosure control, so any member may download it.
    """
    import shutil
    import tempfile
    from pathlib import Path

    from django.contrib import messages
    from django.http import HttpResponse
    from django.shortcuts import redirect

    from lnob.errors import LnobError
    from lnob.publish.services import write_brief

    fmt = "html" if request.GET.get("format") == "html" else "pdf"
    lang = request.GET.get("lang") or (request.LANGUAGE_CODE or "en")[:2]
    template = "vnr" if request.GET.get("template") == "vnr" else "local"
    tmp = Path(tempfile.mkdtemp(prefix="lnob-brief-"))
    out = tmp / f"brief-{project.slug}-{indicator}-{lang}.{fmt}"
    try:
        write_brief(project.slug, out, fmt=fmt, lang=lang, template=template, indicators=[indicator])
        data = out.read_bytes()  # a brief is a few hundred KB: read it and leave no file behind
    except LnobError as exc:
        messages.error(request, exc.message + (" — " + exc.hint if exc.hint else ""))
        return redirect("evidence", slug=project.slug)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    response = HttpResponse(data, content_type="application/pdf" if fmt == "pdf" else "text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{out.name}"'
    return response
