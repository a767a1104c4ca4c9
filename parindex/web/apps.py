from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "parindex.web"
    label = "web"

    def ready(self) -> None:
        from parindex.web import checks  # noqa: F401  (registers the deployment checks)
