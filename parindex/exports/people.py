"""Organisation and people lists for the exporter registry, scoped by the access rule."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from parindex.exports.registry import Exporter, ExportError, Sheet, register
from parindex.lib.collation import sort_key
from parindex.lib.dates import parse_date
from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.orgs.hierarchy import reading_key
from parindex.orgs.models import Role


def _organisations(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    try:
        day = parse_date(params["as_of"]) if params.get("as_of") else timezone.localdate()
    except ValueError as exc:
        raise ExportError(f"as_of: {exc}") from None
    orgs = access.organisations_for(user).as_of(day).select_related("parent", "province")
    rows = (
        [
            o.code,
            o.name,
            o.get_kind_display(),
            o.parent.name if o.parent else "",
            o.valid_from,
            o.valid_to,
        ]
        for o in sorted(orgs, key=lambda o: (o.province_id or 0, *reading_key(o)))
    )
    columns = [_("Code"), _("Name"), _("Kind"), _("Parent"), _("Valid from"), _("Valid until")]
    return [Sheet(_("Organisations on %(day)s") % {"day": day.strftime("%d/%m/%Y")}, columns, rows)]


def _people(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    people = (
        access.people_for(user)
        .select_related("organisation")
        .prefetch_related("roles__organisation")
    )
    labels = dict(Role.choices)
    rows = (
        [
            p.username,
            p.full_name,
            p.email,
            p.organisation.name if p.organisation else "",
            p.position,
            "; ".join(f"{labels[r.role]} ({r.organisation.name})" for r in p.roles.all()),
            _("yes") if p.is_active else _("no"),
        ]
        for p in sorted(
            people,
            key=lambda p: (
                sort_key(p.organisation.name if p.organisation else ""),
                sort_key(p.full_name),
                p.username,
            ),
        )
    )
    columns = [
        _("Username"),
        _("Full name"),
        _("Email"),
        _("Organisation"),
        _("Position"),
        _("Roles"),
        _("Active"),
    ]
    return [Sheet(_("People"), columns, rows)]


register(
    Exporter(
        "organisations", lambda: _("Organisations"), _organisations, params={"as_of": "dd/mm/yyyy"}
    )
)
register(Exporter("people", lambda: _("People"), _people))
