# JurisdictionSettings now belongs to the `sites` app (sites/migrations/0001_initial.py), which
# keeps this app's table; here the model only leaves this app's state, and no table is dropped.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0007_text_length_limits"),
        ("sites", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="JurisdictionSettings")],
        ),
    ]
