from __future__ import annotations

import io

import factory
from django.core.files.base import ContentFile
from PIL import Image

from logistics.approvals import ApprovalType, Step, _types, register_type
from logistics.models import Approval, Attachment
from tests.factories import SchoolFactory, ScopedFactory, UserFactory

# A document type used only by the kernel's tests: two steps on kernel capabilities.
TEST_DOC = "kernel.testdoc"
if TEST_DOC not in _types:
    register_type(
        ApprovalType(
            code=TEST_DOC,
            label="测试文件",
            policy=lambda school, obj: [
                Step("attachments.view", "经办人"),
                Step("audit.view", "校长"),
            ],
            url=lambda approval: f"/s/{approval.school.code}/",
        )
    )


def png_bytes(size=(4, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format="PNG")
    return out.getvalue()


class AttachmentFactory(ScopedFactory):
    class Meta:
        model = Attachment

    school = factory.SubFactory(SchoolFactory)
    uploaded_by = factory.SubFactory(UserFactory)
    original_name = "发票.png"
    content_type = "image/png"
    size = factory.LazyAttribute(lambda o: len(png_bytes()))
    sha256 = "0" * 64
    file = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="x.png"))


class ApprovalFactory(ScopedFactory):
    class Meta:
        model = Approval

    school = factory.SubFactory(SchoolFactory)
    doc_type = TEST_DOC
    object_id = factory.Sequence(str)
    title = factory.Sequence(lambda n: f"测试文件{n}")
    requested_by = factory.SubFactory(UserFactory)
    steps = [
        {"capability": "attachments.view", "label": "经办人"},
        {"capability": "audit.view", "label": "校长"},
    ]
    current_capability = "attachments.view"
