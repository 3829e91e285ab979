from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    name = "lnob.forms"
    label = "forms"
    verbose_name = _("Forms")
    default_auto_field = "django.db.models.BigAutoField"
