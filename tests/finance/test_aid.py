"""Student aid: the class teacher's review, returned applications, payment after publication."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from finance import services
from finance.models import AidApplication, AidStatus, Student
from logistics.approvals import ApprovalError, approval_return, approval_sign
from logistics.models import Approval
from logistics.notices.models import Notice


@pytest.fixture
def student(world):
    with scopes_disabled():
        return Student.objects.create(
            school=world.school, class_name="初一(1)班", name="张小明", number="01"
        )


def _apply(world, student, who="accountant"):
    with scopes_disabled():
        return services.aid_apply(
            school=world.school,
            actor=world.user(who),
            student=student,
            year=2026,
            category="registered",
            amount=Decimal("625.00"),
            id_number="440000201201010011",
            family_situation="父亲残疾，母亲务农",
        )


def _sign(world, application, who):
    with scopes_disabled():
        application.refresh_from_db()
        return approval_sign(
            school=world.school,
            actor=world.user(who),
            approval_id=application.approval_id,
            step=application.approval.current_step,
        )


def _refreshed(application):
    with scopes_disabled():
        application.refresh_from_db()
        application.approval.refresh_from_db()
    return application


def test_the_class_teacher_reviews_and_the_applicant_cannot_sign_the_review(world, student):
    application = _apply(world, student)
    assert [s["label"] for s in application.approval.steps] == ["班主任审核", "资助工作领导小组"]
    assert application.approval.steps[0]["capability"] == "finance.aid_review"
    with pytest.raises(ApprovalError):
        _sign(world, application, "accountant")
    _sign(world, application, "teacher")
    _sign(world, application, "principal")
    assert _refreshed(application).status == AidStatus.APPROVED


def test_the_principals_own_application_is_approved_by_the_central_school(world, student):
    application = _apply(world, student, who="principal")
    steps = application.approval.steps
    assert [s["capability"] for s in steps] == ["finance.aid_review", "finance.sign_central"]
    _sign(world, application, "teacher")
    with pytest.raises(ApprovalError):
        _sign(world, application, "principal")
    _sign(world, application, "central")
    assert _refreshed(application).status == AidStatus.APPROVED


def test_a_class_teacher_sees_an_application_only_while_it_waits_for_review(world, student, login):
    application = _apply(world, student)
    url = reverse("finance:aid_detail", args=[world.school.code, application.pk])
    page = login("teacher").get(url)
    assert page.status_code == 200 and 'value="sign"' in page.content.decode()
    assert login("director").get(url).status_code == 403
    _sign(world, application, "teacher")
    _sign(world, application, "principal")
    assert login("teacher").get(url).status_code == 404
    assert login("accountant").get(url).status_code == 200


def test_a_returned_application_is_changed_and_sent_to_the_review_again(world, student, login):
    application = _apply(world, student)
    with scopes_disabled():
        approval_return(
            school=world.school,
            actor=world.user("teacher"),
            approval_id=application.approval_id,
            to_step=None,
            comment="金额按学期标准应为500元",
        )
    client = login("accountant")
    detail = client.get(reverse("finance:aid_detail", args=[world.school.code, application.pk]))
    assert 'id="aid-edit"' in detail.content.decode()
    url = reverse("finance:aid_edit", args=[world.school.code, application.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "category": "registered",
            "amount": "500.00",
            "id_number": "440000201201010011",
            "family_situation": "父亲残疾，母亲务农，另有一名弟弟上小学",
        },
    )
    assert response.status_code == 302
    application = _refreshed(application)
    assert application.amount == Decimal("500.00") and "弟弟" in application.family_situation
    assert application.approval.status == Approval.PENDING and application.approval.round == 2
    _sign(world, application, "teacher")
    _sign(world, application, "principal")
    assert _refreshed(application).status == AidStatus.APPROVED


def test_only_a_returned_application_can_be_changed(world, student, login):
    application = _apply(world, student)
    with scopes_disabled(), pytest.raises(ValidationError):
        services.aid_resubmit(
            school=world.school,
            actor=world.user("accountant"),
            application_id=application.pk,
            amount=Decimal("1.00"),
        )
    url = reverse("finance:aid_edit", args=[world.school.code, application.pk])
    response = login("accountant").post(url, {"category": "other", "amount": "1.00"})
    assert response.status_code == 302
    assert _refreshed(application).amount == Decimal("625.00")


def test_the_row_history_keeps_no_id_numbers_or_family_details(world, student):
    import pghistory.models

    application = _apply(world, student)
    with scopes_disabled():
        events = list(pghistory.models.Events.objects.tracks(application))
    assert events
    assert all(
        "id_number" not in e.pgh_data and "family_situation" not in e.pgh_data for e in events
    )
    text = str([e.pgh_data for e in events])
    assert "440000201201010011" not in text and "务农" not in text


@pytest.mark.parametrize(
    "board_days_left,paid", [(0, False), (-1, True)], ids=["on the board today", "period ended"]
)
def test_aid_is_paid_only_after_its_publication_period_has_ended(
    world, student, board_days_left, paid
):
    application = _apply(world, student)
    _sign(world, application, "teacher")
    _sign(world, application, "principal")
    pay = {
        "school": world.school,
        "actor": world.user("accountant"),
        "application_id": application.pk,
    }
    with scopes_disabled(), pytest.raises(ValidationError, match="公示期"):
        services.aid_pay(**pay)  # not published at all
    today = timezone.localdate()
    with scopes_disabled():
        Notice.objects.create(
            school=world.school,
            kind="finance.aid",
            title="资助名单公示",
            period_start=today - datetime.timedelta(days=30),
            period_end=today,
            snapshot={},
            status=Notice.PUBLISHED,
            published_at=timezone.now() - datetime.timedelta(days=8),
            public_until=today + datetime.timedelta(days=board_days_left),
            created_by=world.user("accountant"),
        )
        if paid:
            assert services.aid_pay(**pay).status == AidStatus.PAID
        else:
            with pytest.raises(ValidationError, match="公示期"):
                services.aid_pay(**pay)
            assert AidApplication.objects.get(pk=application.pk).status == AidStatus.APPROVED


def test_viewing_an_application_in_full_is_logged_for_the_principal(world, student, login):
    from logistics.models import PersonalDataView

    application = _apply(world, student)
    page = login("accountant").get(reverse("finance:aid_detail", args=["sdcz", application.pk]))
    assert "440000201201010011" in page.content.decode()
    with scopes_disabled():
        seen = PersonalDataView.objects.get(school=world.school)
    assert seen.user == world.user("accountant") and str(application.pk) in seen.what
    log = login("principal").get(reverse("privacy_log", args=["sdcz"])).content.decode()
    assert f"#{application.pk}" in log


def test_old_applications_lose_their_personal_data_but_keep_amounts_and_a_sound_chain(
    world, student
):
    from django.core.management import call_command

    from logistics.audit import verify_chain

    old, recent = _apply(world, student), _apply(world, student)
    with scopes_disabled():
        AidApplication.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=4 * 366)
        )
    call_command("anonymise_personal_data", years=3)
    with scopes_disabled():
        old.refresh_from_db()
        recent.refresh_from_db()
        assert (old.id_number, old.family_situation, old.amount) == ("", "", Decimal("625.00"))
        assert recent.id_number == "440000201201010011"
        assert verify_chain(world.school) is None
