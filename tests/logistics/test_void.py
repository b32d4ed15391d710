"""Voiding a statutory record from its page (the kernel's void-with-reason action)."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from logistics.models import Attachment, AuditEvent
from tests.logistics.factories import AttachmentFactory


def _url(world, attachment):
    return reverse("record_void", args=["sdcz", "logistics.attachment", attachment.pk])


def test_a_record_is_voided_with_its_reason_and_stays(world, login):
    attachment = AttachmentFactory(school=world.school, uploaded_by=world.user("director"))
    response = login("director").post(
        _url(world, attachment), {"reason": "传错了发票", "next": "/s/sdcz/audit/"}
    )
    assert response.status_code == 302 and response["Location"] == "/s/sdcz/audit/"
    with scopes_disabled():
        voided = Attachment.objects.get(pk=attachment.pk)
        assert voided.void_reason == "传错了发票" and voided.voided_by == world.user("director")
        assert AuditEvent.objects.filter(action="logistics.attachment.voided").count() == 1


def test_a_void_without_a_reason_is_refused_with_a_message(world, login):
    attachment = AttachmentFactory(school=world.school, uploaded_by=world.user("director"))
    response = login("director").post(_url(world, attachment), {"reason": " "}, follow=True)
    assert "作废原因" in response.content.decode() or "原因" in response.content.decode()
    with scopes_disabled():
        assert Attachment.objects.get(pk=attachment.pk).voided_at is None


def test_the_way_back_is_only_ever_a_path_on_this_site(world, login):
    for next_url in ("-1", "https://evil.example/", "//evil.example/x", "dashboard"):
        attachment = AttachmentFactory(school=world.school, uploaded_by=world.user("director"))
        response = login("director").post(
            _url(world, attachment), {"reason": "重复", "next": next_url}
        )
        assert response["Location"] == "/s/sdcz/", next_url


def test_an_unregistered_model_cannot_be_voided(world, login):
    url = reverse("record_void", args=["sdcz", "logistics.school", world.school.pk])
    assert login("director").post(url, {"reason": "x"}).status_code == 404
