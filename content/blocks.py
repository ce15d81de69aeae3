"""StreamField blocks of legal education articles, small blocks composed into the article body.

The policy asks advisers to teach "通过'以案说法'、以群众身边事讲法说法等方式" (城北政办〔2019〕111号
三(二)); the case box, quoted law articles and the Q&A block are the shapes that teaching takes.
"""

from __future__ import annotations

import re

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

# Paragraphs stay simple: people read these on small phones, often read aloud by a screen reader.
PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class FigureBlock(blocks.StructBlock):
    """An image with its caption; rendered through renditions as WebP with a JPEG fallback."""

    image = ImageBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("图片说明"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "content/blocks/figure.html"


class LawQuoteBlock(blocks.StructBlock):
    """A quoted law article with its source, so readers can check the wording themselves."""

    law = blocks.CharBlock(
        label=_("法律法规名称"), max_length=100, help_text=_("如：《中华人民共和国民法典》")
    )
    article = blocks.CharBlock(
        label=_("条款"),
        required=False,
        max_length=50,
        help_text=_("如：第一千零六十二条。不确定条款号时请留空，只写法律名称。"),
    )
    text = blocks.TextBlock(label=_("条文"))
    source_url = blocks.URLBlock(
        label=_("出处链接"),
        required=False,
        help_text=_("如国家法律法规数据库（flk.npc.gov.cn）中的该法律页面。"),
    )

    class Meta:
        icon = "openquote"
        label = _("法条引用")
        template = "content/blocks/law_quote.html"


class CaseBlock(blocks.StructBlock):
    """以案说法: a real-life case in three parts — what happened, how it ended, what the law says."""

    title = blocks.CharBlock(label=_("案例标题"), max_length=100)
    facts = blocks.TextBlock(label=_("案情"))
    outcome = blocks.TextBlock(label=_("处理结果"), required=False)
    analysis = blocks.TextBlock(label=_("说法"), help_text=_("用通俗的话讲清这件事背后的法律道理。"))

    class Meta:
        icon = "doc-full"
        label = _("以案说法")
        template = "content/blocks/case.html"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("问"), max_length=200)
    answer = blocks.RichTextBlock(label=_("答"), features=PARAGRAPH_FEATURES)

    class Meta:
        icon = "help"
        label = _("问答")


class QuestionsBlock(blocks.StructBlock):
    """Questions villagers actually ask, each with a short answer."""

    heading = blocks.CharBlock(label=_("标题"), max_length=60, default=_("常见问题"))
    items = blocks.ListBlock(QuestionBlock(), label=_("问答"), min_num=1)

    class Meta:
        icon = "help"
        label = _("问答")
        template = "content/blocks/questions.html"


class ArticleBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("小标题"), max_length=60, icon="title", template="content/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("段落"), features=PARAGRAPH_FEATURES, template="content/blocks/paragraph.html"
    )
    image = FigureBlock()
    law_quote = LawQuoteBlock()
    case = CaseBlock()
    questions = QuestionsBlock()

    class Meta:
        block_counts = {"questions": {"max_num": 3}}


_SPACES = re.compile(r"\s+")


def plain_text(stream_value) -> str:
    """The readable text of a body (for reading time and feeds): tags and extra spaces removed."""
    parts = []
    for child in stream_value:
        parts.extend(str(text) for text in child.block.get_searchable_content(child.value))
    return _SPACES.sub(" ", strip_tags(" ".join(parts))).strip()
