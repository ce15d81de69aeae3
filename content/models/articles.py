"""Legal education (普法) articles: Wagtail pages under each site's `/articles/` index.

Articles pass Wagtail's own moderation workflow before they go live (editor submits, reviewer
approves or asks for changes). Categories are snippets that staff manage; the seed list is the
topics the policies name (崇政办发〔2017〕101号 二(二)4, 城北政办〔2019〕111号 三(二)).
"""

from __future__ import annotations

import math

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from content.blocks import ArticleBodyBlock, plain_text
from content.models.routing import KnownRestrictionsMixin, route_to_child
from places import codes
from sites.limits import length_constraint, limited

ARTICLES_PER_PAGE = 10
# Silent reading speed of Chinese text, characters per minute (a conservative figure for readers
# who are not used to long texts).
CHARS_PER_MINUTE = 300
RESERVED_SLUGS = {"feed"}
INDEX_SLUG = "articles"


class ArticleCategory(models.Model):
    """A topic of legal education (婚姻家庭, 土地权属, ...); staff manage the list in the admin."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    slug = models.SlugField(
        _("网址名"),
        max_length=40,
        unique=True,
        help_text=_("用于网址，如 marriage-family；只用小写字母、数字和连字符。"),
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = _("普法分类")
        verbose_name_plural = _("普法分类")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey("content.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("文章标签")
        verbose_name_plural = _("文章标签")


class ArticleIndexPage(KnownRestrictionsMixin, RoutablePageMixin, Page):
    """`/articles/` of one site: its articles by category, newest first, and their feeds."""

    intro = models.TextField(_("简介"), blank=True, **limited(500))

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.ArticlePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("普法文章栏目")
        constraints = [
            length_constraint("intro", 500, "articleindexpage_intro_length", _("简介不能超过 500 个字。"))
        ]

    def full_clean(self, *args, **kwargs):
        # `/articles/` is a stable address (printed on notice boards, linked from every page), so
        # the index of every site lives there whatever slug the title suggested.
        self.slug = INDEX_SLUG
        return super().full_clean(*args, **kwargs)

    def articles(self):
        """Live articles of this index with what a listing shows, in a constant number of queries."""
        return (
            ArticlePage.objects.child_of(self)
            .live()
            .public()
            .select_related("category", "cover_image")
            .prefetch_related("cover_image__renditions")
            .order_by("-date", "-first_published_at", "-pk")
        )

    def filtered_articles(self, request: HttpRequest):
        """Articles filtered by `?category=` and `?tag=`; an unknown category or tag is a 404."""
        articles = self.articles()
        category = None
        tag = request.GET.get("tag", "").strip()[:100]
        slug = request.GET.get("category", "").strip()
        if slug:
            category = ArticleCategory.objects.filter(slug=slug).first()
            if category is None:
                raise Http404(_("没有这个分类。"))
            articles = articles.filter(category=category)
        if tag:
            articles = articles.filter(tags__name=tag)
        return articles, category, tag

    def route(self, request, path_components):
        # The index's own addresses (feeds) first, as RoutablePageMixin does; then its articles,
        # each read with its category and cover in one query (content/models/routing.py).
        if path_components and not (self.live and self._routes_itself(path_components)):
            return route_to_child(
                self, request, path_components, ArticlePage, related=("category", "cover_image")
            )
        return super().route(request, path_components)

    def _routes_itself(self, path_components: list[str]) -> bool:
        try:
            self.resolve_subpage("/" + "/".join(path_components) + "/")
        except Http404:
            return False
        return True

    @path("")
    def index(self, request: HttpRequest) -> HttpResponse:
        articles, category, tag = self.filtered_articles(request)
        paginator = Paginator(articles, ARTICLES_PER_PAGE)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage) as error:
            raise Http404(_("没有这一页。")) from error
        return self.render(
            request,
            context_overrides={
                "articles": page,
                "paginator": paginator,
                "categories": list(ArticleCategory.objects.all()),
                "category": category,
                "tag": tag,
            },
        )

    @path("feed/")
    def rss_feed(self, request: HttpRequest) -> HttpResponse:
        from content.feeds import ArticleFeed

        return ArticleFeed(self)(request)

    @path("feed/atom/")
    def atom_feed(self, request: HttpRequest) -> HttpResponse:
        from content.feeds import AtomArticleFeed

        return AtomArticleFeed(self)(request)


class ArticleRelatedLink(Orderable):
    """A hand-picked "see also" article."""

    page = ParentalKey("content.ArticlePage", on_delete=models.CASCADE, related_name="related_links")
    article = models.ForeignKey(
        "content.ArticlePage", verbose_name=_("相关文章"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("article", "content.ArticlePage")]

    class Meta(Orderable.Meta):
        verbose_name = _("相关文章")
        verbose_name_plural = _("相关文章")


class ArticlePage(KnownRestrictionsMixin, Page):
    """One plain-language legal education article."""

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    intro = models.TextField(
        _("导语"), **limited(300), help_text=_("一两句话说清这篇文章解决什么问题，显示在列表和订阅中。")
    )
    category = models.ForeignKey(
        ArticleCategory, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="articles"
    )
    tags = ClusterTaggableManager(verbose_name=_("标签"), through=ArticleTag, blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("封面图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_alt = models.CharField(
        _("封面图片说明"), max_length=200, blank=True, help_text=_("描述图片内容，供看不见图片的读者使用。")
    )
    place = models.ForeignKey(
        "places.Division",
        verbose_name=_("相关地区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("文章只涉及某个县(市、区)、乡镇(街道)或村(社区)时，填写它的区划代码，如本地案例。"),
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("正文"))
    reading_minutes = models.PositiveSmallIntegerField(_("阅读时长（分钟）"), default=1, editable=False)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("category"),
                FieldPanel("tags"),
                # A code box, not a select of every division in the country.
                FieldPanel(
                    "place", widget=forms.TextInput(attrs={"placeholder": "451402", "inputmode": "numeric"})
                ),
            ],
            heading=_("分类与日期"),
        ),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("cover_image"), FieldPanel("cover_alt")], heading=_("封面")),
        FieldPanel("body"),
        InlinePanel("related_links", label=_("相关文章"), max_num=6),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("category"),
        index.FilterField("date"),
        index.FilterField("place"),
    ]
    parent_page_types = ["content.ArticleIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("普法文章")
        verbose_name_plural = _("普法文章")
        constraints = [
            length_constraint("intro", 300, "articlepage_intro_length", _("导语不能超过 300 个字。"))
        ]

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("“%(slug)s”是保留的网址名，请换一个。") % {"slug": self.slug}
        if self.place_id and self.place.level < codes.COUNTY:
            errors["place"] = _("请选择县(市、区)、乡镇(街道)或村(社区)。")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.reading_minutes = self.compute_reading_minutes()
        return super().save(*args, **kwargs)

    def compute_reading_minutes(self) -> int:
        text = plain_text(self.body) + self.intro
        # Count characters without spaces: Chinese has no word breaks, Latin words are rare here.
        return max(1, math.ceil(len(text.replace(" ", "")) / CHARS_PER_MINUTE))

    @cached_property
    def plain_body(self) -> str:
        return plain_text(self.body)

    def related_articles(self, limit: int = 3) -> list[ArticlePage]:
        """Hand-picked related articles that are live on this site, else the newest of the category."""
        if not self.path or self.depth is None:
            return []  # an unsaved page being previewed has no siblings yet
        parent_path = self.path[: -self.steplen]
        links = self.related_links.all()
        if isinstance(links, models.QuerySet):
            # What an article card shows, in one query whatever the number of links.
            links = links.select_related("article__category", "article__cover_image")
        picked = [
            link.article
            for link in links
            if link.article.live and link.article.path.startswith(parent_path) and link.article.pk != self.pk
        ]
        if picked:
            return picked[:limit]
        return list(
            ArticlePage.objects.sibling_of(self, inclusive=False)
            .live()
            .public()
            .filter(category_id=self.category_id)
            .select_related("category", "cover_image")
            .order_by("-date", "-pk")[:limit]
        )

    def load_shown_objects(self, related: list[ArticlePage]) -> None:
        """Load what the page shows in a fixed number of queries, whatever its number of images.

        The category and cover image come in one query; the renditions of every image on the
        page (cover, figures in the body, related articles' covers) in one more, so that the
        picture tags find them prefetched instead of asking the cache image by image.
        """
        if self.pk and (self.category_id or self.cover_image_id):
            row = (
                ArticlePage.objects.select_related("category", "cover_image")
                .only("category", "cover_image")
                .filter(pk=self.pk, category_id=self.category_id, cover_image_id=self.cover_image_id)
                .first()
            )
            if row is not None:  # None: a preview whose category or cover differs from the saved one
                self.category = row.category
                self.cover_image = row.cover_image
        images = [self.cover_image] if self.cover_image_id else []
        for block in self.body:
            image = block.value.get("image") if block.block_type == "image" else None
            if image is not None:
                images.append(image)
        images += [article.cover_image for article in related if article.cover_image_id]
        models.prefetch_related_objects(images, "renditions")

    def shown_objects(self) -> dict:
        """The related articles and tags, after loading every image's renditions in one query."""
        related = self.related_articles()
        self.load_shown_objects(related)
        return {"related": related, "tags": list(self.tags.all())}

    def get_context(self, request, *args, **kwargs):
        from content.pagecache import article_tags

        context = super().get_context(request, *args, **kwargs)
        # Lazy: read only when the article's cached fragment (pagecache/fragments.py) misses, so a
        # hit skips the body's image, rendition, related-article and tag queries.
        context["shown"] = SimpleLazyObject(self.shown_objects)
        context["fragment_tags"] = article_tags(self)
        # The breadcrumbs and every tag link point at the index: look it up once, not per link.
        context["article_index"] = self.get_parent()
        return context
