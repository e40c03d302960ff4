"""Portal access on the staff side: the AM invites a client contact to the portal, resends, revokes; and on the
client side, a client's portal admin invites colleagues of their company. Another agency's or another
company's contact answers 404 (clients.selectors / portal_fence)."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.selectors.contacts import contact_get
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import mark_invalid, render_form
from mrm.tenancy.permissions import member_required

from .forms import ColleagueInviteForm
from .sections_access import SECTION
from .selectors.access import portal_colleagues
from .services import access as services


def _answer(request, contact, *, message: str = "", error: str = ""):
    """HTMX: the block again (with the error, 422); else back to the client page with a message."""
    client = contact.client
    if request.htmx:
        block = {"key": SECTION.key, "template": SECTION.template, **SECTION.context(request, client),
                 "error": error, "message": message}
        response = render(request, SECTION.template, {"block": block, "client": client})
        return mark_invalid(request, response) if error else response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect(reverse("clients:detail", args=[client.pk]) + f"#section-{SECTION.key}")


def _contact(request, contact_id):
    return contact_get(agency=request.agency, membership=request.membership, contact_id=contact_id)


@require_POST
@member_required("portal.access_manage")
def portal_invite_view(request, contact_id):
    """Invite (or re-invite: a new link replaces the pending one) the contact to the portal."""
    contact = _contact(request, contact_id)
    try:
        invitation = services.portal_invite(agency=request.agency, actor=request.user, contact=contact,
                                            portal_admin=request.POST.get("portal_admin") == "1")
    except ServiceError as exc:
        return _answer(request, contact, error=exc.message)
    return _answer(request, contact, message=_("Invitation to the portal sent to %(email)s.")
                   % {"email": invitation.email})


@require_POST
@member_required("portal.access_manage")
def portal_revoke_view(request, contact_id):
    """Withdraw the pending invitation and end the contact's portal access, logging them out everywhere."""
    contact = _contact(request, contact_id)
    try:
        ended = services.portal_access_revoke(agency=request.agency, actor=request.user, contact=contact)
    except ServiceError as exc:
        return _answer(request, contact, error=exc.message)
    message = (_("%(name)s no longer has access to the portal and is logged out.") if ended
               else _("The portal invitation of %(name)s is withdrawn.")) % {"name": contact.full_name}
    return _answer(request, contact, message=message)


@require_POST
@member_required("portal.access_manage")
def portal_admin_view(request, contact_id):
    """Let the contact invite colleagues from the portal, or stop them."""
    contact = _contact(request, contact_id)
    is_admin = request.POST.get("is_admin") == "1"
    try:
        services.portal_admin_set(agency=request.agency, actor=request.user, contact=contact, is_admin=is_admin)
    except ServiceError as exc:
        return _answer(request, contact, error=exc.message)
    return _answer(request, contact, message=(_("%(name)s may now invite colleagues to the portal.") if is_admin
                                              else _("%(name)s may no longer invite colleagues."))
                   % {"name": contact.full_name})


@member_required("portal.view")
def portal_team_view(request):
    """The client's portal admin: colleagues of the company with their portal state, and the invite form."""
    agency, membership = request.agency, request.membership
    if not services.portal_can_invite(agency=agency, membership=membership):
        raise Http404
    form = ColleagueInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.portal_colleague_invite(agency=agency, membership=membership,
                                                          **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("portal:team")
    return render_form(request, "portal/access/team.html", {
        "form": form, "rows": portal_colleagues(agency=agency, membership=membership),
    }, invalid=form.is_bound and not form.is_valid())
