"""The register as the Excel sheet most schools keep today: export and import in one layout,
so an exported file re-imports unchanged. Import is all or nothing, every problem named by
row and column in Chinese."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from assets.models import Asset, Category, Location
from logistics.models import Membership, School

# The kernel bounds uploaded workbooks before openpyxl reads them (sizes, compression ratio,
# shared strings, declared cells); the register reuses those checks.
from logistics.notices.importing import read_workbook

MAX_ROWS = 25_000  # the library's 20,000 books and some room


@dataclass(frozen=True)
class Col:
    header: str
    attr: str
    kind: str = "text"  # text, date, money, integer
    required: bool = False


LAYOUT = [
    Col("资产编号", "code", required=True),
    Col("名称", "name", required=True),
    Col("规格型号", "spec"),
    Col("分类代码", "category", required=True),
    Col("存放地点", "location"),
    Col("保管人", "custodian"),
    Col("班级", "custodian_class"),
    Col("购置日期", "purchase_date", "date"),
    Col("单价（元）", "price", "money"),
    Col("数量", "quantity", "integer"),
    Col("经费来源", "fund_source"),
    Col("备注", "note"),
]
HEADERS = [c.header for c in LAYOUT]
MAX_LENGTHS = {
    c.attr: Asset._meta.get_field(c.attr).max_length
    for c in LAYOUT
    if c.kind == "text" and c.attr not in ("category", "location", "custodian")
}


def _safe(value: str) -> str:
    """Control characters dropped; text that a spreadsheet would run as a formula kept text."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def export_xlsx(assets: Iterable[Asset]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("资产台账")
    ws.append(HEADERS)
    for a in assets:
        custodian = a.custodian.get_full_name() or a.custodian.username if a.custodian else ""
        ws.append(
            [
                _safe(a.code),
                _safe(a.name),
                _safe(a.spec),
                a.category.code,
                a.location.path if a.location else "",
                custodian,
                _safe(a.custodian_class),
                a.purchase_date,
                a.price,
                a.quantity,
                _safe(a.fund_source),
                _safe(a.note),
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_xlsx(data: bytes) -> list[list[Any]]:
    """All rows of the first sheet, header first, after the kernel's size checks; columns past
    the layout's are not read."""
    rows = read_workbook(data, max_rows=MAX_ROWS, max_columns=len(LAYOUT))
    return [row[: len(LAYOUT)] for row in rows]


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value)).strip()
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _parse(value: Any, col: Col) -> Any:
    """A cell as a typed value; ValueError with the Chinese reason when it does not fit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if col.required:
            raise ValueError("不能为空")
        return {"money": Decimal("0.00"), "integer": 1, "date": None}.get(col.kind, "")
    if col.kind == "date":
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip().replace("年", "-").replace("月", "-").replace("/", "-")
        try:
            return datetime.date.fromisoformat(
                "-".join(p.zfill(2) for p in text.rstrip("日").split("-"))
            )
        except ValueError as exc:
            raise ValueError(f"“{value}”不是日期（例如 2022-09-01）") from exc
    if col.kind in ("money", "integer"):
        text = str(value).strip().replace(",", "").replace("¥", "").replace("￥", "")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"“{value}”不是数字") from exc
        if not number.is_finite() or number < 0:
            raise ValueError(f"“{value}”不是有效的数字")
        if col.kind == "integer":
            if number != number.to_integral_value() or number < 1:
                raise ValueError(f"“{value}”应为正整数")
            return int(number)
        if number != number.quantize(Decimal("0.01")) or number >= Decimal("1e10"):
            raise ValueError(f"“{value}”不是有效的金额（最多两位小数）")
        return number.quantize(Decimal("0.01"))
    return _text(value)


def parse_register(school: School, table: list[list[Any]]) -> list[Asset]:
    """Rows -> unsaved Asset objects; ValidationError listing every problem (up to 50)."""
    if not table:
        raise ValidationError("工作表是空的。")
    header = [_text(h) for h in table[0]]
    if header[: len(HEADERS)] != HEADERS:
        raise ValidationError(
            "第 1 行应为表头：" + "、".join(HEADERS) + "（与导出的台账格式相同）。"
        )
    rows = table[1:]
    if len(rows) > MAX_ROWS:
        raise ValidationError(f"最多导入 {MAX_ROWS} 行，这张表超过了。")
    categories = {c.code: c for c in Category.objects.filter(school=school)}
    locations = {loc.path: loc for loc in Location.objects.filter(school=school)}
    people: dict[str, list] = {}
    members = get_user_model().objects.filter(
        pk__in=Membership.objects.filter(school=school).values("user_id")
    )
    for user in members:
        for name in {user.get_full_name(), user.username} - {""}:
            people.setdefault(name, []).append(user)
    existing = set(Asset.objects.filter(school=school).values_list("code", flat=True))
    seen: dict[str, int] = {}
    errors: list[str] = []
    assets: list[Asset] = []

    def err(line: int, index: int, message: str) -> None:
        where = f"第 {line} 行第 {get_column_letter(index + 1)} 列（{LAYOUT[index].header}）"
        errors.append(f"{where}：{message}。")

    for line, raw in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in raw):
            continue
        values: dict[str, Any] = {}
        for i, col in enumerate(LAYOUT):
            try:
                values[col.attr] = _parse(raw[i] if i < len(raw) else None, col)
            except ValueError as exc:
                err(line, i, str(exc))
                continue
            limit = MAX_LENGTHS.get(col.attr)
            if limit and len(values[col.attr]) > limit:
                err(line, i, f"最多 {limit} 个字")
        code = values.get("code")
        if code:
            if code in existing:
                err(line, 0, f"编号“{code}”已在台账中")
            elif code in seen:
                err(line, 0, f"编号“{code}”与第 {seen[code]} 行重复")
            seen.setdefault(code, line)
        category_code = (values.get("category") or "").split(" ")[0]
        category = categories.get(category_code)
        if values.get("category") and category is None:
            err(line, 3, f"没有分类代码“{category_code}”")
        location = locations.get(values.get("location") or "")
        if values.get("location") and location is None:
            err(line, 4, f"没有地点“{values['location']}”，请先在“存放地点”中添加")
        custodian = None
        if values.get("custodian"):
            found = people.get(values["custodian"], [])
            if len(found) != 1:
                err(line, 5, f"“{values['custodian']}”不是本校唯一的人员")
            else:
                custodian = found[0]
        if values.get("custodian_class") and custodian is None:
            err(line, 6, "班级资产须填写保管人（班主任）")
        if len(errors) >= 50:
            errors.append("错误过多，仅列出前 50 处。")
            break
        if errors:
            continue
        assets.append(
            Asset(
                school=school,
                code=code,
                name=values["name"],
                spec=values["spec"],
                category=category,
                location=location,
                custodian=custodian,
                custodian_class=values["custodian_class"],
                purchase_date=values["purchase_date"],
                price=values["price"],
                quantity=values["quantity"],
                fund_source=values["fund_source"],
                note=values["note"],
                status="in_use" if custodian else "in_store",
            )
        )
    if not errors and not assets:
        errors.append("表格没有数据行。")
    if errors:
        raise ValidationError(errors)
    return assets
