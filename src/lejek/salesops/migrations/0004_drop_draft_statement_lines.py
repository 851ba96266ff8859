"""Drafts no longer store their lines: they are built from the deals when shown and stored
when the statement is approved. Drafts computed before kept lines; left in place they would
be listed again beside the lines stored at approval, so they are removed. Approved
statements keep theirs."""

from django.db import migrations


def drop_draft_lines(apps, schema_editor):
    StatementLine = apps.get_model("salesops", "StatementLine")
    StatementLine.objects.filter(statement__status="draft").delete()


class Migration(migrations.Migration):
    dependencies = [("salesops", "0003_statement_lines_digest")]

    operations = [migrations.RunPython(drop_draft_lines, migrations.RunPython.noop)]
