from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from parindex.forecasting import reading
from parindex.lib.collation import vi_sorted
from parindex.orgs import access
from parindex.orgs.models import OrgKind, Role
from parindex.reporting.actions import state_counts, state_on
from parindex.reporting.models import STATE_LABELS, STATE_ORDER
from parindex.web.views.common import current_province


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where a person lands after signing in: the leaders and coordinators of a province with
    a forecast on where it stands, everyone else on the home page."""
    who = access.access_for(request.user)
    if who.province_wide and reading.choices(access.forecast_provinces_for(request.user)):
        return redirect("forecast_start")
    return redirect("home")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One home page whose sections follow the person's roles."""
    who = access.access_for(request.user)
    province = current_province(request)
    today = timezone.localdate()
    context: dict[str, object] = {"province": province, "today": today}
    role_labels = dict(Role.choices)
    context["role_names"] = [role_labels[r] for r in who.roles]
    if province is not None:
        agencies = access.organisations_for(request.user).filter(province=province).current()
        context["agency_counts"] = [
            (OrgKind(row["kind"]).label, row["n"])
            for row in agencies.values("kind").annotate(n=Count("id")).order_by("kind")
        ]
        frameworks = access.frameworks_for(request.user).order_by("-first_year", "name")
        context["frameworks"] = frameworks[:8]
    visible = access.organisations_for(request.user)
    own_agencies = visible.filter(pk__in=who.own_agencies).prefetch_related("people")
    context["own_agencies"] = own_agencies
    context["appraised"] = vi_sorted(
        visible.filter(pk__in=who.appraised_agencies), key=lambda o: o.name
    )
    reports = access.reports_for(request.user).select_related("round", "agency")
    open_reports = reports.filter(agency_id__in=who.own_agencies, round__closed_at__isnull=True)
    my_reports = []
    for report in open_reports.order_by("-round__starts_on", "agency__name")[:6]:
        state = state_on(report, today)
        my_reports.append((report, state, STATE_LABELS[state]))
    context["my_reports"] = my_reports
    if who.province_wide or who.superuser:
        latest = access.rounds_for(request.user).order_by("-starts_on", "-pk").first()
        if latest is not None:
            states = state_counts(reports.filter(round=latest), today).get(latest.pk, {})
            labelled = [(state, STATE_LABELS[state], states.get(state, 0)) for state in STATE_ORDER]
            context["latest_round"] = (
                latest,
                [(state, label, n) for state, label, n in labelled if n],
                sum(states.values()),
            )
    if access.can_read_audit_log(request.user):
        context["recent"] = access.audit_entries_for(request.user).select_related("actor")[:10]
        context["people_count"] = access.people_for(request.user).filter(is_active=True).count()
    return render(request, "web/home.html", context)
