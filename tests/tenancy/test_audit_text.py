"""The audit log reads as sentences: every action code has one, fields and values are shown in words."""
import ast
import csv
import io
import zoneinfo
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from clients.models import Client
from mrm.jobs.models import Job
from mrm.tenancy import audit_text
from mrm.tenancy.exports import audit_export_header
from mrm.tenancy.models import AuditLog
from proposals.models import Proposal
from tests.conftest import login
from tests.factories import AuditLogFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ("clients", "proposals", "mrm", "portal", "projects", "reporting")


def _written_action_codes() -> dict[str, str]:
    """Every `action=` of an `audit(...)` call in the code base → where it is written."""
    found, dynamic = {}, []

    def literals(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            body, orelse = literals(node.body), literals(node.orelse)
            return None if body is None or orelse is None else body + orelse
        return None

    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name != "audit":
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                action = next((k.value for k in node.keywords if k.arg == "action"), None)
                codes = literals(action) if action is not None else None
                if codes is None:
                    dynamic.append(where)
                    continue
                for code in codes:
                    found[code] = where
    assert not dynamic, f"audit() with an action that is not a literal string (the log can't explain it): {dynamic}"
    return found


def test_every_action_code_written_by_the_code_has_a_sentence():
    written = _written_action_codes()
    assert len(written) > 80  # the scan really found the services' calls
    missing = {code: where for code, where in written.items() if code not in audit_text.ACTIONS}
    assert not missing, f"add these codes to mrm/tenancy/audit_text.py ACTIONS: {missing}"
    for code, action in audit_text.ACTIONS.items():
        with translation.override("en"):
            text = str(action.sentence) % {"actor": "A", "target": "T"}
        assert text and "%(" not in text, code


def _row(*, agency, model=None, actor=None, **kwargs) -> AuditLog:
    ct = ContentType.objects.get_for_model(model) if model is not None else None
    return AuditLogFactory(agency=agency, actor=actor, target_type=ct, **kwargs)


@pytest.mark.django_db
def test_a_status_change_reads_as_a_sentence_with_choice_labels(alice):
    alice.user.full_name = "Алексей Волков"
    row = _row(agency=alice.agency, model=Client, actor=alice.user, action="client.updated", target_repr="Вело-Мир",
               changes={"status": ["lead", "onboarding"]})
    with translation.override("ru"):
        ru = audit_text.sentence(row)
        changes = audit_text.changes(row)
    assert ru.startswith("Алексей Волков") and "Вело-Мир" in ru
    assert "«Лид»" in ru or "“Лид”" in ru
    assert "Онбординг" in ru and "lead" not in ru and "onboarding" not in ru
    assert [(c.old, c.new) for c in changes] == [("Лид", "Онбординг")]
    with translation.override("en"):
        assert audit_text.sentence(row) == "Алексей Волков moved client “Вело-Мир” from “Lead” to “Onboarding”"
        assert audit_text.changes_text(row) == "Status: Lead → Onboarding"


@pytest.mark.django_db
def test_an_owner_change_shows_the_field_name_and_the_people(alice):
    row = _row(agency=alice.agency, model=Client, actor=alice.user, action="client.updated", target_repr="Вело-Мир",
               changes={"owner": ["Алексей Волков", "Мария Петрова"], "website": ["", "https://velo.example"]})
    with translation.override("ru"):
        changes = audit_text.changes(row)
        assert changes[0].field == str(Client._meta.get_field("owner").verbose_name).capitalize()
        assert changes[1].old == "—"
    with translation.override("en"):
        assert audit_text.sentence(row) == f"{alice.user.full_name} changed client “Вело-Мир”"
        assert audit_text.changes_text(row) == "Account manager: Алексей Волков → Мария Петрова; Website: https://velo.example"


@pytest.mark.django_db
def test_a_proposal_action_and_an_action_without_a_person(alice):
    sent = _row(agency=alice.agency, model=Proposal, actor=alice.user, action="proposal.sent", target_repr="КП для «Вело-Мир»",
                changes={"version": [None, 2], "to": [None, "anna@velo.example"]})
    accepted = _row(agency=alice.agency, model=Proposal, action="proposal.accepted", target_repr="КП для «Вело-Мир»",
                    changes={"version": [None, 2]})
    with translation.override("en"):
        assert audit_text.sentence(sent) == f"{alice.user.full_name} sent proposal “КП для «Вело-Мир»” to the client"
        assert audit_text.changes_text(sent) == "Version: 2; Sent to: anna@velo.example"
        assert audit_text.sentence(accepted) == "The client accepted proposal “КП для «Вело-Мир»”"
        assert audit_text.action_label("proposal.drafted") == "Proposal drafted"


@pytest.mark.django_db
def test_an_unknown_code_and_odd_values_still_render(alice):
    row = _row(agency=alice.agency, actor=None, action="legacy.thing_done", target_repr="Что-то",
               changes={"access": [{"access": 2, "can_edit": True}, None], "tags": [[], ["a", "b"]]})
    with translation.override("en"):
        assert audit_text.sentence(row) == "System: legacy.thing_done “Что-то”"
        assert audit_text.action_label("legacy.thing_done") == "legacy.thing_done"
        assert audit_text.changes_text(row) == "Access: Access: 2; Can edit: yes removed; Tags: a, b"


@pytest.mark.django_db
def test_the_audit_page_shows_sentences_and_labels_with_constant_queries(alice_world, django_assert_max_num_queries):
    agency = alice_world.agency
    for i, model in enumerate([Client, Proposal, None] * 15):
        _row(agency=agency, model=model, actor=alice_world.am.user, action="client.updated",
             target_repr=f"Клиент {i}", changes={"status": ["lead", "active"], "owner": ["A", "B"]})
    _row(agency=agency, model=Proposal, actor=alice_world.director.user, action="proposal.drafted")
    http = login(alice_world.director)
    with django_assert_max_num_queries(14):
        page = http.get("/settings/audit/").content.decode()
    assert 'data-action="client.updated"' in page and "<code>" not in page
    assert "Лид → Активный" in page  # a client row shows the choice labels, not the stored values
    with translation.override("ru"):
        label = audit_text.action_label("proposal.drafted")
    assert f'<option value="proposal.drafted">{label}</option>' in page
    # The export button sits in the card header, not at the far right of the filter row.
    assert 'id="audit-export"' in page.split('class="card-header"')[1].split('class="card-body')[0]


@pytest.mark.django_db
def test_export_headers_are_in_the_users_language_and_the_raw_code_comes_last(
        alice, django_capture_on_commit_callbacks):
    AuditLogFactory(agency=alice.agency, actor=alice.user, action="client.updated", target_repr="Вело-Мир",
                    target_type=ContentType.objects.get_for_model(Client), changes={"status": ["lead", "onboarding"]})
    http = login(alice)

    def export() -> list[list[str]]:
        with django_capture_on_commit_callbacks(execute=True):
            http.post("/settings/audit/export/", {}, HTTP_HX_REQUEST="true")
        with scopes_disabled():
            job = Job.objects.filter(agency=alice.agency).latest("created_at")
        text = b"".join(http.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    header, line = export()  # the director's language is Russian
    assert header[:5] == ["Когда", "Кто", "Действие", "Объект", "Изменения"] and header[-1] == "code"
    assert "Лид" in line[2] and "Онбординг" in line[2] and "Лид → Онбординг" in line[4]
    assert line[-1] == "client.updated"

    alice.user.language = "en"
    alice.user.save(update_fields=["language"])
    header, line = export()
    assert header == ["When", "Who", "Action", "Object", "Changes", "IP", "code"]
    with translation.override("en"):
        assert header == audit_export_header()
    assert line[1:] == [alice.user.full_name, f"{alice.user.full_name} moved client “Вело-Мир” from “Lead” to "
                        "“Onboarding”", "Вело-Мир", "Status: Lead → Onboarding", "", "client.updated"]


# --- Dates, times and numbers inside recorded changes (issue 13: "2026-12-01" shown raw) ----------------

@pytest.mark.django_db
def test_a_date_in_a_change_reads_in_the_users_locale(alice):
    row = _row(agency=alice.agency, model=Client, actor=alice.user, action="client.updated", target_repr="Вело-Мир",
               changes={"start_date": ["2026-11-15", None], "next_review": [None, "2026-12-01"]})
    with translation.override("ru"):
        text = audit_text.changes_text(row)
        (start, review) = audit_text.changes(row)
    assert start.old == "15 ноября 2026 г." and start.new == "—"
    assert review.new == "1 декабря 2026 г."  # not a field of Client: recognised by its form
    assert "2026-11-15" not in text and "2026-12-01" not in text
    with translation.override("en"):
        assert audit_text.changes_text(row) == "Start date: Nov. 15, 2026 removed; Next review: Dec. 1, 2026"


@pytest.mark.django_db
def test_a_datetime_in_a_change_reads_in_the_users_locale_and_time_zone(alice):
    from clients.models import Task

    row = _row(agency=alice.agency, model=Task, actor=alice.user, action="task.updated", target_repr="Позвонить",
               changes={"due_at": ["2026-12-01T16:00:00+00:00", "2026-12-02T06:30:00Z"]})
    with translation.override("ru"), timezone.override(zoneinfo.ZoneInfo("Europe/Moscow")):
        (due,) = audit_text.changes(row)
    assert (due.old, due.new) == ("1 декабря 2026 г. 19:00", "2 декабря 2026 г. 9:30")
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Asia/Vladivostok")):
        assert audit_text.changes_text(row) == "Due: Dec. 2, 2026, 2 a.m. → Dec. 2, 2026, 4:30 p.m."


@pytest.mark.django_db
def test_text_that_only_looks_like_a_date_stays_as_typed(alice):
    row = _row(agency=alice.agency, model=Client, actor=alice.user, action="client.updated", target_repr="2026-12-01",
               changes={"name": ["2026-12-01", "1.5"], "notes": [None, "встреча 2026-12-01"]})
    with translation.override("ru"):
        name, notes = audit_text.changes(row)
    assert (name.old, name.new) == ("2026-12-01", "1.5")  # a text field: no conversion
    assert notes.new == "встреча 2026-12-01"  # a date inside text is the user's text


@pytest.mark.django_db
def test_hours_and_amounts_in_a_change_use_the_number_format(alice):
    from proposals.models import RateRole

    line = _row(agency=alice.agency, model=Proposal, actor=alice.user, action="proposal.line_updated",
                target_repr="КП", changes={"hours": ["18.0", "18.5"], "line": ["SMM", "SMM"]})
    role = _row(agency=alice.agency, model=RateRole, actor=alice.user, action="ratecard.role_updated",
                target_repr="Дизайнер", changes={"hourly_rate": ["3200.00", "3500.50"], "order": [1, 2]})
    with translation.override("ru"):
        hours, _line = audit_text.changes(line)
        rate, order = audit_text.changes(role)
    assert (hours.old, hours.new) == ("18", "18,5")
    assert (rate.old, rate.new) == ("3\u00a0200", "3\u00a0500,50") and (order.old, order.new) == ("1", "2")
    with translation.override("en"):
        hours, _line = audit_text.changes(line)
        rate, _order = audit_text.changes(role)
    assert (hours.old, hours.new) == ("18", "18.5") and rate.new == "3,500.50"


@pytest.mark.django_db
def test_the_audit_page_and_export_show_dates_in_the_readers_format(alice, django_capture_on_commit_callbacks):
    from clients.models import Task

    AuditLogFactory(agency=alice.agency, actor=alice.user, action="client.updated", target_repr="Вело-Мир",
                    target_type=ContentType.objects.get_for_model(Client),
                    changes={"start_date": ["2026-11-15", "2026-12-01"]})
    AuditLogFactory(agency=alice.agency, actor=alice.user, action="task.updated", target_repr="Позвонить",
                    target_type=ContentType.objects.get_for_model(Task),
                    changes={"due_at": [None, "2026-12-01T16:00:00+00:00"]})
    alice.user.timezone = "Asia/Vladivostok"
    alice.user.save(update_fields=["timezone"])
    http = login(alice)
    page = http.get("/settings/audit/").content.decode()
    assert "15 ноября 2026 г. → 1 декабря 2026 г." in page and "2026-11-15" not in page
    assert "2 декабря 2026 г. 2:00" in page  # 16:00 UTC in the reader's own zone (UTC+10)

    with django_capture_on_commit_callbacks(execute=True):
        http.post("/settings/audit/export/", {}, HTTP_HX_REQUEST="true")
    with scopes_disabled():
        job = Job.objects.filter(agency=alice.agency).latest("created_at")
    text = b"".join(http.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")
    changes = [line[4] for line in list(csv.reader(io.StringIO(text)))[1:]]
    assert "Дата начала: 15 ноября 2026 г. → 1 декабря 2026 г." in changes
    assert any("2 декабря 2026 г. 2:00" in c for c in changes)  # the worker uses the reader's time zone too
    assert not any("2026-" in c for c in changes)
