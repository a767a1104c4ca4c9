"""The signed-in person's own page: profile, roles and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parindex.orgs import access, actions
from parindex.orgs.models import ApiToken, User
from parindex.web.forms import TokenForm


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = actions.create_api_token(user, by=user, name=form.cleaned_data["name"])
        form = TokenForm()
    context = {
        "roles": user.roles.select_related("organisation"),
        "tokens": user.api_tokens.all(),
        "form": form,
        "new_key": new_key,
    }
    return render(request, "web/account.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    actions.revoke_api_token(token, by=access.actor(request.user))
    messages.success(request, _("The token was revoked."))
    return redirect("account")
