"""``/account/tokens/``: the page where a person creates and revokes their API tokens.

A new key is rendered once, in the answer to the POST that made it, and never again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from stepflow.access import tokens

__all__ = ["revoke_token", "token_page"]


@never_cache  # the answer may hold a new key: no cache keeps a copy
@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: HttpRequest) -> HttpResponse:
    created = key = error = None
    if request.method == "POST":
        try:
            created, key = tokens.create_token(user=request.user, name=request.POST.get("name", ""))
        except tokens.TokenError as exc:
            error = exc.message
    context = {
        "tokens": tokens.live_tokens(user=request.user), "created": created, "key": key, "error": error, "nav": "tokens",
    }
    return render(request, "access/tokens.html", context, status=400 if error else 200)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = tokens.revoke_token(user=request.user, token_id=token_id)
    except tokens.TokenNotFound as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Revoked {token.name!r}; requests with it are refused from now on.")
    return redirect("account-tokens")
