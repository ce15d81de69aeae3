"""The printable notice board: A4 at 300 dpi, QR code to the village page, PDF too."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from directory.noticeboard import A4_300DPI
from tests.conftest import BUZHAI
from tests.test_public_pages import UNCOVERED, served  # noqa: F401 -- shared fixture


def decode_qr(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_png_is_a4_at_300_dpi_with_a_qr_code_to_the_village(client, served):  # noqa: F811
    response = client.get(f"/directory/{BUZHAI}/notice-board.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == A4_300DPI == (2480, 3508)
    assert round(image.info["dpi"][0]) == 300
    assert decode_qr(image) == [f"http://testserver/directory/{BUZHAI}/"]


def test_qr_code_uses_the_host_people_reached(client, served):  # noqa: F811
    response = client.get(f"/directory/{BUZHAI}/notice-board.png", HTTP_HOST="localhost")
    assert decode_qr(Image.open(io.BytesIO(response.content))) == [f"http://localhost/directory/{BUZHAI}/"]


def test_pdf(client, served):  # noqa: F811
    response = client.get(f"/directory/{BUZHAI}/notice-board.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", response.content)
    width, height = float(box.group(1)), float(box.group(2))
    assert width == pytest.approx(595.3, abs=0.5) and height == pytest.approx(841.9, abs=0.5)  # A4 in points


def test_uncovered_village_board(client, served):  # noqa: F811
    response = client.get(f"/directory/{UNCOVERED}/notice-board.png")
    image = Image.open(io.BytesIO(response.content))
    assert image.size == A4_300DPI
    assert decode_qr(image) == [f"http://testserver/directory/{UNCOVERED}/"]


def test_board_changes_when_the_adviser_changes(client, served):  # noqa: F811
    first = client.get(f"/directory/{BUZHAI}/notice-board.png").content
    served.name = "韦明明"
    served.save()
    second = client.get(f"/directory/{BUZHAI}/notice-board.png").content
    assert first != second


@pytest.mark.parametrize("suffix", ["png", "pdf"])
def test_board_for_township_is_404(client, served, suffix):  # noqa: F811
    assert client.get(f"/directory/451402001/notice-board.{suffix}").status_code == 404
