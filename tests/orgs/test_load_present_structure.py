"""`parindex orgs load`: a province as it is since 1 July 2025, its communes and wards with
their official codes, and the old units linked to what replaced them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from parindex.orgs import actions, admin_units
from parindex.orgs.models import AuditEntry, Organisation, OrgKind, Succession, User
from tests.conftest import LaoCai, YenBai

JULY_2025 = date(2025, 7, 1)


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("orgs", "load", *args, stdout=out)
    return out.getvalue()


def present_lao_cai() -> Organisation:
    return Organisation.objects.get(code="lao-cai-2025", province__isnull=True)


def test_loading_lao_cai_creates_the_province_its_committee_and_99_communes_and_wards(
    db: None,
) -> None:
    out = load("--province", "Lào Cai")

    province = present_lao_cai()
    assert (province.name, province.valid_from, province.valid_to) == (
        "Tỉnh Lào Cai",
        JULY_2025,
        None,
    )
    ppc = Organisation.objects.get(province=province, kind=OrgKind.PPC)
    assert (ppc.name, ppc.code) == ("Ủy ban nhân dân tỉnh Lào Cai", "ubnd-tinh")
    communes = Organisation.objects.filter(province=province, kind=OrgKind.COMMUNE)
    assert communes.count() == 99
    assert {actions.official_code(c) for c in communes} == {
        c.code
        for c in admin_units.communes_of(admin_units.find_province("15"))  # type: ignore[arg-type]
    }
    ward = communes.get(code="phuong-lao-cai-02647")
    assert (ward.name, ward.short_name, ward.parent, ward.valid_from) == (
        "UBND phường Lào Cai",
        "Phường Lào Cai",
        province,
        JULY_2025,
    )
    assert "02647" in ward.note
    assert "Loaded Tỉnh Lào Cai [lao-cai-2025], official code 15" in out
    assert "99 communes and wards" in out


def test_the_province_is_found_without_diacritics_or_by_its_official_code(db: None) -> None:
    load("--province", "lao cai")
    assert "Nothing to change" in load("--province", "15")
    assert "Nothing to change" in load("--province", "Tỉnh Lào Cai")
    assert Organisation.objects.filter(province__isnull=True).count() == 1


def test_loading_again_changes_nothing_and_says_so(db: None) -> None:
    load("--province", "Lào Cai")
    before = (
        Organisation.objects.count(),
        Succession.objects.count(),
        AuditEntry.objects.count(),
    )

    out = load("--province", "Lào Cai")

    assert "Nothing to change: Tỉnh Lào Cai [lao-cai-2025]" in out
    assert "already loaded (99 communes and wards)" in out
    assert (
        Organisation.objects.count(),
        Succession.objects.count(),
        AuditEntry.objects.count(),
    ) == before


def test_every_organisation_created_is_audited_as_cli_by_the_system(db: None) -> None:
    load("--province", "Lào Cai")

    province = present_lao_cai()
    created = Organisation.objects.filter(province=province).count() + 1
    entries = AuditEntry.objects.filter(
        action__in=["orgs.province.create", "orgs.organisation.create"]
    )
    assert entries.count() == created == 101
    assert set(entries.values_list("channel", "province_id")) == {("cli", province.pk)}
    assert not entries.filter(actor__isnull=False).exists()
    ward = Organisation.objects.get(province=province, code="phuong-lao-cai-02647")
    entry = entries.get(object_id=str(ward.pk))
    assert entry.changes["name"] == [None, "UBND phường Lào Cai"]
    assert entry.changes["valid_from"] == [None, "2025-07-01"]


def test_an_unknown_province_is_refused_with_the_close_names(db: None) -> None:
    with pytest.raises(
        CommandError, match=r"No province named 'Lao Kai'.*Did you mean: Lào Cai \(15\)"
    ):
        load("--province", "Lao Kai")
    assert not Organisation.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_merged_province_is_refused_with_the_one_it_became_part_of(db: None) -> None:
    with pytest.raises(CommandError, match=r"Yên Bái was merged into Tỉnh Lào Cai \(code 15\)"):
        load("--province", "Yên Bái")
    assert not Organisation.objects.exists()


def test_the_old_provinces_are_closed_and_linked_to_the_merged_one(
    lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    load("--province", "Lào Cai")

    present = present_lao_cai()
    for old in (lao_cai.province, yen_bai.province):
        old.refresh_from_db()
        assert old.valid_to == JULY_2025
        link = Succession.objects.get(predecessor=old)
        assert (link.successor, link.kind, link.on) == (present, "merged", JULY_2025)
        assert "202/2025/QH15" in link.note
        assert AuditEntry.objects.filter(
            action="orgs.organisation.close", object_id=str(old.pk), channel="cli"
        ).exists()
    new_ppc = Organisation.objects.get(province=present, kind=OrgKind.PPC)
    assert Succession.objects.get(predecessor=lao_cai.ppc).successor == new_ppc


def test_old_communes_and_districts_lead_to_the_new_communes(lao_cai: LaoCai) -> None:
    out = load("--province", "Lào Cai")

    present = present_lao_cai()
    coc_leu = Succession.objects.get(predecessor=lao_cai.commune)
    assert (coc_leu.successor.code, coc_leu.kind) == ("phuong-lao-cai-02647", "merged")
    city = Succession.objects.filter(predecessor=lao_cai.city)
    assert {s.successor.short_name for s in city} == {
        "Phường Lào Cai",
        "Phường Cam Đường",
        "Xã Cốc San",
        "Xã Gia Phú",
        "Xã Hợp Thành",
    }
    assert {s.kind for s in city} == {"transferred"}
    assert all(s.successor.province == present for s in city)
    lao_cai.city.refresh_from_db()
    assert lao_cai.city.valid_to == JULY_2025
    assert "UBND phường Cốc Lếu [coc-leu] → UBND phường Lào Cai" in out


def test_the_province_as_of_a_day_after_the_merger_is_the_new_one(lao_cai: LaoCai) -> None:
    load("--province", "Lào Cai")

    after = Organisation.objects.provinces().as_of(date(2025, 8, 1))
    before = Organisation.objects.provinces().as_of(date(2025, 6, 30))
    assert list(after.values_list("code", flat=True)) == ["lao-cai-2025"]
    assert list(before.values_list("code", flat=True)) == ["lao-cai"]


def test_only_an_administrator_may_load_a_province(coordinator: User, lao_cai: LaoCai) -> None:
    unit = admin_units.find_province("15")
    assert unit is not None
    with pytest.raises(PermissionDenied):
        actions.load_province_structure(by=coordinator, unit=unit)
    assert not Organisation.objects.filter(valid_from=JULY_2025).exists()


def test_an_administrator_loads_a_city_through_the_action(db: None) -> None:
    admin = User.objects.create_superuser("quantri", password="x-Very-long-1")
    unit = admin_units.find_province("Huế")
    assert unit is not None

    result = actions.load_province_structure(by=admin, unit=unit)

    assert result.province.code == "hue-2025"
    ppc = Organisation.objects.get(province=result.province, kind=OrgKind.PPC)
    assert (ppc.name, ppc.code) == ("Ủy ban nhân dân thành phố Huế", "ubnd-thanh-pho")
    assert result.communes == len(admin_units.communes_of(unit))
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {admin.pk}


def test_what_is_already_there_is_kept_as_it_was_recorded(lao_cai: LaoCai) -> None:
    present = actions.create_province(
        by=None, name="Tỉnh Lào Cai", code="lao-cai-2025", valid_from=JULY_2025
    )
    ward = actions.create_organisation(
        by=None,
        province=present,
        kind=OrgKind.COMMUNE,
        name="UBND phường Lào Cai (nhập tay)",
        code="phuong-lao-cai-02647",
        valid_from=JULY_2025,
    )
    actions.close_organisation(
        lao_cai.commune,
        by=None,
        on=JULY_2025,
        successors=[actions.SuccessorLink(ward, "renamed", "ghi tay")],
    )

    result = actions.load_province_structure(by=None, unit=admin_units.find_province("15"))  # type: ignore[arg-type]

    assert result.province == present
    assert result.communes == 98
    ward.refresh_from_db()
    assert ward.name == "UBND phường Lào Cai (nhập tay)"
    link = Succession.objects.get(predecessor=lao_cai.commune)
    assert (link.successor, link.kind, link.note) == (ward, "renamed", "ghi tay")
    assert lao_cai.commune not in result.linked
    assert lao_cai.city in result.linked
