# The fee filing's models now belong to the `fee_filing` app (workflows/fee_filing/). State only:
# the tables keep their names and their rows; fee_filing's 0001 takes the models over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0003_step_actions_declared_by_flows'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='feefilingattachment', name='filing'),
                migrations.DeleteModel(name='FeeFiling'),
                migrations.DeleteModel(name='FeeFilingAttachment'),
            ],
            database_operations=[],
        ),
    ]
