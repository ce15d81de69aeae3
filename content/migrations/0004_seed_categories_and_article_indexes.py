"""Seed the article categories, give every home page its /articles/ and every site its settings.

Topics: 崇政办发〔2017〕101号 二(二)4 (医患, 交通事故, 征地拆迁, 劳资, 环境保护) and 城北政办〔2019〕111号
三(二) (征地拆迁, 土地权属, 婚姻家庭, 上学就医, 社会保障, 环境保护), plus 换届选举 (二(二)1) and
合同纠纷 (二(二)1: 签订重要经济合同). Staff may rename, add or reorder them later.
"""

from django.db import migrations

CATEGORIES = [
    ("婚姻家庭", "marriage-family", "结婚、离婚、抚养、赡养、继承与家庭暴力"),
    ("土地权属", "land-rights", "承包地、宅基地、林地与土地确权纠纷"),
    ("征地拆迁", "land-expropriation", "征收程序、补偿安置与被征地农民的权益"),
    ("劳动争议", "labour-disputes", "劳动合同、讨薪、工伤与劳动仲裁"),
    ("交通事故", "traffic-accidents", "事故处理、保险理赔与损害赔偿"),
    ("医患纠纷", "medical-disputes", "知情同意、病历资料与医疗纠纷的解决途径"),
    ("环境保护", "environment", "污染损害、生态保护与举报途径"),
    ("社会保障", "social-security", "养老、医疗保险、低保与社会救助"),
    ("上学就医", "school-and-healthcare", "义务教育、入学与看病就医的权利"),
    ("村务与换届选举", "village-affairs-elections", "村民自治、村务公开与村(居)委会换届选举"),
    ("合同纠纷", "contract-disputes", "借款、买卖、承包等合同的订立与履行"),
]


def seed(apps, schema_editor):
    ArticleCategory = apps.get_model("content", "ArticleCategory")
    for order, (name, slug, description) in enumerate(CATEGORIES, start=1):
        ArticleCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )


def create_indexes(apps, schema_editor):
    """An ArticleIndexPage with slug `articles` under each home page that has none."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("content", "HomePage")
    ArticleIndexPage = apps.get_model("content", "ArticleIndexPage")
    content_type, _ = ContentType.objects.get_or_create(app_label="content", model="articleindexpage")
    for home in HomePage.objects.all():
        children = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1)
        if children.filter(slug="articles").exists():
            continue
        last = children.order_by("-path").values_list("path", flat=True).first()
        step = int(last[-4:], 36) + 1 if last else 1
        path = home.path + _base36(step)
        ArticleIndexPage.objects.create(
            title="普法园地",
            draft_title="普法园地",
            slug="articles",
            content_type=content_type,
            path=path,
            depth=home.depth + 1,
            numchild=0,
            url_path=home.url_path + "articles/",
            locale_id=home.locale_id,
            live=True,
            intro="用身边的案例讲清楚法律：婚姻家庭、土地权属、征地拆迁、劳动争议……遇到问题，先看看，再找您村(社区)的法律顾问。",
        )
        Page.objects.filter(pk=home.pk).update(numchild=children.count() + 1)


def create_settings(apps, schema_editor):
    """Settings for every existing site, so no page view has to create them on the fly."""
    Site = apps.get_model("wagtailcore", "Site")
    JurisdictionSettings = apps.get_model("content", "JurisdictionSettings")
    for site in Site.objects.all():
        JurisdictionSettings.objects.get_or_create(site=site)


def _base36(number: int) -> str:
    """Treebeard's path step: four characters of 0-9A-Z."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(4):
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out


class Migration(migrations.Migration):
    dependencies = [("content", "0003_articles_lectures_themes")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, migrations.RunPython.noop),
        migrations.RunPython(create_settings, migrations.RunPython.noop),
    ]
