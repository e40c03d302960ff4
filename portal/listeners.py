"""projects.events → the portal: a reached client-visible milestone may ask the client for an NPS score."""


def on_project_event(event) -> None:
    if event.kind != "milestone.reached" or not event.context.get("client_visible"):
        return
    from .tasks import nps_milestone_task

    nps_milestone_task.delay(agency_id=event.agency_id, project_id=str(event.project_id),
                             milestone_id=str(event.object_id), milestone_title=str(event.context.get("milestone", "")))
