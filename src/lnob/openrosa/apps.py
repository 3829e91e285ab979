from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenRosaConfig(AppConfig):
    name = "lnob.openrosa"
    label = "openrosa"
    verbose_name = _("OpenRosa server")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lnob.openrosa import signals  # noqa: F401 - connects the cache invalidation
