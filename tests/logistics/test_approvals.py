"""The approval engine with the kernel's two-step test document (tests/logistics/factories.py)."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from logistics import approvals
from logistics.models import Approval, AuditEvent, Signature
from logistics.roles import capabilities_for
from tests.logistics.factories import TEST_DOC, ApprovalFactory


@pytest.fixture
def doc(world):
    """A document requested by the storekeeper; chain: 经办人 (attachments.view, signed by the
    teacher), 校长 (audit.view)."""
    with scopes_disabled():
        return approvals.approval_start(
            school=world.school,
            actor=world.user("storekeeper"),
            doc_type=TEST_DOC,
            obj=world.school,
            title="购买粉笔",
        )


def _sign(world, doc, who, step):
    with scopes_disabled():
        return approvals.approval_sign(
            school=world.school, actor=world.user(who), approval_id=doc.pk, step=step
        )


def test_signing_every_step_in_order_approves(world, doc):
    _sign(world, doc, "teacher", 0)
    approval = _sign(world, doc, "principal", 1)
    assert approval.status == Approval.APPROVED and approval.current_capability == ""
    with scopes_disabled():
        actions = list(
            AuditEvent.objects.filter(object_id=str(doc.pk)).values_list("action", flat=True)
        )
    assert actions == [
        "kernel.testdoc.submitted",
        "kernel.testdoc.signed",
        "kernel.testdoc.signed",
        "kernel.testdoc.approved",
    ]


def test_one_person_signs_at_most_one_step(world, doc):
    # The director holds both capabilities, but may sign only one of the two steps.
    _sign(world, doc, "director", 0)
    with pytest.raises(approvals.ApprovalError, match="另一步"):
        _sign(world, doc, "director", 1)


def test_the_database_refuses_a_second_signature_by_the_same_person(world, doc):
    _sign(world, doc, "director", 0)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        sig = Signature.objects.get(approval=doc)
        Signature.objects.create(
            school=world.school,
            approval=doc,
            round=1,
            step=1,
            step_label="x",
            signer=sig.signer,
            signed_at=sig.signed_at,
        )


def test_a_step_needs_its_capability(world, doc):
    _sign(world, doc, "teacher", 0)
    with pytest.raises(approvals.ApprovalError, match="无权"):
        _sign(world, doc, "cook", 1)


def test_a_repeated_post_is_harmless_and_a_stale_one_is_refused(world, doc):
    _sign(world, doc, "teacher", 0)
    _sign(world, doc, "teacher", 0)  # the same button twice
    with scopes_disabled():
        assert Signature.objects.filter(approval=doc).count() == 1
    with pytest.raises(approvals.ApprovalError, match="已有人处理"):
        _sign(world, doc, "director", 0)


def test_return_to_requester_voids_signatures_and_resubmission_starts_a_new_round(world, doc):
    _sign(world, doc, "teacher", 0)
    with scopes_disabled():
        returned = approvals.approval_return(
            school=world.school,
            actor=world.user("principal"),
            approval_id=doc.pk,
            to_step=None,
            comment="请补充报价",
        )
        assert returned.status == Approval.RETURNED and returned.round == 2
        assert Signature.objects.get(approval=doc).voided_at is not None
        again = approvals.approval_resubmit(
            school=world.school,
            actor=world.user("storekeeper"),
            approval_id=doc.pk,
            obj=world.school,
        )
    assert again.status == Approval.PENDING and again.current_step == 0
    _sign(world, doc, "teacher", 0)
    assert _sign(world, doc, "principal", 1).status == Approval.APPROVED


def test_return_needs_a_comment_and_reject_a_reason(world, doc):
    _sign(world, doc, "teacher", 0)
    with scopes_disabled():
        with pytest.raises(approvals.ApprovalError):
            approvals.approval_return(
                school=world.school,
                actor=world.user("principal"),
                approval_id=doc.pk,
                to_step=None,
                comment=" ",
            )
        with pytest.raises(approvals.ApprovalError):
            approvals.approval_reject(
                school=world.school, actor=world.user("principal"), approval_id=doc.pk, reason=""
            )
        rejected = approvals.approval_reject(
            school=world.school, actor=world.user("principal"), approval_id=doc.pk, reason="不需要"
        )
    assert rejected.status == Approval.REJECTED
    with pytest.raises(approvals.ApprovalError):
        _sign(world, doc, "principal", 1)


def test_withdraw_only_by_the_requester_before_anyone_else_signs(world, doc):
    with scopes_disabled():
        with pytest.raises(approvals.ApprovalError):
            approvals.approval_withdraw(
                school=world.school, actor=world.user("principal"), approval_id=doc.pk
            )
        withdrawn = approvals.approval_withdraw(
            school=world.school, actor=world.user("storekeeper"), approval_id=doc.pk
        )
    assert withdrawn.status == Approval.WITHDRAWN


def test_withdraw_is_refused_once_someone_else_has_signed(world, doc):
    _sign(world, doc, "teacher", 0)
    with scopes_disabled(), pytest.raises(approvals.ApprovalError, match="已有人签"):
        approvals.approval_withdraw(
            school=world.school, actor=world.user("storekeeper"), approval_id=doc.pk
        )


def test_restart_voids_every_signature_visibly(world, doc):
    _sign(world, doc, "teacher", 0)
    with scopes_disabled():
        restarted = approvals.approval_restart(
            school=world.school,
            actor=world.user("storekeeper"),
            approval_id=doc.pk,
            obj=world.school,
            reason="金额改为 6000.00",
        )
        assert restarted.round == 2 and restarted.current_step == 0
        sig = Signature.objects.get(approval=doc)
        assert sig.voided_at and sig.void_reason == "金额改为 6000.00"
        assert AuditEvent.objects.filter(action="kernel.testdoc.restarted").exists()


def test_principal_signs_from_the_waiting_list_in_two_taps(world, doc, login):
    _sign(world, doc, "teacher", 0)
    client = login("principal")
    dashboard = client.get("/s/sdcz/").content.decode()
    assert "1 份文件等待您签批" in dashboard
    waiting = client.get(reverse("approvals_waiting", args=["sdcz"])).content.decode()
    # The row: its document's page (the type's URL builder), the requester, the step reached.
    assert 'href="/s/sdcz/"' in waiting and "购买粉笔" in waiting
    assert f"{world.user('storekeeper').get_full_name()} · " in waiting and " 2/2" in waiting
    response = client.post(
        reverse("approval_action", args=["sdcz", doc.pk]), {"action": "sign", "step": 1}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Approval.objects.get(pk=doc.pk).status == Approval.APPROVED
    assert "没有等待您签批的文件" in client.get("/s/sdcz/approvals/").content.decode()


def test_an_error_is_shown_as_a_message(world, doc, login):
    response = login("cook").post(
        reverse("approval_action", args=["sdcz", doc.pk]),
        {"action": "sign", "step": 0},
        follow=True,
    )
    assert "您无权签署这一步" in response.content.decode()


@pytest.mark.parametrize("n", [1, 30])
def test_waiting_list_query_count_does_not_grow(world, login, django_assert_num_queries, n):
    ApprovalFactory.create_batch(
        n,
        school=world.school,
        requested_by=world.user("teacher"),
        current_capability="audit.view",
        current_step=1,
    )
    client = login("principal")
    # session, user, access (school, capabilities, switcher), one COUNT, one page of rows
    with django_assert_num_queries(5):
        response = client.get("/s/sdcz/approvals/")
    assert response.content.decode().count("list-group-item-action") == n


OWN_STEP_DOC = "kernel.ownstep"
if OWN_STEP_DOC not in approvals._types:
    approvals.register_type(
        approvals.ApprovalType(
            code=OWN_STEP_DOC,
            label="经办人本人签字的文件",
            # The handler's own step: the requester (obj is the requesting user here).
            policy=lambda school, user: [
                approvals.Step("attachments.view", "经办人", user_id=user.pk),
                approvals.Step("audit.view", "校长"),
            ],
            url=lambda approval: f"/s/{approval.school.code}/",
        )
    )


def test_a_step_naming_its_signer_waits_for_that_person_only(world):
    from logistics.selectors import approvals_waiting_page

    teacher, director = world.user("teacher"), world.user("director")
    with scopes_disabled():
        doc = approvals.approval_start(
            school=world.school, actor=teacher, doc_type=OWN_STEP_DOC, obj=teacher, title="x"
        )

        def waiting(user):
            caps = capabilities_for(user, world.school)
            return [row.pk for row in approvals_waiting_page(world.school, user, caps, None)]

        # The director holds the step's capability but is not the named signer.
        assert waiting(teacher) == [doc.pk] and waiting(director) == []
        with pytest.raises(approvals.ApprovalError):
            approvals.approval_sign(school=world.school, actor=director, approval_id=doc.pk, step=0)
        approvals.approval_sign(school=world.school, actor=teacher, approval_id=doc.pk, step=0)
        doc.refresh_from_db()
        assert doc.current_signer_id is None and waiting(teacher) == []
        # Sent back to the handler's step: again only the handler sees it.
        approvals.approval_return(
            school=world.school,
            actor=world.user("principal"),
            approval_id=doc.pk,
            to_step=0,
            comment="补充发票",
        )
        assert waiting(teacher) == [doc.pk] and waiting(director) == []


def test_documents_an_app_lists_itself_are_not_counted_twice_on_the_dashboard(world, doc):
    from logistics.todos import kernel_todos as approvals_to_sign

    principal = world.user("principal")
    caps = capabilities_for(principal, world.school)
    _sign(world, doc, "teacher", 0)
    with scopes_disabled():
        assert [t.count for t in approvals_to_sign(world.school, principal, caps)] == [1]
        approvals._types[TEST_DOC] = dataclasses.replace(approvals._types[TEST_DOC], own_todo=True)
        try:
            assert list(approvals_to_sign(world.school, principal, caps)) == []
        finally:
            approvals._types[TEST_DOC] = dataclasses.replace(
                approvals._types[TEST_DOC], own_todo=False
            )


def test_the_requester_cannot_sign_a_step_of_their_own_document(world, doc):
    # The storekeeper holds the 经办人 step's capability but filed the document.
    with pytest.raises(approvals.ApprovalError, match="不能签署自己"):
        _sign(world, doc, "storekeeper", 0)
    with scopes_disabled():
        caps = capabilities_for(world.user("storekeeper"), world.school)
        from logistics.selectors import approvals_waiting_page

        storekeeper = world.user("storekeeper")
        assert list(approvals_waiting_page(world.school, storekeeper, caps, None)) == []


def test_return_and_reject_need_the_named_signer_and_the_steps_capability(world):
    teacher, director = world.user("teacher"), world.user("director")
    with scopes_disabled():
        doc = approvals.approval_start(
            school=world.school, actor=teacher, doc_type=OWN_STEP_DOC, obj=teacher, title="x"
        )
        # The director holds the capability, but the step names the teacher.
        with pytest.raises(approvals.ApprovalError):
            approvals.approval_reject(
                school=world.school, actor=director, approval_id=doc.pk, reason="不要"
            )
        with pytest.raises(approvals.ApprovalError):
            approvals.approval_return(
                school=world.school,
                actor=world.user("cook"),
                approval_id=doc.pk,
                to_step=None,
                comment="退回",
            )
        assert Approval.objects.get(pk=doc.pk).status == Approval.PENDING


def test_the_requester_cannot_reject_or_return_their_own_document(world, doc):
    with scopes_disabled(), pytest.raises(approvals.ApprovalError):
        approvals.approval_reject(
            school=world.school, actor=world.user("storekeeper"), approval_id=doc.pk, reason="x"
        )


def test_a_reminder_reaches_the_holder_of_the_step_on_the_dashboard_and_by_mail(world, doc, login):
    from django.core import mail
    from django.core.management import call_command

    principal = world.user("principal")
    principal.email = "wang@example.edu.cn"
    principal.save()
    _sign(world, doc, "teacher", 0)
    remind = {"action": "remind"}
    url = reverse("approval_action", args=["sdcz", doc.pk])
    # Only the requester may remind.
    login("cook").post(url, remind)
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="kernel.testdoc.reminded").exists()
    response = login("storekeeper").post(url, remind, follow=True)
    assert "已催办" in response.content.decode()
    dashboard = login("principal").get("/s/sdcz/").content.decode()
    assert "催办" in dashboard and "购买粉笔" in dashboard
    assert "催办：“购买粉笔”" not in login("cook").get("/s/sdcz/").content.decode()
    call_command("send_reminders")
    assert any("购买粉笔" in m.body and m.to == ["wang@example.edu.cn"] for m in mail.outbox)
    # Signed: the reminder has done its work and leaves the dashboard.
    _sign(world, doc, "principal", 1)
    assert "催办：“购买粉笔”" not in login("principal").get("/s/sdcz/").content.decode()


def test_a_documents_history_lists_its_signatures_returns_and_reminders(world):
    from django.template import Context, Template
    from django.test import RequestFactory

    from logistics.attachments import attachment_create, clean_upload
    from tests.logistics.factories import png_bytes

    with scopes_disabled():
        from django.core.files.uploadedfile import SimpleUploadedFile

        record = attachment_create(
            school=world.school,
            actor=world.user("storekeeper"),
            upload=clean_upload(SimpleUploadedFile("a.png", png_bytes())),
        )
        doc = approvals.approval_start(
            school=world.school,
            actor=world.user("storekeeper"),
            doc_type=TEST_DOC,
            obj=record,
            title="购买粉笔",
        )
        approvals.approval_sign(
            school=world.school, actor=world.user("teacher"), approval_id=doc.pk, step=0
        )
        approvals.approval_remind(
            school=world.school, actor=world.user("storekeeper"), approval_id=doc.pk
        )
        approvals.approval_return(
            school=world.school,
            actor=world.user("principal"),
            approval_id=doc.pk,
            to_step=None,
            comment="请补充报价",
        )
        request = RequestFactory().get("/")
        request.user = world.user("principal")
        html = Template("{% load logistics_tags %}{% history_panel obj %}").render(
            Context({"request": request, "capabilities": {"audit.view"}, "obj": record})
        )
    for action in ("submitted", "signed", "reminded", "returned"):
        assert f"kernel.testdoc.{action}" in html
    assert "请补充报价" in html
