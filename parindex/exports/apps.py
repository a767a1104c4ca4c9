from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "parindex.exports"
    label = "exports"

    def ready(self) -> None:
        # Importing the modules registers their exporters.
        from parindex.exports import assessment, forecast, people, reporting, surveys  # noqa: F401
