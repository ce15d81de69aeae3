"""Builders for articles, lectures and images in tests (real pages, real renditions)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Site

from content.models import ArticleCategory, ArticleIndexPage, ArticlePage, HomePage, Lecture

PNG_COLOURS = [(200, 60, 60), (60, 120, 200), (60, 160, 90)]


def make_image(title: str = "测试图片", size: tuple[int, int] = (1200, 675)) -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, PNG_COLOURS[len(title) % len(PNG_COLOURS)]).save(buffer, "PNG")
    image = Image(title=title)
    image.file = ImageFile(buffer, name="test.png")
    image.save()
    return image


def default_home() -> HomePage:
    return Site.objects.get(is_default_site=True).root_page.specific


def articles_index(home: HomePage | None = None) -> ArticleIndexPage:
    """The site's 普法园地 (content/migrations/0004 creates it under every home page)."""
    home = home or default_home()
    index = ArticleIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(instance=ArticleIndexPage(title="普法园地", slug="articles"))
    return index


def category(slug: str = "marriage-family") -> ArticleCategory:
    return ArticleCategory.objects.get(slug=slug)


def simple_body(text: str = "正文第一段。") -> list:
    return [("paragraph", f"<p>{text}</p>")]


def make_article(index: ArticleIndexPage | None = None, *, publish: bool = True, **fields) -> ArticlePage:
    index = index or articles_index()
    number = ArticlePage.objects.count() + 1
    values = {
        "title": f"测试文章{number}",
        "slug": f"test-article-{number}",
        "intro": "一句话导语。",
        "category": category(),
        "body": simple_body(),
    }
    values.update(fields)
    tags = values.pop("tags", [])
    page = index.add_child(instance=ArticlePage(**values))
    if tags:
        page.tags.add(*tags)
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        page.live = False
        page.save(update_fields=["live"])
    return ArticlePage.objects.get(pk=page.pk)


def at(days: int, hour: int = 19, minute: int = 30) -> dt.datetime:
    """Local time `days` from today at hour:minute."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_lecture(place: str, days: int = 3, **fields) -> Lecture:
    values = {
        "topic": "婚姻家庭与彩礼纠纷",
        "starts_at": at(days),
        "duration_minutes": 90,
        "place_id": place,
        "venue": "村委会二楼会议室",
        "guest_speaker": "县司法局普法宣传员",
    }
    values.update(fields)
    lecture = Lecture(**values)
    lecture.full_clean()
    lecture.save()
    return lecture
