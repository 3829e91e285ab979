"""Database triggers that refuse UPDATE and DELETE on the audit log (SQLite, PostgreSQL).

The test settings turn them off (``LNOB_AUDIT_TRIGGERS = False``) because the
test runner empties tables between tests; a test checks them in a real workspace.
"""

from django.conf import settings
from django.db import migrations

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
]


def create(apps, schema_editor):
    if not getattr(settings, "LNOB_AUDIT_TRIGGERS", True):
        return
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
