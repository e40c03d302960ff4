"""Onboarding (first 30 days): the agency template (directors), the client's checklist and the interaction
agreement blocks of the client page."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from ..block_cache import of_client, through_client
from ..forms_accounts import AgreementForm, TemplateStepFormSet
from ..models import Interaction
from ..selectors import client_get
from ..selectors.onboarding import agreement_for, onboarding_plan_for, onboarding_step_get
from ..services import onboarding as services
from ._blocks import htmx_form_error, register_block, render_block


@member_required("onboarding.template")
def onboarding_template_view(request):
    """Directors edit the steps every new client's first 30 days start from."""
    steps = services.onboarding_template_ensure(agency=request.agency)
    initial = [{"id": s.pk, "title": s.title, "description": s.description, "due_day": s.due_day} for s in steps]
    formset = TemplateStepFormSet(request.POST or None, initial=initial, prefix="steps")
    if request.method == "POST" and formset.is_valid():
        data = [{**f.cleaned_data, "delete": f.cleaned_data.get("DELETE")} for f in formset.forms
                if f.cleaned_data and (f.has_changed() or f.cleaned_data.get("id"))]
        try:
            services.onboarding_template_save(agency=request.agency, actor=request.user, steps=data)
        except ServiceError as exc:
            formset._non_form_errors = formset.error_class([exc.message])
        else:
            messages.success(request, _("Onboarding template saved. New clients get these steps."))
            return redirect("clients:onboarding_template")
    return render_form(request, "clients/onboarding_template.html", {"formset": formset},
                       invalid=request.method == "POST")


def _onboarding_block(request, client) -> dict:
    plan = onboarding_plan_for(agency=request.agency, client=client)
    context = {"plan": plan, "can_edit": can(request.membership, "onboarding.edit"), "today": timezone.localdate(),
               "can_start": client.status in services.STARTS_ONBOARDING}
    if plan is not None:
        steps = plan.step_list
        done = sum(1 for s in steps if s.done_at)
        context.update(steps=steps, done=done, total=len(steps),
                       percent=round(100 * done / len(steps)) if steps else 0,
                       overdue=sum(1 for s in steps if not s.done_at and s.due_on < context["today"]),
                       day=(context["today"] - plan.started_on).days + 1)
    return context


ONBOARDING = register_block(key="onboarding", template="clients/blocks/onboarding.html", column="main", order=4,
                            context=_onboarding_block, rows=(
                                of_client("clients.OnboardingPlan"),
                                through_client("clients.OnboardingStep", parent="clients.OnboardingPlan", column="plan_id")))


def _back(request, client, section: str, message: str):
    if request.htmx:
        return render_block(request, ONBOARDING if section == "onboarding" else AGREEMENT, client)
    messages.success(request, message)
    return redirect(reverse("clients:detail", args=[client.pk]) + f"#section-{section}")


@require_POST
@member_required("onboarding.edit")
def onboarding_start_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    if client.status not in services.STARTS_ONBOARDING:
        messages.error(request, _("Onboarding starts when the client is onboarding or active."))
        return redirect("clients:detail", client_id=client.pk)
    services.onboarding_plan_start(agency=request.agency, actor=request.user, client=client)
    return _back(request, client, "onboarding", _("Onboarding plan started."))


@require_POST
@member_required("onboarding.edit")
def onboarding_step_toggle_view(request, client_id, step_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    plan = onboarding_plan_for(agency=request.agency, client=client)
    if plan is None:
        raise Http404
    step = onboarding_step_get(agency=request.agency, plan=plan, step_id=step_id)
    step = services.onboarding_step_set_done(agency=request.agency, actor=request.user, step=step,
                                             done=step.done_at is None)
    return _back(request, client, "onboarding",
                 _("Step done: %(title)s.") % {"title": step.title} if step.done_at else _("Step reopened."))


def _agreement_block(request, client) -> dict:
    agreement = agreement_for(agency=request.agency, client=client)
    labels = dict(Interaction.Channel.choices)
    return {"agreement": agreement, "can_edit": can(request.membership, "onboarding.edit"),
            "channel_labels": [labels.get(c, c) for c in (agreement.channels if agreement else [])]}


AGREEMENT = register_block(key="agreement", template="clients/blocks/agreement.html", column="side", order=40,
                           context=_agreement_block, deferred=True, rows=(of_client("clients.InteractionAgreement"),))


@member_required("onboarding.edit")
def agreement_edit_view(request, client_id):
    """The interaction agreement as data; HTMX opens the form inside the block, without JS a page."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    agreement = agreement_for(agency=request.agency, client=client)
    initial = {} if agreement else {"agreed_on": timezone.localdate(), "channels": [Interaction.Channel.TELEGRAM,
                                                                                    Interaction.Channel.EMAIL]}
    form = AgreementForm(request.POST or None, instance=agreement, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_save(agency=request.agency, actor=request.user, client=client, data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return _back(request, client, "agreement", _("Interaction agreement saved."))
    if request.htmx:
        response = render_block(request, AGREEMENT, client, form=form)
        return htmx_form_error(request, response, target="#section-agreement", swap="innerHTML") if form.errors else response
    return render_form(request, "clients/agreement_form.html", {"client": client, "form": form},
                       invalid=bool(form.errors))
