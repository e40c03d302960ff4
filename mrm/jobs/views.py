from django.http import FileResponse, Http404
from django.shortcuts import render

from mrm.tenancy.permissions import member_required

from .selectors import job_get


@member_required("workspace.view")
def job_status_view(request, job_id):
    """The progress partial; it polls itself (HTMX) until the job finishes."""
    job = job_get(agency=request.agency, job_id=job_id, user=request.user, role=request.membership.role)
    return render(request, "jobs/job_progress.html", {"job": job})


@member_required("workspace.view")
def job_download_view(request, job_id):
    job = job_get(agency=request.agency, job_id=job_id, user=request.user, role=request.membership.role)
    if not job.result_file:
        raise Http404
    return FileResponse(job.result_file.open("rb"), as_attachment=True,
                        filename=job.result_file.name.rsplit("/", 1)[-1])
