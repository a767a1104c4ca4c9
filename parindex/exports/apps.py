from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "parindex.exports"
    label = "exports"
