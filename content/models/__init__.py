"""Wagtail pages, snippets and site settings of the public site (re-exported here)."""

from ..moderation import ScopedGroupApprovalTask
from .articles import ArticleCategory, ArticleIndexPage, ArticlePage, ArticleRelatedLink, ArticleTag
from .home import HomePage
from .lectures import Lecture, LecturePhoto

__all__ = [
    "ArticleCategory",
    "ArticleIndexPage",
    "ArticlePage",
    "ArticleRelatedLink",
    "ArticleTag",
    "HomePage",
    "Lecture",
    "LecturePhoto",
    "ScopedGroupApprovalTask",
]
