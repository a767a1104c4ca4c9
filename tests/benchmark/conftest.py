"""The published results shipped with parindex, loaded once per test that asks."""

from __future__ import annotations

import pytest

from parindex.benchmark.actions import load_published_results


@pytest.fixture
def shipped(db: None) -> list[int]:
    return load_published_results(by=None)
