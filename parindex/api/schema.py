"""Print the API's OpenAPI schema as committed in docs/openapi.json.

    .venv/bin/python -m parindex.api.schema > docs/openapi.json

tests/api/test_api.py fails when the committed file and the code disagree.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def schema() -> dict[str, Any]:
    from parindex.api.main import api

    return api.get_openapi_schema()


def schema_json() -> str:
    """The schema as written to docs/openapi.json: sorted keys, two-space indent, UTF-8."""
    return json.dumps(schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    import django

    django.setup()
    sys.stdout.buffer.write(schema_json().encode("utf-8"))


if __name__ == "__main__":
    main()
