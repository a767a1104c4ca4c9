"""A stored questionnaire as the plain spec the pure checks take."""

from __future__ import annotations

from parindex.surveys.models import Questionnaire
from parindex.surveys.questions import Choice, QuestionnaireSpec, QuestionSpec, SectionSpec


def spec_of(questionnaire: Questionnaire) -> QuestionnaireSpec:
    sections = list(questionnaire.sections.order_by("position"))
    codes = {s.pk: s.code for s in sections}
    return QuestionnaireSpec(
        code=questionnaire.code,
        version=questionnaire.version,
        title_vi=questionnaire.title_vi,
        title_en=questionnaire.title_en,
        source=questionnaire.source,
        sections=tuple(SectionSpec(s.code, s.title_vi, s.title_en) for s in sections),
        questions=tuple(
            QuestionSpec(
                code=q.code,
                kind=q.kind,
                text_vi=q.text_vi,
                text_en=q.text_en,
                choices=tuple(
                    Choice(str(c["value"]), str(c.get("label_vi", "")), str(c.get("label_en", "")))
                    for c in q.choices
                ),
                factor=q.factor,
                dimension=q.dimension,
                required=q.required,
                show_if_question=q.show_if_question,
                show_if_value=q.show_if_value,
                section=codes.get(q.section_id, "") if q.section_id else "",
            )
            for q in questionnaire.questions.order_by("position")
        ),
    )
