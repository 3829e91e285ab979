"""Operations on coalitions: create, look up, join, harmonise indicators, coalition roles.

Each validates its input and raises :class:`lnob.errors.LnobError` with a hint; the CLI, the
web pages and the API call these.
"""

from __future__ import annotations

from django.db import transaction

from lnob.coalition.models import Coalition, CoalitionMembership, CoalitionRole, HarmonisedIndicator
from lnob.core.roles import check_coalition_role, coalition_role_allows
from lnob.errors import AlreadyExists, InputError, NotFound, UsageError, did_you_mean
from lnob.i18n import _

LEVELS = ("national", "global")


def get_coalition(slug: str) -> Coalition:
    c = Coalition.objects.filter(slug=slug).first()
    if c is None:
        known = list(Coalition.objects.values_list("slug", flat=True))
        raise NotFound(_("no coalition %(slug)r in this workspace") % {"slug": slug}, where=slug,
                       hint=did_you_mean(slug, known) or (
                           _("known coalitions: %(c)s") % {"c": ", ".join(known)} if known
                           else _("create one with 'lnob coalition create NAME --level national --country XX'")),
                       code="coalition.unknown")
    return c


def _slug_for(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)[:63]


@transaction.atomic
def create_coalition(name: str, *, level: str, country: str = "", parent: str | None = None,
                     slug: str | None = None) -> Coalition:
    from lnob.core.services import _check_slug

    if not name.strip():
        raise InputError(_("the coalition needs a name"), where="NAME", hint=_("e.g. 'LNOB Viet Nam'"),
                         code="coalition.no-name")
    if level not in LEVELS:
        raise UsageError(_("%(v)r is not a coalition level") % {"v": level}, where="--level",
                         hint=did_you_mean(level, LEVELS) or _("choose national or global"),
                         code="coalition.bad-level")
    country = (country or "").strip().upper()
    if level == "national":
        if len(country) != 2 or not country.isalpha():
            raise InputError(_("a national coalition needs a country code"), where="--country",
                             hint=_("an ISO 3166-1 alpha-2 code, e.g. --country VN"), code="coalition.no-country")
    elif country:
        raise InputError(_("a global coalition has no country"), where="--country",
                         hint=_("leave out --country for a global coalition"), code="coalition.global-country")
    slug = slug or _slug_for(name)
    _check_slug(slug, _("coalition"))
    if Coalition.objects.filter(slug=slug).exists():
        raise AlreadyExists(_("a coalition %(slug)r already exists") % {"slug": slug}, where=slug,
                            hint=_("choose another name, or use the existing coalition"), code="coalition.exists")
    parent_c = get_coalition(parent) if parent else None
    if parent_c is not None and (level != "national" or parent_c.level != "global"):
        raise InputError(_("only a national coalition can join, and only a global one"), where="--parent",
                         hint=_("a global coalition has national coalitions as members"),
                         code="coalition.bad-parent")
    c = Coalition.objects.create(slug=slug, name=name.strip(), level=level, country=country)
    if parent_c is not None:
        CoalitionMembership.objects.create(coalition=parent_c, member_coalition=c)
    return c


@transaction.atomic
def join(slug: str, *, organisation: str | None = None, coalition: str | None = None) -> CoalitionMembership:
    """Add an organisation to a national coalition, or a national coalition to a global one."""
    from lnob.core.models import Organisation

    target = get_coalition(slug)
    if (organisation is None) == (coalition is None):
        raise UsageError(_("name either an organisation or a national coalition to join"),
                         where="--organisation", hint=_("e.g. --organisation lnob-demo-coalition"),
                         code="coalition.join-what")
    if organisation is not None:
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            known = list(Organisation.objects.values_list("slug", flat=True))
            raise NotFound(_("no organisation %(o)r") % {"o": organisation}, where="--organisation",
                           hint=did_you_mean(organisation, known) or _("organisations: %(a)s") % {"a": ", ".join(known)},
                           code="coalition.unknown-organisation")
        if not target.national:
            raise InputError(_("organisations join national coalitions; %(c)s is global") % {"c": slug}, where=slug,
                             hint=_("join the organisation to a national coalition that is a member of %(c)s")
                             % {"c": slug}, code="coalition.not-national")
        m, _created = CoalitionMembership.objects.get_or_create(coalition=target, organisation=org)
        return m
    member = get_coalition(coalition)
    if target.national or not member.national:
        raise InputError(_("a national coalition joins a global one"), where="--coalition",
                         hint=_("e.g. lnob coalition join lnob-global --coalition lnob-vn"), code="coalition.bad-parent")
    m, _created = CoalitionMembership.objects.get_or_create(coalition=target, member_coalition=member)
    return m


def members_of(coalition: Coalition) -> list:
    """Organisations (national) or national coalitions (global), by name."""
    qs = coalition.memberships.select_related("organisation", "member_coalition")
    if coalition.national:
        return sorted((m.organisation for m in qs if m.organisation), key=lambda o: o.name)
    return sorted((m.member_coalition for m in qs if m.member_coalition), key=lambda c: c.name)


def harmonised_definition(indicator: str, definitions=None):
    """The indicator's definition (shipped library plus ``definitions`` files) and its hash."""
    from lnob.indicators.definitions import load_library, spec_hash

    ind = load_library(definitions).indicator(indicator)
    return ind, spec_hash(ind.spec)


@transaction.atomic
def add_indicators(slug: str, indicators: list[str], *, definitions=None) -> list[HarmonisedIndicator]:
    """Name indicators the coalition's members report against (replacing an earlier definition)."""
    c = get_coalition(slug)
    if not indicators:
        raise UsageError(_("name at least one indicator"), where="--add", hint=_("e.g. --add basic_sanitation"),
                         code="coalition.no-indicator")
    out = []
    for ident in indicators:
        ind, h = harmonised_definition(ident, definitions)
        hi, _created = HarmonisedIndicator.objects.update_or_create(
            coalition=c, indicator=ind.id,
            defaults={"title": dict(ind.title), "kind": ind.kind, "unit": ind.unit, "definition_hash": h,
                      "source": ind.where, "spec": ind.spec})
        out.append(hi)
    return out


@transaction.atomic
def remove_indicators(slug: str, indicators: list[str]) -> int:
    c = get_coalition(slug)
    n, _detail = HarmonisedIndicator.objects.filter(coalition=c, indicator__in=indicators).delete()
    return n


@transaction.atomic
def grant_coalition_role(user, coalition: Coalition, role: str) -> CoalitionRole:
    check_coalition_role(role)
    r, _created = CoalitionRole.objects.update_or_create(user=user, coalition=coalition, defaults={"role": role})
    return r


def coalition_role_of(user, coalition: Coalition) -> str | None:
    """The user's role on the coalition (superusers act as managers), or None.

    A role on a global coalition carries to its national members (it sees what they pool).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "coalition_manager"
    role = CoalitionRole.objects.filter(user=user, coalition=coalition).values_list("role", flat=True).first()
    if role is None and coalition.national:
        parents = list(coalition.parent_memberships.values_list("coalition_id", flat=True))
        if CoalitionRole.objects.filter(user=user, coalition_id__in=parents).exists():
            role = "coalition_viewer"
    return role


def can_coalition(user, coalition: Coalition, action: str) -> bool:
    return coalition_role_allows(coalition_role_of(user, coalition), action)


def coalitions_for(user):
    """Coalitions the user has a role on."""
    if user is None or not user.is_authenticated:
        return Coalition.objects.none()
    if user.is_superuser:
        return Coalition.objects.all()
    return Coalition.objects.filter(roles__user=user).distinct()


def coalitions_of_project(project) -> list[Coalition]:
    """National coalitions the project's organisation belongs to."""
    return list(Coalition.objects.filter(level="national", memberships__organisation=project.organisation)
                .distinct().order_by("name"))
