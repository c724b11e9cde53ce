from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def cadre_list_view(request):
    raise Http404
