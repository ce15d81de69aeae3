"""Legal education articles: page rules, every block rendered, index, feeds, query counts."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from content.models import ArticleCategory, ArticleIndexPage, ArticlePage, ArticleRelatedLink, HomePage
from content.models.articles import ARTICLES_PER_PAGE
from tests.content_helpers import articles_index, category, make_article, make_image

CATEGORIES = [
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
]


def every_block(image_id: int) -> list:
    """A body using each block of the article StreamField once, in admin-form shape."""
    return streamfield(
        [
            ("heading", "彩礼能不能要回来"),
            ("paragraph", rich_text("<p>按习俗给付的<b>彩礼</b>，有的情形可以请求返还。</p>")),
            (
                "image",
                {
                    "image": {"image": str(image_id), "decorative": "", "alt_text": "一家人站在房前"},
                    "caption": "婚事不成，彩礼返还要讲法也要讲情。",
                },
            ),
            (
                "law_quote",
                {
                    "law": "《中华人民共和国民法典》",
                    "article": "第一千零四十二条第一款",
                    "text": "禁止借婚姻索取财物。",
                    "source_url": "https://flk.npc.gov.cn/",
                },
            ),
            (
                "case",
                {
                    "title": "订婚后分手",
                    "facts": "双方未办理结婚登记。",
                    "outcome": "调解返还大部分。",
                    "analysis": "未登记结婚的，可以请求返还。",
                },
            ),
            (
                "questions",
                {
                    "heading": "常见问题",
                    "items": {
                        "count": "2",
                        "0": {
                            "type": "item",
                            "value": {
                                "question": "彩礼给了女方父母，也能要回吗？",
                                "answer": rich_text("<p>可以一并主张。</p>"),
                            },
                            "deleted": "",
                            "order": "0",
                            "id": "",
                        },
                        "1": {
                            "type": "item",
                            "value": {
                                "question": "恋爱时的红包算彩礼吗？",
                                "answer": rich_text("<p>一般属于赠与。</p>"),
                            },
                            "deleted": "",
                            "order": "1",
                            "id": "",
                        },
                    },
                },
            ),
        ]
    )


class ArticlePageRulesTests(WagtailPageTestCase):
    """Wagtail's own page test helpers: where pages may be created, the admin form, rendering."""

    @classmethod
    def setUpTestData(cls):
        cls.index = articles_index()
        cls.image = make_image("彩礼插图")

    def setUp(self):
        super().setUp()
        self.user = self.login()  # a superuser

    def test_creation_rules(self):
        self.assertCanCreateAt(HomePage, ArticleIndexPage)
        self.assertCanCreateAt(ArticleIndexPage, ArticlePage)
        self.assertCanNotCreateAt(HomePage, ArticlePage)
        self.assertCanNotCreateAt(Page, ArticlePage)
        self.assertCanNotCreateAt(ArticlePage, ArticlePage)
        self.assertAllowedParentPageTypes(ArticlePage, {ArticleIndexPage})
        self.assertAllowedParentPageTypes(ArticleIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(ArticleIndexPage, {ArticlePage})
        self.assertAllowedSubpageTypes(ArticlePage, set())

    def test_one_articles_index_per_home(self):
        self.assertFalse(ArticleIndexPage.can_create_at(self.index.get_parent().specific))

    def test_editor_form_creates_an_article_with_every_block(self):
        data = nested_form_data(
            {
                "title": "订了婚没结成，彩礼能要回来吗？",
                "slug": "caili",
                "date": "2026-03-01",
                "category": str(category("marriage-family").pk),
                "tags": "彩礼, 订婚",
                "intro": "按习俗给了彩礼，后来没有登记结婚，彩礼能不能要回来？",
                "cover_image": str(self.image.pk),
                "cover_alt": "一家人站在房前",
                "place": "451402001201",
                "body": every_block(self.image.pk),
                "related_links": inline_formset([]),
                "comments": inline_formset([]),
            }
        )
        self.assertCanCreate(self.index, ArticlePage, data)
        page = ArticlePage.objects.get(slug="caili")
        self.assertEqual(
            [b.block_type for b in page.body],
            ["heading", "paragraph", "image", "law_quote", "case", "questions"],
        )
        self.assertEqual(sorted(t.name for t in page.tags.all()), ["彩礼", "订婚"])
        self.assertTrue(page.live)
        self.assertEqual(page.place_id, "451402001201")

    def test_a_wrong_place_code_is_a_form_error(self):
        url = reverse("wagtailadmin_pages:add", args=["content", "articlepage", self.index.pk])
        for code in ("999999", "abc", "45"):
            data = nested_form_data(
                {
                    "title": "地方案例",
                    "slug": f"local-{code}",
                    "date": "2026-03-01",
                    "category": str(category().pk),
                    "tags": "",
                    "intro": "导语",
                    "cover_image": "",
                    "cover_alt": "",
                    "place": code,
                    "body": every_block(self.image.pk),
                    "related_links": inline_formset([]),
                    "comments": inline_formset([]),
                }
            )
            response = self.client.post(url, {**data, "action-publish": "publish"})
            self.assertEqual(response.status_code, 200, code)  # the form again, with its error
            self.assertFalse(ArticlePage.objects.filter(slug=f"local-{code}").exists())

    def test_the_index_always_lives_at_articles(self):
        home = Page.get_first_root_node().add_child(instance=HomePage(title="另一个司法局", slug="another"))
        index = home.add_child(instance=ArticleIndexPage(title="普法园地", slug="普法园地"))
        self.assertEqual(index.slug, "articles")
        self.assertTrue(index.url_path.endswith("/another/articles/"))

    def test_every_block_renders(self):
        page = make_article(
            self.index,
            title="彩礼",
            slug="caili-render",
            cover_image=self.image,
            cover_alt="封面说明",
            body=[
                ("heading", "彩礼能不能要回来"),
                ("paragraph", "<p>按习俗给付的<b>彩礼</b>可以请求返还。</p>"),
                (
                    "image",
                    {
                        "image": {"image": self.image, "decorative": False, "alt_text": "一家人站在房前"},
                        "caption": "图片说明文字",
                    },
                ),
                (
                    "law_quote",
                    {
                        "law": "《中华人民共和国民法典》",
                        "article": "第一千零四十二条",
                        "text": "禁止借婚姻索取财物。",
                        "source_url": "https://flk.npc.gov.cn/",
                    },
                ),
                (
                    "case",
                    {
                        "title": "订婚后分手",
                        "facts": "双方未登记。",
                        "outcome": "返还大部分。",
                        "analysis": "可以请求返还。",
                    },
                ),
                (
                    "questions",
                    {
                        "heading": "常见问题",
                        "items": [{"question": "红包算彩礼吗？", "answer": "<p>一般属于赠与。</p>"}],
                    },
                ),
            ],
        )
        self.assertPageIsRenderable(page)
        self.assertPageIsRoutable(page)
        html = self.client.get(page.url).content.decode()
        self.assertIn("<h2>彩礼能不能要回来</h2>", html)
        self.assertIn("<b>彩礼</b>", html)
        # The figure: WebP source with a srcset of several widths, JPEG fallback, alt text, caption.
        self.assertRegex(
            html,
            r'<source [^>]*srcset="[^"]+\.webp 400w, [^"]+\.webp 800w, [^"]+\.webp 1200w"[^>]* type="image/webp"',
        )
        self.assertRegex(html, r'<img [^>]*src="[^"]+\.jpg"')
        self.assertRegex(html, r'<img [^>]*alt="一家人站在房前"')
        self.assertIn("<figcaption>图片说明文字</figcaption>", html)
        self.assertRegex(html, r'<img [^>]*alt="封面说明"')
        # The law quote names its source.
        self.assertIn('<blockquote cite="https://flk.npc.gov.cn/">', html)
        self.assertIn("<cite>《中华人民共和国民法典》</cite>第一千零四十二条", html)
        # 以案说法 and the Q&A.
        self.assertIn("以案说法：订婚后分手", html)
        self.assertIn("<dt>处理结果</dt>", html)
        self.assertIn("<dt>红包算彩礼吗？</dt>", html)
        self.assertIn("一般属于赠与。", html)

    def test_preview_works(self):
        page = make_article(self.index, slug="preview-me")
        data = nested_form_data(
            {
                "title": "预览中的文章",
                "slug": "preview-me",
                "date": "2026-03-01",
                "category": str(category().pk),
                "tags": "",
                "intro": "导语",
                "cover_image": "",
                "cover_alt": "",
                "place": "",
                "body": every_block(self.image.pk),
                "related_links": inline_formset([]),
                "comments": inline_formset([]),
            }
        )
        self.assertPageIsPreviewable(page, post_data=data)

    def test_feed_is_a_reserved_slug(self):
        page = ArticlePage(title="订阅", slug="feed", intro="x", category=category(), body=[])
        with self.assertRaises(Exception) as raised:
            self.index.add_child(instance=page)
        self.assertIn("保留的网址名", str(raised.exception))


@pytest.fixture
def index(db):
    return articles_index()


def test_categories_are_seeded_from_the_policies(db):
    assert list(ArticleCategory.objects.values_list("name", flat=True)) == CATEGORIES


def test_reading_time_counts_chinese_characters(index):
    short = make_article(index, body=[("paragraph", "<p>" + "法" * 100 + "</p>")])
    long = make_article(index, body=[("paragraph", "<p>" + "法" * 1500 + "</p>")])
    assert short.reading_minutes == 1
    assert long.reading_minutes == 6  # 1500 + intro characters at 300 a minute, rounded up


def test_index_lists_live_articles_newest_first(client, index):
    old = make_article(index, title="旧文章", date=dt.date(2025, 1, 1))
    new = make_article(index, title="新文章", date=dt.date(2026, 1, 1))
    make_article(index, title="草稿文章", publish=False)
    html = client.get("/articles/").content.decode()
    assert html.index(new.title) < html.index(old.title)
    assert "草稿文章" not in html


def test_index_filters_by_category_and_tag(client, index):
    make_article(index, title="讲彩礼", category=category("marriage-family"), tags=["彩礼"])
    make_article(index, title="讲讨薪", category=category("labour-disputes"), tags=["讨薪"])
    html = client.get("/articles/", {"category": "labour-disputes"}).content.decode()
    assert "讲讨薪" in html and "讲彩礼" not in html
    assert 'aria-current="page">劳动争议</a>' in html
    html = client.get("/articles/", {"tag": "彩礼"}).content.decode()
    assert "讲彩礼" in html and "讲讨薪" not in html


@pytest.mark.parametrize("query", [{"category": "no-such"}, {"page": "99"}, {"page": "abc"}, {"page": "0"}])
def test_bad_filters_are_404_not_500(client, index, query):
    make_article(index)
    assert client.get("/articles/", query).status_code == 404


def test_index_paginates(client, index):
    for n in range(ARTICLES_PER_PAGE + 3):
        make_article(index, title=f"第{n:02d}篇", date=dt.date(2026, 1, 1) + dt.timedelta(days=n))
    first = client.get("/articles/").content.decode()
    second = client.get("/articles/", {"page": 2}).content.decode()
    assert "第12篇" in first and "第00篇" not in first
    assert "第00篇" in second and "第 2 页，共 2 页" in second
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_related_articles_hand_picked_then_same_category(client, index):
    a = make_article(index, title="甲", category=category("land-rights"))
    b = make_article(index, title="乙", category=category("land-rights"))
    c = make_article(index, title="丙", category=category("contract-disputes"))
    assert [p.pk for p in a.related_articles()] == [b.pk]  # same category, newest first
    a.related_links.add(ArticleRelatedLink(article=c))
    a.save_revision().publish()
    a = ArticlePage.objects.get(pk=a.pk)
    assert [p.pk for p in a.related_articles()] == [c.pk]
    assert "丙" in client.get(a.url).content.decode()


def test_article_page_offers_the_adviser_and_hotline(client, index):
    page = make_article(index, tags=["借条"])
    html = client.get(page.url).content.decode()
    assert 'href="tel:12348"' in html
    assert "?tag=%E5%80%9F%E6%9D%A1" in html  # tag links back to the filtered index


def test_rss_feed_parses(client, index):
    first = make_article(
        index, title="彩礼能要回来吗", intro="彩礼返还的三种情形。", date=dt.date(2026, 2, 1)
    )
    make_article(index, title="讨薪有门道", category=category("labour-disputes"), date=dt.date(2026, 3, 1))
    response = client.get("/articles/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    assert [e.title for e in feed.entries] == ["讨薪有门道", "彩礼能要回来吗"]
    entry = feed.entries[1]
    assert entry.link == f"http://testserver{first.url}"
    assert entry.summary == "彩礼返还的三种情形。"
    assert entry.tags[0].term == "婚姻家庭"
    assert entry.published_parsed[:3] == (2026, 2, 1)


def test_atom_feed_parses_and_filters_by_category(client, index):
    make_article(index, title="彩礼能要回来吗")
    make_article(index, title="讨薪有门道", category=category("labour-disputes"))
    response = client.get("/articles/feed/atom/", {"category": "labour-disputes"})
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["讨薪有门道"]
    assert "劳动争议" in feed.feed.title


def test_feed_with_unknown_category_is_404(client, index):
    assert client.get("/articles/feed/", {"category": "nope"}).status_code == 404


def _queries(client, url: str) -> int:
    client.get(url)  # renditions are made on first view; count a warm page
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_index_query_count_does_not_grow_with_articles(client, index):
    cover = make_image("封面")
    for _ in range(2):
        make_article(index, cover_image=cover, tags=["一"])
    few = _queries(client, "/articles/")
    for _ in range(8):
        make_article(index, cover_image=make_image("另一封面"), tags=["二"])
    many = _queries(client, "/articles/")
    assert many == few, f"{few} queries for 2 articles, {many} for 10"


def test_home_page_shows_latest_articles(client, index):
    make_article(index, title="最新的普法文章", date=timezone.localdate())
    html = client.get("/").content.decode()
    assert "普法园地" in html and "最新的普法文章" in html
