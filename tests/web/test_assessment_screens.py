"""The assessment screens: the coordinator's list and assessment, a unit's self-assessment, its
appraisal, the answers to returned items, and the results; who sees and does what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from parindex.assessment import actions
from parindex.assessment.models import (
    Appraisal,
    AssessedUnit,
    Assessment,
    AssessmentStatus,
    Document,
    Entry,
    UnitStatus,
)
from parindex.methodology.models import Framework
from parindex.orgs.models import AuditEntry, User
from tests.assessment.conftest import Open2020, complete, fresh, open_2020, save, tree
from tests.assessment.test_proposals import reported
from tests.conftest import LaoCai
from tests.web.pages import alerts, field_errors, page, parse, vi

__all__ = ["open_2020", "reported", "tree"]  # fixtures used by name below

ClientFor = Callable[[User], Client]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def unit_url(unit: AssessedUnit) -> str:
    return reverse("unit_detail", args=[unit.pk])


def form(unit: AssessedUnit, **fields: str) -> dict[str, object]:
    """What the self-assessment form posts: the version, the shown leaves, the fields given."""
    unit = fresh(unit)
    codes = sorted({name.split("-")[0] for name in fields})
    return {"version": str(unit.version), "leaf": codes, **fields}


def entry(unit: AssessedUnit, code: str) -> Entry:
    return Entry.objects.get(unit=unit, node__code=code)


def submitted(units: Open2020, head: User) -> AssessedUnit:
    unit = complete(units.justice, head)
    document = actions.add_document(
        unit, by=head, number="12/KH-STP", title="Kế hoạch", codes=["1.1", "1.2", "1.3", "2.1"]
    )
    assert document.pk
    return actions.submit_unit(fresh(unit), by=head)


# --- the list, the navigation and opening -------------------------------------------------------


def test_the_navigation_leads_to_the_assessments_and_each_person_sees_their_part(
    client_for: ClientFor,
    open_2020: Open2020,
    reporter: User,
    appraiser: User,
    coordinator: User,
    citizen: User,
) -> None:
    doc = page(client_for(reporter).get("/"))
    assert doc.one("a", **{"data-nav": "assessments"}).attrs["href"] == "/assessments/"
    assert not page(client_for(citizen).get("/")).select("a", **{"data-nav": "assessments"})
    mine = page(client_for(reporter).get("/assessments/"))
    assert [tr.attrs["data-unit"] for tr in mine.select("tr") if "data-unit" in tr.attrs] == [
        str(open_2020.justice.pk)
    ]
    assert not mine.select("a", **{"data-open-assessment": ""})
    theirs = page(client_for(appraiser).get("/assessments/"))
    assert theirs.select(**{"data-section": "to-appraise"})
    assert page(client_for(coordinator).get("/assessments/")).select(
        "a", **{"data-open-assessment": ""}
    )


def test_a_coordinator_opens_an_assessment_and_a_bad_year_is_named_beside_its_field(
    client_for: ClientFor, tree: Framework, coordinator: User
) -> None:
    client = client_for(coordinator)
    refused = client.post(
        "/assessments/new/",
        {"framework": tree.pk, "year": "1800", "scope": "departments", "deadline": "2021-01-15"},
    )
    assert field_errors(parse(refused.content), "year") == [vi("Enter a year such as 2020.")]
    assert not Assessment.objects.exists()
    response = client.post(
        "/assessments/new/",
        {"framework": tree.pk, "year": "2020", "scope": "departments", "deadline": "2021-01-15"},
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_detail", args=[assessment.pk])
    assert assessment.units.count() == 3


def test_only_coordinators_open_edit_close_and_publish(
    client_for: ClientFor, open_2020: Open2020, head: User, appraiser: User, leader: User
) -> None:
    pk = open_2020.assessment.pk
    for person in (head, appraiser, leader):
        client = client_for(person)
        assert client.get("/assessments/new/").status_code == 403
        assert client.post(f"/assessments/{pk}/edit/", {"title": "x"}).status_code == 403
        assert client.post(f"/assessments/{pk}/survey/", {"results": ""}).status_code == 403
        unit_pk = open_2020.justice.pk
        assert client.post(f"/assessments/units/{unit_pk}/appraiser/", {}).status_code == 403
        assert client.post(f"/assessments/{pk}/close/").status_code == 403
    assert Assessment.objects.get(pk=pk).status == AssessmentStatus.OPEN


def test_the_coordinator_edits_title_deadline_and_classification(
    client_for: ClientFor, open_2020: Open2020, coordinator: User
) -> None:
    pk = open_2020.assessment.pk
    client = client_for(coordinator)
    refused = client.post(
        f"/assessments/{pk}/edit/",
        {"title": "Đánh giá 2020", "deadline": "2021-02-01", "classes": "Tốt: tám mươi"},
    )
    assert refused.status_code == 200
    assert field_errors(parse(refused.content), "classes")
    assert Assessment.objects.get(pk=pk).title != "Đánh giá 2020"
    client.post(
        f"/assessments/{pk}/edit/",
        {"title": "Đánh giá 2020", "deadline": "2021-02-01", "classes": "Tốt: 80\nKhá: 0"},
    )
    saved = Assessment.objects.get(pk=pk)
    assert (saved.title, saved.deadline) == ("Đánh giá 2020", date(2021, 2, 1))
    assert [c["label"] for c in saved.classes] == ["Tốt", "Khá"]


def test_the_coordinator_changes_a_units_appraiser(
    client_for: ClientFor, open_2020: Open2020, coordinator: User, appraiser: User
) -> None:
    unit = open_2020.office
    client_for(coordinator).post(
        f"/assessments/units/{unit.pk}/appraiser/", {"appraiser": appraiser.pk}
    )
    assert fresh(unit).appraiser_id == appraiser.pk
    client_for(coordinator).post(f"/assessments/units/{unit.pk}/appraiser/", {"appraiser": ""})
    assert fresh(unit).appraiser_id is None


def test_survey_results_are_entered_all_or_nothing(
    client_for: ClientFor, open_2020: Open2020, coordinator: User, lao_cai: LaoCai
) -> None:
    client = client_for(coordinator)
    pk = open_2020.assessment.pk
    justice = lao_cai.justice.code
    refused = client.post(
        f"/assessments/{pk}/survey/", {"results": f"{justice},2.2,80\nNOPE,2.2,70"}
    )
    assert field_errors(parse(refused.content), "results")
    assert entry(open_2020.justice, "2.2").value is None
    client.post(f"/assessments/{pk}/survey/", {"results": f"unit,code,value\n{justice},2.2,80"})
    assert entry(open_2020.justice, "2.2").self_points == Decimal("1.6")


# --- self-assessment ----------------------------------------------------------------------------


def test_a_reporter_saves_values_and_the_scores_update_per_leaf_domain_and_total(
    client_for: ClientFor, open_2020: Open2020, reporter: User
) -> None:
    unit = open_2020.justice
    response = client_for(reporter).post(
        unit_url(unit),
        form(
            unit,
            **{
                "1.1-band": "Ban hành kịp thời",
                "1.2-numerator": "80",
                "1.2-denominator": "100",
                "2.1-value": "3",
            },
        ),
    )
    assert response.status_code == 302
    saved = fresh(unit)
    assert saved.self_total == Decimal(5)
    doc = page(client_for(reporter).get(unit_url(unit)))
    assert doc.one(**{"data-domain-points": "1"}).text.startswith("3")
    assert doc.one(**{"data-self-points": "1.2"}).text.startswith("1")
    assert doc.one(**{"data-total": "self"}).text == "5,00"


def test_a_saved_rate_is_typed_back_the_vietnamese_way_and_an_unchanged_save_records_nothing(
    client_for: ClientFor, open_2020: Open2020, reporter: User
) -> None:
    unit = open_2020.justice
    client = client_for(reporter)
    client.post(unit_url(unit), form(unit, **{"1.3-value": "95,5", "2.1-value": "1234"}))
    doc = page(client.get(unit_url(unit)))
    typed = {
        name: doc.one("input", name=name).attrs["value"] for name in ("1.3-value", "2.1-value")
    }
    assert typed == {"1.3-value": "95,5", "2.1-value": "1234"}
    client.post(unit_url(unit), form(unit, **typed))
    assert AuditEntry.objects.filter(action="assessment.unit.save").count() == 1


def test_saving_a_value_again_as_it_is_stored_is_no_change_in_the_history(
    open_2020: Open2020, reporter: User
) -> None:
    unit = save(
        open_2020.justice, reporter, _1_2=actions.EntryInput(numerator="80", denominator="100")
    )
    again = save(unit, reporter, _1_2=actions.EntryInput(numerator="80,0", denominator="100"))
    assert again.version == unit.version + 1
    assert AuditEntry.objects.filter(action="assessment.unit.save").count() == 1


def test_the_points_of_a_value_appear_as_it_is_typed_without_saving(
    client_for: ClientFor, open_2020: Open2020, reporter: User
) -> None:
    unit = open_2020.justice
    url = reverse("unit_leaf_points", args=[unit.pk, "1.2"])
    client = client_for(reporter)
    shown = client.get(url, {"1.2-numerator": "95", "1.2-denominator": "100"})
    assert "2,00" in parse(shown.content).text
    assert "Từ 90% trở lên" in parse(shown.content).text
    wrong = client.get(url, {"1.2-numerator": "abc", "1.2-denominator": "100"})
    assert parse(wrong.content).select(cls="text-red")
    assert fresh(unit).self_total == 0
    assert client.get(reverse("unit_leaf_points", args=[unit.pk, "9.9"])).status_code == 404


def test_a_reported_value_is_proposed_with_its_source_and_taken_with_one_button(
    client_for: ClientFor, reported: AssessedUnit, head: User
) -> None:
    client = client_for(head)
    doc = page(client.get(unit_url(reported)))
    proposal = doc.one(**{"data-proposal": "1.3"})
    assert "91 / 100" in proposal.text
    assert "từ Báo cáo quý IV" in proposal.text
    response = client.post(
        unit_url(reported), {**form(reported, **{"1.3-explanation": ""}), "take": "1.3"}
    )
    assert response.status_code == 302
    taken = entry(reported, "1.3")
    assert (taken.numerator, taken.denominator, taken.self_points) == (
        Decimal(91),
        Decimal(100),
        Decimal("1.82"),
    )
    link = page(client.get(unit_url(reported))).one("a", **{"data-source-report": ""})
    assert link.attrs["href"] == reverse("report_detail", args=[taken.source_report_id])


def test_a_refused_save_shows_each_error_beside_its_field_and_saves_nothing(
    client_for: ClientFor, open_2020: Open2020, reporter: User
) -> None:
    unit = open_2020.justice
    before = fresh(unit).version
    response = client_for(reporter).post(
        unit_url(unit),
        form(
            unit,
            **{
                "1.1-band": "Ban hành kịp thời",
                "1.2-numerator": "-5",
                "1.2-denominator": "100",
                "2.1-value": "ba",
            },
        ),
    )
    assert response.status_code == 422
    doc = parse(response.content)
    assert field_errors(doc, "1.2-numerator")
    assert field_errors(doc, "2.1-value")
    assert doc.one("input", name="2.1-value").attrs["value"] == "ba"
    saved = fresh(unit)
    assert (saved.version, entry(unit, "1.1").band) == (before, "")


def test_a_stale_save_is_refused_naming_what_changed_and_keeps_what_was_typed(
    client_for: ClientFor, open_2020: Open2020, reporter: User, head: User
) -> None:
    unit = open_2020.justice
    old = form(unit, **{"2.1-value": "1"})
    save(unit, head, _2_1=actions.EntryInput(value="4"))
    response = client_for(reporter).post(unit_url(unit), old)
    assert response.status_code == 409
    doc = parse(response.content)
    assert doc.select(**{"data-stale": ""})
    assert doc.one("input", name="2.1-value").attrs["value"] == "1"
    assert "4" in doc.one(**{"data-saved-now": ""}).text
    assert entry(unit, "2.1").value == 4


def test_hostile_text_is_shown_escaped(
    client_for: ClientFor, open_2020: Open2020, reporter: User
) -> None:
    unit = open_2020.justice
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    save(unit, reporter, _1_1=actions.EntryInput(explanation=hostile))
    actions.add_document(fresh(unit), by=reporter, number=hostile, codes=["1.1"])
    content = client_for(reporter).get(unit_url(unit)).content.decode()
    assert "<script>alert" not in content and "<img src=x" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content


def test_evidence_is_recorded_once_and_cited_from_another_leaf_by_ticking_it(
    client_for: ClientFor, open_2020: Open2020, reporter: User
) -> None:
    unit = open_2020.justice
    client = client_for(reporter)
    response = client.post(
        reverse("unit_document_add", args=[unit.pk]),
        {
            "number": "12/KH-STP",
            "date": "2020-03-01",
            "issuer": "Sở Tư pháp",
            "codes": ["1.1"],
            "file": SimpleUploadedFile("kh.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    client.post(unit_url(unit), form(unit, **{"1.2-documents": str(document.pk)}))
    assert set(document.entries.values_list("node__code", flat=True)) == {"1.1", "1.2"}
    download = client.get(reverse("unit_document_download", args=[document.pk]))
    assert download.status_code == 200
    refused = client.post(reverse("unit_document_add", args=[unit.pk]), {"date": "hôm qua"})
    assert field_errors(parse(refused.content), "date")
    assert Document.objects.count() == 1


def test_the_head_submits_and_the_page_lists_what_blocks_submission(
    client_for: ClientFor, open_2020: Open2020, head: User, reporter: User
) -> None:
    unit = open_2020.justice
    doc = page(client_for(head).get(unit_url(unit)))
    assert len(doc.one(**{"data-problems": ""}).select("li")) == 4
    assert not page(client_for(reporter).get(unit_url(unit))).select(
        "button", **{"data-submit": ""}
    )
    refused = client_for(reporter).post(unit_url(unit), {**form(unit), "submit": "1"})
    assert refused.status_code == 403
    complete(unit, head)
    response = client_for(head).post(unit_url(unit), {**form(unit), "submit": "1"}, follow=True)
    assert vi("The self-assessment was submitted for appraisal.") in alerts(parse(response.content))
    assert fresh(unit).status == UnitStatus.SUBMITTED


def test_another_unit_and_outsiders_cannot_see_a_self_assessment(
    client_for: ClientFor, open_2020: Open2020, other_reporter: User, outsider: User, citizen: User
) -> None:
    unit = open_2020.justice
    for person in (other_reporter, outsider, citizen):
        client = client_for(person)
        assert client.get(unit_url(unit)).status_code == 404
        assert client.get(reverse("unit_appraisal", args=[unit.pk])).status_code == 404
        assert client.post(unit_url(unit), form(unit, **{"2.1-value": "3"})).status_code == 404
    assert entry(unit, "2.1").value is None


# --- appraisal ----------------------------------------------------------------------------------


def test_the_appraiser_accepts_scores_and_requests_and_the_unit_answers(
    client_for: ClientFor, open_2020: Open2020, head: User, appraiser: User
) -> None:
    unit = submitted(open_2020, head)
    client = client_for(appraiser)
    appraise = reverse("unit_appraise", args=[unit.pk, "1.1"])
    client.post(appraise, {"decision": "accept"})
    refused = client.post(
        reverse("unit_appraise", args=[unit.pk, "1.2"]), {"decision": "score", "points": "0,5"}
    )
    assert refused.status_code == 422
    assert parse(refused.content).one(**{"data-error": "1.2"}).text
    client.post(
        reverse("unit_appraise", args=[unit.pk, "1.2"]),
        {"decision": "score", "points": "0,5", "comment": "Thiếu số liệu quý IV"},
    )
    client.post(
        reverse("unit_appraise", args=[unit.pk, "2.1"]),
        {"decision": "request", "comment": "Gửi quyết định công nhận sáng kiến"},
    )
    assert fresh(unit).status == UnitStatus.RETURNED
    doc = page(client.get(reverse("unit_appraisal", args=[unit.pk])))
    assert doc.one(**{"data-self": "1.2"}).text == "1,00"
    assert doc.one(**{"data-appraised": "1.2"}).text == "0,50"
    assert doc.select(**{"data-action": "assessment.unit.appraise"})
    own = page(client_for(head).get(unit_url(unit)))
    assert own.one(**{"data-returned": ""})
    assert own.select("textarea", name="2.1-answer")
    assert not own.select("input", name="1.1-band")  # only returned items can change
    empty = client_for(head).post(reverse("unit_answer", args=[unit.pk, "2.1"]), {"2.1-answer": ""})
    assert empty.status_code == 422
    assert field_errors(parse(empty.content), "2.1-answer")
    client_for(head).post(
        reverse("unit_answer", args=[unit.pk, "2.1"]), {"2.1-answer": "Đã bổ sung QĐ 45"}
    )
    assert fresh(unit).status == UnitStatus.ANSWERED
    assert entry(unit, "2.1").appraisal == Appraisal.ANSWERED
    client.post(reverse("unit_finish", args=[unit.pk]))
    assert fresh(unit).status == UnitStatus.APPRAISED


def test_only_the_units_appraiser_or_a_coordinator_appraises(
    client_for: ClientFor, open_2020: Open2020, head: User, reporter: User, leader: User
) -> None:
    unit = submitted(open_2020, head)
    for person in (reporter, leader, head):
        client = client_for(person)
        doc = page(client.get(reverse("unit_appraisal", args=[unit.pk])))
        assert not doc.select("form", **{"data-appraise-form": "1.1"})
        client.post(reverse("unit_appraise", args=[unit.pk, "1.1"]), {"decision": "accept"})
        client.post(reverse("unit_finish", args=[unit.pk]))
    assert entry(unit, "1.1").appraisal == ""
    assert fresh(unit).status == UnitStatus.SUBMITTED


# --- results ------------------------------------------------------------------------------------


def finish_all(units: Open2020, coordinator: User, head: User) -> Assessment:
    submitted(units, head)
    for unit in (units.justice, units.office, units.home_affairs):
        current = fresh(unit)
        if current.status == UnitStatus.DRAFT:
            current.status = UnitStatus.SUBMITTED  # the other units submitted too
            current.save(update_fields=["status"])
        actions.finish_unit_appraisal(fresh(unit), by=coordinator)
    actions.close_appraisal(units.assessment, by=coordinator)
    return Assessment.objects.get(pk=units.assessment.pk)


def test_the_ranking_is_for_home_affairs_and_leaders_until_published_then_for_everyone(
    client_for: ClientFor, open_2020: Open2020, coordinator: User, head: User, leader: User
) -> None:
    assessment = finish_all(open_2020, coordinator, head)
    url = reverse("assessment_results", args=[assessment.pk])
    assert client_for(head).get(url).status_code == 403
    doc = page(client_for(leader).get(url))
    ranks = [tr.attrs["data-rank"] for tr in doc.select("tr") if "data-rank" in tr.attrs]
    assert ranks == ["1", "2", "2"]  # two units with nothing entered share the second rank
    client_for(coordinator).post(reverse("assessment_publish", args=[assessment.pk]))
    published = page(client_for(head).get(url))
    first = next(tr for tr in published.select("tr") if tr.attrs.get("data-rank") == "1")
    assert first.attrs["data-unit"] == str(open_2020.justice.pk)
    assert first.one(**{"data-final": ""}).one("a").attrs["href"] == reverse(
        "unit_appraisal", args=[open_2020.justice.pk]
    )
    assert published.select("a", **{"data-lost-code": "1.2"})


def test_the_coordinator_cannot_close_while_a_unit_is_not_appraised(
    client_for: ClientFor, open_2020: Open2020, coordinator: User
) -> None:
    response = client_for(coordinator).post(
        reverse("assessment_close", args=[open_2020.assessment.pk]), follow=True
    )
    office = vi(
        "%(unit)s is not appraised yet (%(status)s).",
        unit=open_2020.office.organisation.name,
        status=vi("Self-assessing"),
    )
    assert any(office in a for a in alerts(parse(response.content)))
    assert Assessment.objects.get(pk=open_2020.assessment.pk).status == AssessmentStatus.OPEN


def test_a_score_links_back_to_who_entered_it_and_the_audit_keeps_each_change(
    client_for: ClientFor, open_2020: Open2020, reporter: User, coordinator: User
) -> None:
    unit = open_2020.justice
    client_for(reporter).post(unit_url(unit), form(unit, **{"2.1-value": "3"}))
    doc = page(client_for(coordinator).get(reverse("unit_appraisal", args=[unit.pk])))
    leaf = doc.one(**{"data-leaf": "2.1"})
    assert str(reporter.full_name or reporter.username) in leaf.one(**{"data-entered-by": ""}).text
    assert "within" in leaf.one(**{"data-trace": ""}).text
    assert AuditEntry.objects.filter(action="assessment.unit.save").count() == 1


@pytest.mark.parametrize("path", ["/assessments/", "/assessments/new/"])
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, path: str, db: None) -> None:
    assert client.get(path).status_code == 302


def test_the_ranking_and_a_units_scores_link_to_their_exports(
    client_for: ClientFor, open_2020: Open2020, coordinator: User
) -> None:
    assessment = open_2020.assessment
    results = reverse("assessment_results", args=[assessment.pk])
    unit = reverse("unit_detail", args=[open_2020.justice.pk])
    client = client_for(coordinator)
    links = page(client.get(results)).select("a", **{"data-export": "xlsx"})
    assert [a.attrs["href"] for a in links] == [
        f"/exports/assessment-ranking.xlsx?assessment={assessment.pk}"
    ]
    docx = page(client.get(unit)).one("a", **{"data-export": "docx"})
    assert docx.attrs["href"] == f"/exports/assessment-unit.docx?unit={open_2020.justice.pk}"
    assert client.get(docx.attrs["href"]).status_code == 200


def test_the_self_assessment_page_costs_the_same_queries_however_much_evidence_it_cites(
    client_for: ClientFor,
    open_2020: Open2020,
    reporter: User,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    unit = open_2020.justice
    client = client_for(reporter)
    actions.add_document(fresh(unit), by=reporter, number="1/KH", codes=["1.1"])
    client.get(unit_url(unit))  # the session and caches warm up
    with CaptureQueriesContext(connection) as one:
        page(client.get(unit_url(unit)))
    for n in range(2, 7):
        actions.add_document(
            fresh(unit), by=reporter, number=f"{n}/KH", codes=["1.1", "1.2", "2.1"]
        )
    save(unit, reporter, _2_1=actions.EntryInput(value="3"), _1_3=actions.EntryInput(value="90"))
    with django_assert_num_queries(len(one.captured_queries)):
        page(client.get(unit_url(unit)))


@pytest.mark.parametrize(
    "name", ["assessment_detail", "assessment_results", "unit_appraisal", "assessment_list"]
)
def test_pages_that_only_show_refuse_a_post(
    client_for: ClientFor, open_2020: Open2020, coordinator: User, name: str
) -> None:
    args = {
        "assessment_detail": [open_2020.assessment.pk],
        "assessment_results": [open_2020.assessment.pk],
        "unit_appraisal": [open_2020.justice.pk],
        "assessment_list": [],
    }[name]
    assert client_for(coordinator).post(reverse(name, args=args)).status_code == 405
