"""The demo province shared by the tests that read it (tests/demo_province.py): each gets it as
`parindex demo` leaves it, whatever the demo test before it changed, and a test that does not ask
for it starts from an empty database.

The tests run in the order written (collection keeps a file's demo tests in order and puts the
test without the demo after them): the second reads what the first changed.
"""

from __future__ import annotations

import shutil

from parindex.dossiers import reading
from parindex.dossiers.models import DossierImport
from parindex.orgs.models import Organisation, User
from parindex.surveys.models import Survey
from parindex.web.demo import DEMO_PROVINCE


def _demo_province() -> Organisation:
    return Organisation.objects.get(code=DEMO_PROVINCE, province__isnull=True)


def test_a_demo_test_may_change_the_demo_and_its_dossier_store(loaded_demo: str) -> None:
    store = reading.store_for(_demo_province())
    assert store.size() == DossierImport.objects.get(source="demo").accepted > 50_000
    shutil.rmtree(store.root)
    Survey.objects.filter(code="sipas-2020").delete()
    Organisation.objects.filter(code="so-tu-phap").update(name="Sở đã đổi tên")
    assert store.size() == 0 and not Survey.objects.exists()


def test_the_next_demo_test_finds_the_demo_as_the_command_left_it(loaded_demo: str) -> None:
    store = reading.store_for(_demo_province())
    assert store.size() == DossierImport.objects.get(source="demo").accepted > 50_000
    assert Survey.objects.filter(code="sipas-2020").exists()
    assert not Organisation.objects.filter(name="Sở đã đổi tên").exists()
    assert "Loaded the demo province" in loaded_demo


def test_a_test_without_the_demo_starts_from_an_empty_database(db: None) -> None:
    assert not Organisation.objects.exists()
    assert not User.objects.exists()
    assert not DossierImport.objects.exists()
