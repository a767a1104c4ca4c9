from typing import Any

from django.apps import AppConfig
from django.db import models
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


def _check_before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """The last guard: a domain row whose values its columns cannot hold is refused with a
    ValidationError (shown beside the field), never passed to the database."""
    from parindex.orgs.inputs import DOMAIN_APPS, require_storable

    if sender._meta.app_label in DOMAIN_APPS and not kwargs.get("raw"):
        require_storable(instance)


class OrgsConfig(AppConfig):
    name = "parindex.orgs"
    label = "orgs"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        pre_save.connect(_check_before_save, dispatch_uid="parindex-storable")
