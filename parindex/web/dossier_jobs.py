"""Dossier imports started from the screen and followed while they run.

The page's POST keeps the upload in a temporary file and starts the import (the action
`dossiers.actions.import_dossiers`, permission and audit included) in a thread of the worker
with its own database connection; the import tells its phase and share to a small progress file
beside the stores, which the page polls (htmx) and which any worker of the server can read. The
file names the person who started it: nobody else follows it. With
PARINDEX_DOSSIER_IMPORT_IN_BACKGROUND false (the tests) the import runs within the request.

A worker that dies mid-import (restarted, killed, out of memory) never writes the end: the file
also names the process and machine running it, and a reader on that machine that finds the
process gone, or any reader that finds no news for `SILENT_FOR` seconds, reports the import as
stopped. The store is untouched by such an import (its manifest is swapped last).
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.utils.translation import gettext as _

from parindex.dossiers import actions
from parindex.orgs.models import Organisation, User

log = logging.getLogger(__name__)
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
# No phase of an import goes this long without telling its progress (a 10-million-row file's
# longest phase takes well under a minute).
SILENT_FOR = 30 * 60


def _folder() -> Path:
    # A dot: no province's code (a slug) can name the same folder.
    return Path(settings.PARINDEX_DOSSIER_STORE) / ".progress"


def _running_here(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user has that number now
        return False
    return True


def write_state(token: str, state: dict[str, Any]) -> None:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(state, out)
    os.replace(temporary, folder / f"{token}.json")  # a reader sees the old state or the new


def state(token: str, user: User) -> dict[str, Any] | None:
    """The import's progress for the person who started it: phase, share (0 to 1), and once
    it is over `done` with the run's id (`run`) or an `error`; None for anyone else."""
    if not _TOKEN.match(token):
        return None
    path = _folder() / f"{token}.json"
    try:
        found: dict[str, Any] = json.loads(path.read_text("utf-8"))
        told = path.stat().st_mtime
    except (OSError, ValueError):
        return None
    if found.get("user") != user.pk:
        return None
    if not found.get("done"):
        pid, host = found.get("pid"), found.get("host")
        gone = isinstance(pid, int) and host == socket.gethostname() and not _running_here(pid)
        if gone or time.time() - told > SILENT_FOR:
            return {"user": user.pk, "done": True, "error": "failed"}
    return found


def forget(token: str) -> None:
    """The import is over and its page has sent the person on: its file is no longer needed."""
    if _TOKEN.match(token):
        (_folder() / f"{token}.json").unlink(missing_ok=True)


def save_upload(upload: actions.Upload) -> Path:
    """The upload in a temporary file, refused past PARINDEX_MAX_DOSSIER_BYTES."""
    limit = settings.PARINDEX_MAX_DOSSIER_BYTES
    too_large = ValidationError(
        {"file": _("The file is larger than %(mb)s MB.") % {"mb": limit // 1_000_000}}
    )
    if (upload.size or 0) > limit:
        raise too_large
    handle, temporary = tempfile.mkstemp(prefix="parindex-upload-")
    written = 0
    with os.fdopen(handle, "wb") as out:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > limit:
                out.close()
                Path(temporary).unlink(missing_ok=True)
                raise too_large
            out.write(chunk)
    return Path(temporary)


def start(
    province: Organisation,
    path: Path,
    *,
    by: User,
    filename: str,
    source: str,
    mapping: str | None,
    skip_bad_rows: bool,
) -> str:
    """Start importing `path` (which is deleted afterwards); the token to follow it by."""
    token = uuid.uuid4().hex
    # Who runs it, for a reader to tell a stopped import from a slow one.
    runner = {"user": by.pk, "pid": os.getpid(), "host": socket.gethostname()}
    write_state(token, {**runner, "phase": "waiting", "share": 0.0})
    background = getattr(settings, "PARINDEX_DOSSIER_IMPORT_IN_BACKGROUND", True)

    def run() -> None:
        def progress(phase: str, share: float) -> None:
            write_state(token, {**runner, "phase": phase, "share": round(share, 3)})

        outcome: dict[str, Any] = {"user": by.pk, "phase": "done", "share": 1.0, "done": True}
        try:
            done = actions.import_dossiers(
                province,
                path,
                by=by,
                filename=filename,
                source=source,
                mapping=mapping,
                skip_bad_rows=skip_bad_rows,
                progress=progress,
            )
            outcome["run"] = done.pk
        except actions.ImportRefused as refused:
            outcome["run"] = refused.run.pk
        except (ValidationError, PermissionDenied) as error:
            outcome["error"] = " ".join(getattr(error, "messages", [str(error)]))
        except Exception:  # the page must learn the import is over, whatever stopped it
            log.exception("dossier import %s failed", token)
            outcome["error"] = "failed"
        finally:
            path.unlink(missing_ok=True)
            if background:
                connections.close_all()
        write_state(token, outcome)

    if background:
        threading.Thread(target=run, name=f"dossier-import-{token[:8]}", daemon=True).start()
    else:
        run()
    return token
