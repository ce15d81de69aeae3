"""Demo content: two jurisdictions as two Wagtail Sites, their articles and their lectures.

- 崇左市司法局 is the default site (http://127.0.0.1:8000, http://localhost:8000), theme `chongzuo`;
- 西宁市城北区司法局 answers at http://chengbei.localhost:8000, theme `chengbei`.

Every step is idempotent: sites, settings and index pages are created once (settings the staff
changed are left alone), articles are created by slug, and lectures only when there are none
marked as demo. Articles are published directly by the loader; new ones written by editors go
through the moderation workflow that `ensure_moderation()` makes sure exists.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.images.models import Image as WagtailImage
from wagtail.models import Collection, Page, Site, Workflow, WorkflowPage, WorkflowTask

from advisers.models import ServiceContract
from backoffice.admin_names import GROUPS, default_group
from backoffice.models import StaffProfile
from content.categories import ensure_seed_categories
from content.models import (
    ArticleCategory,
    ArticleIndexPage,
    ArticlePage,
    ArticleRelatedLink,
    HomePage,
    Lecture,
    LecturePhoto,
    ScopedGroupApprovalTask,
)
from places import codes
from places.models import Division
from sites.models import JurisdictionSettings

from .articles import ARTICLES, Article
from .illustrations import category_illustration, lecture_photo, tip_card

SEED = 12348
BUZHAI = "451402001201"


@dataclass(frozen=True)
class SiteSpec:
    key: str
    hostname: str
    is_default: bool
    site_name: str
    home_title: str
    heading: str
    intro: str
    settings: dict


SITES = [
    SiteSpec(
        key="chongzuo",
        hostname="localhost",
        is_default=True,
        site_name="崇左市一村(社区)一法律顾问",
        home_title="一村(社区)一法律顾问",
        heading="找到您村(社区)的法律顾问",
        intro="崇左市每个村(社区)都有一名律师或基层法律服务工作者担任法律顾问，为村(居)民解答法律问题、参与调解、开展普法。",
        settings={
            "bureau_name": "崇左市司法局",
            "area_codes": "4514",
            "hotline": "12348",
            "theme": "chongzuo",
            "header_text": "法律服务进村(社区)，群众不出村就能找到法律顾问",
            "footer_text": "地址：广西崇左市江州区（演示地址）\n本网站为演示站点，机构名称以外的人员和联系方式均为虚构。",
            "undertaker": "崇左市公共法律服务中心（演示）",
            "icp_number": "桂ICP备00000000号-1（演示）",
            "site_code": "DEMO451400",
            "police_record": "桂公网安备 00000000000000号（演示）",
        },
    ),
    SiteSpec(
        key="chengbei",
        hostname="chengbei.localhost",
        is_default=False,
        site_name="西宁市城北区一村(社区)一法律顾问",
        home_title="城北区村(社区)法律顾问",
        heading="找到您村(社区)的法律顾问",
        intro="城北区各村(社区)公共法律服务室都有一名法律顾问和一名法律服务联络员，为居民提供家门口的法律服务。",
        settings={
            "bureau_name": "西宁市城北区司法局",
            "area_codes": "630105",
            "hotline": "12348",
            "theme": "chengbei",
            "site_title": "城北区村(社区)法律顾问",
            "header_text": "打通法律服务群众“最后一公里”",
            "footer_text": "地址：青海省西宁市城北区（演示地址）\n本网站为演示站点，机构名称以外的人员和联系方式均为虚构。",
            "undertaker": "城北区公共法律服务中心（演示）",
            "icp_number": "青ICP备00000000号-1（演示）",
            "site_code": "DEMO630105",
            "police_record": "青公网安备 00000000000000号（演示）",
        },
    ),
]

INDEX_TITLE = "普法园地"
INDEX_INTRO = "用身边的案例讲清楚法律：婚姻家庭、土地权属、征地拆迁、劳动争议……遇到问题，先看看，再找您村(社区)的法律顾问。"


# --- sites ---------------------------------------------------------------------------------------


def _ensure_site(spec: SiteSpec) -> tuple[Site, HomePage]:
    if spec.is_default:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    else:
        site = Site.objects.filter(hostname=spec.hostname).select_related("root_page").first()
    home = site.root_page.specific if site else None
    if not isinstance(home, HomePage):
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(title=spec.home_title, slug=spec.key, heading=spec.heading, intro=spec.intro)
        )
        if site is None:
            site = Site.objects.create(
                hostname=spec.hostname,
                port=80,
                root_page=home,
                is_default_site=spec.is_default,
                site_name=spec.site_name,
            )
        else:
            site.root_page = home
            site.save()
    if not site.site_name or site.site_name == "一村(社区)一法律顾问":
        site.site_name = spec.site_name
        site.save(update_fields=["site_name"])
    if home.intro != spec.intro and home.intro.startswith("每个村(社区)都有一名"):
        home.intro = spec.intro  # the generic text of the first migration becomes the bureau's own
        home.save_revision().publish()
    return site, home


def _ensure_settings(site: Site, values: dict) -> None:
    """Fill blank settings (and the default theme); never overwrite what staff have changed."""
    jurisdiction = JurisdictionSettings.for_site(site)
    changed = []
    for name, value in values.items():
        current = getattr(jurisdiction, name)
        if (
            not current
            or (name == "theme" and current == "default")
            or (name == "hotline" and current == "12348")
        ):
            if current != value:
                setattr(jurisdiction, name, value)
                changed.append(name)
    if changed:
        jurisdiction.save(update_fields=changed)


def _ensure_index(home: HomePage) -> ArticleIndexPage:
    index = ArticleIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(
            instance=ArticleIndexPage(title=INDEX_TITLE, slug="articles", intro=INDEX_INTRO)
        )
        index.save_revision().publish()
    return index


# --- moderation ----------------------------------------------------------------------------------


def ensure_moderation() -> str:
    """A moderation workflow on the whole page tree, reviewed by Wagtail's Moderators group.

    Wagtail's own migrations create "Moderators approval" on the root page; this only recreates
    it if it was removed. Demo accounts `editor` and `reviewer` (created by the back-office demo,
    when present) also join Wagtail's Editors and Moderators groups (their Chinese names since
    backoffice/admin_names.py renamed them), which is additive and safe to
    repeat alongside the back office's own roles.
    """
    root = Page.get_first_root_node()
    if not WorkflowPage.objects.filter(page=root, workflow__active=True).exists():
        moderators = default_group("Moderators") or Group.objects.create(name=str(GROUPS["Moderators"]))
        # Reviewers approve only the pages of the sites their scope covers (content.moderation).
        task, _ = ScopedGroupApprovalTask.objects.get_or_create(name="审核发布")
        task.groups.add(moderators)
        workflow, _ = Workflow.objects.get_or_create(name="普法文章审核")
        # WorkflowTask hangs on a ParentalKey: its related manager would only create in memory.
        if not WorkflowTask.objects.filter(workflow=workflow).exists():
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    User = get_user_model()
    joined = []
    for username, group_name in (("editor", "Editors"), ("reviewer", "Moderators")):
        user = User.objects.filter(username=username).first()
        group = default_group(group_name)
        if user and group and not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
            joined.append(f"{username}→{group_name}")
        if (
            user
            and not StaffProfile.objects.filter(user=user).exists()
            and Division.objects.filter(code="4514").exists()
        ):
            # Content staff of 崇左市司法局 also publish its lecture schedule, which is bound to places.
            StaffProfile.objects.create(user=user, scope_id="4514", organisation="崇左市司法局（演示）")
            joined.append(f"{username}: scope 4514")
    return "Moderation: workflow on the page tree" + (f"; {', '.join(joined)}" if joined else "")


# --- articles ------------------------------------------------------------------------------------


def _category_images() -> dict[str, tuple[WagtailImage, str]]:
    images = {}
    collection = Collection.get_first_root_node()
    for category in ArticleCategory.objects.all():
        title = f"普法插图：{category.name}"
        try:
            data, alt = category_illustration(category.slug, category.name)
        except KeyError:  # a category staff added: no drawing for it
            continue
        image = WagtailImage.objects.filter(title=title).first()
        if image is None:
            image = WagtailImage(title=title, collection=collection, description=alt)
            image.file = ImageFile(_bytes_file(data), name=f"demo-{category.slug}.png")
            image.save()
        images[category.slug] = (image, alt)
    return images


def _bytes_file(data: bytes):
    import io

    return io.BytesIO(data)


def _tip_image(article: Article, category: ArticleCategory, text: str) -> WagtailImage:
    """The article's own "普法小贴士" card, so the body does not repeat the cover illustration."""
    title = f"普法小贴士：{article.slug}"
    image = WagtailImage.objects.filter(title=title).first()
    if image is None:
        image = WagtailImage(title=title, collection=Collection.get_first_root_node(), description=text)
        image.file = ImageFile(
            _bytes_file(tip_card(category.slug, category.name, text)), name=f"demo-tip-{article.slug}.png"
        )
        image.save()
    return image


def _raw_body(article: Article, category: ArticleCategory) -> str:
    raw = []
    for block_type, value in article.body:
        if block_type == "image":
            caption = value["caption"]
            image = _tip_image(article, category, caption)
            value = {
                "image": {"image": image.pk, "decorative": False, "alt_text": f"普法小贴士：{caption}"},
                "caption": caption,
            }
        raw.append({"type": block_type, "value": value})
    return json.dumps(raw, ensure_ascii=False)


def _publish_at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _load_articles(indexes: dict[str, ArticleIndexPage]) -> Iterator[str]:
    categories = {c.slug: c for c in ArticleCategory.objects.all()}
    images = _category_images()
    today = timezone.localdate()
    created = 0
    pages: dict[tuple[str, str], ArticlePage] = {}
    for number, article in enumerate(ARTICLES):
        index = indexes[article.site]
        existing = ArticlePage.objects.child_of(index).filter(slug=article.slug).first()
        if existing:
            pages[(article.site, article.slug)] = existing
            continue
        category = categories.get(article.category)
        if category is None:
            continue
        image, alt = images.get(article.category, (None, ""))
        day = today - dt.timedelta(days=article.days_ago)
        page = ArticlePage(
            title=article.title,
            slug=article.slug,
            date=day,
            intro=article.intro,
            category=category,
            cover_image=image,
            cover_alt=alt,
            body=_raw_body(article, category),
        )
        index.add_child(instance=page)
        page.tags.add(*article.tags)
        page.save_revision().publish()
        when = _publish_at(day, 9 + number % 8)
        ArticlePage.objects.filter(pk=page.pk).update(first_published_at=when, last_published_at=when)
        pages[(article.site, article.slug)] = page
        created += 1
    for article in ARTICLES:
        page = pages.get((article.site, article.slug))
        wanted = [pages[(article.site, s)] for s in article.related if (article.site, s) in pages]
        if page is None or not wanted or ArticleRelatedLink.objects.filter(page=page).exists():
            continue
        page = ArticlePage.objects.get(pk=page.pk)
        for order, target in enumerate(wanted):
            page.related_links.add(ArticleRelatedLink(article=target, sort_order=order))
        revision = page.save_revision()
        revision.publish()
    yield f"Articles: {created} created, {ArticlePage.objects.count()} in all."


# --- lectures ------------------------------------------------------------------------------------

TOPICS = [
    (
        "marriage-family",
        "婚姻家庭与彩礼纠纷",
        "讲解结婚登记、彩礼返还、离婚冷静期、子女抚养和老人赡养，现场解答家庭纠纷问题。",
    ),
    (
        "land-rights",
        "承包地和宅基地的那些事",
        "讲解土地承包经营权、确权证书、宅基地“一户一宅”，以及土地纠纷的调解和仲裁。",
    ),
    (
        "land-expropriation",
        "征地补偿与村民权益",
        "讲解征地程序、补偿项目、补偿款分配须经村民会议讨论决定等规定。",
    ),
    ("labour-disputes", "外出务工讨薪有门道", "讲解劳动合同、农民工工资支付保障、劳动仲裁和法律援助的申请。"),
    (
        "traffic-accidents",
        "道路交通安全与事故处理",
        "讲解电动车、三轮车安全，酒驾醉驾的后果，事故发生后的正确处理和保险理赔。",
    ),
    (
        "medical-disputes",
        "看病就医中的权利和义务",
        "讲解知情同意、病历查阅复制，以及医疗纠纷的协商、调解途径。",
    ),
    ("environment", "保护绿水青山人人有责", "讲解环境污染损害赔偿、举报途径，以及秸秆、垃圾焚烧的法律责任。"),
    (
        "social-security",
        "养老保险和社会救助政策解读",
        "讲解城乡居民养老保险、医疗保险、最低生活保障的申请条件和办理流程。",
    ),
    (
        "school-and-healthcare",
        "依法保障孩子受教育权利",
        "讲解义务教育法、未成年人保护法，防止辍学和校园欺凌。",
    ),
    (
        "village-affairs-elections",
        "村务公开与换届选举",
        "讲解村民的选举权和被选举权、村务公开的内容和时间，以及如何依法监督。",
    ),
    (
        "contract-disputes",
        "借钱、担保与合同风险",
        "讲解借条怎么写、诉讼时效、担保责任，提醒防范非法集资和电信诈骗。",
    ),
]
VENUES = ["村委会二楼会议室", "村文化活动室", "村级综合服务中心", "村法律服务室", "村民小组晒场（露天）"]
COMMUNITY_VENUES = ["社区党群服务中心", "社区居委会会议室", "社区法律服务室"]
AUDIENCES = ["全体村(居)民", "村“两委”干部和村民代表", "外出务工返乡人员", "老年人和留守妇女", "中小学生家长"]
TIMES = [dt.time(9, 30), dt.time(14, 30), dt.time(19, 30)]
SUMMARIES = [
    "法律顾问结合本村发生过的纠纷讲解法律规定，现场解答群众提问十余个，发放普法资料一百余份。",
    "讲座采用以案说法的方式，群众听得懂、记得住。会后有村民预约了法律顾问的驻点咨询。",
    "讲座结束后，法律顾问留在现场接受咨询，主要涉及土地承包、赡养和借款纠纷。",
]


def _lecture_plan(prefix: str, count: int, rng: random.Random) -> list[ServiceContract]:
    contracts = list(
        ServiceContract.objects.in_force()
        .filter(village_id__gte=prefix, village_id__lt=codes.prefix_upper_bound(prefix))
        .select_related("adviser", "village")
        .order_by("village_id")
    )
    rng.shuffle(contracts)
    return contracts[:count]


def _make_lecture(
    contract: ServiceContract, day: dt.date, rng: random.Random, *, place=None, **extra
) -> Lecture:
    category_slug, topic, description = rng.choice(TOPICS)
    village = contract.village
    venue_names = COMMUNITY_VENUES if "社区" in village.name else VENUES
    lecture = Lecture(
        topic=topic,
        description=description,
        category=ArticleCategory.objects.filter(slug=category_slug).first(),
        starts_at=timezone.make_aware(dt.datetime.combine(day, rng.choice(TIMES))),
        duration_minutes=rng.choice([60, 90, 90, 120]),
        place=place or village,
        venue=rng.choice(venue_names),
        speaker=contract.adviser,
        audience=rng.choice(AUDIENCES),
        registration_note=rng.choice(
            ["无需报名，欢迎直接到场。", "请提前一天向村法律服务联络员报名，方便准备资料。"]
        ),
        is_demo=True,
    )
    for name, value in extra.items():
        setattr(lecture, name, value)
    lecture.full_clean()
    lecture.save()
    return lecture


def _add_photo(lecture: Lecture, number: int) -> None:
    title = f"讲座现场（演示图）{lecture.pk}-{number}"
    image = WagtailImage(title=title, collection=Collection.get_first_root_node())
    image.file = ImageFile(
        _bytes_file(lecture_photo(lecture.pk * 10 + number, f"法制讲座：{lecture.topic}")),
        name=f"demo-lecture-{lecture.pk}-{number}.jpg",
    )
    image.save()
    LecturePhoto.objects.create(
        lecture=lecture, image=image, caption=f"{lecture.topic}讲座现场（演示图）", sort_order=number
    )


def _load_lectures() -> Iterator[str]:
    if Lecture.objects.filter(is_demo=True).exists():
        yield "Demo lectures already loaded; nothing to do."
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    made = {"upcoming": 0, "held": 0, "cancelled": 0, "to_record": 0}
    photos = 0
    for prefix, count in (("4514", 36), ("630105", 24)):
        for number, contract in enumerate(_lecture_plan(prefix, count, rng)):
            offset = rng.randint(-90, 90)
            if offset == 0:
                offset = 1
            day = today + dt.timedelta(days=offset)
            if offset > 0:
                cancelled = number % 17 == 5
                extra = (
                    {
                        "status": Lecture.Status.CANCELLED,
                        "cancellation_reason": "因连续降雨道路受阻，延期举办，时间另行通知。",
                    }
                    if cancelled
                    else {}
                )
                _make_lecture(contract, day, rng, **extra)
                made["cancelled" if cancelled else "upcoming"] += 1
            elif offset > -4 and number % 3 == 0:
                _make_lecture(contract, day, rng)  # just held, waiting for the adviser's record
                made["to_record"] += 1
            else:
                lecture = _make_lecture(
                    contract,
                    day,
                    rng,
                    status=Lecture.Status.HELD,
                    attendance=rng.randint(25, 130),
                    summary=rng.choice(SUMMARIES),
                    recorded_at=timezone.now(),
                )
                made["held"] += 1
                if photos < 10 and number % 2 == 0:
                    _add_photo(lecture, 1)
                    photos += 1
    # The demo village 卜寨村委会 always has one coming soon, one for its township and one held.
    contract = (
        ServiceContract.objects.in_force()
        .filter(village_id=BUZHAI)
        .select_related("adviser", "village")
        .first()
    )
    if contract:
        _make_lecture(
            contract,
            today + dt.timedelta(days=6),
            rng,
            topic="家门口的法律课：土地承包与宅基地",
            category=ArticleCategory.objects.filter(slug="land-rights").first(),
            venue="卜寨村委会二楼会议室",
            starts_at=timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=6), dt.time(19, 30))),
        )
        township = Division.objects.filter(code=BUZHAI[:9]).first()
        _make_lecture(
            contract,
            today + dt.timedelta(days=13),
            rng,
            place=township,
            topic="太平街道“法律明白人”培训暨普法讲座",
            venue="太平街道司法所会议室",
            audience="各村(社区)“两委”干部、法律明白人和村民代表",
        )
        held = _make_lecture(
            contract,
            today - dt.timedelta(days=40),
            rng,
            status=Lecture.Status.HELD,
            attendance=86,
            summary=SUMMARIES[1],
            recorded_at=timezone.now(),
        )
        _add_photo(held, 1)
        # Held two days ago and not yet recorded: what the adviser's "我的讲座" asks them to fill in.
        _make_lecture(
            contract,
            today - dt.timedelta(days=2),
            rng,
            topic="借钱、担保与合同风险",
            category=ArticleCategory.objects.filter(slug="contract-disputes").first(),
            venue="卜寨村委会二楼会议室",
        )
        made["upcoming"] += 2
        made["held"] += 1
        made["to_record"] += 1
    yield (
        f"Lectures: {made['upcoming']} upcoming, {made['held']} held, {made['cancelled']} cancelled, "
        f"{made['to_record']} waiting for their record."
    )


# --- entry point ---------------------------------------------------------------------------------


def load_content() -> Iterator[str]:
    with transaction.atomic():
        ensure_seed_categories()
        indexes = {}
        for spec in SITES:
            site, home = _ensure_site(spec)
            _ensure_settings(site, spec.settings)
            indexes[spec.key] = _ensure_index(home)
        yield "Sites: 崇左市司法局 (default: http://127.0.0.1:8000), 西宁市城北区司法局 (http://chengbei.localhost:8000)."
        yield ensure_moderation()
        yield from _load_articles(indexes)
        if Division.objects.filter(code=BUZHAI).exists():
            yield from _load_lectures()
