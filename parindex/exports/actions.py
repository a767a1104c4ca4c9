"""Writes of the exports app: only the record of an export that read everything."""

from __future__ import annotations

import getpass

from parindex.orgs.models import AuditEntry, Channel, Organisation

FULL_EXPORT = "exports.export.all"


def record_full_export(
    name: str, fmt: str, params: dict[str, str], *, province: Organisation | int | None = None
) -> AuditEntry:
    """The audit entry of an export run with --all: which export, with what, by which account
    of the server (there is no signed-in person at the command line)."""
    try:
        operator = getpass.getuser()
    except (KeyError, OSError):  # no name for the process's user id, e.g. in a container
        operator = ""
    shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    province_id = province.pk if isinstance(province, Organisation) else province
    return AuditEntry.objects.create(
        actor=None,
        actor_name=f"{operator} (--all)" if operator else "--all",
        channel=Channel.CLI,
        action=FULL_EXPORT,
        object_type="exports.export",
        object_id=name,
        object_repr=f"{name}.{fmt}" + (f" ({shown})" if shown else ""),
        province_id=province_id,
        changes={"export": [None, name], "format": [None, fmt], "params": [None, params]},
    )
