"""Submitting: every leaf has a value or an explanation, missing or partial evidence is
explained; evidence documents are recorded once and cited from several entries."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from parindex.assessment import actions
from parindex.assessment.actions import EntryInput
from parindex.assessment.models import Document, Entry, UnitStatus
from parindex.orgs.models import User
from tests.assessment.conftest import Open2020, complete, fresh, save

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def refusal(unit: object, by: User) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        actions.submit_unit(fresh(unit), by=by)  # type: ignore[arg-type]
    return refused.value.messages


def test_submitting_names_every_leaf_without_a_value_or_an_explanation(
    open_2020: Open2020, head: User
) -> None:
    save(open_2020.justice, head, _1_1=EntryInput(band="Ban hành kịp thời", explanation="Có"))
    messages = refusal(open_2020.justice, head)
    assert [m.split(" ")[0] for m in messages] == ["1.2", "1.3", "2.1"]
    assert "explain why there is none" in messages[0]
    assert fresh(open_2020.justice).status == UnitStatus.DRAFT


def test_a_value_without_evidence_needs_an_explanation(open_2020: Open2020, head: User) -> None:
    complete(open_2020.justice, head)
    save(open_2020.justice, head, _2_1=EntryInput(explanation=""))
    messages = refusal(open_2020.justice, head)
    assert len(messages) == 1 and messages[0].startswith("2.1")
    assert "attach evidence" in messages[0]


def test_partial_evidence_needs_an_explanation_even_with_a_document(
    open_2020: Open2020, head: User
) -> None:
    complete(open_2020.justice, head)
    actions.add_document(
        fresh(open_2020.justice), by=head, number="15/QĐ-STP", title="Quyết định", codes=["2.1"]
    )
    save(open_2020.justice, head, _2_1=EntryInput(explanation="", evidence_partial=True))
    messages = refusal(open_2020.justice, head)
    assert len(messages) == 1 and "partial" in messages[0]


def test_a_leaf_explained_but_without_a_value_may_be_submitted(
    open_2020: Open2020, head: User
) -> None:
    complete(open_2020.justice, head)
    save(open_2020.justice, head, _1_3=EntryInput(value=None, explanation="Chưa có số liệu"))
    unit = actions.submit_unit(fresh(open_2020.justice), by=head)
    assert unit.status == UnitStatus.SUBMITTED
    assert unit.submitted_by == head
    assert unit.self_total == 4  # 2 + 1 + 0 + 1


def test_a_document_cited_by_a_leaf_is_evidence_enough(open_2020: Open2020, head: User) -> None:
    complete(open_2020.justice, head)
    document = actions.add_document(fresh(open_2020.justice), by=head, number="12/KH-STP")
    save(
        open_2020.justice,
        head,
        **{
            f"_{code.replace('.', '_')}": EntryInput(explanation="", documents=[document.pk])
            for code in ("1.1", "1.2", "1.3", "2.1")
        },
    )
    assert actions.submit_unit(fresh(open_2020.justice), by=head).status == UnitStatus.SUBMITTED


def test_the_reporter_cannot_submit_only_the_head(
    open_2020: Open2020, reporter: User, head: User
) -> None:
    complete(open_2020.justice, reporter)
    with pytest.raises(PermissionDenied):
        actions.submit_unit(fresh(open_2020.justice), by=reporter)
    actions.submit_unit(fresh(open_2020.justice), by=head)


def test_a_submitted_self_assessment_cannot_be_changed(open_2020: Open2020, head: User) -> None:
    complete(open_2020.justice, head)
    unit = actions.submit_unit(fresh(open_2020.justice), by=head)
    with pytest.raises(PermissionDenied):
        actions.save_entries(
            unit, by=head, version=unit.version, entries={"2.1": EntryInput(value="3")}
        )


def test_one_uploaded_document_is_cited_from_several_leaves_without_a_second_upload(
    open_2020: Open2020, reporter: User, media: None
) -> None:
    unit = fresh(open_2020.justice)
    document = actions.add_document(
        unit,
        by=reporter,
        number="12/KH-STP",
        issuer="Sở Tư pháp",
        upload=SimpleUploadedFile("ke-hoach.pdf", PDF),
        codes=["1.1"],
    )
    actions.attach_document(document, by=reporter, codes=["1.2", "1.1"])
    assert Document.objects.count() == 1
    assert document.content_type == "application/pdf"
    cited = sorted(Entry.objects.filter(documents=document).values_list("node__code", flat=True))
    assert cited == ["1.1", "1.2"]


def test_a_file_that_is_not_a_document_is_refused(
    open_2020: Open2020, reporter: User, media: None
) -> None:
    with pytest.raises(ValidationError, match="not a PDF"):
        actions.add_document(
            fresh(open_2020.justice),
            by=reporter,
            number="1",
            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert not Document.objects.exists()


def test_another_units_document_cannot_be_cited(
    open_2020: Open2020, reporter: User, other_reporter: User
) -> None:
    theirs = actions.add_document(fresh(open_2020.office), by=other_reporter, number="5/BC-VP")
    unit = fresh(open_2020.justice)
    _saved, errors = actions.save_entries(
        unit, by=reporter, version=unit.version, entries={"1.1": EntryInput(documents=[theirs.pk])}
    )
    assert f"document-{theirs.pk}" in errors


def test_a_document_needs_a_number_a_title_or_a_file(open_2020: Open2020, reporter: User) -> None:
    with pytest.raises(ValidationError):
        actions.add_document(fresh(open_2020.justice), by=reporter, issuer="Sở Tư pháp")


def test_another_agency_cannot_add_documents_to_a_unit(
    open_2020: Open2020, other_reporter: User
) -> None:
    with pytest.raises(PermissionDenied):
        actions.add_document(fresh(open_2020.justice), by=other_reporter, number="1")


def test_a_document_number_longer_than_its_column_is_refused_naming_the_field(
    open_2020: Open2020, reporter: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.add_document(fresh(open_2020.justice), by=reporter, number="1" * 65)
    assert "number" in refused.value.message_dict
    assert not Document.objects.exists()


def test_the_last_guard_checks_assessment_rows_before_the_database(open_2020: Open2020) -> None:
    document = Document(unit=open_2020.justice, number="1" * 65)
    with pytest.raises(ValidationError) as refused:
        document.save()
    assert "number" in refused.value.message_dict
