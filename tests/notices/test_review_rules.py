"""Who prepares and who publishes, what leaves the public board, and printing in Chinese."""

from __future__ import annotations

import datetime
import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from logistics import approvals
from logistics.notices import services
from logistics.notices.kinds import Column, NoticeKind, Snapshot, _kinds, register_kind
from logistics.notices.models import KindSetting, Notice
from tests.notices.helpers import draft, publish

PERSONAL = "test.personal"
AUDITED = "test.audited"


def _build(*, school, start, end):
    # gettext, as app builders do: the result must be Chinese whatever the UI language.
    return Snapshot(_("Principal"), "2022年", [Column("n", _("Principal"))], [{"n": "x"}])


for code, capability, personal in (
    (PERSONAL, "notices.prepare", True),
    (AUDITED, "audit.view", False),
):
    if code not in _kinds:
        register_kind(
            NoticeKind(
                code=code,
                label="测试",
                capability=capability,
                build=_build,
                personal_data=personal,
                public_archive=not personal,
            )
        )


def _built(world, code, user="director"):
    with scopes_disabled():
        return services.notice_create(
            school=world.school,
            actor=world.user(user),
            kind_code=code,
            start=datetime.date(2022, 9, 1),
            end=datetime.date(2022, 9, 30),
        )


def test_the_preparer_cannot_publish_their_own_notice_and_the_central_school_signs_it(world):
    notice = draft(world, user="principal")
    with scopes_disabled():
        notice = services.notice_submit(
            school=world.school, actor=world.user("principal"), notice_id=notice.pk
        )
        with pytest.raises(approvals.ApprovalError):
            approvals.approval_sign(
                school=world.school,
                actor=world.user("principal"),
                approval_id=notice.approval_id,
                step=0,
            )
        approvals.approval_sign(
            school=world.school, actor=world.user("central"), approval_id=notice.approval_id, step=0
        )
        notice.refresh_from_db()
    assert notice.status == Notice.PUBLISHED


def test_the_preparer_stays_the_requester_whoever_submits(world):
    notice = draft(world, user="principal")
    with scopes_disabled():
        notice = services.notice_submit(
            school=world.school, actor=world.user("director"), notice_id=notice.pk
        )
        assert notice.approval.requested_by == world.user("principal")


def test_each_action_checks_the_kinds_own_capability(world, login):
    # canteen may prepare notices, but not this kind (it needs audit.view).
    notice = _built(world, AUDITED)
    client = login("canteen")
    for name, data in (("edit", {"notes": "x", "publication_days": 7}), ("submit", {})):
        url = reverse(f"notices:{name}", args=["sdcz", notice.pk])
        assert client.post(url, data).status_code == 403
    assert client.get(reverse("notices:print_draft", args=["sdcz", notice.pk])).status_code == 403
    assert (
        login("director").post(reverse("notices:submit", args=["sdcz", notice.pk])).status_code
        == 302
    )


def test_a_school_may_name_another_publisher_for_a_kind(world):
    with scopes_disabled():
        KindSetting.objects.create(
            school=world.school, kind="free_table", publish_capability="audit.view"
        )
    notice = draft(world, user="teacher")
    with scopes_disabled():
        notice = services.notice_submit(
            school=world.school, actor=world.user("teacher"), notice_id=notice.pk
        )
        assert notice.approval.steps[0]["capability"] == "audit.view"
        approvals.approval_sign(
            school=world.school,
            actor=world.user("accountant"),
            approval_id=notice.approval_id,
            step=0,
        )
        notice.refresh_from_db()
    assert notice.status == Notice.PUBLISHED


def test_a_rejected_correction_can_be_corrected_again(world):
    first = publish(world, draft(world))
    director = world.user("director")
    with scopes_disabled():
        second = services.notice_correct(school=world.school, actor=director, notice_id=first.pk)
        second = services.notice_submit(school=world.school, actor=director, notice_id=second.pk)
        approvals.approval_reject(
            school=world.school,
            actor=world.user("principal"),
            approval_id=second.approval_id,
            reason="还有错",
        )
        third = services.notice_correct(school=world.school, actor=director, notice_id=first.pk)
    assert third.pk != second.pk and third.version == 3 and third.status == Notice.DRAFT
    third = publish(world, third)
    first.refresh_from_db()
    assert (first.status, third.status) == (Notice.SUPERSEDED, Notice.PUBLISHED)


def test_a_withdrawn_notice_leaves_the_board_and_archive_and_stops_serving_files(world, client):
    notice = publish(world, draft(world))
    month = timezone.localdate().strftime("%Y-%m")
    with scopes_disabled():
        services.notice_withdraw(
            school=world.school,
            actor=world.user("principal"),
            notice_id=notice.pk,
            reason="数据有误",
        )
    assert notice.title not in client.get("/public/sdcz/").content.decode()
    assert notice.title not in client.get(f"/public/sdcz/?month={month}").content.decode()
    for name in ("pdf", "xlsx"):
        assert (
            client.get(reverse(f"notices:{name}", args=["sdcz", notice.verify_code])).status_code
            == 404
        )
    page = client.get(reverse("notices:verify", args=[notice.verify_code])).content.decode()
    assert "撤回" in page and "数据有误" in page and "张三明" not in page and "张*明" not in page


def test_a_notice_with_personal_data_leaves_the_public_when_its_period_ends(world, client):
    notice = publish(world, _built(world, PERSONAL))
    kept = publish(world, draft(world))
    pdf_url = reverse("notices:pdf", args=["sdcz", notice.verify_code])
    assert client.get(pdf_url).status_code == 200
    month = timezone.localdate().strftime("%Y-%m")
    with scopes_disabled():
        Notice.objects.filter(pk__in=[notice.pk, kept.pk]).update(
            public_until=timezone.localdate() - datetime.timedelta(days=1)
        )
    archive = client.get(f"/public/sdcz/?month={month}").content.decode()
    assert notice.verify_code not in archive and kept.verify_code in archive
    assert client.get(pdf_url).status_code == 404
    page = client.get(reverse("notices:verify", args=[notice.verify_code])).content.decode()
    assert "公示期已结束" in page


def test_notices_are_built_and_printed_in_chinese_whatever_the_users_language(world, client):
    with translation.override("en"):
        notice = _built(world, PERSONAL)
    assert notice.snapshot["title"] == "校长"
    assert notice.snapshot["columns"][0]["label"] == "校长"


def test_staff_print_a_draft_watermarked_without_a_verification_code(world, login):
    notice = draft(world)
    response = login("director").get(reverse("notices:print_draft", args=["sdcz", notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "草稿" in text and "验证码" not in text
    # The publisher prints it too before signing; a published notice has its own PDF.
    assert (
        login("principal").get(reverse("notices:print_draft", args=["sdcz", notice.pk])).status_code
        == 200
    )
    publish(world, notice)
    assert (
        login("director").get(reverse("notices:print_draft", args=["sdcz", notice.pk])).status_code
        == 404
    )
