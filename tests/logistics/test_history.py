from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django_scopes import scope

from logistics.attachments import attachment_create, clean_upload
from logistics.services import record_void
from tests.logistics.factories import png_bytes

PANEL = Template("{% load logistics_tags %}{% history_panel obj %}")


def _render(world, obj, capabilities):
    request = RequestFactory().get("/")
    request.user = world.user("director")
    return PANEL.render(Context({"request": request, "capabilities": capabilities, "obj": obj}))


def test_history_panel_shows_business_events_and_row_changes(world):
    with scope(school=world.school.pk):
        attachment = attachment_create(
            school=world.school,
            actor=world.user("director"),
            upload=clean_upload(SimpleUploadedFile("发票.png", png_bytes())),
        )
        record_void(
            school=world.school, actor=world.user("director"), record=attachment, reason="重复上传"
        )
        html = _render(world, attachment, frozenset({"audit.view"}))
    assert "logistics.attachment.voided" in html and "重复上传" in html  # business event
    assert "attachment.uploaded" in html
    assert "void_reason" in html  # the row change captured by the database trigger
    assert "李总务" in html


def test_history_panel_is_hidden_without_the_capability(world):
    with scope(school=world.school.pk):
        attachment = attachment_create(
            school=world.school,
            actor=world.user("director"),
            upload=clean_upload(SimpleUploadedFile("a.png", png_bytes())),
        )
        assert _render(world, attachment, frozenset()).strip() == ""


def test_row_history_captures_bulk_updates_that_bypass_save(world):
    import pghistory.models

    from logistics.models import Attachment

    with scope(school=world.school.pk):
        attachment = attachment_create(
            school=world.school,
            actor=world.user("director"),
            upload=clean_upload(SimpleUploadedFile("a.png", png_bytes())),
        )
        Attachment.objects.filter(pk=attachment.pk).update(original_name="改名.png")
        labels = list(
            pghistory.models.Events.objects.tracks(attachment).values_list("pgh_label", flat=True)
        )
    assert labels.count("update") == 1 and labels.count("insert") == 1


def test_every_school_owned_table_has_row_history():
    """A new school-owned model without @pghistory.track fails here."""
    from django.apps import apps

    from logistics.models import AuditEvent, PersonalDataView, SchoolOwned

    # Append-only logs (the database refuses updates and deletes): nothing to keep history of.
    append_only = {AuditEvent, PersonalDataView}

    event_models = {
        m.pgh_tracked_model for m in apps.get_models() if hasattr(m, "pgh_tracked_model")
    }
    untracked = [
        m._meta.label
        for m in apps.get_models()
        if issubclass(m, SchoolOwned)
        and m not in append_only
        and m not in event_models
        and not hasattr(m, "pgh_tracked_model")
    ]
    assert not untracked, f"school-owned models without row history: {untracked}"
