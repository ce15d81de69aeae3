# The fee filing moves from the engine app (`workflows`) into its own app (`fee_filing`).
#
# State only for the models: the tables keep their names (workflows_feefiling,
# workflows_feefilingattachment) and their rows. What names the old app in the database follows:
# the content types (so group permissions stay granted, now as fee_filing.*), the permission
# strings on open tasks, and viewflow's references to the flow class and its nodes.

import django.core.validators
import django.db.models.deletion
import ledger.storage
import ledger.validators
import workflows.fee_filing.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


OLD_FLOW, NEW_FLOW = "workflows/flows.FeeFilingFlow", "fee_filing/flow.FeeFilingFlow"
MODELS = ("feefiling", "feefilingattachment")
PERMISSIONS = ("add", "change", "delete", "view", "manage", "review")


def _rename(apps, schema_editor, source: str, target: str, old_flow: str, new_flow: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)
    # viewflow's reference fields import the flow when read, so these are plain SQL updates.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE viewflow_process SET flow_class = %s WHERE flow_class = %s", [new_flow, old_flow])
        cursor.execute(
            "UPDATE viewflow_task SET flow_task = %s || substr(flow_task, %s) WHERE flow_task LIKE %s",
            [new_flow, len(old_flow) + 1, old_flow + ".%"],
        )
        for action in PERMISSIONS:
            cursor.execute(
                "UPDATE viewflow_task SET owner_permission = %s WHERE owner_permission = %s",
                [f"{target}.{action}_feefiling", f"{source}.{action}_feefiling"],
            )


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, "workflows", "fee_filing", OLD_FLOW, NEW_FLOW)


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, "fee_filing", "workflows", NEW_FLOW, OLD_FLOW)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('ledger', '0004_training_hours'),
        ('places', '0001_initial'),
        ('workflows', '0004_fee_filing_moves_to_its_package'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('viewflow', '0015_task_scheduled'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FeeFiling',
                    fields=[
                        ('scopedprocess_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to='workflows.scopedprocess')),
                        ('client_type', models.CharField(choices=[('villager', '村(居)民个人'), ('committee', '村(居)民委员会'), ('collective', '村(居)集体经济组织'), ('organisation', '村(社区)内企业或其他组织')], max_length=20, verbose_name='服务对象类型')),
                        ('client_name', models.CharField(blank=True, help_text='仅您本人和县级司法局可见，不会公开、不进入检索，也不写入日志。', max_length=60, verbose_name='服务对象姓名或名称（选填）')),
                        ('service_type', models.CharField(choices=[('documents', '代写、修改法律文书'), ('litigation', '代理诉讼'), ('arbitration', '代理仲裁'), ('non_litigation', '代理非诉讼法律事务'), ('special_counsel', '专项法律顾问服务'), ('other', '其他')], max_length=20, verbose_name='服务类型')),
                        ('service_date', models.DateField(help_text='提供服务或接受委托的日期。', verbose_name='服务日期')),
                        ('hours', models.DecimalField(decimal_places=1, help_text='备案通过后计入工作台账。', max_digits=4, validators=[django.core.validators.MinValueValidator(Decimal('0.5')), django.core.validators.MaxValueValidator(Decimal('12')), ledger.validators.validate_half_hours], verbose_name='服务时长（小时）')),
                        ('description', models.TextField(help_text='如：代写赡养纠纷起诉状。请勿填写身份证号、电话、住址等个人信息。', max_length=500, validators=[ledger.validators.validate_no_personal_numbers], verbose_name='事项简述')),
                        ('basis', models.CharField(choices=[('charged', '按标准收费'), ('reduced', '减收'), ('waived', '免收')], max_length=10, verbose_name='收费方式')),
                        ('standard_fee', models.DecimalField(decimal_places=2, help_text='按律师服务收费标准应收取的金额。', max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='收费标准（元）')),
                        ('fee_charged', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='实收金额（元）')),
                        ('reduction_reason', models.CharField(blank=True, choices=[('hardship', '经济困难'), ('legal_aid', '符合法律援助条件'), ('vulnerable', '老年人、残疾人、未成年人、军人军属等特殊群体'), ('public_interest', '村(社区)公益事项'), ('other', '其他')], max_length=20, verbose_name='减免理由')),
                        ('reduction_detail', models.CharField(blank=True, help_text='减收或免收时简要说明依据。', max_length=300, verbose_name='减免说明')),
                        ('state', models.CharField(choices=[('submitted', '待司法局审核'), ('returned', '已退回，待顾问修改'), ('approved', '已备案通过'), ('rejected', '不予备案'), ('referred', '已转法律援助'), ('withdrawn', '已撤回')], db_index=True, default='submitted', max_length=12, verbose_name='备案状态')),
                        ('decision_reason', models.TextField(blank=True, verbose_name='审核意见')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='审核时间')),
                        ('is_demo', models.BooleanField(default=False, editable=False)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审核人')),
                        ('ledger_entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='fee_filing', to='ledger.ledgerentry', verbose_name='台账记录')),
                        ('village', models.ForeignKey(limit_choices_to={'level': 5}, on_delete=django.db.models.deletion.PROTECT, related_name='fee_filings', to='places.division', verbose_name='村(社区)')),
                    ],
                    options={
                        'verbose_name': '收费/减免备案',
                        'verbose_name_plural': '收费/减免备案',
                        'db_table': 'workflows_feefiling',
                        'ordering': ['-created'],
                        'permissions': [('review_feefiling', '审核收费/减免备案')],
                        'default_permissions': ('add', 'change', 'delete', 'view', 'manage'),
                    },
                    bases=('workflows.scopedprocess',),
                ),
                migrations.CreateModel(
                    name='FeeFilingAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(storage=ledger.storage.private_storage, upload_to=workflows.fee_filing.models._attachment_path, verbose_name='附件')),
                        ('title', models.CharField(blank=True, max_length=100, verbose_name='说明')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                        ('filing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='fee_filing.feefiling')),
                    ],
                    options={
                        'verbose_name': '备案附件',
                        'verbose_name_plural': '备案附件',
                        'db_table': 'workflows_feefilingattachment',
                        'ordering': ['uploaded_at', 'id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
