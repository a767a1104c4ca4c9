from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastingConfig(AppConfig):
    name = "parindex.forecasting"
    label = "forecasting"
    verbose_name = _("Forecast")

    def ready(self) -> None:
        from parindex.forecasting import signals
        from parindex.reporting.signals import round_opened

        round_opened.connect(signals.round_opened, dispatch_uid="forecasting.gap_action_lines")
