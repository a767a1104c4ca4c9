"""The scoring engine is usable without Django (the house rule for pure cores)."""

from __future__ import annotations

import subprocess
import sys

from tests.methodology.support import ROOT


def test_importing_the_engine_does_not_import_django() -> None:
    script = "import parindex.scoring.engine, sys; print('django' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
