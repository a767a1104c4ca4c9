from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "parindex.exports"
    label = "exports"

    def ready(self) -> None:
        # Importing the modules registers their exporters.
        from parindex.exports import (  # noqa: F401
            assessment,
            dossiers,
            forecast,
            people,
            reporting,
            surveys,
        )
