from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "lnob.web"
    label = "web"
    verbose_name = _("Web platform")

    def ready(self) -> None:
        from lnob.web import ratelimit  # noqa: F401 - connects the login-failure counters
