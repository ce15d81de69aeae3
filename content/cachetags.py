"""The page cache's tag names for Wagtail pages, apart from `content/pagecache.py`.

`content/pagecache.py` wires the tags to saves and needs the models; the models' routing
(`content/models/routing.py`) keeps pages under the same tags and cannot import it, so the
names live here, importing nothing.
"""

from __future__ import annotations

CATEGORIES = "article-categories"
PAGES = "pages"


def root_tag(path: str) -> str:
    """The tag of the site whose root page (depth 2) this tree path lies under."""
    return f"pages:{path[:8]}"


def article_tags(path: str) -> list[str]:
    """What an article or a site's article index shows: its site's pages and the categories."""
    return [root_tag(path), CATEGORIES] if path else [CATEGORIES]
