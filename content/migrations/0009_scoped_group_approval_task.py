# The moderation task that stops at the sites of the reviewer's scope (content/moderation.py), and
# every existing group approval task — Wagtail's default "Moderators approval", the demo's, any an
# installation made — switched to it in place: the task keeps its id, name, groups and workflows,
# only its type changes (a row in the new table, and the task's content type).

import django.db.models.deletion
from django.db import migrations, models


def _content_type(apps, db, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.using(db).get_or_create(app_label=app_label, model=model)[0]


def to_scoped(apps, schema_editor):
    db = schema_editor.connection.alias
    Task = apps.get_model("wagtailcore", "Task")
    Scoped = apps.get_model("content", "ScopedGroupApprovalTask")
    plain = _content_type(apps, db, "wagtailcore", "groupapprovaltask")
    scoped = _content_type(apps, db, "content", "scopedgroupapprovaltask")
    ids = list(Task.objects.using(db).filter(content_type=plain).values_list("pk", flat=True))
    for pk in ids:
        Scoped(groupapprovaltask_ptr_id=pk).save_base(raw=True, using=db)
    Task.objects.using(db).filter(pk__in=ids).update(content_type=scoped)


def to_plain(apps, schema_editor):
    db = schema_editor.connection.alias
    Task = apps.get_model("wagtailcore", "Task")
    Scoped = apps.get_model("content", "ScopedGroupApprovalTask")
    plain = _content_type(apps, db, "wagtailcore", "groupapprovaltask")
    ids = list(Scoped.objects.using(db).values_list("pk", flat=True))
    for task in Scoped.objects.using(db).filter(pk__in=ids):
        task.delete(keep_parents=True)
    Task.objects.using(db).filter(pk__in=ids).update(content_type=plain)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0008_jurisdictionsettings_to_sites"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScopedGroupApprovalTask",
            fields=[
                (
                    "groupapprovaltask_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.groupapprovaltask",
                    ),
                ),
            ],
            options={
                "verbose_name": "按站点的用户组审核",
                "verbose_name_plural": "按站点的用户组审核",
            },
            bases=("wagtailcore.groupapprovaltask",),
        ),
        migrations.RunPython(to_scoped, to_plain),
    ]
