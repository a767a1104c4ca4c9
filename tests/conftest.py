"""The named cast every test reuses, and the test session's settings.

The cast is a province as it stood before the 2025 reorganisation, built through the real
action functions (so every row also has its audit entry):

    Tỉnh Lào Cai (lao-cai)
    ├── UBND tỉnh Lào Cai (PPC)            leader, appraiser work here
    ├── Sở Nội vụ                          coordinator
    ├── Sở Tư pháp                         reporter, head
    ├── Văn phòng UBND tỉnh                other_reporter
    ├── UBND thành phố Lào Cai (district)  district_head
    │   └── UBND phường Cốc Lếu (commune)
    └── UBND huyện Bát Xát (district)
    Tỉnh Yên Bái (yen-bai)
    └── Sở Nội vụ tỉnh Yên Bái             outsider (its coordinator)

`citizen` has an account and nothing else. Everyone's password is PASSWORD.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import override_settings
from hypothesis import settings as hypothesis_settings

from parindex.orgs import actions
from parindex.orgs.models import Organisation, OrgKind, Role, User

# Reporting fixtures shared by the screen and API tests; the demo province, loaded once a pass.
pytest_plugins = ["tests.web.reporting_data", "tests.demo_province"]

# Subprocesses started by tests (the `parindex` command) read the environment, not settings.
os.environ.setdefault("PARINDEX_PLAIN_STATIC", "1")

# Property tests are judged by what they find, not by how fast one example runs: a loaded CI
# machine must not fail a reader for taking more than Hypothesis' default 200 ms on an example.
hypothesis_settings.register_profile("parindex", deadline=None)
hypothesis_settings.load_profile("parindex")

PASSWORD = "Lao-Cai-2020!"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_session_settings: list[override_settings] = []
_session_folders: list[Path] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_password_hashing: keep the configured (Argon2) password hashers for this test",
    )
    from django.conf import settings

    if not settings.configured:
        return
    # pytest-django imports the settings before any conftest runs, so an environment variable
    # set here would come too late: override what the tests need directly. Plain static
    # storage renders {% static %} without a collectstatic manifest (the live server serves
    # the files from the apps' static folders). An empty STATIC_ROOT that exists keeps
    # WhiteNoise from warning about a missing one, and collectstatic in a test from var/.
    static_root = Path(tempfile.mkdtemp(prefix="parindex-static-"))
    _session_folders.append(static_root)
    session = override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        STATIC_ROOT=static_root,
    )
    session.enable()
    _session_settings.append(session)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _session_settings:
        _session_settings.pop().disable()
    while _session_folders:
        shutil.rmtree(_session_folders.pop(), ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Uploaded files go to a temporary folder, never to var/media."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media):
        yield media


@pytest.fixture(scope="session")
def _dossier_stores(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dossiers")


@pytest.fixture(autouse=True)
def _dossier_store(_dossier_stores: Path) -> Iterator[Path]:
    """Each test's dossier stores go to a folder of their own (made when first written), never
    to var/dossiers: the database is rolled back after a test, and so are the stores. An import
    started on screen runs within the request, inside the test's transaction (the browser tests
    run it in the background, as the server does)."""
    folder = _dossier_stores / uuid.uuid4().hex
    with override_settings(
        PARINDEX_DOSSIER_STORE=folder, PARINDEX_DOSSIER_IMPORT_IN_BACKGROUND=False
    ):
        yield folder


@pytest.fixture(autouse=True)
def _fresh_page_cache() -> Iterator[None]:
    """Each test starts with no kept page parts: a rolled-back test's ids are reused by the next
    one's, so a part kept from it could match."""
    from django.core.cache import caches

    caches["pages"].clear()
    yield


@pytest.fixture(autouse=True)
def _fast_password_hasher(request: pytest.FixtureRequest) -> Iterator[None]:
    """Argon2 is slow on purpose; tests hash with MD5 unless marked real_password_hashing."""
    if request.node.get_closest_marker("real_password_hashing"):
        yield
        return
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


# --- organisations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LaoCai:
    province: Organisation
    ppc: Organisation
    home_affairs: Organisation
    justice: Organisation
    office: Organisation
    city: Organisation
    bat_xat: Organisation
    commune: Organisation


@dataclass(frozen=True)
class YenBai:
    province: Organisation
    home_affairs: Organisation


@pytest.fixture
def lao_cai(db: None) -> LaoCai:
    province = actions.create_province(by=None, name="Tỉnh Lào Cai", code="lao-cai")

    def agency(
        kind: str, name: str, code: str, short_name: str = "", parent: Organisation | None = None
    ) -> Organisation:
        return actions.create_organisation(
            by=None,
            province=province,
            kind=kind,
            name=name,
            code=code,
            short_name=short_name,
            parent=parent,
        )

    ppc = agency(OrgKind.PPC, "UBND tỉnh Lào Cai", "ubnd-tinh", short_name="UBND tỉnh")
    city = agency(OrgKind.DISTRICT, "UBND thành phố Lào Cai", "tp-lao-cai", short_name="TP Lào Cai")
    return LaoCai(
        province=province,
        ppc=ppc,
        home_affairs=agency(OrgKind.DEPARTMENT, "Sở Nội vụ", "so-noi-vu", short_name="SNV"),
        justice=agency(OrgKind.DEPARTMENT, "Sở Tư pháp", "so-tu-phap", short_name="STP"),
        office=agency(OrgKind.DEPARTMENT, "Văn phòng UBND tỉnh", "vp-ubnd", short_name="VP UBND"),
        city=city,
        bat_xat=agency(OrgKind.DISTRICT, "UBND huyện Bát Xát", "bat-xat", short_name="Bát Xát"),
        commune=agency(OrgKind.COMMUNE, "UBND phường Cốc Lếu", "coc-leu", parent=city),
    )


@pytest.fixture
def yen_bai(db: None) -> YenBai:
    province = actions.create_province(by=None, name="Tỉnh Yên Bái", code="yen-bai")
    home_affairs = actions.create_organisation(
        by=None,
        province=province,
        kind=OrgKind.DEPARTMENT,
        name="Sở Nội vụ tỉnh Yên Bái",
        code="so-noi-vu",  # the same code as in Lào Cai: codes are unique per province
    )
    return YenBai(province=province, home_affairs=home_affairs)


@pytest.fixture
def province(lao_cai: LaoCai) -> Organisation:
    return lao_cai.province


@pytest.fixture
def other_province(yen_bai: YenBai) -> Organisation:
    return yen_bai.province


@pytest.fixture
def ppc(lao_cai: LaoCai) -> Organisation:
    return lao_cai.ppc


@pytest.fixture
def home_affairs(lao_cai: LaoCai) -> Organisation:
    return lao_cai.home_affairs


@pytest.fixture
def justice(lao_cai: LaoCai) -> Organisation:
    return lao_cai.justice


@pytest.fixture
def office(lao_cai: LaoCai) -> Organisation:
    return lao_cai.office


@pytest.fixture
def city(lao_cai: LaoCai) -> Organisation:
    return lao_cai.city


@pytest.fixture
def commune(lao_cai: LaoCai) -> Organisation:
    return lao_cai.commune


# --- people -----------------------------------------------------------------------------------


def make_person(
    username: str,
    full_name: str,
    organisation: Organisation,
    *,
    role: str | None = None,
    role_for: Organisation | None = None,
    agencies: tuple[Organisation, ...] = (),
    position: str = "",
) -> User:
    """A person created and given a role the way a coordinator would, with PASSWORD."""
    person = actions.create_person(
        by=None,
        username=username,
        full_name=full_name,
        organisation=organisation,
        email=f"{username}@laocai.gov.vn",
        position=position,
        password=PASSWORD,
    )
    if role is not None:
        actions.assign_role(
            person, by=None, role=role, organisation=role_for or organisation, agencies=agencies
        )
    return person


@pytest.fixture
def coordinator(lao_cai: LaoCai) -> User:
    return make_person(
        "hoa.snv",
        "Nguyễn Thị Hoa",
        lao_cai.home_affairs,
        role=Role.COORDINATOR,
        role_for=lao_cai.province,
        position="Chuyên viên phòng Cải cách hành chính",
    )


@pytest.fixture
def reporter(lao_cai: LaoCai) -> User:
    return make_person(
        "minh.stp", "Trần Văn Minh", lao_cai.justice, role=Role.REPORTER, position="Chuyên viên"
    )


@pytest.fixture
def other_reporter(lao_cai: LaoCai) -> User:
    return make_person(
        "lan.vpubnd", "Lê Thị Lan", lao_cai.office, role=Role.REPORTER, position="Chuyên viên"
    )


@pytest.fixture
def head(lao_cai: LaoCai) -> User:
    return make_person(
        "hung.stp", "Phạm Quốc Hùng", lao_cai.justice, role=Role.HEAD, position="Giám đốc Sở"
    )


@pytest.fixture
def district_head(lao_cai: LaoCai) -> User:
    return make_person(
        "nam.tplc", "Hoàng Văn Nam", lao_cai.city, role=Role.HEAD, position="Chủ tịch UBND"
    )


@pytest.fixture
def leader(lao_cai: LaoCai) -> User:
    return make_person(
        "thu.ubnd",
        "Đỗ Thị Thu",
        lao_cai.ppc,
        role=Role.LEADER,
        role_for=lao_cai.province,
        position="Phó Chủ tịch UBND tỉnh",
    )


@pytest.fixture
def appraiser(lao_cai: LaoCai) -> User:
    return make_person(
        "anh.thamdinh",
        "Vũ Đức Anh",
        lao_cai.ppc,
        role=Role.APPRAISER,
        role_for=lao_cai.province,
        agencies=(lao_cai.justice,),
        position="Thành viên Hội đồng thẩm định",
    )


@pytest.fixture
def citizen(db: None) -> User:
    # No organisation, so not through create_person (which requires one): a self-registered
    # account such as a survey respondent's.
    return User.objects.create_user(
        username="binh.nguoidan", password=PASSWORD, full_name="Ngô Văn Bình"
    )


@pytest.fixture
def outsider(yen_bai: YenBai) -> User:
    return make_person(
        "tuan.snvyb",
        "Đinh Văn Tuấn",
        yen_bai.home_affairs,
        role=Role.COORDINATOR,
        role_for=yen_bai.province,
    )


# --- clients ----------------------------------------------------------------------------------


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    """client_for(user) -> a test Client signed in as `user` (one new client per call)."""

    def signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in
