"""The demo province, loaded once per pytest pass for every test that asks for `loaded_demo`.

Loading the demo (`parindex demo`: the province, its plan and rounds, a generated year of
dossiers and a survey of five thousand responses) takes half a minute, more on PostgreSQL, and a
score of tests read it. They share one load, made in a transaction of its own that is opened for
the first of them and rolled back before the first test that does not ask for the demo, so every
other test still starts from an empty database. Each demo test runs in a savepoint on top of the
load (the `db` fixture), rolled back after it, and gets a copy of the demo's dossier store of its
own: what one test writes, to the database or to the store, the next one never sees.

The demo tests are collected one after the other, where the first of them would have run, so a
pass loads the demo once. Tests that need it committed (a live server's) load it themselves.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import translation
from pytest_django import DjangoDbBlocker

FIXTURE = "loaded_demo"


class SharedDemo:
    """The one load of a pass: its open transaction and the dossier store it wrote."""

    def __init__(self, store: Path, blocker: DjangoDbBlocker) -> None:
        self.store = store
        self.blocker = blocker
        self.atomic: transaction.Atomic | None = None
        self.output = ""

    def load(self) -> str:
        """Load the demo unless it is loaded; what `parindex demo` printed."""
        if self.atomic is not None:
            return self.output
        if connection.in_atomic_block:
            raise RuntimeError(
                f"{FIXTURE} must be set up before the test's database transaction: ask for it"
                " before `db` and use no django_db marker"
            )
        with self.blocker.unblock():
            atomic = transaction.atomic()
            # Marked as Django's TestCase marks its own, so durable blocks may open within.
            atomic._from_testcase = True  # type: ignore[attr-defined]
            atomic.__enter__()
            try:
                shutil.rmtree(self.store, ignore_errors=True)
                out = io.StringIO()
                # The same data whichever test comes first: the product's language, the
                # load's own store.
                with (
                    translation.override(settings.LANGUAGE_CODE),
                    override_settings(PARINDEX_DOSSIER_STORE=self.store),
                ):
                    call_command("demo", stdout=out)
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        self.atomic, self.output = atomic, out.getvalue()
        return self.output

    def unload(self) -> None:
        if self.atomic is None:
            return
        atomic, self.atomic = self.atomic, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


_shared: list[SharedDemo] = []


@pytest.fixture(scope="session")
def _shared_demo(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SharedDemo]:
    shared = SharedDemo(tmp_path_factory.mktemp("demo") / "dossiers", django_db_blocker)
    _shared.append(shared)
    yield shared
    shared.unload()
    _shared.remove(shared)


@pytest.fixture
def _demo_beneath(_shared_demo: SharedDemo, _dossier_store: Path) -> str:
    output = _shared_demo.load()
    if _shared_demo.store.exists():
        shutil.copytree(_shared_demo.store, _dossier_store)
    return output


@pytest.fixture
def loaded_demo(_demo_beneath: str, db: None) -> str:
    """The demo province as `parindex demo` loads it (in a savepoint of this test's, on top of
    the pass's one load); what the command printed."""
    return _demo_beneath


@pytest.hookimpl(trylast=True)  # after pytest-django's own order: database tests first
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    demo = [item for item in items if FIXTURE in getattr(item, "fixturenames", ())]
    if not demo:
        return
    first = items.index(demo[0])
    others = [item for item in items if FIXTURE not in getattr(item, "fixturenames", ())]
    items[:] = others[:first] + demo + others[first:]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Roll the demo back before a test that does not ask for it, before its fixtures."""
    if _shared and FIXTURE not in getattr(item, "fixturenames", ()):
        _shared[0].unload()
