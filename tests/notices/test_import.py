"""Free-table notices: typed in or imported from .xlsx, all rows or none, errors by row/column."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
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


def _workbook(
    rows, *, sub: tuple[str, str] | None = None, extra: tuple[str, bytes] | None = None
) -> bytes:
    """An .xlsx of `rows`; `sub` rewrites every XML part with re.sub(pattern, repl), `extra`
    (name, content) adds a part, deflated, the way a padded or crafted file carries one."""
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    stream = io.BytesIO()
    wb.save(stream)
    source = zipfile.ZipFile(io.BytesIO(stream.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            text = source.read(name).decode()
            target.writestr(name, re.sub(*sub, text) if sub else text)
        if extra:
            target.writestr(*extra)
    return out.getvalue()


ROWS = [["姓名", "金额（元）"], ["张三", 12], ["李四", 5]]
PAD = "customXml/item1.xml"


def test_a_workbook_declaring_a_huge_sheet_is_refused_before_its_rows_are_read():
    # The sample: 5,001 short rows, about 27 KB, declaring A1:XFD5002; read-only
    # openpyxl padded every row to 16,384 cells (82 million) and took 650 MB.
    rows = [["姓名", "人数"]] + [["张三", 1]] * 5000
    data = _workbook(rows, sub=(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD5002"'))
    assert len(data) < 50_000
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as exc:
            importing.read_xlsx(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "工作表声明的范围是 A1:XFD5002（81952768 个单元格）" in exc.value.messages[0]
    assert "最多 5000 行 × 20 列" in exc.value.messages[0]
    assert peak < 20 * 1024 * 1024


def test_a_declared_range_a_little_wider_than_the_table_is_read_column_bounded():
    # A1:AX300 is within proportion (15,000 cells); only the table's columns are read, so the
    # header is not padded to 50 columns and the table imports.
    data = _workbook(ROWS, sub=(r'<dimension ref="[^"]*"', '<dimension ref="A1:AX300"'))
    header, rows = importing.read_xlsx(data)
    assert len(header) == importing.MAX_COLUMNS + 1 and header[:2] == ["姓名", "金额（元）"]
    snapshot = importing.build_table(title="t", period="p", header=header, rows=rows)
    assert snapshot.totals == {"c1": Decimal("17.00")}


def test_a_table_wider_than_twenty_columns_is_refused_with_the_limit():
    header = [f"列{i}" for i in range(1, 31)]
    with pytest.raises(ValidationError, match="第 1 行：最多 20 列，这张表超过了 20 列。"):
        importing.read_xlsx(_workbook([header, list(range(30))]))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ("customXml/item1.xml", b" " * (2 * 1024 * 1024)),
            "压缩比异常（customXml/item1.xml 解压后是压缩时的",
        ),
        (
            ("customXml/item1.xml", bytes(range(256)) * (140 * 1024)),
            "该文件解压后有 35 MB，超过了 30 MB 的上限",
        ),
    ],
    ids=["compression-ratio", "unpacked-size"],
)
def test_a_workbook_that_unpacks_out_of_proportion_is_refused(extra, message):
    with pytest.raises(ValidationError) as exc:
        importing.read_xlsx(_workbook(ROWS, extra=extra))
    assert message in exc.value.messages[0]


def test_a_workbook_declaring_too_many_shared_strings_is_refused():
    # openpyxl writes the table only when asked; this one is what a crafted file carries.
    strings = (
        b'<?xml version="1.0"?>\n<x:sst xmlns:x="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="50000000" uniqueCount="50000000"><x:si><x:t>a'
        b"</x:t></x:si></x:sst>"
    )
    data = _workbook(ROWS, extra=("xl/sharedStrings.xml", strings))
    with pytest.raises(ValidationError, match="该文件声明了 50000000 个不同的文本"):
        importing.read_xlsx(data)


def test_an_oversized_workbook_is_refused_on_the_page_and_nothing_is_imported(world, login):
    data = _workbook(ROWS, sub=(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD5002"'))
    upload = SimpleUploadedFile("fees.xlsx", data)
    page = login("director").post(URL, {**FORM, "upload": upload}).content.decode()
    assert "工作表声明的范围是 A1:XFD5002" in page
    assert 'value="2022年秋季学期作业本费公示"' in page
    with scopes_disabled():
        assert not Notice.objects.exists()


def test_control_characters_in_imported_text_are_dropped():
    snapshot = importing.build_table(
        title="t", period="p", header=["姓\x00名", "备注"], rows=[["张\x1f三", "多\x07退\t少补"]]
    )
    assert [c.label for c in snapshot.columns] == ["姓名", "备注"]
    assert snapshot.rows == [{"c0": "张三", "c1": "多退\t少补"}]
