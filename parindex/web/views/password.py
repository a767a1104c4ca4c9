from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpResponse, HttpResponseRedirect

from parindex.orgs import access, actions


class AuditedPasswordChangeView(PasswordChangeView):
    """Django's password change, written through the action so it is audited like any change."""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user = access.actor(self.request.user)
        actions.set_password(
            user,
            by=user,
            password=form.cleaned_data["new_password1"],
            current_password=form.cleaned_data["old_password"],
        )
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())
