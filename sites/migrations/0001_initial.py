# The JurisdictionSettings model moved here from `content` (issue 10). Its table, rows and
# constraint stay as they are (`content_jurisdictionsettings`): this migration only tells
# Django's state that the model now belongs to `sites`, and moves its content type, so that the
# permissions granted on it (and Wagtail's per-site grants) follow it.

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

import sites.areas
import sites.themes


def move_content_type(apps, schema_editor):
    """The content type `content.jurisdictionsettings` becomes `sites.jurisdictionsettings`."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    old = ContentType.objects.using(db).filter(app_label="content", model="jurisdictionsettings")
    if not ContentType.objects.using(db).filter(app_label="sites", model="jurisdictionsettings").exists():
        old.update(app_label="sites")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="content", model="jurisdictionsettings").exists():
        ContentType.objects.using(db).filter(app_label="sites", model="jurisdictionsettings").update(
            app_label="content"
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("content", "0007_text_length_limits"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="JurisdictionSettings",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("bureau_name", models.CharField(blank=True, help_text="如：崇左市司法局", max_length=100, verbose_name="主办单位")),
                        ("area_codes", models.CharField(blank=True, help_text="本网站服务的行政区划代码前缀，多个用逗号分隔（如 4514 或 630105）；留空表示全部。", max_length=200, validators=[sites.areas.validate_area_codes], verbose_name="服务区域代码")),
                        ("hotline", models.CharField(default="12348", max_length=20, verbose_name="热线电话")),
                        ("site_title", models.CharField(blank=True, help_text="显示在页头；留空时使用“一村(社区)一法律顾问”。", max_length=60, verbose_name="网站名称")),
                        ("theme", models.CharField(choices=sites.themes.theme_choices, default="default", help_text="网站的配色、标志和版式，来自 themes/ 目录。", max_length=40, verbose_name="主题")),
                        ("header_text", models.CharField(blank=True, help_text="如：法律服务进村(社区)，群众不出村享受法律服务", max_length=60, verbose_name="页头标语")),
                        ("footer_text", models.TextField(blank=True, help_text="如：地址、邮编、办公时间。", max_length=500, validators=[django.core.validators.MaxLengthValidator(500)], verbose_name="页脚说明")),
                        ("undertaker", models.CharField(blank=True, max_length=100, verbose_name="承办单位")),
                        ("icp_number", models.CharField(blank=True, help_text="如：桂ICP备12345678号-1", max_length=50, verbose_name="ICP 备案号")),
                        ("site_code", models.CharField(blank=True, help_text="政府网站标识码，如 4514000021。", max_length=20, validators=[django.core.validators.RegexValidator("^[0-9A-Za-z]{0,20}$", "网站标识码只能包含数字和字母。")], verbose_name="网站标识码")),
                        ("police_record", models.CharField(blank=True, help_text="如：桂公网安备 45140202000001号", max_length=60, verbose_name="公安机关备案号")),
                        ("logo", models.ForeignKey(blank=True, help_text="留空时使用主题自带的标志。", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="wagtailimages.image", verbose_name="标志")),
                        ("site", models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to="wagtailcore.site")),
                    ],
                    options={
                        "verbose_name": "辖区设置",
                        "db_table": "content_jurisdictionsettings",
                        "constraints": [
                            models.CheckConstraint(
                                condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length("footer_text"), 500),
                                name="jurisdiction_footer_length",
                                violation_error_message="页脚说明不能超过 500 个字。",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
