"""Hostile input never breaks the site: every POST of the permission matrix gets random and
hostile values, uploads and imports get random bytes. Never a server error, never a change
outside the user's school, always a readable answer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logistics.attachments import clean_upload
from logistics.models import AuditEvent
from logistics.notices.importing import read_pasted, read_xlsx
from tests.test_permissions import ROWS

POST_ROWS = [r for r in ROWS if r.method == "post" and r.allowed]

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=10),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 5000,
            "9" * 40,
            "-1",
            "-0.01",
            "1e309",
            "NaN",
            "12.345",
            "2022-02-30",
            '=HYPERLINK("http://x")',
            "<script>alert(1)</script>",
            "'; DROP TABLE logistics_school; --",
            "\x00",
            "１２３",
        ]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)
# Names forms commonly use, besides each row's own fields; a wrong type goes in every one.
COMMON_FIELDS = [
    "amount",
    "quantity",
    "price",
    "unit_price",
    "reason",
    "comment",
    "notes",
    "date",
    "day",
    "step",
    "to_step",
    "school",
    "id",
    "pk",
    "person",
    "user",
    "fund",
    "category",
    "location",
    "status",
]

FUZZ = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def _other_school_events(world) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(school=world.other).count()


def test_every_post_form_is_fuzzed():
    assert len(POST_ROWS) >= 10


def _fuzz_row(row, world, login, data):
    """One hostile POST on a fresh copy of the row's record: the savepoint is rolled back, so
    each example starts from the same state."""
    client = login(row.allowed)  # the session is made outside the rolled-back savepoint
    with transaction.atomic():
        url = row.path(world, world.school)
        before = _other_school_events(world)
        fields = {**row.data, **data}
        response = client.post(url, fields)
        assert response.status_code < 500, (url, fields, response.status_code)
        assert _other_school_events(world) == before, (url, fields)
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_hostile_values_in_every_post_form_never_give_a_server_error(world, login, data):
    row = data.draw(st.sampled_from(POST_ROWS), label="row")
    names = sorted({*row.data, *COMMON_FIELDS})
    values = data.draw(st.dictionaries(st.sampled_from(names), HOSTILE_TEXT, max_size=6))
    _fuzz_row(row, world, login, values)


def test_every_post_form_survives_each_hostile_value_in_its_own_fields(world, login):
    """Deterministic sweep: each row's own fields, each set to a few hostile values."""
    for row in POST_ROWS:
        for value in ("", "x" * 5000, "-1", "1e309", "\x00"):
            _fuzz_row(row, world, login, dict.fromkeys(row.data, value))


@settings(max_examples=60, deadline=None)
@given(blob=st.binary(max_size=4096))
@example(blob=b"%PDF-1.4\n" + b"\x00" * 100)
@example(blob=b"\x89PNG\r\n\x1a\n" + b"\xff" * 50)
@example(blob=b"\xff\xd8\xff" + b"\x00" * 50)
@example(blob=b"PK\x03\x04" + b"\x00" * 60)
def test_random_bytes_are_refused_as_uploads_with_a_message(blob):
    try:
        clean_upload(SimpleUploadedFile("x.jpg", blob))
    except ValidationError as exc:
        assert exc.messages and all(exc.messages)


@settings(max_examples=60, deadline=None)
@given(blob=st.binary(max_size=4096))
@example(blob=b"PK\x03\x04" + b"\x00" * 60)
def test_random_bytes_are_refused_as_excel_imports_with_a_message(blob):
    try:
        read_xlsx(blob)
    except ValidationError as exc:
        assert exc.messages and all(exc.messages)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=400))
def test_any_pasted_text_reads_or_is_refused_with_a_message(text):
    try:
        read_pasted(text)
    except ValidationError as exc:
        assert exc.messages and all(exc.messages)
