"""Replace Wagtail's welcome page with our home page and serve it on the default site."""

from django.db import migrations


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("content", "HomePage")
    Locale = apps.get_model("wagtailcore", "Locale")

    if HomePage.objects.exists():
        return
    root = Page.objects.filter(depth=1).first()
    if root is None:
        return
    # Wagtail's initial data creates a placeholder "Welcome" page at path 00010001.
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="content")
    locale = Locale.objects.first()
    path = root.path + f"{root.numchild + 1:04d}"
    home = HomePage.objects.create(
        title="一村(社区)一法律顾问",
        draft_title="一村(社区)一法律顾问",
        slug="home",
        content_type=content_type,
        path=path,
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
        heading="找到您村(社区)的法律顾问",
        intro="每个村(社区)都有一名律师或基层法律服务工作者担任法律顾问，为村(居)民解答法律问题、参与调解、开展普法。",
    )
    root.numchild += 1
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "一村(社区)一法律顾问"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(create_home, migrations.RunPython.noop)]
