"""The shipped questionnaire `sipas-default`, stored once, so every database has it."""

from typing import Any

from django.db import migrations

from parindex.surveys import shipped


def load(apps: Any, schema_editor: Any) -> None:
    questionnaire = apps.get_model("surveys", "Questionnaire")
    spec = shipped.default_questionnaire()
    if questionnaire.objects.filter(code=spec.code, version=spec.version).exists():
        return
    shipped.write_questionnaire(
        spec,
        questionnaire=questionnaire,
        section=apps.get_model("surveys", "Section"),
        question=apps.get_model("surveys", "Question"),
    )


def unload(apps: Any, schema_editor: Any) -> None:
    spec = shipped.default_questionnaire()
    questionnaire = apps.get_model("surveys", "Questionnaire")
    questionnaire.objects.filter(code=spec.code, version=spec.version, surveys=None).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
