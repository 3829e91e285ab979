from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "lnob.records"
    label = "records"
    verbose_name = _("Records")
    default_auto_field = "django.db.models.BigAutoField"
