def tenancy(request) -> dict:
    return {
        "agency": getattr(request, "agency", None),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
    }
