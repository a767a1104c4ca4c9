from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from parindex.web.views import (
    account,
    audit,
    criteria,
    exports,
    home,
    orgs,
    password,
    people,
    plans,
    reporting,
    results,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", password.AuditedPasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("account/", account.account, name="account"),
    path("account/tokens/<int:pk>/revoke/", account.token_revoke, name="token_revoke"),
    path("orgs/", orgs.org_list, name="org_list"),
    path("orgs/new/", orgs.org_create, name="org_create"),
    path("orgs/load/", orgs.org_load, name="org_load"),
    path("orgs/<int:pk>/", orgs.org_detail, name="org_detail"),
    path("orgs/<int:pk>/edit/", orgs.org_edit, name="org_edit"),
    path("orgs/<int:pk>/close/", orgs.org_close, name="org_close"),
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", people.person_add_role, name="person_add_role"),
    path("people/<int:pk>/password/", people.person_set_password, name="person_set_password"),
    path("roles/<int:pk>/remove/", people.person_remove_role, name="person_remove_role"),
    path("criteria/", criteria.framework_list, name="framework_list"),
    path("criteria/import/", criteria.framework_import, name="framework_import"),
    path("criteria/<int:pk>/", criteria.framework_detail, name="framework_detail"),
    path("criteria/<int:pk>/edit/", criteria.framework_edit, name="framework_edit"),
    path("criteria/<int:pk>/export.<str:fmt>", criteria.framework_export, name="framework_export"),
    path("criteria/<int:pk>/nodes/new/", criteria.node_add, name="node_add"),
    path(
        "criteria/<int:pk>/version/", criteria.framework_new_version, name="framework_new_version"
    ),
    path("criteria/<int:pk>/delete/", criteria.framework_delete, name="framework_delete"),
    path("criteria/nodes/<int:pk>/edit/", criteria.node_edit, name="node_edit"),
    path("criteria/nodes/<int:pk>/bands/", criteria.node_bands, name="node_bands"),
    path("criteria/nodes/<int:pk>/delete/", criteria.node_delete, name="node_delete"),
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/import/", plans.plan_upload, name="plan_upload"),
    path("plans/imports/<int:pk>/", plans.plan_review, name="plan_review"),
    path("plans/imports/<int:pk>/discard/", plans.plan_discard, name="plan_discard"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("reports/", reporting.report_list, name="report_list"),
    path("reports/rounds/new/", reporting.round_open, name="round_open"),
    path("reports/rounds/<int:pk>/", reporting.round_overview, name="round_overview"),
    path("reports/<int:pk>/", reporting.report_detail, name="report_detail"),
    path(
        "reports/<int:pk>/items/<int:item_id>/review/",
        reporting.report_review_item,
        name="report_review_item",
    ),
    path(
        "reports/<int:pk>/items/<int:item_id>/reopen/",
        reporting.report_reopen_item,
        name="report_reopen_item",
    ),
    path(
        "reports/<int:pk>/items/<int:item_id>/evidence/",
        reporting.report_evidence_add,
        name="report_evidence_add",
    ),
    path(
        "reports/<int:pk>/accept-pending/",
        reporting.report_accept_pending,
        name="report_accept_pending",
    ),
    path(
        "reports/<int:pk>/finish-review/",
        reporting.report_finish_review,
        name="report_finish_review",
    ),
    path(
        "reports/evidence/<int:pk>/",
        reporting.report_evidence_download,
        name="report_evidence_download",
    ),
    path(
        "reports/evidence/<int:pk>/remove/",
        reporting.report_evidence_remove,
        name="report_evidence_remove",
    ),
    path("results/", results.results_page, name="results"),
    path("results/import/", results.results_import, name="results_import"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("exports/<slug:name>.<str:fmt>", exports.export, name="export"),
]
