"""Simple drawn illustrations for the demo articles and lecture photos (no copyrighted images).

Each legal education category gets one flat picture drawn with Pillow — shapes and a label — so
the demo shows real renditions (WebP, srcset) without shipping photographs.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw

from directory.noticeboard import font

WIDTH, HEIGHT = 1200, 675
INK = (40, 40, 40)
WHITE = (255, 255, 255)

Painter = Callable[[ImageDraw.ImageDraw], None]


def _person(draw: ImageDraw.ImageDraw, x: int, y: int, colour, scale: float = 1.0) -> None:
    r = int(28 * scale)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=(240, 205, 170))
    draw.rounded_rectangle((x - 2 * r, y + r + 6, x + 2 * r, y + 5 * r), radius=r, fill=colour)


def _house(draw: ImageDraw.ImageDraw, x: int, y: int, w: int, colour=(200, 90, 60)) -> None:
    draw.polygon([(x, y), (x + w // 2, y - w // 2), (x + w, y)], fill=colour)
    draw.rectangle(
        (x + w // 8, y, x + w - w // 8, y + w * 2 // 3), fill=(245, 235, 215), outline=INK, width=3
    )
    draw.rectangle((x + w * 3 // 8, y + w // 4, x + w * 5 // 8, y + w * 2 // 3), fill=(120, 80, 50))


def _paper(draw: ImageDraw.ImageDraw, x: int, y: int, w: int, h: int, lines: int = 6) -> None:
    draw.rounded_rectangle((x, y, x + w, y + h), radius=12, fill=WHITE, outline=INK, width=4)
    for i in range(lines):
        ly = y + 40 + i * (h - 80) // max(lines, 1)
        draw.line((x + 30, ly, x + w - 30 - (i % 3) * 40, ly), fill=(150, 150, 150), width=6)


def marriage_family(draw):
    _house(draw, 700, 300, 300)
    _person(draw, 330, 260, (70, 110, 170))
    _person(draw, 470, 260, (200, 70, 90))
    _person(draw, 400, 380, (90, 160, 90), 0.6)
    draw.ellipse((362, 160, 402, 200), fill=(220, 40, 60))
    draw.ellipse((398, 160, 438, 200), fill=(220, 40, 60))
    draw.polygon([(364, 186), (436, 186), (400, 228)], fill=(220, 40, 60))


def land_rights(draw):
    for i in range(6):
        y = 220 + i * 55
        draw.rectangle((0, y, WIDTH, y + 40), fill=(110 + i * 12, 170, 80))
    for x in (300, 620, 940):
        draw.rectangle((x, 180, x + 14, 560), fill=(120, 80, 40))
        draw.polygon([(x - 10, 180), (x + 24, 180), (x + 7, 150)], fill=(200, 40, 40))
    draw.ellipse((980, 60, 1100, 180), fill=(250, 200, 60))


def land_expropriation(draw):
    _house(draw, 180, 330, 280)
    _paper(draw, 620, 140, 360, 380)
    draw.ellipse((860, 420, 960, 520), outline=(200, 30, 30), width=8)
    draw.text((880, 445), "印", font=font(48), fill=(200, 30, 30))
    draw.line((520, 300, 600, 300), fill=INK, width=8)
    draw.polygon([(600, 280), (630, 300), (600, 320)], fill=INK)


def labour_disputes(draw):
    draw.pieslice((200, 150, 560, 510), 180, 360, fill=(250, 190, 30))
    draw.rectangle((180, 320, 580, 350), fill=(230, 160, 20))
    draw.rounded_rectangle((680, 220, 1040, 470), radius=16, fill=(230, 80, 60))
    draw.text((800, 280), "¥", font=font(120), fill=WHITE)


def traffic_accidents(draw):
    draw.polygon([(0, 560), (WIDTH, 560), (WIDTH, HEIGHT), (0, HEIGHT)], fill=(90, 90, 90))
    for x in range(40, WIDTH, 160):
        draw.rectangle((x, 600, x + 90, 615), fill=WHITE)
    draw.ellipse((260, 420, 380, 540), outline=INK, width=14)
    draw.ellipse((520, 420, 640, 540), outline=INK, width=14)
    draw.line((320, 480, 450, 380, 580, 480), fill=(40, 110, 190), width=16)
    draw.polygon([(880, 520), (980, 330), (1080, 520)], fill=(250, 200, 40), outline=INK)
    draw.text((958, 400), "!", font=font(110), fill=INK)


def medical_disputes(draw):
    draw.rectangle((300, 180, 900, 560), fill=WHITE, outline=INK, width=4)
    draw.rectangle((560, 230, 640, 430), fill=(220, 40, 50))
    draw.rectangle((500, 290, 700, 370), fill=(220, 40, 50))
    for x in (340, 760):
        draw.rectangle((x, 460, x + 100, 560), fill=(120, 170, 220))


def environment(draw):
    draw.polygon([(0, 470), (WIDTH, 420), (WIDTH, 520), (0, 560)], fill=(80, 150, 210))
    draw.rectangle((260, 280, 290, 450), fill=(120, 80, 40))
    draw.ellipse((170, 140, 380, 330), fill=(60, 150, 70))
    draw.rectangle((760, 230, 1000, 430), fill=(150, 150, 160))
    draw.rectangle((930, 120, 970, 230), fill=(130, 130, 140))
    for i in range(3):
        draw.ellipse((940 + i * 40, 40 - i * 10, 1010 + i * 40, 100 - i * 10), fill=(200, 200, 200))


def social_security(draw):
    draw.pieslice((320, 110, 880, 560), 180, 360, fill=(60, 120, 190))
    draw.line((600, 335, 600, 560), fill=INK, width=10)
    _person(draw, 500, 420, (170, 120, 80), 0.8)
    _person(draw, 700, 420, (110, 90, 160), 0.8)


def school_and_healthcare(draw):
    _house(draw, 220, 330, 360, colour=(210, 60, 50))
    draw.rectangle((390, 110, 396, 180), fill=INK)
    draw.rectangle((396, 110, 470, 150), fill=(220, 30, 30))
    draw.polygon(
        [(720, 260), (880, 300), (1040, 260), (1040, 480), (880, 520), (720, 480)], fill=WHITE, outline=INK
    )
    draw.line((880, 300, 880, 520), fill=INK, width=4)


def village_affairs_elections(draw):
    draw.rectangle((420, 300, 780, 560), fill=(200, 60, 50))
    draw.rectangle((540, 290, 660, 310), fill=INK)
    draw.text((540, 380), "选票", font=font(60), fill=WHITE)
    _paper(draw, 530, 120, 140, 180, lines=3)
    draw.line((560, 190, 590, 220, 640, 160), fill=(200, 30, 30), width=10)


def contract_disputes(draw):
    _paper(draw, 360, 100, 420, 480, lines=8)
    draw.ellipse((640, 430, 740, 530), outline=(200, 30, 30), width=8)
    draw.line((820, 520, 980, 260), fill=(60, 60, 60), width=18)
    draw.polygon([(810, 540), (805, 505), (835, 520)], fill=INK)


PAINTERS: dict[str, tuple[Painter, tuple[int, int, int], str]] = {
    "marriage-family": (marriage_family, (250, 236, 230), "一家人站在房子前，象征婚姻家庭"),
    "land-rights": (land_rights, (225, 240, 220), "田地之间立着界桩，象征土地承包经营权"),
    "land-expropriation": (land_expropriation, (236, 236, 244), "房屋旁是一份盖了印章的补偿协议"),
    "labour-disputes": (labour_disputes, (250, 244, 225), "安全帽和装着工资的红包"),
    "traffic-accidents": (traffic_accidents, (222, 234, 246), "马路上的电动自行车和警示三角牌"),
    "medical-disputes": (medical_disputes, (232, 242, 248), "挂着红十字的医院"),
    "environment": (environment, (228, 244, 236), "河边的大树和冒烟的工厂"),
    "social-security": (social_security, (236, 238, 250), "一把伞为两位老人遮风挡雨，象征社会保障"),
    "school-and-healthcare": (school_and_healthcare, (248, 240, 228), "飘着红旗的学校和一本打开的书"),
    "village-affairs-elections": (village_affairs_elections, (248, 232, 228), "投票箱和一张打了勾的选票"),
    "contract-disputes": (contract_disputes, (240, 240, 232), "一份写满条款、盖了红章的合同和一支笔"),
}


def category_illustration(slug: str, label: str) -> tuple[bytes, str]:
    """PNG bytes and alt text for a category's illustration."""
    painter, background, alt = PAINTERS[slug]
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    painter(draw)
    draw.rounded_rectangle((40, 40, 40 + 70 * len(label) + 60, 140), radius=20, fill=(255, 255, 255))
    draw.text((70, 52), label, font=font(64), fill=INK)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue(), alt


def lecture_photo(seed: int, banner: str) -> bytes:
    """A drawn lecture scene: a banner, a speaker at the front and rows of listeners."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1200, 900), (236, 232, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1200, 420), fill=(245, 242, 236))
    draw.rectangle((160, 40, 1040, 150), fill=(190, 30, 40))
    text = banner[:18]
    draw.text((600 - 30 * len(text), 62), text, font=font(60), fill=(255, 236, 160))
    draw.rectangle((520, 300, 680, 420), fill=(150, 100, 60))
    _person(draw, 600, 230, (40, 50, 80))
    colours = [(70, 110, 170), (200, 70, 90), (90, 160, 90), (170, 120, 80), (110, 90, 160), (60, 60, 60)]
    for row in range(3):
        for col in range(7):
            x = 120 + col * 160 + (row % 2) * 40 + rng.randint(-10, 10)
            y = 520 + row * 130
            _person(draw, x, y, rng.choice(colours), 0.9)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def _wrap(text: str, size: int, width: int) -> list[str]:
    """Break Chinese text into lines that fit `width` pixels (any character may end a line)."""
    face = font(size)
    lines, line = [], ""
    for char in text:
        if face.getlength(line + char) > width and line:
            lines.append(line)
            line = ""
        line += char
    if line:
        lines.append(line)
    return lines


def tip_card(slug: str, label: str, text: str) -> bytes:
    """A "普法小贴士" card: the article's key sentence in large type on the category's colour."""
    _painter, background, _alt = PAINTERS[slug]
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (50, 50, WIDTH - 50, HEIGHT - 50), radius=36, fill=WHITE, outline=(190, 60, 50), width=6
    )
    draw.rounded_rectangle((50, 50, 510, 150), radius=36, fill=(190, 60, 50))
    draw.text((100, 68), "普法小贴士", font=font(56), fill=WHITE)
    draw.text((570, 76), label, font=font(44), fill=(110, 110, 110))
    lines = _wrap(text, 76, WIDTH - 240)[:4]
    line_height = 112
    y = 150 + (HEIGHT - 50 - 150 - line_height * len(lines)) // 2
    for line in lines:
        draw.text((120, y), line, font=font(76), fill=INK)
        y += line_height
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
