from django.shortcuts import render

from clients.selectors import client_list
from mrm.tenancy.permissions import member_required


@member_required("portal.view")
def portal_home_view(request):
    """The client contact's home: their company and their account manager."""
    client = client_list(agency=request.agency, membership=request.membership).first()
    return render(request, "portal/home.html", {"client": client})
