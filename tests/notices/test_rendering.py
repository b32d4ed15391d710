"""PDF and Excel renderings of a published snapshot, read back as a reader would."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest
import zxingcpp
from django.test import Client
from openpyxl import load_workbook
from PIL import Image

from logistics.notices import pdf
from tests.notices.helpers import TITLE, fee_snapshot, published, run_worker


def _pdf(world, background=False, **kwargs) -> tuple[object, pypdf.PdfReader]:
    notice = published(world, **kwargs)
    if background:  # long notices are rendered only by the worker (tests: transactional_db)
        run_worker()
    response = Client().get(f"/public/sdcz/{notice.verify_code}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return notice, pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def test_pdf_text_has_the_chinese_title_the_money_total_and_page_numbers(world):
    notice, reader = _pdf(world)
    text = reader.pages[0].extract_text()
    assert TITLE in text
    assert "石道初级中学" in text
    assert "¥3,706.50" in text  # 1234.50 + 1235.50 + 1236.50
    assert "第 1 页 共 1 页" in text
    assert "张*明" in text and "张三明" not in text
    assert "440101201001010000" not in text
    assert "经办人" in text and "校长" in text
    assert notice.verify_code in text


def test_every_pdf_font_is_embedded_and_there_is_one_cjk_family(transactional_db, world):
    _notice, reader = _pdf(world, background=True, snapshot=fee_snapshot(rows=120))
    assert len(reader.pages) > 2
    families = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font
            families.add(str(font["/BaseFont"]).split("+")[-1])
    assert families == {"WenQuanYi-Micro-Hei"}, families


def test_every_page_carries_a_qr_code_that_decodes_to_the_verify_url(transactional_db, world):
    notice, reader = _pdf(world, background=True, snapshot=fee_snapshot(rows=120))
    expected = pdf.verify_url(notice.verify_code)
    assert expected.endswith(f"/verify/{notice.verify_code}/")
    for number, page in enumerate(reader.pages, start=1):
        images = list(page.images)
        assert images, f"page {number} has no QR code"
        image = Image.open(io.BytesIO(images[0].data)).convert("L")
        decoded = [r.text for r in zxingcpp.read_barcodes(image)]
        assert decoded == [expected], number
        assert f"第 {number} 页 共 {len(reader.pages)} 页" in page.extract_text()


def test_pdf_fetcher_reads_nothing_but_our_static_files():
    fetcher = pdf.StaticOnlyFetcher()
    for url in ("file:///etc/passwd", "http://example.com/x.png", "https://127.0.0.1/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    css = (pdf.STATIC_ROOT_DIRS[0] / "css" / "app.css").as_uri()
    assert b"Bootstrap" in fetcher.fetch(css).read()


@pytest.mark.parametrize(
    "escaped",
    ["..%2flogistics%2fsettings.py", "css/..%2f..%2flogistics/settings.py", "%2e%2e/manage.py"],
)
def test_pdf_fetcher_decodes_percent_escapes_before_its_static_check(escaped):
    # A relative url() in user-reachable HTML is joined onto the static root as it stands; the
    # file opener decodes %2f and %2e, so the check must see the decoded path.
    url = pdf.STATIC_ROOT_DIRS[0].as_uri() + "/" + escaped
    with pytest.raises(ValueError, match="may not fetch"):
        pdf.StaticOnlyFetcher().fetch(url)
    escaped_but_inside = pdf.STATIC_ROOT_DIRS[0].as_uri() + "/css/%61pp.css"
    assert b"Bootstrap" in pdf.StaticOnlyFetcher().fetch(escaped_but_inside).read()


def test_excel_reads_back_with_the_snapshots_values_types_and_print_setup(world):
    notice = published(world)
    response = Client().get(f"/public/sdcz/{notice.verify_code}/xlsx/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.active
    assert ws["A1"].value == f"石道初级中学 {TITLE}"
    assert ws["A2"].value == "2022年秋季学期"
    assert [c.value for c in ws[4]] == ["姓名", "身份证号", "项目", "人数", "金额（元）", "日期"]
    assert ws["A4"].font.b and ws["A4"].fill.fgColor.rgb.endswith("DDEBF7")
    first = [c.value for c in ws[5]]
    assert first[0] == "张*明" and first[1] == "**************0000"
    assert first[3] == 1 and isinstance(first[3], int)
    assert Decimal(str(first[4])) == Decimal("1234.50")
    assert ws["E5"].number_format == '"¥"#,##0.00'
    assert ws["F5"].is_date and ws["F5"].value.date().isoformat() == "2022-09-01"
    totals = [c.value for c in ws[8]]
    assert totals[0] == "合计" and Decimal(str(totals[4])) == Decimal("3706.50")
    assert ws.freeze_panes == "A5"
    assert ws.print_title_rows == "$4:$4"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width >= 18


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)"])
def test_user_text_that_looks_like_a_formula_is_stored_as_text(world, text):
    # Names are masked in public; the item column carries the text unmasked.
    snapshot = fee_snapshot()
    snapshot["rows"][0][2] = text
    notice = published(world, snapshot=snapshot)
    response = Client().get(f"/public/sdcz/{notice.verify_code}/xlsx/")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = ws["C5"]
    assert cell.value == text and cell.data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_control_characters_in_user_text_do_not_break_the_excel_download(world):
    # Text pasted from other systems carries control characters that XML (and openpyxl) refuse;
    # they go, tab and newline stay, and a formula hidden behind one is still only text.
    snapshot = fee_snapshot(title=TITLE + "\x0b")
    snapshot["rows"][0][2] = "\x02作业\x07本费\x1f"  # (\x00 never reaches a snapshot)
    snapshot["rows"][1][2] = '\x01=HYPERLINK("http://x")'
    snapshot["rows"][2][2] = "上学期\t结余\n转入"
    snapshot["notes"] = "多退\x08少补。"
    notice = published(world, snapshot=snapshot)
    response = Client().get(f"/public/sdcz/{notice.verify_code}/xlsx/")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws["A1"].value == f"石道初级中学 {TITLE}"
    assert [ws[f"C{row}"].value for row in (5, 6, 7)] == [
        "作业本费",
        '=HYPERLINK("http://x")',
        "上学期\t结余\n转入",
    ]
    assert ws["C6"].data_type == "s"
    assert ws["A10"].value == "多退少补。"


def test_a_staff_report_prints_in_full_without_verification(world):
    from logistics.notices.kinds import Column, Snapshot
    from logistics.notices.reports import report_download

    snapshot = Snapshot(
        "大额支出登记簿",
        "2022学年",
        [Column("who", "经办人", personal="name"), Column("amount", "金额（元）", "money")],
        [{"who": "张三明", "amount": Decimal("38000")}],
        {"amount": Decimal("38000")},
        signatures=["会计", "校长"],
    )
    response = report_download(snapshot, school=world.school, fmt="pdf", filename="large")
    assert response["Content-Disposition"] == 'attachment; filename="large.pdf"'
    page = pypdf.PdfReader(io.BytesIO(response.content)).pages[0]
    text = page.extract_text()
    assert "张三明" in text and "¥38,000.00" in text and "会计" in text
    assert "验证码" not in text and not list(page.images)
    response = report_download(snapshot, school=world.school, fmt="xlsx", filename="large")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A5"].value == "张三明" and ws["A3"].value is None


def _ledger(title: str, *, voided: str = "") -> object:
    from logistics.notices.kinds import VOID_REASON, Column, Snapshot

    columns = [Column("dish", "菜品"), Column("grams", "重量（克）", "integer")]
    rows = [{"dish": "红烧肉", "grams": 130}, {"dish": "清炒白菜", "grams": 126}]
    if voided:
        rows[0][VOID_REASON] = voided
    return Snapshot(title, "2022年10月", columns, rows, signatures=["留样人", "审核人"])


def test_a_voided_row_prints_struck_through_with_its_reason(world):
    from logistics.notices import pdf
    from logistics.notices.reports import report_download

    snapshot = _ledger("留样记录表", voided="重量记错")
    html = pdf.print_html(snapshot=snapshot.to_json(), school_name=world.school.name)
    assert html.count('class="voided"') == 1 and "作废：重量记错" in html
    response = report_download(snapshot, school=world.school, fmt="pdf", filename="samples")
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "红烧肉" in text and "作废：重量记错" in text

    response = report_download(snapshot, school=world.school, fmt="xlsx", filename="samples")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert (ws["A5"].value, ws["B5"].value, ws["C5"].value) == ("红烧肉", 130, "作废：重量记错")
    assert ws["A5"].font.strike and ws["B5"].font.strike
    assert ws["A6"].value == "清炒白菜" and not ws["A6"].font.strike and ws["C6"].value is None


def test_a_snapshot_without_voided_rows_keeps_its_stored_shape(world):
    assert "voided" not in _ledger("留样记录表").to_json()


def test_a_pack_prints_every_ledger_after_a_table_of_contents_with_page_numbers(world):
    from logistics.notices.reports import pack_pdf, pack_xlsx

    parts = [_ledger("留样记录表"), _ledger("晨检记录表"), _ledger("留样记录表", voided="重复")]
    seen = []
    body = pack_pdf(
        parts,
        school=world.school,
        title="食品安全检查资料",
        period="2022年10月",
        progress=seen.append,
    )
    reader = pypdf.PdfReader(io.BytesIO(body))
    # Cover and contents on page 1, then each ledger from a page of its own.
    assert len(reader.pages) == 4 and seen[-1] == 100
    contents = reader.pages[0].extract_text()
    assert "食品安全检查资料" in contents and "目录" in contents
    assert [line.rstrip(". 0123456789") for line in contents.splitlines() if "记录表" in line] == [
        "留样记录表",
        "晨检记录表",
        "留样记录表",
    ]
    assert [line[-1] for line in contents.splitlines() if "记录表" in line] == ["2", "3", "4"]
    assert "晨检记录表" in reader.pages[2].extract_text()
    assert "作废：重复" in reader.pages[3].extract_text()

    book = load_workbook(io.BytesIO(pack_xlsx(parts, school=world.school)))
    assert book.sheetnames == ["留样记录表", "晨检记录表", "留样记录表 (2)"]
    assert book["晨检记录表"]["A5"].value == "红烧肉"
