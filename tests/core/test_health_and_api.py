import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, monkeypatch):
    from mrm.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its own config (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable" and response.json()["database"] == "ok"


@pytest.mark.django_db
def test_openapi_schema_and_vendored_docs(client, alice):
    from tests.conftest import login

    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/clients/" in schema.content
    docs = login(alice).get("/api/docs/").content.decode()
    assert "swagger" in docs.lower() and "cdn" not in docs.lower() and "unpkg" not in docs.lower()


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_request_django_refuses_answers_json_under_the_api(alice_world, settings):
    """Too many form fields is refused by Django before any view: the API still answers JSON, pages HTML."""
    from tests.conftest import login
    from tests.factories import ClientFactory

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    http = login(alice_world.director)
    body = "&".join(f"f{n}=x" for n in range(10))
    company = ClientFactory(agency=alice_world.agency)
    api = http.patch(f"/api/v1/clients/{company.pk}/", body,
                     content_type="application/x-www-form-urlencoded")
    assert api.status_code == 400 and api["Content-Type"] == "application/json"
    page = http.post("/clients/new/", body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
