"""The public brief form at /b/<agency-slug>/ (and its embeddable twin): no login, so the view enters the
agency's scope itself. Spam protection: a honeypot field, a signed form token (age and speed), and rate
limits per visitor address and per agency (settings BRIEF_FORM_LIMIT_*); the regular page is CSRF-protected,
the embed (which lives in a third-party iframe, where the CSRF cookie is not sent) relies on the signed token
instead."""
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django_scopes import scope

from mrm.tenancy.context import client_ip
from mrm.tenancy.models import Agency

from .. import public, selectors
from ..forms import PublicBriefForm
from ..models import Brief
from ..services.briefs import brief_submit
from ..services.catalog import settings_get


def _agency(slug: str) -> Agency:
    agency = Agency.objects.filter(slug=slug).first()  # Agency is the tenant itself: not scoped
    if agency is None:
        raise Http404
    return agency


def _brief_form(request, agency_slug: str, *, embed: bool):
    agency = _agency(agency_slug)
    with scope(agency=agency):
        options = settings_get(agency=agency)
        if not options.brief_form_enabled:
            raise Http404
        templates = list(selectors.template_list(agency=agency, active_only=True))
        template = selectors.template_choose(agency=agency, raw=request.POST.get("template") or request.GET.get("t"))
        status = 200
        if request.method == "POST":
            form = PublicBriefForm(request.POST, request.FILES, template=template)
            ip = client_ip(request)
            if public.brief_ip_limit_hit(agency=agency, ip=ip):
                form.is_valid()
                form.add_error(None, _("Too many briefs from your network in a short time. Wait an hour or "
                                       "write to us by e-mail; your text is still here."))
                status = 429
            elif request.POST.get("nickname"):
                # The honeypot was filled in: answer like a success so the bot learns nothing.
                return redirect(_thanks_url(agency, embed))
            elif form.is_valid():
                problem = public.form_token_check(agency=agency, token=form.cleaned_data["form_token"])
                if problem:
                    form.add_error(None, _("The form was open for too long or could not be checked. "
                                           "Your text is still here: press “Send” again."))
                    status = 400
                elif public.brief_agency_limit_hit(agency=agency):
                    form.add_error(None, _("We are receiving too many briefs right now. Please try again in an "
                                           "hour or write to us by e-mail; your text is still here."))
                    status = 429
                else:
                    brief_submit(agency=agency, actor=None, data=form.brief_data(),
                                 files=form.cleaned_data["attachments"], source=Brief.Source.PUBLIC_FORM,
                                 template=template, ip=ip)
                    return redirect(_thanks_url(agency, embed))
            else:
                status = 400
            if form.errors and request.FILES:
                form.add_error(None, _("For your safety files are not kept after an error: attach them again."))
            # A fresh token so that "send again" works; the typed text stays in the bound form.
            data = request.POST.copy()
            data["form_token"] = public.form_token(agency=agency)
            form.data = data
        else:
            form = PublicBriefForm(template=template, initial={"form_token": public.form_token(agency=agency)})
        return render(request, "proposals/public/brief_form.html", {
            "public_agency": agency, "form": form, "options": options, "templates": templates,
            "template": template, "embed": embed,
            "action": reverse("proposals_public:brief_embed" if embed else "proposals_public:brief_form",
                              args=[agency.slug]),
        }, status=status)


def _thanks_url(agency, embed: bool) -> str:
    return reverse("proposals_public:brief_thanks", args=[agency.slug]) + ("?embed=1" if embed else "")


def brief_form_view(request, agency_slug):
    return _brief_form(request, agency_slug, embed=False)


@csrf_exempt
@xframe_options_exempt
def brief_embed_view(request, agency_slug):
    return _brief_form(request, agency_slug, embed=True)


@xframe_options_exempt
def brief_thanks_view(request, agency_slug):
    agency = _agency(agency_slug)
    return render(request, "proposals/public/brief_thanks.html", {
        "public_agency": agency, "embed": request.GET.get("embed") == "1"})
