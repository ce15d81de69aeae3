"""One installation, two jurisdictions: each Wagtail Site has its own home, area, articles,
lectures and theme, and the demo loader sets them up idempotently."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from content.models import ArticleCategory, ArticleIndexPage, ArticlePage, HomePage, Lecture
from demo.content import load_content
from sites import themes
from sites.loaders import ThemeMiddleware
from sites.models import JurisdictionSettings
from tests.conftest import BUZHAI, ensure_demo_divisions
from tests.content_helpers import make_lecture

CHENGBEI = "chengbei.localhost"


class TwoSitesTests(TestCase):
    """The demo's two sites, made once by the loader itself for all the tests below."""

    @classmethod
    def setUpTestData(cls):
        ensure_demo_divisions()
        cache.clear()  # Wagtail caches the site root paths
        list(load_content())
        cls.chongzuo = Site.objects.get(is_default_site=True)
        cls.chengbei = Site.objects.get(hostname=CHENGBEI)

    def setUp(self):
        cache.clear()

    def get(self, path: str, host: str | None = None, **params):
        extra = {"HTTP_HOST": host} if host else {}
        return self.client.get(path, params, **extra)

    def html(self, path: str, host: str | None = None, **params) -> str:
        response = self.get(path, host, **params)
        self.assertEqual(response.status_code, 200, path)
        return response.content.decode()

    def test_loader_creates_both_sites_with_their_settings(self):
        chongzuo = JurisdictionSettings.for_site(self.chongzuo)
        chengbei = JurisdictionSettings.for_site(self.chengbei)
        self.assertEqual(
            (chongzuo.bureau_name, chongzuo.area_codes, chongzuo.theme), ("崇左市司法局", "4514", "chongzuo")
        )
        self.assertEqual(
            (chengbei.bureau_name, chengbei.area_codes, chengbei.theme),
            ("西宁市城北区司法局", "630105", "chengbei"),
        )
        for site in (self.chongzuo, self.chengbei):
            self.assertIsInstance(site.root_page.specific, HomePage)
            self.assertEqual(ArticleIndexPage.objects.child_of(site.root_page).live().count(), 1)

    def test_loader_is_idempotent_and_keeps_staff_changes(self):
        def counts():
            return (
                Site.objects.count(),
                HomePage.objects.count(),
                ArticlePage.objects.count(),
                Lecture.objects.count(),
            )

        before = counts()
        jurisdiction = JurisdictionSettings.for_site(self.chengbei)
        jurisdiction.hotline = "0971-12348"
        jurisdiction.save()
        list(load_content())
        self.assertEqual(counts(), before)
        self.assertEqual(JurisdictionSettings.for_site(self.chengbei).hotline, "0971-12348")

    def test_demo_articles_cover_every_category_in_plain_chinese(self):
        articles = ArticlePage.objects.live()
        self.assertGreaterEqual(articles.count(), 20)
        self.assertLessEqual(
            set(ArticleCategory.objects.values_list("pk", flat=True)),
            set(articles.values_list("category", flat=True)),
        )
        for site in (self.chongzuo, self.chengbei):
            host = None if site.is_default_site else CHENGBEI
            for page in ArticlePage.objects.live().descendant_of(site.root_page):
                html = self.html(page.get_url(), host)
                self.assertNotIn("lorem", html.lower())
                self.assertTrue("以案说法" in html or "常见问题" in html or "<blockquote" in html, page.slug)
                self.assertIn('type="image/webp"', html)  # every demo article has an illustration

    def test_default_site_answers_on_127_0_0_1(self):
        html = self.html("/", "127.0.0.1:8000")
        self.assertIn("崇左市司法局", html)
        self.assertIn("themes/chongzuo/theme.css", html)

    def test_each_site_has_its_own_theme_logo_and_footer(self):
        chongzuo = self.html("/")
        chengbei = self.html("/", CHENGBEI)
        self.assertIn("themes/chongzuo/theme.css", chongzuo)
        self.assertIn("themes/chongzuo/logo.svg", chongzuo)
        self.assertIn("themes/chengbei/theme.css", chengbei)
        self.assertIn("themes/chengbei/logo.svg", chengbei)
        self.assertIn("主办单位：崇左市司法局", chongzuo)
        self.assertIn("主办单位：西宁市城北区司法局", chengbei)
        self.assertIn("网站标识码：DEMO451400", chongzuo)
        self.assertIn("网站标识码：DEMO630105", chengbei)
        self.assertIn('href="https://beian.miit.gov.cn/"', chongzuo)
        self.assertIn("桂ICP备", chongzuo)
        self.assertIn("青ICP备", chengbei)
        # Its own site title, with 村(社区) kept on one line in the phone header.
        self.assertIn('城北区<span class="nobr">村(社区)</span>法律顾问', chengbei)
        self.assertIn("打通法律服务群众“最后一公里”", chengbei)
        # 城北's theme overrides the footer template with the three platforms; 崇左's does not ...
        self.assertIn("公共法律服务三大平台", chengbei)
        self.assertNotIn("公共法律服务三大平台", chongzuo)
        # ... and the cached templates of one theme never leak into the other.
        self.assertNotIn("公共法律服务三大平台", self.html("/directory/"))
        self.assertIn("公共法律服务三大平台", self.html("/directory/", CHENGBEI))

    def test_each_site_has_its_own_directory_scope(self):
        chongzuo = self.html("/directory/")
        chengbei = self.html("/directory/", CHENGBEI)
        self.assertIn("江州区", chongzuo)
        self.assertNotIn("城北区", chongzuo)
        self.assertIn("城北区", chengbei)
        self.assertNotIn("江州区", chengbei)
        home = self.html("/", CHENGBEI)
        self.assertIn('href="/directory/630105/"', home)
        self.assertNotIn('href="/directory/451402/"', home)

    def test_each_site_has_its_own_articles(self):
        chongzuo = self.html("/articles/")
        chengbei = self.html("/articles/", CHENGBEI)
        self.assertIn("订了婚没结成，彩礼能要回来吗？", chongzuo)
        self.assertNotIn("订了婚没结成", chengbei)
        self.assertIn("遭遇家庭暴力，可以申请人身安全保护令", chengbei)
        self.assertNotIn("遭遇家庭暴力", chongzuo)
        self.assertEqual(self.get("/articles/jiating-baoli/").status_code, 404)
        self.html("/articles/jiating-baoli/", CHENGBEI)
        feed = self.html("/articles/feed/", CHENGBEI)
        self.assertIn("http://chengbei.localhost/articles/jiating-baoli/", feed)
        self.assertNotIn("caili-fanhuan", feed)

    def test_each_site_has_its_own_lectures(self):
        from places.models import Division

        chengbei_village = Division.objects.villages().within("630105").order_by("code").first().code
        make_lecture(BUZHAI, topic="卜寨的讲座")
        make_lecture(chengbei_village, topic="城北的讲座")
        chongzuo = self.html("/lectures/")
        chengbei = self.html("/lectures/", CHENGBEI)
        self.assertIn("卜寨的讲座", chongzuo)
        self.assertNotIn("城北的讲座", chongzuo)
        self.assertIn("城北的讲座", chengbei)
        self.assertNotIn("卜寨的讲座", chengbei)
        ics = self.html("/lectures/calendar.ics", CHENGBEI)
        self.assertIn("城北的讲座", ics)
        self.assertNotIn("卜寨的讲座", ics)
        self.assertIn("西宁市城北区司法局", ics)

    def test_admin_preview_shows_the_page_in_its_own_sites_theme(self):
        page = ArticlePage.objects.descendant_of(self.chengbei.root_page).first()
        page.title = "预览中的新标题"
        html = page.make_preview_request().content.decode()
        self.assertIn("预览中的新标题", html)
        self.assertIn("themes/chengbei/theme.css", html)
        self.assertIn("主办单位：西宁市城北区司法局", html)

    def test_an_unknown_theme_falls_back_to_the_default(self):
        JurisdictionSettings.objects.filter(site=self.chengbei).update(theme="removed-theme")
        html = self.html("/", CHENGBEI)
        self.assertNotIn("themes/chengbei", html)
        self.assertIn("portal/site.css", html)


def test_themes_are_discovered_from_the_themes_folder():
    names = [name for name, _label in themes.theme_choices()]
    assert names[0] == "default" and {"chongzuo", "chengbei"} <= set(names)
    for name in ("chongzuo", "chengbei"):
        theme = themes.get_theme(name)
        assert theme.stylesheet and theme.logo
    assert themes.get_theme("chengbei").templates is not None
    assert themes.get_theme(None).name == "default"


SITE_TABLES = ('"wagtailcore_site"', '"content_jurisdictionsettings"')


def site_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in context.captured_queries if any(t in q["sql"] for t in SITE_TABLES)]


def test_health_probe_needs_no_theme(client, db):
    """A liveness probe renders nothing, so it never looks up the site or its theme settings.

    The control is the page after it: the same count sees the lookup there, so the probe's empty
    count means the probe skipped it (were the theme looked up for every request, it would not).
    """
    site = Site.objects.get(is_default_site=True)
    jurisdiction = JurisdictionSettings.for_site(site)  # a theme to find, were the probe to look
    jurisdiction.theme = "chengbei"
    jurisdiction.save()
    assert site_queries(client, "/healthz") == []
    assert site_queries(client, "/directory/")


def test_the_theme_is_looked_up_when_a_template_loads_and_not_before(db):
    """ThemeMiddleware only remembers the request; the loader asks for its theme on first use."""
    site = Site.objects.get(is_default_site=True)
    jurisdiction = JurisdictionSettings.for_site(site)
    jurisdiction.theme = "chengbei"
    jurisdiction.save()
    seen = {}

    def silent(request):
        seen["silent"] = getattr(request, "_portal_theme", None)
        return HttpResponse("ok")

    def rendering(request):
        html = render_to_string("includes/site_footer.html", {}, request=request)
        seen["rendering"] = (getattr(request, "_portal_theme", None), "公共法律服务三大平台" in html)
        return HttpResponse(html)

    factory = RequestFactory()
    ThemeMiddleware(silent)(factory.get("/healthz"))
    ThemeMiddleware(rendering)(factory.get("/directory/"))
    assert seen == {"silent": None, "rendering": ("chengbei", True)}
