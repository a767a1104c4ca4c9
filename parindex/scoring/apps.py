from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    # An app only so that `parindex assessment` is found; the engine itself needs no Django.
    name = "parindex.scoring"
    label = "scoring"
    verbose_name = _("Scoring")
