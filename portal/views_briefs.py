"""A new brief from the portal: the agency's brief templates and the same form as the public /b/<slug>/ page
(proposals.forms.BriefForm, its fields template and its template chooser), pre-filled with the login's company and
contact; the brief is linked to that client and contact (never a new client) and the AM is notified as for the
public form (proposals.services.briefs.brief_submit)."""
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from clients.models import Contact
from mrm.core.htmx import render_form
from mrm.core.ratelimit import rate_limit_hit
from mrm.tenancy.context import client_ip
from mrm.tenancy.permissions import member_required
from proposals import selectors as brief_selectors
from proposals.forms import PortalBriefForm
from proposals.models import Brief
from proposals.services.briefs import brief_submit

from .selectors import portal_company

HOUR = 60 * 60


@member_required("portal.view")
def brief_new_view(request):
    agency = request.agency
    company = portal_company(agency=agency, membership=request.membership)
    contact = Contact.objects.get(agency=agency, client=company, pk=request.membership.contact_id)
    templates = list(brief_selectors.template_list(agency=agency, active_only=True))
    template = brief_selectors.template_choose(agency=agency, raw=request.POST.get("template") or request.GET.get("t"))
    form = PortalBriefForm(request.POST or None, request.FILES or None, template=template, company=company,
                           contact=contact, email=contact.email or request.user.email)
    if request.method == "POST":
        if rate_limit_hit(scope="brief-portal", subject=str(request.membership.pk),
                          limit=settings.BRIEF_FORM_LIMIT_PER_IP, window=HOUR):
            form.is_valid()
            form.add_error(None, _("Too many briefs in a short time. Wait an hour or write to your account manager; "
                                   "your text is still here."))
        elif form.is_valid():
            brief_submit(agency=agency, actor=request.user, data=form.brief_data(),
                         files=form.cleaned_data["attachments"], source=Brief.Source.PORTAL, template=template,
                         client=company, contact=contact, ip=client_ip(request))
            messages.success(request, _("Thank you, the brief is with us: your account manager will get back to you "
                                        "within one business day."))
            return redirect("portal:brief_new")
        if form.errors and request.FILES:
            form.add_error(None, _("For your safety files are not kept after an error: attach them again."))
    return render_form(request, "portal/brief_new.html", {
        "form": form, "templates": templates, "template": template, "company": company,
        "action": reverse("portal:brief_new"),
    }, invalid=request.method == "POST")
