import json

from django.http import FileResponse, Http404
from django.shortcuts import render

from mrm.tenancy.permissions import member_required

from .selectors import job_get


@member_required("workspace.view")
def job_status_view(request, job_id):
    """The progress partial; it polls itself (HTMX) until the job finishes. The poll that sees the job
    finished also fires `mrm-job-finished` (HX-Trigger), so the page can refresh what the job changed."""
    job = job_get(agency=request.agency, job_id=job_id, user=request.user, role=request.membership.role)
    response = render(request, "jobs/job_progress.html", {"job": job})
    if job.is_finished and request.htmx:
        response["HX-Trigger"] = json.dumps({"mrm-job-finished": {"id": str(job.pk), "kind": job.kind,
                                                                  "status": job.status}})
    return response


@member_required("workspace.view")
def job_download_view(request, job_id):
    job = job_get(agency=request.agency, job_id=job_id, user=request.user, role=request.membership.role)
    if not job.result_file:
        raise Http404
    return FileResponse(job.result_file.open("rb"), as_attachment=True,
                        filename=job.result_file.name.rsplit("/", 1)[-1])
