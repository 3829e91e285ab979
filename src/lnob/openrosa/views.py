"""OpenRosa endpoints: formList, form download, manifest, submission.

Each view authenticates (Digest, or Basic over HTTPS), then checks the
``records.submit`` permission on the project; a project may accept anonymous
submissions (off by default).  Every response carries ``X-OpenRosa-Version``
(added by :class:`OpenRosaHeaderMiddleware`, so even 404s and 500s do).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from lnob.core.models import Project
from lnob.core.roles import role_allows
from lnob.core.services import role_of
from lnob.errors import InputError, LnobError, NotFound
from lnob.i18n import _
from lnob.openrosa import auth, xml
from lnob.openrosa.receive import Conflict, receive
from lnob.web.access import declare

#: OpenRosa endpoints authenticate themselves (Digest) and need ``records.submit``
openrosa_rule = declare("openrosa", "records.submit")

XML = "text/xml; charset=utf-8"


class OpenRosaHeaderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/openrosa/"):
            response["X-OpenRosa-Version"] = "1.0"
        return response


def max_submission_size() -> int:
    return int(getattr(settings, "OPENROSA_MAX_SUBMISSION_SIZE", 10_000_000))


def _xml_response(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type=XML, status=status)


def _message(message: str, status: int, nature: str = "") -> HttpResponse:
    return _xml_response(xml.response(message, nature=nature), status)


def _unauthorised(request, stale: bool = False) -> HttpResponse:
    resp = _message(_("Log in with your user name and password for this project."), 401)
    # one header holding every challenge, comma-separated as RFC 7235 allows
    resp["WWW-Authenticate"] = ", ".join(auth.challenges(request, stale=stale))
    return resp


#: seconds a worker process remembers a project and a user's role on it (phones send many
#: submissions in a row); a role change is seen by every process after at most this long
LOOKUP_TTL = 10


def _project(slug: str):
    from django.core.cache import cache

    key = f"openrosa-project:{slug}"
    project = cache.get(key)
    if project is None:
        project = Project.objects.filter(slug=slug).first()
        if project is not None:
            cache.set(key, project, LOOKUP_TTL)
    return project


def _role(user, project) -> str | None:
    from django.core.cache import cache

    key = f"openrosa-role:{user.pk}:{project.pk}"
    role = cache.get(key)
    if role is None:
        role = role_of(user, project) or ""
        cache.set(key, role, LOOKUP_TTL)
    return role or None


def _access(request, slug: str):
    """(project, None) when allowed to submit/list, else (None, error response)."""
    project = _project(slug)
    if project is None:
        raise Http404
    result = auth.authenticate(request)
    if result.user is not None:
        if role_allows(_role(result.user, project), "records.submit"):
            return project, None
        return None, _message(
            _("Your account has no enumerator role on this project. Ask the project manager to add you."), 403
        )
    if project.anonymous_submissions and not result.attempted:
        return project, None
    return None, _unauthorised(request, stale=result.stale)


def _absolute(request, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


@openrosa_rule
@require_http_methods(["GET", "HEAD"])
def form_list(request, slug: str):
    project, denied = _access(request, slug)
    if denied:
        return denied
    entries = []
    for form in project.forms.all().order_by("title"):
        version = form.current_version
        if version is None:
            continue
        entries.append(
            {
                "form_id": form.form_id,
                "name": form.title,
                "version": version.version,
                "md5": version.xform_md5,
                "download_url": _absolute(request, "openrosa-form", slug, form.form_id),
                "manifest_url": _absolute(request, "openrosa-manifest", slug, form.form_id),
            }
        )
    return _xml_response(xml.form_list(entries))


def _current_form(project, form_id: str):
    form = project.forms.filter(form_id=form_id).first()
    version = form.current_version if form else None
    if version is None:
        raise Http404
    return form, version


@openrosa_rule
@require_http_methods(["GET", "HEAD"])
def form_download(request, slug: str, form_id: str):
    project, denied = _access(request, slug)
    if denied:
        return denied
    _form, version = _current_form(project, form_id)
    return _xml_response(version.xform)


@openrosa_rule
@require_http_methods(["GET", "HEAD"])
def manifest(request, slug: str, form_id: str):
    project, denied = _access(request, slug)
    if denied:
        return denied
    _form, version = _current_form(project, form_id)
    media = [
        {"filename": m.filename, "md5": m.md5,
         "download_url": _absolute(request, "openrosa-media", slug, form_id, m.filename)}
        for m in version.media.all()
    ]
    return _xml_response(xml.manifest(media))


@openrosa_rule
@require_http_methods(["GET", "HEAD"])
def media_file(request, slug: str, form_id: str, filename: str):
    from django.http import FileResponse

    project, denied = _access(request, slug)
    if denied:
        return denied
    _form, version = _current_form(project, form_id)
    item = version.media.filter(filename=filename).first()
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), content_type=item.content_type or "application/octet-stream",
                        as_attachment=True, filename=item.filename)


@openrosa_rule
@csrf_exempt
@require_http_methods(["HEAD", "POST"])
def submission(request, slug: str):
    project, denied = _access(request, slug)
    if denied:
        return denied
    limit = max_submission_size()
    if request.method == "HEAD":
        resp = HttpResponse(status=204)
        resp["X-OpenRosa-Accept-Content-Length"] = str(limit)
        return resp
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return _message(
            _("The submission is too large (%(size)d bytes; the limit is %(limit)d). "
              "Reduce the photo size in the phone's settings.") % {"size": length, "limit": limit},
            413,
        )
    if not (request.content_type or "").startswith("multipart/form-data"):
        return _message(_("The submission must be sent as multipart/form-data, as ODK Collect does."), 400)
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return _message(_("The submission has no xml_submission_file part."), 400)
    data = upload.read()
    files = [(f.name, f.content_type, f.read()) for name, f in request.FILES.items() if name != "xml_submission_file"]
    if len(data) + sum(len(f[2]) for f in files) > limit:
        return _message(_("The submission is too large. Reduce the photo size in the phone's settings."), 413)
    try:
        outcome = receive(project, data, files)
    except Conflict as exc:
        return _message(exc.message + " " + (exc.hint or ""), 409)
    except NotFound as exc:
        return _message(exc.message + ". " + (exc.hint or ""), 404)
    except InputError as exc:
        return _message(exc.message + ". " + (exc.hint or ""), 400)
    except LnobError as exc:  # pragma: no cover - any other typed error is the client's
        return _message(exc.message, 400)
    if outcome.status == 201:
        from lnob.openrosa.sync import syncer
        from lnob.webhooks import submission_created

        if getattr(settings, "LNOB_BACKGROUND_SYNC", True):
            syncer.request(project.pk)  # else `lnob sync --watch` (started by `lnob serve`) does it
        submission_created(outcome.record)
    return _message(outcome.message, outcome.status, nature="submit_success")
