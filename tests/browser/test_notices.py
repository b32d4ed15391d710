from __future__ import annotations

import pypdf
import pytest
from django_scopes import scopes_disabled

from logistics.notices.demo import load_notices
from logistics.notices.models import Notice

pytestmark = pytest.mark.browser


def test_a_parent_opens_the_public_board_on_a_phone_and_downloads_the_pdf(phone, tmp_path):
    with scopes_disabled():
        load_notices()  # the demo fee statement: version 1 superseded by version 2
        current = Notice.objects.get(status=Notice.PUBLISHED)
    phone.goto(f"{phone.base_url}/public/sdcz/")
    assert "石道初级中学" in phone.locator("h1").inner_text()
    items = phone.locator("#board .list-group-item")
    assert items.count() == 1  # the superseded version is not on the board
    assert "2022年秋季学期代办费收支公示" in items.first.inner_text()
    # Fits the phone: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.click("#board a.fw-bold")
    assert "现行版本" in phone.locator("#verify-status").inner_text()
    assert "王*涵" in phone.content() and "王子涵" not in phone.content()

    with phone.expect_download() as download_info:
        phone.click("text=下载 PDF")
    path = tmp_path / "notice.pdf"
    download_info.value.save_as(path)
    text = pypdf.PdfReader(path).pages[0].extract_text()
    assert "2022年秋季学期代办费收支公示" in text and current.verify_code in text
