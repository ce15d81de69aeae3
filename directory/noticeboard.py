"""The printable public notice board (公示牌) of a village, drawn with Pillow.

The policy requires each village to post the adviser's name, duties, contact and on-site hours
(崇政办发〔2017〕101号 三(一)). The board is A4 portrait at 300 dpi (2480 × 3508 px) with a QR code
to the village page, so the printed board always leads to current details.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import qrcode
from django.core.cache import cache as django_cache
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw, ImageFont, ImageOps

from advisers.duties import SHORT_DUTIES
from backoffice.ratelimits import rate_limit
from places import codes
from sites.models import JurisdictionSettings

from . import queries
from .views import get_place

logger = logging.getLogger(__name__)

A4_300DPI = (2480, 3508)
DPI = 300
MARGIN = 160
RED = (178, 34, 34)
INK = (20, 20, 20)
GREY = (90, 90, 90)
LIGHT = (245, 240, 230)
BOARD_CACHE_SECONDS = 3600
# Part of the cache key: bump when the drawing changes so shared caches do not serve old boards.
DRAWING_VERSION = 2


def _font_candidates() -> list[tuple[Path, int]]:
    candidates: list[tuple[Path, int]] = []
    try:
        import pylopdf_fonts_zh_cn

        candidates.append((Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf", 0))
    except ImportError:
        pass
    candidates += [
        (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
        (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    ]
    return candidates


@cache
def _font_source() -> tuple[str, int]:
    for path, index in _font_candidates():
        if path.exists():
            return str(path), index
    raise RuntimeError("No CJK font found: install requirements.txt (pylopdf-fonts-zh-cn).")


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    path, index = _font_source()
    return ImageFont.truetype(path, size=size, index=index)


@dataclass
class BoardContent:
    """The words on the board; also the cache key of the drawing."""

    village_full_name: str
    village_name: str
    url: str
    covered: bool
    adviser_name: str = ""
    adviser_kind: str = ""
    firm: str = ""
    licence_no: str = ""
    phone: str = ""
    hours: list[str] = field(default_factory=list)
    liaisons: list[str] = field(default_factory=list)
    bureau: str = ""
    bureau_phone: str = ""
    hotline: str = "12348"
    photo_path: str = ""

    def digest(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()[:16]


def content_for(view: queries.VillageView, url: str, hotline: str) -> BoardContent:
    content = BoardContent(
        village_full_name="".join(a.name for a in view.ancestors[1:]),
        village_name=view.village.name,
        url=url,
        covered=view.contract is not None,
        hotline=hotline,
    )
    if view.bureau is not None:
        content.bureau = view.bureau.name
        content.bureau_phone = view.bureau.phone
    content.liaisons = [" ".join(filter(None, [o.name, o.title, o.published_phone])) for o in view.liaisons]
    adviser = view.adviser
    if adviser is not None:
        content.adviser_name = adviser.name
        content.adviser_kind = adviser.get_kind_display()
        content.firm = adviser.firm.name
        content.licence_no = adviser.licence_no
        content.phone = adviser.public_phone
        content.hours = [s.describe() + (f"（{s.place}）" if s.place else "") for s in view.schedules]
        if adviser.photo is not None:
            content.photo_path = adviser.photo.file.name
    return content


def _wrap(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy wrap by character: Chinese has no spaces to break on."""
    lines, current = [], ""
    for char in text:
        if draw.textlength(current + char, font=face) > width and current:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines


def _paragraph(draw, xy, text, size, width, fill=INK, spacing=1.35) -> int:
    """Draw wrapped text; return the y below it."""
    x, y = xy
    face = font(size)
    for line in _wrap(draw, text, face, width):
        draw.text((x, y), line, font=face, fill=fill)
        y += int(size * spacing)
    return y


def _photo(path: str, box: tuple[int, int]) -> Image.Image | None:
    from django.core.files.storage import default_storage

    try:
        with default_storage.open(path, "rb") as fh:
            picture = Image.open(fh)
            picture.load()
    except (OSError, ValueError) as exc:
        logger.warning("notice board: adviser photo unreadable (%s)", exc.__class__.__name__)
        return None
    # contain() also enlarges: portraits are often smaller than the printed box.
    return ImageOps.contain(picture.convert("RGB"), box)


def _qr(url: str, size: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    return (
        code.make_image(fill_color="black", back_color="white")
        .get_image()
        .convert("RGB")
        .resize((size, size), Image.Resampling.NEAREST)
    )


def _draw_body(img: Image.Image, content: BoardContent, top: int, scale: float) -> int:
    """Adviser, hours, duties and liaison from `top` down; font sizes times `scale`. Returns the bottom."""
    draw = ImageDraw.Draw(img)
    width = img.width
    inner = width - 2 * MARGIN

    def px(value: int) -> int:
        return round(value * scale)

    y = top
    if content.covered:
        photo_box = (px(600), px(800))
        text_x = MARGIN
        picture = _photo(content.photo_path, photo_box) if content.photo_path else None
        if picture is not None:
            img.paste(picture, (MARGIN, y))
            draw.rectangle((MARGIN, y, MARGIN + picture.width, y + picture.height), outline=GREY, width=4)
            text_x = MARGIN + photo_box[0] + 80
        text_width = width - MARGIN - text_x
        ty = _paragraph(draw, (text_x, y), _("法律顾问"), px(60), text_width, fill=GREY)
        ty = _paragraph(draw, (text_x, ty), content.adviser_name, px(140), text_width) + 10
        ty = _paragraph(draw, (text_x, ty), f"{content.adviser_kind} · {content.firm}", px(64), text_width)
        licence = _("执业证号：%(no)s") % {"no": content.licence_no}
        ty = _paragraph(draw, (text_x, ty), licence, px(52), text_width, fill=GREY) + px(30)
        ty = _paragraph(draw, (text_x, ty), _("联系电话"), px(60), text_width, fill=GREY)
        ty = _paragraph(draw, (text_x, ty), content.phone or content.hotline, px(130), text_width, fill=RED)
        y = max(ty, y + (picture.height if picture is not None else 0)) + px(60)

        y = _paragraph(draw, (MARGIN, y), _("驻点服务时间"), px(72), inner, fill=RED) + 10
        for line in content.hours or [_("请电话预约")]:
            y = _paragraph(draw, (MARGIN + 40, y), line, px(68), inner - 40)
        y += px(40)
        y = _paragraph(draw, (MARGIN, y), _("工作职责"), px(72), inner, fill=RED) + 10
        for number, duty in enumerate(SHORT_DUTIES, start=1):
            y = _paragraph(draw, (MARGIN + 40, y), f"{number}. {duty}", px(60), inner - 40)
    else:
        y = _paragraph(draw, (MARGIN, y), _("本村(社区)法律顾问正在选聘中。"), px(96), inner, fill=RED) + 30
        help_text = _("需要法律帮助，请拨打 %(hotline)s 公共法律服务热线，或联系县(市、区)司法局。") % {
            "hotline": content.hotline
        }
        y = _paragraph(draw, (MARGIN, y), help_text, px(68), inner)
    y += px(40)
    if content.liaisons:
        y = _paragraph(draw, (MARGIN, y), _("法律服务联络员"), px(72), inner, fill=RED) + 10
        for line in content.liaisons:
            y = _paragraph(draw, (MARGIN + 40, y), line, px(64), inner - 40)
    return y


def draw_board(content: BoardContent) -> Image.Image:
    width, height = A4_300DPI
    img = Image.new("RGB", A4_300DPI, "white")
    draw = ImageDraw.Draw(img)
    inner = width - 2 * MARGIN

    # Title band.
    draw.rectangle((0, 0, width, 420), fill=RED)
    title = _("村(社区)法律顾问公示牌")
    face = font(150)
    draw.text(
        ((width - draw.textlength(title, font=face)) / 2, 120),
        title,
        font=face,
        fill="white",
        stroke_width=3,
        stroke_fill="white",
    )
    y = 500
    y = _paragraph(draw, (MARGIN, y), content.village_full_name, 70, inner, fill=GREY)
    y = _paragraph(draw, (MARGIN, y), content.village_name, 120, inner) + 40
    draw.line((MARGIN, y, width - MARGIN, y), fill=RED, width=6)
    y += 60

    qr_size = 720
    footer_top = height - MARGIN - qr_size - 40
    # Long schedules or many liaison officers must not run into the footer: shrink to fit.
    for scale in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
        if _draw_body(Image.new("RGB", A4_300DPI), content, y, scale) <= footer_top - 80:
            break
    _draw_body(img, content, y, scale)

    # Footer: QR code, hotline, supervising bureau.
    draw.rectangle((0, footer_top - 60, width, height), fill=LIGHT)
    img.paste(_qr(content.url, qr_size), (width - MARGIN - qr_size, footer_top))
    fx = MARGIN
    fw = width - 2 * MARGIN - qr_size - 60
    fy = footer_top + 20
    fy = _paragraph(draw, (fx, fy), _("公共法律服务热线"), 60, fw, fill=GREY)
    fy = _paragraph(draw, (fx, fy), content.hotline, 160, fw, fill=RED) + 30
    if content.bureau:
        fy = _paragraph(draw, (fx, fy), _("监督单位：%(name)s") % {"name": content.bureau}, 56, fw)
        if content.bureau_phone:
            fy = _paragraph(
                draw, (fx, fy), _("监督电话：%(phone)s") % {"phone": content.bureau_phone}, 56, fw
            )
    _paragraph(draw, (fx, fy + 20), _("扫码查看本村法律顾问最新信息"), 50, fw, fill=GREY)
    return img


def render_board(content: BoardContent, image_format: str) -> bytes:
    key = f"notice-board:v{DRAWING_VERSION}:{content.digest()}:{image_format}"
    data = django_cache.get(key)
    if data is None:
        buffer = io.BytesIO()
        img = draw_board(content)
        if image_format == "PDF":
            img.save(buffer, "PDF", resolution=DPI, title=content.village_name)
        else:
            img.save(buffer, "PNG", dpi=(DPI, DPI), optimize=False, compress_level=6)
        data = buffer.getvalue()
        django_cache.set(key, data, BOARD_CACHE_SECONDS)
    return data


def _board_response(request: HttpRequest, code: str, image_format: str, content_type: str) -> HttpResponse:
    place = get_place(code)
    if place.level != codes.VILLAGE:
        raise Http404(_("公示牌只适用于村(社区)。"))
    jurisdiction = JurisdictionSettings.for_request(request)
    hotline = (jurisdiction.hotline if jurisdiction else "") or "12348"
    view = queries.village_view(place)
    url = request.build_absolute_uri(reverse("directory:place", args=[place.code]))
    content = content_for(view, url, hotline)
    response = HttpResponse(render_board(content, image_format), content_type=content_type)
    extension = "pdf" if image_format == "PDF" else "png"
    response["Content-Disposition"] = f'inline; filename="notice-board-{place.code}.{extension}"'
    response["Cache-Control"] = "public, max-age=600"
    return response


@rate_limit("notice_board", json=False)
@require_safe
def notice_board_png(request: HttpRequest, code: str) -> HttpResponse:
    return _board_response(request, code, "PNG", "image/png")


@rate_limit("notice_board", json=False)
@require_safe
def notice_board_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _board_response(request, code, "PDF", "application/pdf")
