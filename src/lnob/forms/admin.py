from django.contrib import admin

from lnob.forms.models import Form, FormVersion


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    extra = 0
    fields = ["version", "xlsform_name", "xform_md5", "created_at", "uploaded_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False  # versions are added by uploading an XLSForm (lnob forms add, or the project page)


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["title", "form_id", "project", "created_at"]
    list_filter = ["project"]
    search_fields = ["title", "form_id"]
    readonly_fields = ["form_id", "project"]
    inlines = [FormVersionInline]
