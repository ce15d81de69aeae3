# A step record's action is a free code the flow declares (no engine migration per flow), and a
# step may keep details as JSON.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0002_filing_rules_on_the_model'),
    ]

    operations = [
        migrations.AddField(
            model_name='steprecord',
            name='details',
            field=models.JSONField(blank=True, default=dict, verbose_name='详情'),
        ),
        migrations.AlterField(
            model_name='steprecord',
            name='action',
            field=models.CharField(db_index=True, max_length=40, verbose_name='操作'),
        ),
    ]
