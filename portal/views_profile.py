"""The client contact's own profile in the portal: name, phone and language (their login and their contact card at
the agency), password (set one, or change it), and a link to the notification preferences (mrm/notifications,
which shows a client only the kinds meant for clients)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from clients.services.contacts import contact_update
from mrm.accounts.services import profile_update
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required

from .forms import PortalProfileForm
from .selectors import portal_company
from .services.access import portal_can_invite


def _context(request, **extra) -> dict:
    if "company" not in extra:
        extra["company"] = portal_company(agency=request.agency, membership=request.membership)
    return {"has_password": request.user.has_usable_password(),
            "can_invite": portal_can_invite(agency=request.agency, membership=request.membership), **extra}


def _password_form(request, data=None):
    user = request.user
    form = PasswordChangeForm(user, data) if user.has_usable_password() else SetPasswordForm(user, data)
    for field in form.fields.values():
        field.widget.attrs["class"] = "form-control"
        field.widget.attrs.pop("autofocus", None)  # the page opens on the profile form, not the password
    return form


@member_required("portal.view")
def portal_profile_view(request):
    user, contact = request.user, request.membership.contact
    company = portal_company(agency=request.agency, membership=request.membership)  # 404 without a contact
    form = PortalProfileForm(request.POST or None, initial={
        "full_name": user.full_name, "phone": contact.phone or user.phone, "language": user.language})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                profile_update(user=user, agency=request.agency, data=data)
                contact_update(agency=request.agency, actor=user, contact=contact,
                               data={"full_name": data["full_name"], "phone": data["phone"]})
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            response = redirect("portal:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, data["language"], samesite="Lax",
                                max_age=365 * 24 * 3600)
            return response
    return render_form(request, "portal/access/profile.html", _context(
        request, form=form, company=company, password_form=_password_form(request)),
        invalid=form.is_bound and not form.is_valid())


@member_required("portal.view")
def portal_password_view(request):
    if request.method != "POST":
        return redirect("portal:profile")
    password_form = _password_form(request, request.POST)
    if password_form.is_valid():
        user = password_form.save()
        update_session_auth_hash(request, user)  # this session stays; the person's other sessions end
        messages.success(request, _("Password saved."))
        return redirect("portal:profile")
    form = PortalProfileForm(initial={"full_name": request.user.full_name, "phone": request.membership.contact.phone,
                                      "language": request.user.language})
    return render_form(request, "portal/access/profile.html", _context(
        request, form=form, password_form=password_form), invalid=True)
