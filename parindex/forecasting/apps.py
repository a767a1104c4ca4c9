from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastingConfig(AppConfig):
    name = "parindex.forecasting"
    label = "forecasting"
    verbose_name = _("Forecast")
