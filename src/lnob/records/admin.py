from django.contrib import admin

from lnob.records.models import Record


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    """Records are read-only here: the raw submission is never rewritten."""

    list_display = ["instance_id", "project", "form", "form_version", "source", "review_state", "received_at"]
    list_filter = ["project", "source", "review_state"]
    search_fields = ["instance_id"]
    readonly_fields = [f.name for f in Record._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
