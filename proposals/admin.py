from django.contrib import admin
from django_scopes import scopes_disabled

from .models import Brief, BriefTemplate, Case, Decision, Proposal, ProposalVersion, RateRole, Service


def _unscoped(view):
    def wrapped(self, request, *args, **kwargs):
        # The admin is for operators across agencies: lift the scope for the whole view, rendering included.
        with scopes_disabled():
            response = view(self, request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    return wrapped


class AgencyAdmin(admin.ModelAdmin):
    """Read-mostly operator views; the agency is shown, never edited."""

    readonly_fields = ("agency",)
    changelist_view = _unscoped(admin.ModelAdmin.changelist_view)
    change_view = _unscoped(admin.ModelAdmin.change_view)
    delete_view = _unscoped(admin.ModelAdmin.delete_view)
    history_view = _unscoped(admin.ModelAdmin.history_view)

    def has_add_permission(self, request):
        return False


@admin.register(RateRole)
class RateRoleAdmin(AgencyAdmin):
    list_display = ("name", "agency", "hourly_rate", "cost_rate", "is_active")


@admin.register(Service)
class ServiceAdmin(AgencyAdmin):
    list_display = ("name", "agency", "discipline", "unit", "hours_min", "hours_max", "is_active")
    list_filter = ("discipline",)


@admin.register(BriefTemplate)
class BriefTemplateAdmin(AgencyAdmin):
    list_display = ("name", "agency", "discipline", "is_active")


@admin.register(Brief)
class BriefAdmin(AgencyAdmin):
    list_display = ("company_name", "agency", "source", "status", "created_at")
    list_filter = ("source", "status")
    readonly_fields = ("agency", "submitted_ip")


@admin.register(Case)
class CaseAdmin(AgencyAdmin):
    list_display = ("title", "agency", "kind")


@admin.register(Proposal)
class ProposalAdmin(AgencyAdmin):
    list_display = ("title", "agency", "status", "total", "created_at")
    list_filter = ("status",)


@admin.register(ProposalVersion)
class ProposalVersionAdmin(AgencyAdmin):
    list_display = ("proposal", "number", "total", "content_hash", "created_at")
    readonly_fields = ("agency", "snapshot", "content_hash")


@admin.register(Decision)
class DecisionAdmin(AgencyAdmin):
    list_display = ("proposal", "kind", "signed_name", "version_hash", "ip_address", "created_at")
