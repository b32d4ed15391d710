"""Demo: sdcz's 2022 autumn-term fee statement, published, then corrected (v1 superseded)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from logistics import approvals
from logistics.models import School
from logistics.notices import importing, services
from logistics.notices.models import Notice
from logistics.registry import registry

TITLE = "2022年秋季学期代办费收支公示"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["子涵", "雨轩", "浩然", "梓萱", "欣怡", "宇航", "思远", "佳怡", "俊杰", "诗涵"]


def fee_rows(correction: bool = False) -> tuple[list[str], list[list]]:
    header = ["序号", "姓名", "班级", "教辅资料费（元）", "作业本费（元）", "合计（元）", "备注"]
    rows = []
    for i in range(36):
        books, exercise = 86 + (i % 3) * 12, 24
        if correction and i == 4:  # the corrected line: a book set refunded
            books = 0
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        rows.append(
            [
                i + 1,
                name,
                f"七（{i % 3 + 1}）班",
                f"{books:.2f}",
                f"{exercise:.2f}",
                f"{books + exercise:.2f}",
                "退教辅资料费" if correction and i == 4 else "",
            ]
        )
    return header, rows


def _publish(school: School, notice: Notice) -> None:
    users = get_user_model().objects
    notice = services.notice_submit(
        school=school, actor=users.get(username="director"), notice_id=notice.pk
    )
    approvals.approval_sign(
        school=school, actor=users.get(username="principal"), approval_id=notice.approval_id, step=0
    )


@registry.demo_loader
def load_notices() -> None:
    school = School.objects.get(code="sdcz")
    if Notice.objects.filter(school=school, title=TITLE).exists():
        return
    director = get_user_model().objects.get(username="director")
    header, rows = fee_rows()
    snapshot = importing.build_table(
        title=TITLE,
        period="2022年9月1日至2023年1月15日",
        header=header,
        rows=rows,
        notes="代办费按学期据实收取，学期末多退少补。",
        publication_days=15,
    ).to_json()
    first = services.notice_create_table(school=school, actor=director, snapshot=snapshot)
    _publish(school, first)
    correction = services.notice_correct(school=school, actor=director, notice_id=first.pk)
    header, rows = fee_rows(correction=True)
    correction = services.notice_replace_table(
        school=school,
        actor=director,
        notice_id=correction.pk,
        snapshot=importing.build_table(
            title=TITLE,
            period="2022年9月1日至2023年1月15日",
            header=header,
            rows=rows,
            notes="更正：第 5 行学生已退教辅资料费。",
            publication_days=15,
        ).to_json(),
    )
    _publish(school, correction)
