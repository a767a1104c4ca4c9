"""Saves and submits of the same report at the same moment: the database queues them, the loser
of a race is told so (409, "already submitted", or "someone saved after you"), never a 500."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test import Client
from pytest_django import DjangoDbBlocker

from parindex.orgs import actions as org_actions
from parindex.orgs.models import User
from parindex.reporting.models import Report, ReportStatus
from tests.web.reporting_data import SmallPlan, fill, value_of

THREADS = 6


def run_together(work: Callable[[int], Any], count: int = THREADS) -> list[Any]:
    """Run work(0..count-1) in threads released at once; each result or the exception raised."""
    start = threading.Barrier(count)
    results: list[Any] = [None] * count

    def one(n: int) -> None:
        start.wait()
        try:
            results[n] = work(n)
        except Exception as exc:
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_configured_sqlite_database_queues_writers_instead_of_failing(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    """Read-then-write transactions (what a save is) on a database file, with the settings the
    product runs with: in WAL mode, each takes its write lock when it begins and waits its
    turn; none gets "database is locked"."""
    configured = settings.DATABASES["default"]
    if configured["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite settings are checked on SQLite")
    file_settings = {**configured, "NAME": str(tmp_path / "race.sqlite3")}
    with django_db_blocker.unblock():
        race_on_a_file(file_settings)


def race_on_a_file(file_settings: dict[str, Any]) -> None:
    setup = SQLiteWrapper(file_settings, alias="race-setup")
    with setup.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()

    def increment(_n: int) -> None:
        # A connection of this thread's own, opened as the product opens its database.
        db = connections["race"] = SQLiteWrapper(file_settings, alias="race")
        try:
            with transaction.atomic(using="race"), db.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                (n,) = cursor.fetchone()
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
        finally:
            db.close()

    results = run_together(increment, 8)
    assert [r for r in results if r is not None] == []
    check = SQLiteWrapper(file_settings, alias="race-check")
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone()[0] == 8
    check.close()


@pytest.mark.django_db(transaction=True)
def test_submits_and_saves_of_one_report_at_once_give_one_winner_and_no_500(
    justice_report: Report, small_plan: SmallPlan, reporter: User, head: User
) -> None:
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        # The in-memory test database is one shared-cache database whose table locks do not
        # wait: threads racing on it say nothing of the product's database file (see above).
        pytest.skip("threads need a database file or a server to race on")
    count = value_of(justice_report, small_plan.digitised_count)
    rate = value_of(justice_report, small_plan.on_time_rate)
    fill(justice_report, reporter, counts={count: ("3", None), rate: ("9", "10")})
    justice_report.refresh_from_db()
    version = justice_report.version
    keys = {
        who.pk: org_actions.create_api_token(who, by=who, name="race")[1]
        for who in (reporter, head)
    }

    def act(n: int) -> int:
        person = head if n % 2 == 0 else reporter
        client = Client(raise_request_exception=False)
        headers = {"Authorization": f"Bearer {keys[person.pk]}"}
        if person == head:
            url = f"/api/reporting/reports/{justice_report.pk}/submit"
            return client.post(url, headers=headers).status_code
        payload = {
            "version": version,
            "items": [{"id": count.item_id, "values": [{"id": count.pk, "numerator": 10 + n}]}],
        }
        return client.put(
            f"/api/reporting/reports/{justice_report.pk}",
            json.dumps(payload),
            content_type="application/json",
            headers=headers,
        ).status_code

    statuses = run_together(act)
    assert all(isinstance(s, int) for s in statuses), statuses
    assert 500 not in statuses
    submits, saves = statuses[0::2], statuses[1::2]
    # One submit wins; the others are told it was already submitted (or, when a save came
    # first, that the report is no longer theirs to change).
    assert submits.count(200) == 1, statuses
    assert set(submits) <= {200, 403, 409}
    # One save may win before the submit; a stale or late save is refused, never half-done.
    assert saves.count(200) <= 1
    assert set(saves) <= {200, 403, 409}
    justice_report.refresh_from_db()
    assert justice_report.status == ReportStatus.SUBMITTED


def test_a_save_that_finds_the_database_locked_is_a_409_to_retry_on_web_and_api(
    justice_report: Report, reporter: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from parindex.reporting import actions

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(actions, "save_report", locked)
    key = org_actions.create_api_token(reporter, by=reporter, name="t")[1]
    client = Client(raise_request_exception=False)
    answer = client.put(
        f"/api/reporting/reports/{justice_report.pk}",
        json.dumps({"version": 1, "narrative": "Đã làm"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 409
    assert answer.json()["retry"] is True
    client.force_login(reporter)
    page = client.post(f"/reports/{justice_report.pk}/", {"version": "1", "narrative": "Đã làm"})
    assert page.status_code == 409
    assert page["Retry-After"] == "1"
