from django.http import Http404

from mrm.tenancy.models import Agency, Role

from .models import Job


def job_get(*, agency: Agency, job_id, user=None, role: str | None = None) -> Job:
    """A job of this agency visible to the user (their own, or any for a director); else 404."""
    qs = Job.objects.filter(agency=agency, pk=job_id)
    if user is not None and role != Role.DIRECTOR:
        qs = qs.filter(created_by=user)
    job = qs.first()
    if job is None:
        raise Http404
    return job
