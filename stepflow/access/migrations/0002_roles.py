"""The viewer, operator, editor and admin groups with their permissions (stepflow/access/roles.py)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from stepflow.access.roles import sync_roles

    sync_roles(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0003_machine_permissions"),
        ("executions", "0005_execution_permissions"),
    ]

    # Going back leaves the groups: people may have been put in them.
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
