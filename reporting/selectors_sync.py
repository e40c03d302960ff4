"""Reads of the connector state of a source: its connection (never the tokens) and its recent syncs."""
from django.db.models import QuerySet

from .models import DataSource, SourceCredential, SourceSync


def credential_get(*, source: DataSource) -> SourceCredential | None:
    return SourceCredential.objects.filter(agency_id=source.agency_id, source=source).first()


def source_sync_list(*, source: DataSource) -> QuerySet[SourceSync]:
    return (SourceSync.objects.filter(agency_id=source.agency_id, source=source)
            .select_related("job", "created_by").order_by("-created_at"))


def source_sync_context(*, source: DataSource) -> dict:
    """The block of the source page: connection, the running sync's job, the last syncs."""
    syncs = list(source_sync_list(source=source)[:10])
    running = next((s for s in syncs if s.job is not None and not s.job.is_finished), None)
    last_done = next((s for s in syncs if s.status == SourceSync.Status.DONE), None)
    return {"credential": credential_get(source=source), "syncs": syncs, "running_sync": running,
            "last_done_sync": last_done, "is_connector": source.kind != DataSource.Kind.FILE}
