"""Changing one's own password always asks for the current one, and a changed password or a
deactivated account ends the person's API tokens, with the revocation in the audit log."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parindex.orgs import actions
from parindex.orgs.models import ApiToken, AuditEntry, User
from tests.conftest import PASSWORD
from tests.web.pages import page

ClientFor = Callable[[User], Client]
NEW_PASSWORD = "Phan-Xi-Păng-3143"


def token_for(person: User) -> tuple[ApiToken, str]:
    return actions.create_api_token(person, by=person, name="phần mềm một cửa")


def api_status(key: str) -> int:
    return Client().get("/api/orgs/me", headers={"Authorization": f"Bearer {key}"}).status_code


def test_the_people_screen_does_not_change_ones_own_password_without_the_current_one(
    coordinator: User, client_for: ClientFor
) -> None:
    client = client_for(coordinator)
    doc = page(client.get(f"/people/{coordinator.pk}/"))
    assert not doc.has("form", action=f"/people/{coordinator.pk}/password/")
    assert doc.has("a", href="/password/")
    response = client.post(f"/people/{coordinator.pk}/password/", {"password": NEW_PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/password/")
    coordinator.refresh_from_db()
    assert coordinator.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="orgs.person.password").exists()


def test_the_action_refuses_ones_own_new_password_without_the_right_current_one(
    reporter: User,
) -> None:
    for current in (None, "", "Sai-mat-khau-1"):
        with pytest.raises(ValidationError) as refusal:
            actions.set_password(
                reporter, by=reporter, password=NEW_PASSWORD, current_password=current
            )
        assert "current_password" in refusal.value.message_dict
    reporter.refresh_from_db()
    assert reporter.check_password(PASSWORD)


def test_changing_ones_own_password_revokes_ones_api_tokens(
    reporter: User, client_for: ClientFor
) -> None:
    token, key = token_for(reporter)
    assert api_status(key) == 200
    response = client_for(reporter).post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api_status(key) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="orgs.token.revoke", object_id=str(token.pk))
    assert (entry.actor, entry.channel, entry.changes["reason"]) == (
        reporter,
        "web",
        [None, "password changed"],
    )


def test_a_coordinators_reset_revokes_the_persons_tokens_and_no_one_elses(
    coordinator: User, reporter: User, head: User, client_for: ClientFor
) -> None:
    _token, key = token_for(reporter)
    _other, other_key = token_for(head)
    client_for(coordinator).post(f"/people/{reporter.pk}/password/", {"password": NEW_PASSWORD})
    assert (api_status(key), api_status(other_key)) == (401, 200)
    assert AuditEntry.objects.get(action="orgs.token.revoke").actor == coordinator


def test_deactivating_a_person_revokes_their_tokens(
    coordinator: User, reporter: User, client_for: ClientFor
) -> None:
    token, key = token_for(reporter)
    response = client_for(coordinator).patch(
        f"/api/people/{reporter.pk}", {"is_active": False}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="orgs.token.revoke")
    assert (entry.channel, entry.changes["reason"]) == ("api", [None, "deactivated"])
    # Reactivated, the person signs in again, but the old token stays revoked.
    actions.update_person(reporter, by=coordinator, is_active=True)
    assert api_status(key) == 401
