"""The projects block on the client page (registered with the CRM's section registry)."""
from clients.block_cache import of_client, through_client
from clients.sections import Section, register


def _context(request, client) -> dict:
    from mrm.tenancy.policy import can

    from .selectors_shell import projects_for

    if not can(request.membership, "project.view"):
        return {"projects": [], "count": 0, "more": 0, "hidden": True}
    rows, count = projects_for(agency=request.agency, membership=request.membership, client=client)
    return {"projects": rows, "count": count, "more": count - len(rows), "hidden": False,
            "can_create": can(request.membership, "project.create")}


register(Section(key="projects", template="projects/client_section.html", column="main", order=35,
                 context=_context, deferred=True, rows=(
                     of_client("projects.Project"),
                     through_client("projects.ProjectMember", parent="projects.Project", column="project_id"))))
