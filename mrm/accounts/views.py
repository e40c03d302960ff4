import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.tenancy.context import client_ip
from mrm.tenancy.middleware import SESSION_AGENCY_KEY
from mrm.tenancy.models import Role
from mrm.tenancy.selectors import invitation_get_by_token
from mrm.tenancy.services import invitation_accept, invitation_check

from . import magic_link, services
from .forms import (
    ApiTokenForm,
    InvitationAcceptForm,
    LanguageForm,
    LoginForm,
    LoginVerifyForm,
    MagicLinkForm,
    OTPTokenForm,
    PortalInvitationAcceptForm,
    ProfileForm,
    SignupForm,
)
from .models import ApiToken, User

PENDING_2FA_KEY = "pending_2fa_user"
BACKEND = "mrm.accounts.backends.EmailBackend"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _finish_login(request, user: User, device=None) -> HttpResponse:
    login(request, user, backend=BACKEND)
    if device is not None:
        otp_login(request, device)
    response = redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
    return response


def login_view(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        device = services.totp_device_get(user=user)
        if device is not None:
            request.session[PENDING_2FA_KEY] = user.pk
            return redirect(reverse("accounts:login_verify") + f"?next={_safe_next(request, '')}")
        return _finish_login(request, user)
    response = render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})
    if form.ip_wait:
        response.status_code = 429
        response["Retry-After"] = str(form.ip_wait)
    return response


def login_verify_view(request):
    user_id = request.session.get(PENDING_2FA_KEY)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("accounts:login")
    form = LoginVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(user=user, code=form.cleaned_data["token"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            del request.session[PENDING_2FA_KEY]
            if isinstance(device, StaticDevice):
                left = services.backup_codes_remaining(user=user) or 0
                messages.warning(request, _("You logged in with a backup code; %(left)s left. Generate new ones on "
                                            "the two-factor page if you are running out.") % {"left": left})
            return _finish_login(request, user, device)
    return render(request, "accounts/login_verify.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; a new password set from the e-mailed link also lifts the account's lockout."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_unlock(user=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; a client contact changes theirs on the portal profile, in the portal's layout."""

    def dispatch(self, request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if membership is not None and membership.role == Role.CLIENT:
            return redirect("portal:profile")
        return super().dispatch(request, *args, **kwargs)


def signup_view(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, agency = services.signup(**form.cleaned_data, language=request.LANGUAGE_CODE or "ru")
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            login(request, user, backend=BACKEND)
            request.session[SESSION_AGENCY_KEY] = agency.pk
            messages.success(request, _("Welcome to MRM! Your agency workspace is ready."))
            return redirect("core:today")
    return render(request, "accounts/signup.html", {"form": form})


def invitation_accept_view(request, token: str):
    invitation = invitation_get_by_token(token=token)
    try:
        invitation_check(invitation=invitation)
    except ServiceError as exc:
        status = 404 if exc.code == "invalid" else 410
        return render(request, "accounts/invitation_invalid.html", {"error": exc.message}, status=status)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    portal = invitation.contact_id is not None  # a client contact's invitation to the portal
    form_class = PortalInvitationAcceptForm if portal else InvitationAcceptForm
    initial = {"full_name": invitation.contact.full_name} if portal else None
    form = form_class(request.POST or None, initial=initial) if existing is None else None
    # A client contact who already has an account (say, re-invited after their access was revoked): the e-mailed
    # invitation proves the mailbox as a log-in link would, so accepting logs them in (never for staff accounts).
    accept_by_link = (portal and existing is not None and not request.user.is_authenticated
                      and magic_link.mailbox_login_allowed(user=existing))
    error = None
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else (existing if accept_by_link else None)
        if user is None and form is not None and form.is_valid():
            password = form.chosen_password if portal else form.cleaned_data["password"]
            try:
                user = services.user_create(email=invitation.email, password=password,
                                            full_name=form.cleaned_data["full_name"],
                                            language=request.LANGUAGE_CODE or "ru")
            except ServiceError as exc:
                add_service_error(form, exc)
                user = None
        if user is not None:
            try:
                membership = invitation_accept(token=token, user=user)
            except ServiceError as exc:
                error = exc.message
            else:
                if not request.user.is_authenticated:
                    login(request, user, backend=BACKEND)
                request.session[SESSION_AGENCY_KEY] = membership.agency_id
                messages.success(request, _("You have joined %(agency)s.") % {"agency": invitation.agency.name})
                return redirect("portal:home" if portal else "core:today")
    return render(request, "accounts/invitation_accept.html", {
        "invitation": invitation, "form": form, "existing": existing, "error": error, "token": token,
        "portal": portal, "accept_by_link": accept_by_link,
    })


def magic_link_request_view(request):
    """"E-mail me a log-in link" (client contacts): the same answer whether the address has an account or not."""
    form = MagicLinkForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if magic_link.magic_link_request(email=form.cleaned_data["email"], ip=client_ip(request),
                                         language=request.LANGUAGE_CODE or "ru"):
            return redirect(reverse("accounts:magic_link") + "?sent=1")
        form.add_error(None, _("Too many login links were asked for from your network. Try again in an hour."))
        status = 429
    return render(request, "accounts/magic_link_request.html", {"form": form, "sent": request.GET.get("sent") == "1"},
                  status=status)


@never_cache
def magic_link_login_view(request, token: str):
    """The e-mailed link. Opening it (GET) only asks to confirm, so mail scanners that fetch links do not use it
    up; the button (POST) logs in."""
    if request.method == "POST":
        try:
            user = magic_link.magic_link_consume(token=token)
        except ServiceError as exc:
            return render(request, "accounts/magic_link_invalid.html", {"error": exc.message}, status=410)
        login(request, user, backend=BACKEND)
        response = redirect("portal:home")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", max_age=365 * 24 * 3600)
        return response
    user = magic_link.magic_link_user(token=token)
    if user is None:
        return render(request, "accounts/magic_link_invalid.html", {
            "error": _("This login link is not valid any more: it works once, for 15 minutes. Ask for a new one.")},
            status=410)
    return render(request, "accounts/magic_link_login.html", {"person": user})


@require_POST
@login_required
def agency_switch_view(request):
    wanted = request.POST.get("agency", "")
    membership = next((m for m in request.memberships if str(m.agency.uuid) == wanted), None)
    if membership is None:
        messages.error(request, _("You are not a member of that agency."))
    else:
        request.session[SESSION_AGENCY_KEY] = membership.agency_id
        messages.success(request, _("Switched to %(agency)s.") % {"agency": membership.agency.name})
    return redirect("core:today")


@require_POST
def language_set_view(request):
    form = LanguageForm(request.POST)
    nxt = _safe_next(request, "/")
    if not form.is_valid():
        return redirect(nxt)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response = redirect(nxt)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 24 * 3600)
    return response


@login_required
def no_agency_view(request):
    if request.membership is not None:
        return redirect("core:today")
    return render(request, "accounts/no_agency.html")


@login_required
def profile_view(request):
    if request.membership is not None and request.membership.role == Role.CLIENT:
        return redirect("portal:profile")  # a client contact's profile lives in the portal, in its brand
    form = _profile_form(request, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
        try:
            user = services.profile_update(user=request.user, agency=request.agency, data=data,
                                           photo=form.cleaned_data.get("photo"))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            response = redirect("accounts:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
            return response
    return render(request, "accounts/profile.html", _profile_context(request, form=form))


def _profile_form(request, data=None, files=None) -> ProfileForm:
    # Initial values, not instance=: the service applies changes and audits them, the form must not.
    return ProfileForm(data, files, initial={f: getattr(request.user, f) for f in services.PROFILE_FIELDS})


def _profile_context(request, **extra) -> dict:
    tokens = []
    if request.agency is not None:
        tokens = list(ApiToken.objects.filter(agency=request.agency, user=request.user).order_by("-created_at"))
    return {
        "tokens": tokens,
        "token_form": extra.pop("token_form", ApiTokenForm()),
        "has_2fa": services.totp_device_get(user=request.user) is not None,
        "require_2fa": request.agency is not None and request.agency.require_2fa,
        **extra,
    }


@require_POST
@login_required
def api_token_create_view(request):
    if request.membership is None or not request.membership.is_staff_member:
        messages.error(request, _("API keys are for agency staff."))
        return redirect("accounts:profile")
    token_form = ApiTokenForm(request.POST)
    if not token_form.is_valid():
        form = _profile_form(request)
        return render(request, "accounts/profile.html", _profile_context(request, form=form, token_form=token_form),
                      status=400)
    token, raw = services.api_token_create(user=request.user, membership=request.membership,
                                           name=token_form.cleaned_data["name"])
    form = _profile_form(request)
    return render(request, "accounts/profile.html", _profile_context(request, form=form, new_key=raw, new_token=token))


@require_POST
@login_required
def api_token_revoke_view(request, token_id):
    if request.agency is None:
        raise Http404
    token = services.api_token_get(user=request.user, agency=request.agency, token_id=token_id)
    try:
        services.api_token_revoke(user=request.user, agency=request.agency, token=token)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The key is revoked: requests with it are refused from now on."))
    return redirect("accounts:profile")


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache  # the page shows secrets once: the app key while setting up, new backup codes
@login_required
def two_factor_view(request):
    """Set up, confirm or switch off the authenticator app; generate single-use backup codes."""
    confirmed = services.totp_device_get(user=request.user)
    form = OTPTokenForm(request.POST if request.method == "POST" and not request.POST.get("action") else None)
    if request.method == "POST" and request.POST.get("action") == "disable":
        try:
            services.totp_disable(user=request.user, agency=request.agency)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Two-factor authentication is off."))
        return redirect("accounts:two_factor")
    backup_codes = None
    if request.method == "POST" and request.POST.get("action") == "backup_codes":
        try:
            backup_codes = services.backup_codes_generate(user=request.user, agency=request.agency)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:two_factor")
    elif request.method == "POST" and form.is_valid():
        try:
            device = services.totp_setup_confirm(user=request.user, agency=request.agency,
                                                 token=form.cleaned_data["token"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on. Now generate backup codes in case you "
                                        "lose your phone."))
            return redirect("accounts:two_factor")
    pending = None
    if confirmed is None:
        pending = services.totp_device_get(user=request.user, confirmed=False) if request.method == "POST" else None
        pending = pending or services.totp_setup_start(user=request.user)
    secret = base64.b32encode(pending.bin_key).decode() if pending else None
    return render(request, "accounts/two_factor.html", {
        "confirmed": confirmed, "form": form, "secret": secret,
        "qr": _qr_svg(pending.config_url) if pending else None,
        "required": request.agency is not None and request.agency.require_2fa,
        "backup_codes": backup_codes,
        "backup_codes_left": services.backup_codes_remaining(user=request.user) if confirmed else None,
        "backup_code_count": services.BACKUP_CODE_COUNT,
        "has_api_keys": request.agency is not None and ApiToken.objects.filter(
            agency=request.agency, user=request.user, revoked_at__isnull=True).exists(),
    })
