from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoalitionConfig(AppConfig):
    name = "lnob.coalition"
    label = "coalition"
    verbose_name = _("Coalitions")
    default_auto_field = "django.db.models.BigAutoField"
