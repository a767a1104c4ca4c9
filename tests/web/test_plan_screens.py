"""The plan screens: upload a plan, review it beside the original text, correct it, approve it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parindex.orgs.models import Organisation, OrgKind, User
from parindex.plans import actions
from parindex.plans.models import ImportStatus, Plan, PlanImport, Quantity, Target
from tests.conftest import LaoCai
from tests.plans.support import (
    NEWS,
    NOTHING,
    SEED,
    SEED_ANSWER,
    SEED_BYTES,
    SEED_TEXT,
    SeedAgencies,
    add_seed_agencies,
    answer_open_measures,
    illustrative_tree,
    plan_rows,
    small_plan,
)
from tests.web.pages import Element, alerts, form_errors, heading, page, vi

ClientFor = Callable[[User], Client]


@pytest.fixture
def seed_agencies(lao_cai: LaoCai) -> SeedAgencies:
    """The cast province with every agency the seed names, and its criteria tree for 2020."""
    agencies = add_seed_agencies(lao_cai.province)
    illustrative_tree(lao_cai.province)
    return agencies


@pytest.fixture
def as_coordinator(coordinator: User, client_for: ClientFor, seed_agencies: SeedAgencies) -> Client:
    """One browser session of the coordinator's (flash messages live in it)."""
    return client_for(coordinator)


def upload(client: Client, name: str = SEED.name, data: bytes = SEED_BYTES) -> Any:
    return client.post(
        "/plans/import/", {"file": SimpleUploadedFile(name, data, content_type="text/plain")}
    )


@pytest.fixture
def staged(as_coordinator: Client) -> PlanImport:
    response = upload(as_coordinator)
    staged = PlanImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/plans/imports/{staged.pk}/"
    return answer_open_measures(staged)


def review_url(staged: PlanImport) -> str:
    return f"/plans/imports/{staged.pk}/"


def raw_text(element: Element) -> str:
    return "".join(child for child in element.children if isinstance(child, str))


def form_fields(doc: Element) -> dict[str, list[str]]:
    """What the review form submits as it stands, the way a browser would (no button pressed)."""
    fields: dict[str, list[str]] = {}
    form = doc.one("form", data_review=True)
    for element in form.iter():
        name = element.attrs.get("name")
        if not name:
            continue
        if element.tag == "input":
            if (
                element.attrs.get("type") in ("checkbox", "radio")
                and "checked" not in element.attrs
            ):
                continue
            if element.attrs.get("type") in ("submit", "button", "file"):
                continue
            fields.setdefault(name, []).append(element.attrs.get("value", ""))
        elif element.tag == "textarea":
            fields.setdefault(name, []).append(raw_text(element).removeprefix("\n"))
        elif element.tag == "select":
            options = element.select("option")
            chosen = [o for o in options if "selected" in o.attrs]
            if not chosen and "multiple" not in element.attrs and options:
                chosen = options[:1]
            fields.setdefault(name, []).extend(o.attrs.get("value", o.text) for o in chosen)
    return fields


def answered(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """The form with the question on what a figure is answered as the coordinator does."""
    return {
        name: [SEED_ANSWER] if name.endswith("-measure") and values == [""] else values
        for name, values in fields.items()
    }


def review_form(client: Client, staged: PlanImport) -> dict[str, list[str]]:
    return form_fields(page(client.get(review_url(staged))))


def agency_field(doc: Element, name: str) -> str:
    """The review form's field for an agency name as written in the plan (ag0, ag1, ...)."""
    return doc.one("select", aria_label=name).attrs["name"]


def quantity_row(doc: Element, field: str) -> Element:
    for row in doc.select("div", cls="qrow"):
        if any(e.attrs.get("name") == field for e in row.iter()):
            return row
    raise AssertionError(f"no quantity row with {field}")


def target_of(staged: PlanImport, path: str) -> dict[str, Any]:
    return dict(actions.all_targets(PlanImport.objects.get(pk=staged.pk).proposal))[path]


# --- uploading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["file", "pasted text"])
def test_the_uploaded_seed_opens_its_review_beside_the_original_text_and_creates_no_plan(
    how: str, as_coordinator: Client, coordinator: User
) -> None:
    if how == "file":
        response = upload(as_coordinator)
    else:
        response = as_coordinator.post("/plans/import/", {"text": SEED_TEXT})
    staged = PlanImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == review_url(staged)
    assert (staged.filename, staged.created_by, staged.status) == (
        SEED.name if how == "file" else "pasted.txt",
        coordinator,
        ImportStatus.PENDING,
    )
    assert plan_rows() == {**NOTHING, "PlanImport": 1, "audit": 1}

    doc = page(as_coordinator.get(response["Location"]))
    assert "165/KH-UBND" in heading(doc)
    assert doc.one("input", name="number").attrs["value"] == "165/KH-UBND"
    assert doc.one("input", name="date").attrs["value"] == "11/06/2020"
    lines = doc.one("ol", cls="source-lines").select("li")
    assert len(lines) == len(SEED_TEXT.splitlines())
    assert doc.one("li", id="L17").text == "Số: 165 /KH-UBND"
    # Each target links to its line of the original, and its text is in the form to correct.
    assert len(doc.select("section", data_area=True)) == 8
    first = doc.one("li", data_target="0.0")
    line = staged.proposal["areas"][0]["targets"][0]["line"]
    assert first.has("a", href=f"#L{line}")
    assert doc.one("li", id=f"L{line}").text.startswith("- Bảo đảm hoàn thành 100% kế hoạch CCHC")
    assert (
        raw_text(first.one("textarea", name="t0.0-text"))
        == (staged.proposal["areas"][0]["targets"][0]["text"])
    )
    # Every agency name was matched: nothing flagged. The one thing to settle before approving
    # is the figure whose wording does not say what is reported: the screen asks.
    assert not doc.has("tr", data_unmatched=True)
    assert [li.text for li in doc.one(data_problems=True).select("li")] == [
        vi(
            "%(where)s: say what the reported figure is.",
            where=vi("%(where)s, quantity %(n)s", where=vi("Target %(path)s", path="8.2.2"), n=1),
        )
    ]
    [asked] = doc.select("select", data_asks_measure=True)
    assert asked.attrs["name"] == "q7.1.1-0-measure"
    assert doc.has(data_question="measure")


def test_a_document_that_is_not_a_plan_is_refused_with_a_clear_message(
    as_coordinator: Client,
) -> None:
    doc = page(upload(as_coordinator, "tin-tuc.txt", NEWS.encode()))
    assert form_errors(doc) == [
        vi(
            "%(file)s does not read as a plan: no number, no content areas were found.",
            file="tin-tuc.txt",
        )
    ]
    assert plan_rows() == NOTHING


def test_the_upload_form_needs_a_file_or_a_paste(as_coordinator: Client) -> None:
    doc = page(as_coordinator.post("/plans/import/", {"text": "  "}))
    assert form_errors(doc) == [vi("Choose a file or paste the text of the plan.")]
    assert plan_rows() == NOTHING


# --- reviewing ----------------------------------------------------------------------------------


def test_the_review_asks_what_a_figure_is_where_the_wording_does_not_say_and_stores_the_answer(
    as_coordinator: Client, seed_agencies: SeedAgencies
) -> None:
    upload(as_coordinator)
    staged = PlanImport.objects.get()
    fields = form_fields(page(as_coordinator.get(review_url(staged))))
    # Left unanswered, the question stops approval and nothing is created.
    refused = page(as_coordinator.post(review_url(staged), {**fields, "approve": ["1"]}))
    question = vi(
        "%(where)s: say what the reported figure is.",
        where=vi("%(where)s, quantity %(n)s", where=vi("Target %(path)s", path="8.2.2"), n=1),
    )
    assert question in [li.text for li in refused.one(data_problems=True).select("li")]
    assert Plan.objects.count() == 0
    # Answered (new firms of 2020 over those of 2019, to be 20 % above), the plan is created and
    # the quantity keeps the answer; the budget's "vượt chỉ tiêu từ 4%" was read from its words.
    fields = form_fields(refused)
    assert fields["q7.1.1-0-measure"] == [""]
    fields["q7.1.1-0-measure"] = ["above_reference"]
    response = as_coordinator.post(review_url(staged), {**fields, "approve": ["1"]})
    plan = Plan.objects.get()
    assert response["Location"] == f"/plans/{plan.pk}/"
    measures = {
        q.subject: q.measure
        for q in Quantity.objects.filter(target__plan=plan, unit="percent").exclude(
            relative_kind=""
        )
    }
    assert measures == {
        "tỷ lệ giảm số lượng đơn vị sự nghiệp công lập": "level",
        "tỷ lệ giảm biên chế": "level",
        "tỷ lệ giảm chi trực tiếp ngân sách cho đơn vị sự nghiệp": "level",
        "tỷ lệ doanh nghiệp thành lập mới trong năm 2020": "above_reference",
        "thực hiện thu ngân sách năm 2020 của tỉnh vượt chỉ tiêu được Chính phủ giao": (
            "above_reference"
        ),
    }


def test_the_plan_shows_a_rank_goal_as_the_top_10_and_the_budget_as_exceeding_the_plan(
    staged: PlanImport, as_coordinator: Client, seed_agencies: SeedAgencies
) -> None:
    response = as_coordinator.post(
        review_url(staged), {**review_form(as_coordinator, staged), "approve": ["1"]}
    )
    doc = page(as_coordinator.get(response["Location"]))
    goals = [li.text for li in doc.one("section", data_section="goals").select("li")]
    rank = next(g for g in goals if vi("in the top %(n)s", n="10") in g)
    assert "≤" not in rank
    budget = next(t for t in Target.objects.all() if "thu ngân sách năm 2020" in t.text)
    shown = doc.one("tr", data_target=str(budget.pk)).text
    assert vi("above by %(aim)s", aim="≥ 4 %") in shown


def test_corrections_posted_from_the_review_form_are_stored_in_the_proposal(
    staged: PlanImport, as_coordinator: Client, lao_cai: LaoCai
) -> None:
    doc = page(as_coordinator.get(review_url(staged)))
    fields = form_fields(doc)
    corrected = "Bảo đảm hoàn thành 100% kế hoạch cải cách hành chính năm 2020."
    fields["t0.0-text"] = [corrected]
    # Target 3.1 reads two quantities; the first ("no TTHC issued ultra vires") is removed.
    assert len(target_of(staged, "2.0")["quantities"]) == 2
    fields["q2.0-0-delete"] = ["1"]
    # Target 1.2 (regular reporting) had none; one is added, written the Vietnamese way.
    assert target_of(staged, "0.1")["quantities"] == []
    fields.update(
        {
            "q0.1-new-subject": ["báo cáo định kỳ đúng hạn"],
            "q0.1-new-comparator": [">="],
            "q0.1-new-value": ["95,5"],
            "q0.1-new-unit": ["percent"],
        }
    )
    # "các cơ quan, đơn vị" (who reports, in the duties) becomes the departments only.
    everyone = agency_field(doc, "các cơ quan, đơn vị")
    assert fields[everyone] == ["group:all"]
    fields[everyone] = ["group:department"]

    response = as_coordinator.post(review_url(staged), fields)
    assert response.status_code == 302
    assert response["Location"] == review_url(staged)

    stored = PlanImport.objects.get(pk=staged.pk)
    assert (stored.revision, stored.status, Plan.objects.count()) == (2, ImportStatus.PENDING, 0)
    assert target_of(staged, "0.0")["text"] == corrected
    assert [
        (q["comparator"], q["value"], q["unit"]) for q in target_of(staged, "2.0")["quantities"]
    ] == [("=", 100, "percent")]
    added = target_of(staged, "0.1")["quantities"]
    assert [(q["subject"], q["comparator"], q["value"], q["unit"]) for q in added] == [
        ("báo cáo định kỳ đúng hạn", ">=", 95.5, "percent")
    ]
    departments = set(
        Organisation.objects.filter(province=lao_cai.province, kind=OrgKind.DEPARTMENT)
        .current()
        .values_list("pk", flat=True)
    )
    entry = stored.proposal["agency_map"]["các cơ quan, đơn vị"]
    assert (entry["group"], set(entry["ids"]), entry["chosen"]) == ("department", departments, True)
    # Everything else went through the form as it stood and came back unchanged.
    touched = {"0.0", "0.1", "2.0"}

    def untouched(proposal: dict[str, Any]) -> dict[str, Any]:
        return {
            path: (t["text"], t["quantities"], t["node_ids"])
            for path, t in actions.all_targets(proposal)
            if path not in touched
        }

    assert untouched(stored.proposal) == untouched(staged.proposal)
    assert [a["domain_id"] for a in stored.proposal["areas"]] == [
        a["domain_id"] for a in staged.proposal["areas"]
    ]
    assert stored.framework == staged.framework

    doc = page(as_coordinator.get(review_url(staged)))
    assert vi("Your corrections were saved.") in alerts(doc)
    assert raw_text(doc.one("textarea", name="t0.0-text")) == corrected
    assert doc.one("input", name="q0.1-0-value").attrs["value"] == "95,5"
    assert not doc.has("input", name="q2.0-1-value")
    assert form_fields(doc)[everyone] == ["group:department"]


def test_a_quantity_value_that_is_not_a_number_is_shown_beside_it_and_nothing_is_saved(
    staged: PlanImport, as_coordinator: Client
) -> None:
    fields = review_form(as_coordinator, staged)
    fields["t2.3-text"] = ["Một chỉnh sửa không được lưu."]
    fields["q2.3-0-value"] = ["95 phần trăm"]
    response = as_coordinator.post(review_url(staged), fields)

    doc = page(response)
    assert doc.has(data_errors=True)
    row = quantity_row(doc, "q2.3-0-value")
    assert row.one(cls="q-errors").text == vi("“%(value)s” is not a number.", value="95 phần trăm")
    # Only that row shows an error.
    assert len(doc.select(cls="q-errors")) == 1
    stored = PlanImport.objects.get(pk=staged.pk)
    assert (stored.revision, stored.proposal) == (1, staged.proposal)
    assert plan_rows() == {**NOTHING, "PlanImport": 1, "audit": 1}


def test_a_save_from_a_form_opened_before_someone_elses_save_is_refused(
    staged: PlanImport, as_coordinator: Client, coordinator: User, client_for: ClientFor
) -> None:
    mine = review_form(as_coordinator, staged)
    theirs = review_form(client_for(coordinator), staged)
    theirs["t0.0-text"] = ["Sửa trước."]
    assert client_for(coordinator).post(review_url(staged), theirs).status_code == 302
    mine["t0.0-text"] = ["Sửa sau, trên một trang cũ."]

    response = as_coordinator.post(review_url(staged), mine)
    assert (response.status_code, response["Location"]) == (302, review_url(staged))
    assert target_of(staged, "0.0")["text"] == "Sửa trước."
    assert PlanImport.objects.get(pk=staged.pk).revision == 2
    doc = page(as_coordinator.get(review_url(staged)))
    assert vi(
        "Someone else saved this review meanwhile; reload the page to see their changes."
    ) in alerts(doc)


def test_agencies_closed_since_the_plan_stay_matched_when_the_review_is_saved(
    lao_cai: LaoCai, coordinator: User, client_for: ClientFor
) -> None:
    # A 2020 plan reviewed after the 2025 reorganisation: four of its departments are gone today.
    closed = add_seed_agencies(lao_cai.province, valid_to=date(2025, 3, 1))
    assert closed.finance is not None
    client = client_for(coordinator)
    staged = PlanImport.objects.get(pk=upload(client)["Location"].split("/")[-2])
    mapping = staged.proposal["agency_map"]
    assert mapping["Sở Tài chính"]["ids"] == [closed.finance.pk]

    doc = page(client.get(review_url(staged)))
    fields = answered(form_fields(doc))
    assert fields[agency_field(doc, "Sở Tài chính")] == [str(closed.finance.pk)]
    response = client.post(review_url(staged), {**fields, "approve": ["1"]})
    plan = Plan.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/plans/{plan.pk}/")
    stored = PlanImport.objects.get(pk=staged.pk).proposal["agency_map"]
    assert stored["Sở Tài chính"]["ids"] == [closed.finance.pk]
    assert set(stored["Các sở, ban, ngành"]["ids"]) == set(mapping["Các sở, ban, ngành"]["ids"])
    assert closed.finance.pk in stored["Các sở, ban, ngành"]["ids"]
    finance_targets = plan.targets.filter(area__number="6")
    assert {
        ta.organisation_id
        for t in finance_targets
        for ta in t.agencies.all()
        if ta.responsibility == "lead"
    } == {closed.finance.pk}


# --- approving ----------------------------------------------------------------------------------


def target_row(doc: Element, target: Target) -> Element:
    return doc.one("tr", data_target=str(target.pk))


def test_approving_creates_the_plan_and_its_page_lists_areas_targets_leads_and_quantities(
    staged: PlanImport, as_coordinator: Client, seed_agencies: SeedAgencies, lao_cai: LaoCai
) -> None:
    fields = review_form(as_coordinator, staged)
    response = as_coordinator.post(review_url(staged), {**fields, "approve": ["1"]})
    plan = Plan.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/plans/{plan.pk}/")
    assert (plan.number, plan.year, plan.source) == ("165/KH-UBND", 2020, staged)
    assert (plan.targets.count(), Quantity.objects.filter(target__plan=plan).count()) == (58, 56)
    assert PlanImport.objects.get(pk=staged.pk).status == ImportStatus.APPROVED

    doc = page(as_coordinator.get(response["Location"]))
    assert vi(
        "The plan %(number)s was created with %(n)s targets.", number="165/KH-UBND", n=58
    ) in alerts(doc)
    assert "165/KH-UBND" in heading(doc)
    areas = doc.select("section", data_area=True)
    assert [s.attrs["data-area"] for s in areas] == [str(n) for n in range(1, 9)]
    assert [s.one("h2").text for s in areas] == [f"{a.number}. {a.title}" for a in plan.areas.all()]
    assert len(doc.select("tr", data_target=True)) == 58

    on_time = target_row(doc, plan.targets.get(text__startswith="Kết quả giải quyết TTHC"))
    assert "VP UBND" in on_time.text  # the short name of Văn phòng UBND tỉnh
    assert f"{vi('between')} 95–100 %" in on_time.text
    assert "≥ 80 %" in on_time.text
    iso = target_row(doc, plan.targets.get(text__contains="ISO 9001"))
    assert "Sở KH&CN" in iso.text and "Sở TT&TT" not in iso.text
    assert "= 100 %" in iso.text
    cut = target_row(doc, plan.targets.get(text__startswith="Thực hiện quy định của Chính phủ"))
    assert "≥ 10 %" in cut.text and "2015" in cut.text
    assert vi("Quarterly") in cut.text and vi("Yearly") in cut.text
    duties = doc.one("section", data_section="duties")
    assert f"{lao_cai.home_affairs.name} → {lao_cai.ppc.name}" in duties.text

    # The review of an approved import now leads to the plan.
    again = as_coordinator.get(review_url(staged))
    assert (again.status_code, again["Location"]) == (302, f"/plans/{plan.pk}/")


def test_approval_with_an_unmatched_agency_lists_it_and_creates_nothing(
    staged: PlanImport, as_coordinator: Client
) -> None:
    doc = page(as_coordinator.get(review_url(staged)))
    fields = form_fields(doc)
    fields[agency_field(doc, "Sở Tài chính")] = [""]  # the coordinator clears the match
    doc = page(as_coordinator.post(review_url(staged), {**fields, "approve": ["1"]}))
    problems = [li.text for li in doc.one(data_problems=True).select("li")]
    assert (
        vi("“%(name)s” is not matched to an agency of the province.", name="Sở Tài chính")
        in problems
    )
    assert doc.has("tr", data_unmatched=True)
    assert Plan.objects.count() == 0
    # The corrections were saved; only the approval was refused.
    assert PlanImport.objects.get(pk=staged.pk).status == ImportStatus.PENDING


def test_discarding_an_import_creates_nothing_and_returns_to_the_plans(
    staged: PlanImport, as_coordinator: Client
) -> None:
    response = as_coordinator.post(f"/plans/imports/{staged.pk}/discard/")
    assert (response.status_code, response["Location"]) == (302, "/plans/")
    assert PlanImport.objects.get(pk=staged.pk).status == ImportStatus.DISCARDED
    assert plan_rows() == {**NOTHING, "PlanImport": 1, "audit": 2}
    doc = page(as_coordinator.get("/plans/"))
    assert vi("The import was discarded; nothing was created.") in alerts(doc)
    assert not doc.has("section", data_section="pending")


# --- who may do what ----------------------------------------------------------------------------


def test_uploading_a_plan_that_exists_warns_names_it_and_stages_nothing_until_asked(
    staged: PlanImport, as_coordinator: Client
) -> None:
    plan = actions.approve_import(staged, by=None)
    response = upload(as_coordinator)
    doc = page(response)
    warning = doc.one(cls="alert-warning")
    assert "165/KH-UBND" in warning.text and "2020" in warning.text
    assert f'href="/plans/{plan.pk}/"' in response.content.decode()
    assert PlanImport.objects.count() == 1  # the approved one only
    assert 'name="duplicate_ok"' in response.content.decode()
    assert 'href="/plans/"' in response.content.decode()  # cancel

    again = as_coordinator.post(
        "/plans/import/",
        {
            "file": SimpleUploadedFile(SEED.name, SEED_BYTES, content_type="text/plain"),
            "duplicate_ok": "on",
        },
    )
    second = PlanImport.objects.exclude(pk=staged.pk).get()
    assert (again.status_code, again["Location"]) == (302, f"/plans/imports/{second.pk}/")
    assert Plan.objects.get() == plan


def test_a_reporter_can_neither_upload_nor_review_a_plan(
    staged: PlanImport, reporter: User, client_for: ClientFor, as_coordinator: Client
) -> None:
    fields = review_form(as_coordinator, staged)
    before = plan_rows()
    client = client_for(reporter)
    assert client.get("/plans/import/").status_code == 403
    assert upload(client).status_code == 403
    # An import under review is the coordinators' alone: to anyone else it does not exist.
    assert client.get(review_url(staged)).status_code == 404
    assert client.post(review_url(staged), {**fields, "approve": ["1"]}).status_code == 404
    assert client.post(f"/plans/imports/{staged.pk}/discard/").status_code == 404
    assert plan_rows() == before
    stored = PlanImport.objects.get(pk=staged.pk)
    assert (stored.status, stored.revision) == (ImportStatus.PENDING, 1)
    # Nor is the import offered on the plans page.
    doc = page(client.get("/plans/"))
    assert not doc.has("section", data_section="pending")
    assert not doc.has("a", href="/plans/import/")


def test_a_coordinator_of_another_province_cannot_review_the_import(
    staged: PlanImport, outsider: User, client_for: ClientFor
) -> None:
    client = client_for(outsider)
    assert client.get(review_url(staged)).status_code == 404
    assert client.post(f"/plans/imports/{staged.pk}/discard/").status_code == 404
    assert PlanImport.objects.get(pk=staged.pk).status == ImportStatus.PENDING


@pytest.fixture
def plan(seed_agencies: SeedAgencies, lao_cai: LaoCai, coordinator: User) -> Plan:
    staged = actions.stage_plan(
        by=coordinator, province=lao_cai.province, filename=SEED.name, data=SEED_BYTES
    )
    return actions.approve_import(answer_open_measures(staged), by=coordinator)


@pytest.mark.parametrize("person", ["reporter", "leader", "district_head", "coordinator"])
def test_the_plan_is_readable_by_everyone_working_in_the_province(
    person: str, plan: Plan, client_for: ClientFor, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(person))
    doc = page(client.get(f"/plans/{plan.pk}/"))
    assert plan.title in doc.one("p", cls="strong").text
    assert len(doc.select("tr", data_target=True)) == 58
    listed = page(client.get("/plans/"))
    assert listed.has("a", href=f"/plans/{plan.pk}/")


def test_the_plan_is_hidden_from_another_province(
    plan: Plan, outsider: User, client_for: ClientFor
) -> None:
    client = client_for(outsider)
    assert client.get(f"/plans/{plan.pk}/").status_code == 404
    assert not page(client.get("/plans/")).has("a", href=f"/plans/{plan.pk}/")


def test_the_plans_list_runs_as_many_queries_for_five_plans_as_for_one(
    lao_cai: LaoCai, coordinator: User, reporter: User, client_for: ClientFor
) -> None:
    def approve(number: int) -> Plan:
        staged = actions.stage_plan(
            by=coordinator,
            province=lao_cai.province,
            filename=f"{number}.txt",
            data=small_plan(number).encode(),
        )
        return actions.approve_import(staged, by=coordinator)

    def measure(user: User) -> tuple[int, Element]:
        client = client_for(user)
        client.get("/plans/")  # the session's first request warms caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/plans/")
        return len(queries), page(response)

    def listed(doc: Element) -> list[str]:
        """The plan numbers linked from the list."""
        links = [(a.attrs.get("href", ""), a.text) for a in doc.select("a")]
        return [text for href, text in links if re.fullmatch(r"/plans/\d+/", href)]

    approve(1)
    # A pending import is listed for the coordinator too.
    actions.stage_plan(
        by=coordinator, province=lao_cai.province, filename="99.txt", data=small_plan(99).encode()
    )
    one = {user.pk: measure(user) for user in (coordinator, reporter)}
    for number in range(2, 6):
        approve(number)
    five = {user.pk: measure(user) for user in (coordinator, reporter)}

    for user in (coordinator, reporter):
        (before, doc_one), (after, doc_five) = one[user.pk], five[user.pk]
        assert after == before, user
        assert listed(doc_one) == ["1/KH-UBND"]
        assert sorted(listed(doc_five)) == [f"{n}/KH-UBND" for n in range(1, 6)]
    coordinator_doc = five[coordinator.pk][1]
    assert "99/KH-UBND" in coordinator_doc.one("section", data_section="pending").text
    assert not five[reporter.pk][1].has("section", data_section="pending")
    # Each row counts its plan's targets (2 in the short plan).
    assert {Target.objects.filter(plan=p).count() for p in Plan.objects.all()} == {2}


def test_the_stored_quantity_of_a_corrected_value_is_exact(
    staged: PlanImport, as_coordinator: Client
) -> None:
    fields = review_form(as_coordinator, staged)
    fields["q2.3-0-value"] = ["95,5"]  # "between 95 and 100" becomes 95.5 to 100
    response = as_coordinator.post(review_url(staged), {**fields, "approve": ["1"]})
    assert response.status_code == 302
    on_time = Target.objects.get(text__startswith="Kết quả giải quyết TTHC")
    first = on_time.quantities.first()
    assert first is not None
    assert (first.comparator, first.value, first.value_high) == (
        "between",
        Decimal("95.5"),
        Decimal("100"),
    )
    doc = page(as_coordinator.get(response["Location"]))
    assert "95,5–100 %" in target_row(doc, on_time).text


def test_the_review_page_of_an_unknown_import_is_not_found(as_coordinator: Client) -> None:
    assert as_coordinator.get("/plans/imports/999/").status_code == 404
    assert as_coordinator.get("/plans/999/").status_code == 404
