"""The questionnaires shipped with parindex and the one writer of a questionnaire's rows.

`write_questionnaire` takes the model classes, so the data migration (with its historical
models) and the actions write a questionnaire the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parindex.surveys.questions import QuestionnaireSpec, read_questionnaire

DATA = Path(__file__).parent / "data"
DEFAULT_CODE = "sipas-default"


def default_questionnaire() -> QuestionnaireSpec:
    return read_questionnaire((DATA / f"{DEFAULT_CODE}.yaml").read_text(encoding="utf-8"))


def write_questionnaire(
    spec: QuestionnaireSpec, *, questionnaire: Any, section: Any, question: Any
) -> Any:
    """Create the questionnaire, its sections and questions; the caller checked that this code
    and version do not exist yet."""
    created = questionnaire.objects.create(
        code=spec.code,
        version=spec.version,
        title_vi=spec.title_vi,
        title_en=spec.title_en,
        source=spec.source,
    )
    sections = {
        s.code: section.objects.create(
            questionnaire=created,
            position=position,
            code=s.code,
            title_vi=s.title_vi,
            title_en=s.title_en,
        )
        for position, s in enumerate(spec.sections, start=1)
    }
    question.objects.bulk_create(
        question(
            questionnaire=created,
            section=sections.get(q.section),
            position=position,
            code=q.code,
            kind=q.kind,
            text_vi=q.text_vi,
            text_en=q.text_en,
            choices=[
                {"value": c.value, "label_vi": c.label_vi, "label_en": c.label_en}
                for c in q.choices
            ],
            factor=q.factor,
            dimension=q.dimension,
            required=q.required,
            show_if_question=q.show_if_question,
            show_if_value=q.show_if_value,
        )
        for position, q in enumerate(spec.questions, start=1)
    )
    return created
