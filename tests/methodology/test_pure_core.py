"""The criteria-tree core is usable without Django (the house rule for pure cores)."""

from __future__ import annotations

import subprocess
import sys

from tests.methodology.support import ROOT

MODULES = [
    "parindex.methodology.tree",
    "parindex.methodology.bands",
    "parindex.methodology.validation",
    "parindex.methodology.formats.yaml_format",
    "parindex.methodology.formats.table",
    "parindex.methodology.formats.xlsx",
    "parindex.methodology.formats.docx",
    "parindex.methodology.formats.cells",
    "parindex.methodology.formats.pdf",
    "parindex.methodology.importing",
]


def test_importing_the_readers_and_validation_does_not_import_django():
    script = "\n".join(
        [*(f"import {m}" for m in MODULES), "import sys", "print('django' in sys.modules)"]
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
