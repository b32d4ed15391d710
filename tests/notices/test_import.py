"""Free-table notices: typed in or imported from .xlsx, all rows or none, errors by row/column."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from openpyxl import Workbook

from logistics.notices import importing
from logistics.notices.models import Notice
from logistics.notices.tables import mask_name, mask_number

URL = "/s/sdcz/notices/new/table/"
FORM = {"title": "2022年秋季学期作业本费公示", "period": "2022年秋季学期", "publication_days": 7}


def xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    stream = io.BytesIO()
    wb.save(stream)
    return SimpleUploadedFile("fees.xlsx", stream.getvalue())


def test_masking_keeps_enough_to_recognise_and_nothing_to_copy():
    assert mask_name("张三明") == "张*明"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("张三") == "张*"
    assert mask_number("440101201001011234") == "**************1234"
    assert mask_number("13800138000") == "*******8000"
    assert mask_number("123") == "***"


def test_an_uploaded_spreadsheet_becomes_a_typed_draft(world, login):
    upload = xlsx(
        [
            ["姓名", "身份证号", "作业本费（元）", "人数", "缴费日期"],
            ["张三明", "440101201001011234", 24.5, 1, "2022-09-01"],
            ["李四", "440101201001015678", "1,024.00", 2, "2022年9月2日"],
        ]
    )
    response = login("director").post(URL, {**FORM, "upload": upload})
    assert response.status_code == 302, response.content.decode()
    with scopes_disabled():
        notice = Notice.objects.get()
    cols = notice.snapshot["columns"]
    assert [(c["type"], c["personal"]) for c in cols] == [
        ("text", "name"),
        ("text", "number"),
        ("money", ""),
        ("integer", ""),
        ("date", ""),
    ]
    assert notice.snapshot["rows"][1] == ["李四", "440101201001015678", "1024.00", 2, "2022-09-02"]
    assert Decimal(notice.snapshot["totals"]["c2"]) == Decimal("1048.50")
    assert notice.status == Notice.DRAFT


def test_a_pasted_table_from_excel_works_too(world, login):
    pasted = "姓名\t金额（元）\n王五\t12.30\n赵六\t7.70\n"
    response = login("director").post(URL, {**FORM, "pasted": pasted})
    assert response.status_code == 302
    with scopes_disabled():
        assert Notice.objects.get().snapshot["totals"] == {"c1": "20.00"}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["姓名", "金额（元）"], ["张三", "十二元"], ["李四", "5"], ["王五", "abc"]],
            [
                "第 2 行第 B 列（金额（元））：“十二元”不是金额。",
                "第 4 行第 B 列（金额（元））：“abc”不是金额。",
            ],
        ),
        ([["姓名", None, "金额（元）"], ["张三", "x", 1]], ["第 1 行第 B 列：表头为空。"]),
        ([["姓名", "姓名"], ["张三", "李四"]], ["第 1 行第 B 列：表头“姓名”重复。"]),
        ([["日期"], ["2022-13-45"]], ["第 2 行第 A 列（日期）：“2022-13-45”不是日期。"]),
        ([["人数"], [1.5]], ["第 2 行第 A 列（人数）：“1.5”不是整数。"]),
        ([["姓名"]], ["表格没有数据行。"]),
    ],
)
def test_a_bad_spreadsheet_is_refused_whole_with_row_and_column(world, login, rows, message):
    response = login("director").post(URL, {**FORM, "upload": xlsx(rows)})
    assert response.status_code == 200
    page = response.content.decode()
    for line in message:
        assert line.replace("“", "&ldquo;") in page or line in page, (line, page[-3000:])
    assert 'value="2022年秋季学期作业本费公示"' in page  # what was typed is kept
    with scopes_disabled():
        assert not Notice.objects.exists()  # nothing half-imported


def test_an_unreadable_file_is_refused_in_chinese(world, login):
    for content in (b"%PDF-1.4 not a spreadsheet", b"PK\x03\x04broken zip"):
        upload = SimpleUploadedFile("fees.xlsx", content)
        page = login("director").post(URL, {**FORM, "upload": upload}).content.decode()
        assert "无法读取该文件" in page
    with scopes_disabled():
        assert not Notice.objects.exists()


def test_a_draft_can_be_typed_in_again_from_its_own_text(world):
    snapshot = importing.build_table(
        title="t",
        period="p",
        header=["姓名", "金额（元）", "比例"],
        rows=[["张三", "1.5", "12.5%"]],
    ).to_json()
    header, *rows = [line.split("\t") for line in importing.as_pasted(snapshot).split("\n")]
    again = importing.build_table(title="t", period="p", header=header, rows=rows).to_json()
    assert again == snapshot
