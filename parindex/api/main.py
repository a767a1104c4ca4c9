"""The API: one router per domain app, the same action functions and access rule as the UI."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from parindex.api.assessment import router as assessment_router
from parindex.api.auth import AUTH
from parindex.api.criteria import router as criteria_router
from parindex.api.dossiers import router as dossiers_router
from parindex.api.exports import router as exports_router
from parindex.api.forecast import router as forecast_router
from parindex.api.forecast_actions import router as gap_actions_router
from parindex.api.orgs import router as orgs_router
from parindex.api.people import router as people_router
from parindex.api.plans import router as plans_router
from parindex.api.reporting import router as reporting_router
from parindex.api.results import router as results_router
from parindex.api.surveys import router as surveys_router
from parindex.reporting.actions import Conflict

api = NinjaAPI(
    title="parindex API",
    version="1",
    description="Organisations, people, roles, criteria trees, plans, reporting, self-assessment and appraisal, published national results, one-stop-shop dossier KPIs, and the year's forecast with what-if scenarios of a province's PAR INDEX work.",
    auth=AUTH,
    urls_namespace="api",
)
api.add_router("/orgs", orgs_router)
api.add_router("/people", people_router)
api.add_router("/criteria", criteria_router)
api.add_router("/plans", plans_router)
api.add_router("/exports", exports_router)
api.add_router("/reporting", reporting_router)
api.add_router("/assessment", assessment_router)
api.add_router("/results", results_router)
api.add_router("/forecast", forecast_router)
api.add_router("/surveys", surveys_router)
api.add_router("/gap-actions", gap_actions_router)
api.add_router("/dossiers", dossiers_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "permission denied"}, status=403)


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=409)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=422)
