"""Invoiced time and issued invoices never change, whoever tries (the admin, a shell, a bug):
the database refuses any UPDATE of an invoiced entry or of an invoice."""

from django.db import migrations

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION timesheets_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% never changes once invoiced (row %)', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER timesheets_invoiced_entry_never_changes
    BEFORE UPDATE ON timesheets_timeentry
    FOR EACH ROW WHEN (OLD.status = 'invoiced')
    EXECUTE FUNCTION timesheets_refuse_change()
    """,
    """
    CREATE TRIGGER timesheets_invoice_never_changes
    BEFORE UPDATE ON timesheets_invoice
    FOR EACH ROW EXECUTE FUNCTION timesheets_refuse_change()
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS timesheets_invoiced_entry_never_changes ON timesheets_timeentry",
    "DROP TRIGGER IF EXISTS timesheets_invoice_never_changes ON timesheets_invoice",
    "DROP FUNCTION IF EXISTS timesheets_refuse_change()",
]
SQLITE = [
    """
    CREATE TRIGGER timesheets_invoiced_entry_never_changes
    BEFORE UPDATE ON timesheets_timeentry
    FOR EACH ROW WHEN OLD.status = 'invoiced'
    BEGIN SELECT RAISE(ABORT, 'invoiced time never changes'); END
    """,
    """
    CREATE TRIGGER timesheets_invoice_never_changes
    BEFORE UPDATE ON timesheets_invoice
    FOR EACH ROW
    BEGIN SELECT RAISE(ABORT, 'an issued invoice never changes'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS timesheets_invoiced_entry_never_changes",
    "DROP TRIGGER IF EXISTS timesheets_invoice_never_changes",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, None)  # no parameters: the % in RAISE is literal

    return run


class Migration(migrations.Migration):
    dependencies = [("timesheets", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
