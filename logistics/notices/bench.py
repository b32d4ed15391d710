"""Notices in `make bench`: district-scale notices for the board and staff list, and PDF /
Excel rendering measured against the bare library calls in the same run."""

from __future__ import annotations

import datetime
import io
import multiprocessing
import resource
import time
import tracemalloc
from decimal import Decimal

from django.template import Context, Template
from django.utils import timezone
from openpyxl import Workbook
from weasyprint import HTML

from logistics.bench import bench_user
from logistics.notices import pdf, tables, xlsx
from logistics.notices.kinds import Column, Snapshot
from logistics.notices.models import CODE_ALPHABET, Notice
from logistics.registry import registry

NOTICES_PER_YEAR = 60


def sample_snapshot(rows: int) -> dict:
    columns = [
        Column("no", "序号", "integer"),
        Column("name", "姓名", personal="name"),
        Column("cls", "班级"),
        Column("item", "项目"),
        Column("amount", "金额（元）", "money"),
        Column("day", "日期", "date"),
    ]
    data = [
        {
            "no": i + 1,
            "name": "张三明",
            "cls": f"七（{i % 6 + 1}）班",
            "item": "作业本费",
            "amount": Decimal("24.50") + i % 7,
            "day": datetime.date(2022, 9, 1 + i % 28),
        }
        for i in range(rows)
    ]
    total = sum((r["amount"] for r in data), Decimal("0"))
    return Snapshot(
        "2022年秋季学期代办费收支公示", "2022年秋季学期", columns, data, {"amount": total}
    ).to_json()


@registry.bench_seeder
def seed_notices(schools, years, rng) -> None:
    author = bench_user()
    snapshot = sample_snapshot(12)
    now = timezone.now()
    notices = []
    for school in schools:
        for i in range(NOTICES_PER_YEAR * years):
            published = now - datetime.timedelta(days=i * 6 // years, hours=rng.randrange(24))
            notices.append(
                Notice(
                    school=school,
                    kind="free_table",
                    title=f"公示 {i}",
                    snapshot=snapshot,
                    status=Notice.PUBLISHED if i % 5 else Notice.DRAFT,
                    published_at=published if i % 5 else None,
                    public_until=(published + datetime.timedelta(days=7)).date() if i % 5 else None,
                    verify_code="".join(rng.choice(CODE_ALPHABET) for _ in range(8)),
                    created_by=author,
                )
            )
    Notice.objects.bulk_create(notices, batch_size=2000)


def _timed(fn, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _peak_rss_mb(fn) -> float:
    """Peak resident memory of `fn` run in a fresh child process."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child():
        fn()
        queue.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    proc = ctx.Process(target=child)
    proc.start()
    value = queue.get()
    proc.join()
    return value


# The reference: the same snapshot's rows through the plainest template WeasyPrint can print
# in the same font, so the ratio covers our whole pipeline (table building, print template,
# QR code, fetcher), not only the last call.
BARE_TEMPLATE = Template(
    '<html><head><meta charset="utf-8"><style>@page {font-family: "{{ font }}"}'
    ' body {font-family: "{{ font }}"} td {border: 0.6pt solid #000}</style></head>'
    "<body><h1>{{ title }}</h1><table>"
    "{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell|default_if_none:'' }}</td>"
    "{% endfor %}</tr>{% endfor %}</table></body></html>"
)


def _pdf_rows(rows: int) -> list[dict]:
    snapshot = sample_snapshot(rows)

    def ours():
        html = pdf.print_html(
            snapshot=snapshot,
            school_name="基准第1学校",
            complaint_phone="0000-1234567",
            verify_code="ABCD2345",
            version=1,
            published_on=datetime.date(2022, 9, 1),
        )
        pdf.html_to_pdf(html)

    def bare():
        context = {"font": pdf.FONT_FAMILY, "title": snapshot["title"], "rows": snapshot["rows"]}
        HTML(string=BARE_TEMPLATE.render(Context(context))).write_pdf()

    runs = 3 if rows < 100 else 1
    ours_s, bare_s = _timed(ours, runs), _timed(bare, runs)
    return [
        {
            "name": f"PDF {rows} rows: time",
            "value": ours_s,
            "reference": bare_s,
            "ratio": ours_s / bare_s,
            "target": 1.5,
            "unit": "s",
        },
        {
            "name": f"PDF {rows} rows: peak memory",
            "value": _peak_rss_mb(ours),
            "reference": 512,
            "ratio": _peak_rss_mb(ours) / 512,
            "target": 1.0,
            "unit": "MB",
        },
    ]


def _xlsx_100k() -> list[dict]:
    snapshot = sample_snapshot(100_000)
    values = tables.values(snapshot, public=True)

    def ours():
        xlsx.write_xlsx(
            snapshot,
            io.BytesIO(),
            school_name="基准第1学校",
            verify_code="ABCD2345",
            verify_url="http://example/verify/ABCD2345/",
        )

    def bare():
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Sheet")
        for row in values:
            ws.append(row)
        wb.save(io.BytesIO())

    ours_s, bare_s = _timed(ours, 2), _timed(bare, 2)
    tracemalloc.start()
    ours()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return [
        {
            "name": "Excel 100,000 rows: time",
            "value": ours_s,
            "reference": bare_s,
            "ratio": ours_s / bare_s,
            "target": 1.3,
            "unit": "s",
        },
        {
            "name": "Excel 100,000 rows: memory growth",
            "value": peak / 2**20,
            "reference": 50,
            "ratio": peak / 2**20 / 50,
            "target": 1.0,
            "unit": "MB",
        },
    ]


@registry.bench_extra
def rendering_extras() -> list[dict]:
    return _pdf_rows(20) + _pdf_rows(600) + _xlsx_100k()
