from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from zuzhi.orgs.selectors import org_roots


@login_required
def home(request):
    return render(request, "core/home.html", {"roots": org_roots(user=request.user)})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
