"""Operations on organisations, projects, users and roles.

The CLI, the web views and the demo builder call these; each validates its
input and raises :class:`lnob.errors.LnobError` with a hint on bad input, and
writes in one transaction (nothing half-written).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from lnob.core.models import Membership, Organisation, Project, slug_validator
from lnob.core.roles import check_role, role_allows
from lnob.errors import AlreadyExists, InputError, NotFound, did_you_mean
from lnob.i18n import _


def _check_slug(slug: str, what: str) -> None:
    try:
        slug_validator(slug)
    except ValidationError:
        raise InputError(
            _("%(what)s short name %(slug)r is not valid") % {"what": what, "slug": slug},
            where=slug,
            hint=_("use lower-case letters, digits and hyphens, e.g. 'dalit-wash-2025'"),
            code="core.bad-slug",
        ) from None


def get_project(slug: str) -> Project:
    try:
        return Project.objects.select_related("organisation").get(slug=slug)
    except Project.DoesNotExist:
        known = list(Project.objects.values_list("slug", flat=True))
        hint = did_you_mean(slug, known) or (
            _("known projects: %(p)s") % {"p": ", ".join(known)} if known
            else _("create one with 'lnob project create SLUG --name NAME'")
        )
        raise NotFound(
            _("no project %(slug)r in this workspace") % {"slug": slug},
            where=slug,
            hint=hint,
            code="core.unknown-project",
        ) from None


def get_or_create_organisation(name_or_slug: str, *, country: str = "") -> tuple[Organisation, bool]:
    org = Organisation.objects.filter(slug=name_or_slug).first() or Organisation.objects.filter(
        name=name_or_slug
    ).first()
    if org:
        return org, False
    slug = slugify(name_or_slug)[:63] or "org"
    _check_slug(slug, _("organisation"))
    org = Organisation.objects.create(slug=slug, name=name_or_slug, country=country)
    return org, True


@transaction.atomic
def create_project(slug: str, name: str, *, org: str | None = None, description: str = "") -> Project:
    _check_slug(slug, _("project"))
    if not name.strip():
        raise InputError(_("the project needs a name"), where="--name", hint=_("e.g. --name 'WASH survey 2025'"),
                         code="core.no-name")
    if Project.objects.filter(slug=slug).exists():
        raise AlreadyExists(
            _("a project %(slug)r already exists") % {"slug": slug},
            where=slug,
            hint=_("choose another short name, or use the existing project"),
            code="core.project-exists",
        )
    organisation, _created = get_or_create_organisation(org or _("Default organisation"))
    return Project.objects.create(slug=slug, name=name.strip(), organisation=organisation, description=description)


@transaction.atomic
def create_user(username: str, password: str, *, email: str = "", superuser: bool = False,
                validate: bool = True):
    User = get_user_model()
    if not username.strip():
        raise InputError(_("the user name is empty"), where="USERNAME", hint=_("e.g. 'asha'"),
                         code="core.no-username")
    if User.objects.filter(username=username).exists():
        raise AlreadyExists(
            _("a user %(name)r already exists") % {"name": username},
            where=username,
            hint=_("choose another user name, or give the existing user a role in the web admin"),
            code="core.user-exists",
        )
    if not password:
        raise InputError(_("the password is empty"), where="--password-stdin",
                         hint=_("pipe the password on standard input, e.g. echo 'secret' | lnob user create …"),
                         code="core.no-password")
    user = User(username=username, email=email, is_staff=superuser, is_superuser=superuser)
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InputError(
                _("the password is too weak: %(why)s") % {"why": " ".join(exc.messages)},
                where="--password-stdin",
                hint=_("use at least 8 characters, not only digits, not a common password"),
                code="core.weak-password",
            ) from None
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def grant_role(user, project: Project, role: str) -> Membership:
    check_role(role)
    membership, _created = Membership.objects.update_or_create(
        user=user, project=project, defaults={"role": role}
    )
    return membership


def role_of(user, project: Project) -> str | None:
    """The user's role on the project (superusers act as owners), or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "owner"
    return (
        Membership.objects.filter(user=user, project=project).values_list("role", flat=True).first()
    )


def can(user, project: Project, action: str) -> bool:
    return role_allows(role_of(user, project), action)


def projects_for(user):
    """Projects the user can see."""
    if user is None or not user.is_authenticated:
        return Project.objects.none()
    qs = Project.objects.select_related("organisation")
    if user.is_superuser:
        return qs
    return qs.filter(memberships__user=user).distinct()


def may_see_personal(user, project: Project, role: str | None = None) -> bool:
    """True when ``user`` may see and export personal fields of ``project``.

    Managers and owners may (``records.view_personal``); a member whose role lets them read
    records (analysts) may when an owner granted them personal data (``Membership.personal_data``).
    """
    role = role_of(user, project) if role is None else role
    if role_allows(role, "records.view_personal"):
        return True
    if not role_allows(role, "records.view"):
        return False
    return Membership.objects.filter(user=user, project=project, personal_data=True).exists()


@transaction.atomic
def set_personal_grant(project: Project, user, granted: bool, *, actor=None) -> Membership:
    """Grant (or withdraw) a member's access to personal data; recorded in the audit log."""
    from lnob.audit.log import record

    membership = Membership.objects.filter(user=user, project=project).first()
    if membership is None:
        raise NotFound(_("%(u)s is not a member of %(p)s") % {"u": user.get_username(), "p": project.slug},
                       where=user.get_username(), hint=_("give them a role first"), code="core.not-a-member")
    if membership.personal_data != bool(granted):
        membership.personal_data = bool(granted)
        membership.save(update_fields=["personal_data"])
        record("personal_grant", actor=actor, project=project, target=user.get_username(),
               granted=bool(granted), role=membership.role)
    return membership
