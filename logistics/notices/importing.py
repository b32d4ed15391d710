"""Free-table notices from a pasted table or an uploaded .xlsx: all rows or none.

A column's type comes from its header, the way these tables are headed on paper:
金额/（元） -> money, 日期 -> date, 人数/数量/次数 -> integer, 比例/% -> percent, else text;
姓名 marks a name and 身份证/证件号/电话/手机 a number, both masked in public.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from logistics.notices.kinds import Column, Snapshot
from logistics.notices.tables import values

MAX_ROWS = 5000
MAX_COLUMNS = 20
_TYPE_RULES = [
    ("money", re.compile(r"金额|[（(]元[）)]|费用|合计")),
    ("date", re.compile(r"日期|时间")),
    ("integer", re.compile(r"人数|数量|次数|件数")),
    ("percent", re.compile(r"比例|%|％")),
]
_PERSONAL_RULES = [
    ("number", re.compile(r"身份证|证件号|电话|手机")),
    ("name", re.compile(r"姓名")),
]
_TYPE_NAMES = {"money": "金额", "date": "日期", "integer": "整数", "percent": "百分比"}


def column_for(index: int, header: str) -> Column:
    kind = next((t for t, rx in _TYPE_RULES if rx.search(header)), "text")
    personal = next((p for p, rx in _PERSONAL_RULES if rx.search(header)), "")
    if personal:
        kind = "text"
    return Column(key=f"c{index}", label=header, type=kind, personal=personal)


def _text(value: Any) -> str:
    """Control characters (pasted from other systems) dropped: XML and PostgreSQL's JSON
    cannot store some of them, and none means anything in a printed table."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value)).strip()


def _parse(value: Any, column_type: str) -> Any:
    """A cell as a typed value; ValueError when it does not fit the column."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if column_type == "text":
        return _text(value)
    if column_type == "date":
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = re.sub(r"[年月/.]", "-", str(value).strip()).rstrip("日")
        return datetime.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    if isinstance(value, bool):
        raise ValueError(value)
    text = str(value).strip().replace(",", "").replace("¥", "").replace("￥", "")
    if column_type == "percent" and text.endswith(("%", "％")):
        return Decimal(text[:-1]) / 100
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not number.is_finite():
        raise ValueError(value)
    if column_type == "integer":
        if number != number.to_integral_value():
            raise ValueError(value)
        return int(number)
    if column_type == "money":
        return number.quantize(Decimal("0.01"))
    return number


def build_table(
    *,
    title: str,
    period: str,
    header: list[Any],
    rows: list[list[Any]],
    notes: str = "",
    publication_days: int = 7,
) -> Snapshot:
    """Header and rows (as read) -> Snapshot; every problem listed with its row and column."""
    errors: list[str] = []
    labels = ["" if h is None else _text(h) for h in header]
    while labels and not labels[-1]:
        labels.pop()
    if not labels:
        raise ValidationError("第 1 行应为表头（列名），但它是空的。")
    if len(labels) > MAX_COLUMNS:
        errors.append(f"第 1 行：最多 {MAX_COLUMNS} 列，现有 {len(labels)} 列。")
    for i, label in enumerate(labels):
        if not label:
            errors.append(f"第 1 行第 {get_column_letter(i + 1)} 列：表头为空。")
        elif labels.index(label) != i:
            errors.append(f"第 1 行第 {get_column_letter(i + 1)} 列：表头“{label}”重复。")
    columns = [column_for(i, label) for i, label in enumerate(labels)]
    data = [r for r in rows if any(v not in (None, "") for v in r)]
    if len(data) > MAX_ROWS:
        errors.append(f"最多 {MAX_ROWS} 行数据，现有 {len(data)} 行。")
    parsed: list[dict[str, Any]] = []
    for line, raw in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in raw):
            continue
        extra = [v for v in raw[len(labels) :] if v not in (None, "")]
        if extra:
            errors.append(f"第 {line} 行：数据超出了表头的 {len(labels)} 列。")
        row: dict[str, Any] = {}
        for i, col in enumerate(columns):
            value = raw[i] if i < len(raw) else None
            try:
                row[col.key] = _parse(value, col.type)
            except (ValueError, TypeError):
                errors.append(
                    f"第 {line} 行第 {get_column_letter(i + 1)} 列（{col.label}）："
                    f"“{value}”不是{_TYPE_NAMES[col.type]}。"
                )
        parsed.append(row)
        if len(errors) >= 50:
            errors.append("错误过多，仅列出前 50 处。")
            break
    if not parsed and not errors:
        errors.append("表格没有数据行。")
    if errors:
        raise ValidationError(errors)
    totals = {
        c.key: sum((r[c.key] for r in parsed if r[c.key] is not None), Decimal("0.00"))
        for c in columns
        if c.type == "money"
    }
    return Snapshot(
        title=title,
        period=period,
        columns=columns,
        rows=parsed,
        totals=totals,
        notes=notes,
        publication_days=publication_days,
    )


def read_pasted(text: str) -> tuple[list[Any], list[list[Any]]]:
    """Cells copied from Excel arrive tab-separated; a CSV-like paste with commas also works."""
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines:
        raise ValidationError("请粘贴表格内容（第一行为表头）。")
    sep = "\t" if "\t" in lines[0] else ","
    table = [[cell.strip() for cell in line.split(sep)] for line in lines]
    return table[0], table[1:]


# An .xlsx is a zip of XML; a few KB can declare, unpack to or index far more than a notice
# table holds, so the package is measured before openpyxl reads any of it.
_MB = 1024 * 1024
XLSX_MAX_UNPACKED = 30 * _MB  # 5,000 rows × 20 columns of text unpack to about 10 MB
XLSX_MAX_RATIO = 100  # worksheets compress 5-20 times; bombs a thousand
XLSX_MAX_PARTS = 1000
_SHARED_STRINGS = re.compile(rb"<(?:\w+:)?sst\b[^>]*?\b(?:uniqueCount|count)=\"(\d+)\"")


def _too_big(max_rows: int, max_columns: int) -> str:
    return f"请只保留要导入的数据（最多 {max_rows} 行 × {max_columns} 列）后再上传。"


def _check_package(archive: zipfile.ZipFile, max_rows: int, max_columns: int) -> None:
    too_big = _too_big(max_rows, max_columns)
    parts = archive.infolist()
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > XLSX_MAX_PARTS or unpacked > XLSX_MAX_UNPACKED:
        raise ValidationError(
            f"该文件解压后有 {unpacked / _MB:.0f} MB，超过了 {XLSX_MAX_UNPACKED // _MB} MB 的上限。"
            + too_big
        )
    for part in parts:
        # Small parts (styles, settings) may compress very well and are harmless.
        if part.file_size > _MB and part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1):
            raise ValidationError(
                f"该文件的压缩比异常（{part.filename} 解压后是压缩时的 "
                f"{part.file_size // max(part.compress_size, 1)} 倍），无法导入。" + too_big
            )
    # Every cell a different text at the most.
    max_strings = (max_rows + 1) * max_columns
    for part in parts:
        # openpyxl loads the whole shared-strings table up front; its declared size is read
        # from the start of every XML part, since the part may be named anything.
        if not part.filename.lower().endswith(".xml"):
            continue
        with archive.open(part) as stream:
            declared = _SHARED_STRINGS.search(stream.read(4096))
        if declared and int(declared.group(1)) > max_strings:
            raise ValidationError(
                f"该文件声明了 {int(declared.group(1))} 个不同的文本，"
                f"超过了 {max_strings} 个的上限。" + too_big
            )


def _check_declared_size(ws: Any, max_rows: int, max_columns: int) -> None:
    """The sheet's own <dimension> (openpyxl reads just that, not the rows): a 27 KB file may
    declare A1:XFD5002, 82 million cells that read-only mode would fill in as empty."""
    rows, cols = ws.max_row, ws.max_column
    # Ten times the cells a table may have: sheets often declare a few empty rows or columns.
    if rows and cols and rows * cols > 10 * (max_rows + 1) * max_columns:
        raise ValidationError(
            f"工作表声明的范围是 A1:{get_column_letter(min(cols, 18278))}{rows}"
            f"（{rows * cols} 个单元格），远超可导入表格的大小。" + _too_big(max_rows, max_columns)
        )


def read_workbook(data: bytes, *, max_rows: int, max_columns: int) -> list[list[Any]]:
    """The rows of an .xlsx's first sheet, header first: the package is measured before it is
    parsed (unpacked size, compression ratio, declared shared strings and range, all in
    proportion to a table of `max_rows` × `max_columns`), and only that much is read, plus one
    row and one column so a caller can tell the user the table is too large."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ValidationError(
            "无法读取该文件：请上传 Excel 2007 及以上版本的 .xlsx 文件。"
        ) from exc
    try:
        _check_package(archive, max_rows, max_columns)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            _check_declared_size(ws, max_rows, max_columns)
            rows = ws.iter_rows(values_only=True, max_row=max_rows + 2, max_col=max_columns + 1)
            return [list(r) for r in rows]
        finally:
            wb.close()
    except ValidationError:
        raise
    except Exception as exc:  # zipfile, zlib and openpyxl raise many types for a damaged file
        raise ValidationError("无法读取该文件：它不是有效的 .xlsx 文件或已损坏。") from exc


def read_xlsx(data: bytes) -> tuple[list[Any], list[list[Any]]]:
    """A notice table from the first sheet of an .xlsx; its first row is the header."""
    table = read_workbook(data, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    if not table:
        raise ValidationError("工作表是空的。")
    if len(table[0]) > MAX_COLUMNS and table[0][MAX_COLUMNS] not in (None, ""):
        raise ValidationError(f"第 1 行：最多 {MAX_COLUMNS} 列，这张表超过了 {MAX_COLUMNS} 列。")
    return table[0], table[1:]


def as_pasted(snapshot: dict[str, Any]) -> str:
    """A stored table as tab-separated text, to edit it in the paste box."""
    lines = ["\t".join(c["label"] for c in snapshot["columns"])]
    for row in values(snapshot, public=False):
        lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)
