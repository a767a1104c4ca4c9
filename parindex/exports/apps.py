from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "parindex.exports"
    label = "exports"

    def ready(self) -> None:
        from parindex.exports import people  # noqa: F401  (registers the exporters)
