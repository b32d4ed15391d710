from __future__ import annotations

import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from logistics.models import AuditEvent, Membership, Role
from logistics.roles import capabilities_for, schools_for
from tests.factories import MembershipFactory, UserFactory


def test_an_unscoped_query_of_a_school_owned_model_fails_loudly(world):
    with pytest.raises(ScopeError):
        list(AuditEvent.objects.all())


def test_a_scoped_query_sees_only_its_school(world):
    from logistics.audit import record_event

    record_event(school=world.school, actor=None, action="a")
    record_event(school=world.other, actor=None, action="b")
    with scope(school=world.school.pk):
        assert [e.action for e in AuditEvent.objects.all()] == ["a"]


def test_central_principal_reaches_member_schools_but_a_principal_does_not(world):
    central = world.user("central")
    assert "dashboard.view" in capabilities_for(central, world.school)
    assert "dashboard.view" in capabilities_for(central, world.other)
    assert capabilities_for(world.user("principal"), world.other) is None
    assert [s.code for s in schools_for(central)] == ["sdzx", "sdcz", "sdxx"]
    assert [s.code for s in schools_for(world.user("principal"))] == ["sdcz"]


def test_a_role_that_does_not_reach_members_stays_at_the_central_school(world):
    user = UserFactory(username="zx_teacher")
    MembershipFactory(user=user, school=world.central, roles=["teacher"])
    assert capabilities_for(user, world.central) is not None
    assert capabilities_for(user, world.school) is None


def test_capabilities_come_from_roles_not_names(world, login):
    """Giving the teacher role audit.view in the admin opens the audit log to teachers."""
    assert login("teacher").get("/s/sdcz/audit/").status_code == 403
    role = Role.objects.get(code="teacher")
    role.capabilities = [*role.capabilities, "audit.view"]
    role.save()
    assert login("teacher").get("/s/sdcz/audit/").status_code == 200


def test_user_with_several_schools_gets_a_switcher(world, login):
    body = login("central").get("/s/sdcz/").content.decode()
    assert 'id="school-switcher"' in body
    assert "/s/sdxx/" in body and "/s/sdzx/" in body
    assert 'id="school-switcher"' not in login("principal").get("/s/sdcz/").content.decode()


def test_root_sends_a_user_to_their_school(world, login):
    assert login("principal_xx").get("/").url == "/s/sdxx/"


def test_unknown_school_is_404_like_a_foreign_one(world, login):
    assert login("principal").get("/s/nosuch/").status_code == 404


def test_membership_without_roles_gives_no_access(world, login):
    with scopes_disabled():
        Membership.objects.get(user=world.user("teacher")).roles.clear()
    assert login("teacher").get("/s/sdcz/").status_code == 404


@pytest.mark.parametrize("n", [1, 60])
def test_audit_log_query_count_does_not_grow(world, login, django_assert_num_queries, n):
    from logistics.audit import record_event

    for i in range(n):
        record_event(school=world.school, actor=world.user("director"), action=f"x.{i}")
    client = login("director")
    # session, user, access (school, capabilities, switcher), count, page
    with django_assert_num_queries(5):
        response = client.get("/s/sdcz/audit/")
    assert response.content.decode().count("<tr>") == 1 + min(n, 50)
