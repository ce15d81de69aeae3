"""Seed the fields of law the policy names (崇政办发〔2017〕101号 二(二); 城北政办〔2019〕111号)."""

from django.db import migrations

SPECIALTIES = [
    "婚姻家庭",
    "土地权属",
    "征地拆迁",
    "劳动争议",
    "交通事故",
    "医患纠纷",
    "环境保护",
    "社会保障",
    "上学就医",
    "村务与换届选举",
    "合同纠纷",
    "法律援助",
]


def seed(apps, schema_editor):
    Specialty = apps.get_model("advisers", "Specialty")
    for order, name in enumerate(SPECIALTIES):
        Specialty.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("advisers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
