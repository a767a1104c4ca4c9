"""The plan parser is usable without Django (the house rule for pure cores)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "parindex.plans.proposal",
    "parindex.plans.quantities",
    "parindex.plans.document",
    "parindex.plans.parsing",
]


def test_importing_the_parser_does_not_import_django() -> None:
    script = "\n".join(
        [*(f"import {m}" for m in MODULES), "import sys", "print('django' in sys.modules)"]
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
