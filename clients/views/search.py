from django.shortcuts import render

from mrm.tenancy.permissions import member_required

from ..selectors.search import client_pick, global_search


@member_required("workspace.view")
def search_view(request):
    """Top-bar search: a dropdown for HTMX, a full results page otherwise (and for "all results")."""
    query = request.GET.get("q", "")
    if request.htmx:
        results = global_search(agency=request.agency, membership=request.membership, query=query, limit=5)
        return render(request, "clients/search.html#dropdown", {"results": results})
    results = global_search(agency=request.agency, membership=request.membership, query=query, limit=50)
    return render(request, "clients/search.html", {"results": results})


@member_required("client.view")
def client_pick_view(request):
    """HTMX: the client picker's options (deal and task forms), up to 20 visible clients matching ?q=."""
    query = request.GET.get("q", "")
    clients, more = client_pick(agency=request.agency, membership=request.membership, query=query)
    return render(request, "clients/client_pick.html", {"clients": clients, "more": more, "query": query.strip()})
