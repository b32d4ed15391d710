from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from logistics import approvals
from logistics.audit import events_for
from logistics.models import Approval
from logistics.notices import services
from logistics.notices.kinds import Column, NoRecords, NoticeKind, Snapshot, register_kind
from logistics.notices.models import Notice
from tests.notices.helpers import draft, fee_snapshot, publish


@pytest.fixture
def director(world):
    return world.user("director")


def test_approval_by_the_principal_publishes_a_frozen_first_version(world):
    notice = publish(world, draft(world))
    assert notice.status == Notice.PUBLISHED
    assert notice.version == 1
    assert notice.public_until == timezone.localdate(notice.published_at) + datetime.timedelta(
        days=7
    )
    with scopes_disabled():
        assert {"notice.drafted", "notice.published"} <= {e.action for e in events_for(notice)}
    # Not even SQL can change what was published.
    with (
        pytest.raises((InternalError, IntegrityError, ProgrammingError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE notices_notice SET snapshot = '{}'::jsonb WHERE id = %s", [notice.pk]
        )


def test_a_published_notice_cannot_be_edited_through_the_service(world, director):
    notice = publish(world, draft(world))
    with scopes_disabled(), pytest.raises(ValidationError):
        services.notice_update_draft(
            school=world.school, actor=director, notice_id=notice.pk, notes="改", publication_days=3
        )


def test_a_correction_supersedes_the_published_version_only_once_it_is_published(world, director):
    first = publish(world, draft(world))
    with scopes_disabled():
        second = services.notice_correct(school=world.school, actor=director, notice_id=first.pk)
        # Asking again gives the same draft, not a third version.
        again = services.notice_correct(school=world.school, actor=director, notice_id=first.pk)
        assert again.pk == second.pk
        assert (second.version, second.series, second.status) == (2, first.series, Notice.DRAFT)
        first.refresh_from_db()
        assert first.status == Notice.PUBLISHED  # still the current one while v2 is a draft
    second = publish(world, second)
    first.refresh_from_db()
    assert (first.status, second.status) == (Notice.SUPERSEDED, Notice.PUBLISHED)
    assert first.snapshot == fee_snapshot()  # what was published is untouched


def test_withdrawing_needs_a_reason_and_takes_the_notice_off_the_board(world):
    notice = publish(world, draft(world))
    principal = world.user("principal")
    with scopes_disabled():
        with pytest.raises(ValidationError):
            services.notice_withdraw(
                school=world.school, actor=principal, notice_id=notice.pk, reason=" "
            )
        services.notice_withdraw(
            school=world.school, actor=principal, notice_id=notice.pk, reason="数据有误"
        )
        notice.refresh_from_db()
    assert (notice.status, notice.withdrawn_reason) == (Notice.WITHDRAWN, "数据有误")


def test_returned_notice_is_edited_and_submitted_again(world, director):
    notice = draft(world)
    with scopes_disabled():
        notice = services.notice_submit(school=world.school, actor=director, notice_id=notice.pk)
        # Submitting twice (a double click) changes nothing.
        services.notice_submit(school=world.school, actor=director, notice_id=notice.pk)
        with pytest.raises(ValidationError):  # waiting for approval: not editable
            services.notice_update_draft(
                school=world.school,
                actor=director,
                notice_id=notice.pk,
                notes="",
                publication_days=7,
            )
        approvals.approval_return(
            school=world.school,
            actor=world.user("principal"),
            approval_id=notice.approval_id,
            to_step=None,
            comment="公示期改为 10 天",
        )
        services.notice_update_draft(
            school=world.school,
            actor=director,
            notice_id=notice.pk,
            notes="已更正",
            publication_days=10,
        )
        services.notice_submit(school=world.school, actor=director, notice_id=notice.pk)
        notice.refresh_from_db()
        assert notice.approval.status == Approval.PENDING
    notice = publish(world, notice)
    assert notice.snapshot["publication_days"] == 10
    assert notice.public_until == timezone.localdate(notice.published_at) + datetime.timedelta(
        days=10
    )


def test_rejected_notice_is_never_published(world, director):
    notice = draft(world)
    with scopes_disabled():
        services.notice_submit(school=world.school, actor=director, notice_id=notice.pk)
        notice.refresh_from_db()
        approvals.approval_reject(
            school=world.school,
            actor=world.user("principal"),
            approval_id=notice.approval_id,
            reason="不需要公示",
        )
        notice.refresh_from_db()
        assert notice.status == Notice.REJECTED
        with pytest.raises(ValidationError):
            services.notice_submit(school=world.school, actor=director, notice_id=notice.pk)


def test_withdrawn_submission_goes_back_to_draft_and_can_be_submitted_again(world, director):
    notice = draft(world)
    with scopes_disabled():
        services.notice_submit(school=world.school, actor=director, notice_id=notice.pk)
        notice.refresh_from_db()
        approvals.approval_withdraw(
            school=world.school, actor=director, approval_id=notice.approval_id
        )
        notice.refresh_from_db()
        assert notice.status == Notice.DRAFT
    assert publish(world, notice).status == Notice.PUBLISHED


def test_the_preparer_cannot_approve_their_own_notice(world, director):
    notice = draft(world)
    with scopes_disabled():
        services.notice_submit(school=world.school, actor=director, notice_id=notice.pk)
        notice.refresh_from_db()
        with pytest.raises(approvals.ApprovalError):
            approvals.approval_sign(
                school=world.school, actor=director, approval_id=notice.approval_id, step=0
            )


def test_principal_sees_the_waiting_notice_on_the_dashboard(world, login):
    notice = draft(world)
    with scopes_disabled():
        services.notice_submit(
            school=world.school, actor=world.user("director"), notice_id=notice.pk
        )
    page = login("principal").get("/s/sdcz/approvals/").content.decode()
    assert notice.title in page
    dashboard = login("principal").get("/s/sdcz/").content.decode()
    assert 'todo-count">1</span>' in dashboard
    assert 'todo-count"' not in login("director").get("/s/sdcz/").content.decode()


def _register_test_kind(rows):
    code = f"test.kind{len(rows)}"

    def build(*, school, start, end):
        if not rows:
            raise NoRecords("本期没有代办费记录。")
        return Snapshot(f"{start:%Y年%m月}报表", "本月", [Column("a", "项目")], rows)

    from logistics.notices import kinds

    if code not in kinds._kinds:
        register_kind(NoticeKind(code, "测试", "notices.prepare", build))
    return code


def test_a_builder_with_no_records_says_so_instead_of_an_empty_table(world, login):
    code = _register_test_kind([])
    response = login("director").post(
        "/s/sdcz/notices/new/",
        {"kind": code, "period_start": "2022-09-01", "period_end": "2022-09-30"},
    )
    assert response.status_code == 200
    assert "本期没有代办费记录。" in response.content.decode()
    with scopes_disabled():
        assert not Notice.objects.exists()


def test_a_built_notice_is_made_from_the_records_of_the_period(world, login):
    code = _register_test_kind([{"a": "大米"}])
    response = login("director").post(
        "/s/sdcz/notices/new/",
        {"kind": code, "period_start": "2022-09-01", "period_end": "2022-09-30"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        notice = Notice.objects.get()
    assert notice.title == "2022年09月报表"
    assert notice.snapshot["rows"] == [["大米"]]


def test_the_service_refuses_a_publication_period_out_of_range(world, director):
    notice = draft(world)
    for days in (0, 366):
        with scopes_disabled(), pytest.raises(ValidationError):
            services.notice_update_draft(
                school=world.school,
                actor=director,
                notice_id=notice.pk,
                notes="",
                publication_days=days,
            )
