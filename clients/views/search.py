from django.shortcuts import render

from mrm.core.url_makers import SLOT, url_maker, url_template
from mrm.tenancy.permissions import member_required

from ..models import Client, Invoice
from ..selectors.search import SearchResults, client_pick, global_search


def _with_urls(results: SearchResults) -> SearchResults:
    """Each result row's `search_url`, and `status_label` or `kind_label`, made once per search instead of a
    `{% url %}` and a `get_…_display` per row (issue 15)."""
    from proposals.models import Proposal

    detail, proposal = url_maker("clients:detail"), url_maker("proposals:detail")
    brief, task = url_maker("proposals:brief_detail"), url_maker("clients:task_edit")
    invoice = url_template("clients:invoice_edit", SLOT)  # "/clients/{}/invoices/{}/edit/"
    urls = {"clients": lambda o: detail(o.pk), "contacts": lambda o: f"{detail(o.client_id)}#contact-{o.pk}",
            "deals": lambda o: detail(o.client_id), "proposals": lambda o: proposal(o.pk),
            "briefs": lambda o: brief(o.pk), "invoices": lambda o: invoice.format(o.client_id, o.pk),
            "tasks": lambda o: task(o.pk)}
    statuses = {"clients": dict(Client.Status.choices), "proposals": dict(Proposal.Status.choices)}
    kinds = dict(Invoice.Kind.choices)
    for group in results.groups:
        for obj in group.items:
            obj.search_url = urls[group.kind](obj)
            if group.kind in statuses:
                obj.status_label = statuses[group.kind].get(obj.status, obj.status)
            elif group.kind == "invoices":
                obj.kind_label = kinds.get(obj.kind, obj.kind)
    return results


@member_required("workspace.view")
def search_view(request):
    """Top-bar search: a dropdown for HTMX, a full results page otherwise (and for "all results")."""
    query = request.GET.get("q", "")
    if request.htmx:
        results = global_search(agency=request.agency, membership=request.membership, query=query, limit=5)
        return render(request, "clients/search.html#dropdown", {"results": _with_urls(results)})
    results = global_search(agency=request.agency, membership=request.membership, query=query, limit=50)
    return render(request, "clients/search.html", {"results": _with_urls(results)})


@member_required("client.view")
def client_pick_view(request):
    """HTMX: the client picker's options (deal and task forms), up to 20 visible clients matching ?q=."""
    query = request.GET.get("q", "")
    clients, more = client_pick(agency=request.agency, membership=request.membership, query=query)
    return render(request, "clients/client_pick.html", {"clients": clients, "more": more, "query": query.strip()})
