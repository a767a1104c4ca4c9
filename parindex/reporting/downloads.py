"""An evidence file as it is downloaded, from the screens and the API alike.

The file is named after what it is, not what its uploader called it: `Evidence.content_type` was
judged by content at upload (`actions.sniff`), so a PDF uploaded as `x.bat` downloads as `x.pdf`
and opens in a PDF reader, never runs. It always comes as an attachment (RFC 6266), with an ASCII
name for old clients and the Vietnamese name in `filename*` (RFC 8187), and with `nosniff` so that
no browser second-guesses the type.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from typing import Protocol
from urllib.parse import quote

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from parindex.lib.text import nfc


class Evidence(Protocol):
    """A stored evidence file: reporting's `Evidence`, assessment's `Document`."""

    name: str
    content_type: str

    @property
    def file(self) -> FieldFile: ...


# The kinds `actions.sniff` accepts, each with the extension it is downloaded under.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
UNKNOWN_TYPE = "application/octet-stream"
STEM_CHARS = 150

# Controls of every kind (C0, DEL, C1), and what no file system or header takes in a name.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\ud800-\udfff\ufffe\uffff]+')


def download_type(evidence: Evidence) -> tuple[str, str]:
    """(content type, extension) the file is served as. A type not judged at upload (never
    expected) is served as opaque bytes under the extension its stored copy was given."""
    extension = EXTENSIONS.get(evidence.content_type)
    if extension is not None:
        return evidence.content_type, extension
    stored = PurePosixPath(evidence.file.name or "").suffix.lower()
    return UNKNOWN_TYPE, stored if stored in EXTENSIONS.values() else ".bin"


def download_name(evidence: Evidence) -> str:
    """The uploader's name without its extension, followed by the detected type's:
    "Báo cáo quý IV.pdf" stays, "x.bat" holding a PDF becomes "x.pdf"."""
    _type, extension = download_type(evidence)
    name = nfc(evidence.name).rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:STEM_CHARS].strip(" ._")
    return f"{stem or 'evidence'}{extension}"


def content_disposition(filename: str) -> str:
    """`attachment` with the name; a name beyond ASCII also in `filename*`, UTF-8 encoded."""
    ascii_name = _ascii(filename)
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=utf-8''{quote(filename, safe='')}"
    return header


def _ascii(filename: str) -> str:
    """Vietnamese without marks ("Báo cáo" → "Bao cao"); anything else beyond ASCII as "_"."""
    folded = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r'[^\x20-\x7e]|["\\]', "_", plain)


def evidence_response(evidence: Evidence) -> FileResponse:
    content_type, _extension = download_type(evidence)
    response = FileResponse(evidence.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition(download_name(evidence))
    response["X-Content-Type-Options"] = "nosniff"
    return response
