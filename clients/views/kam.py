"""Key-account management: the account plan (stage, scores, objectives) and the portfolio grid."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from ..block_cache import of_client, through_client
from ..caches import cached_portfolio_html
from ..forms_accounts import AccountPlanForm, ObjectiveFormSet
from ..models import AccountPlan
from ..models.kam import ATTRACTIVENESS_CRITERIA, RELATIONSHIP_CRITERIA
from ..selectors import client_get
from ..selectors.kam import account_plan_for, portfolio_grid
from ..services import kam as services
from ._blocks import register_block


def _criteria_rows(criteria: dict, scores: dict) -> list[tuple[str, int | None]]:
    return [(label, scores.get(key)) for key, label in criteria.items()]


def _account_plan_block(request, client) -> dict:
    plan = account_plan_for(agency=request.agency, client=client)
    return {
        "plan": plan, "can_edit": can(request.membership, "account_plan.edit"),
        "attractiveness_rows": _criteria_rows(ATTRACTIVENESS_CRITERIA, plan.attractiveness_scores if plan else {}),
        "relationship_rows": _criteria_rows(RELATIONSHIP_CRITERIA, plan.relationship_scores if plan else {}),
        "stages": AccountPlan.Stage.choices,
        "stage_level": AccountPlan.Stage.values.index(plan.relationship_stage) + 1 if plan else 0,
    }


ACCOUNT_PLAN = register_block(key="account-plan", template="clients/blocks/account_plan.html", column="side",
                              order=20, context=_account_plan_block, deferred=True, rows=(
                                  of_client("clients.AccountPlan"),
                                  through_client("clients.AccountObjective", parent="clients.AccountPlan", column="plan_id")))


@member_required("account_plan.edit")
def account_plan_edit_view(request, client_id):
    """Relationship stage, the eight scores and the objectives on one page."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    plan = account_plan_for(agency=request.agency, client=client)
    objectives = plan.objective_list if plan else []
    initial = [{"id": o.pk, "title": o.title, "kpi": o.kpi, "target": o.target, "due_on": o.due_on,
                "status": o.status} for o in objectives]
    form = AccountPlanForm(request.POST or None, plan=plan)
    formset = ObjectiveFormSet(request.POST or None, initial=initial, prefix="objectives")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [{**f.cleaned_data, "delete": f.cleaned_data.get("DELETE")} for f in formset.forms
                if f.cleaned_data and (f.has_changed() or f.cleaned_data.get("id"))]
        try:
            saved = services.account_plan_save(
                agency=request.agency, actor=request.user, client=client,
                relationship_stage=form.cleaned_data["relationship_stage"], summary=form.cleaned_data["summary"],
                attractiveness_scores=form.scores("a", ATTRACTIVENESS_CRITERIA),
                relationship_scores=form.scores("r", RELATIONSHIP_CRITERIA))
            services.account_objectives_save(agency=request.agency, actor=request.user, plan=saved, objectives=rows)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Account plan saved."))
            return redirect(reverse("clients:detail", args=[client.pk]) + "#section-account-plan")
    return render_form(request, "clients/account_plan_form.html", {
        "client": client, "plan": plan, "form": form, "formset": formset,
    }, invalid=request.method == "POST")


@member_required("client.view")
def portfolio_view(request):
    can_edit = can(request.membership, "account_plan.edit")

    def render_content() -> str:
        grid = portfolio_grid(agency=request.agency, membership=request.membership)
        cells, Q = grid.cells, AccountPlan.Quadrant
        return render_to_string("clients/_portfolio.html", {
            "grid": grid, "can_edit": can_edit,
            # Rows top to bottom: high attractiveness first; columns: low then high relationship strength.
            "rows": [(cells[Q.STAR], cells[Q.STRATEGIC]), (cells[Q.STREAMLINE], cells[Q.STATUS])],
        }, request)

    html = cached_portfolio_html(membership=request.membership, parts=(get_language(), can_edit),
                                 render=render_content)
    return render(request, "clients/portfolio.html", {"portfolio_html": html, "nav": "portfolio"})
