"""Pages of the appointment form as print (干部任免审批表): one cadre's form, or a batch."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.views.decorators.http import require_GET, require_POST

from zuzhi.core.params import object_id

from .appointment_form import appointment_form_download
from .form_selectors import MAX_BATCH, appointment_form_cadre, appointment_form_cadres


@login_required
@require_GET
def appointment_form_view(request, pk):
    """The form of one cadre, opened in the browser's PDF viewer."""
    cadre = appointment_form_cadre(user=request.user, pk=pk)
    return appointment_form_download(user=request.user, cadres=[cadre], inline=True)


@login_required
@require_POST
def appointment_forms_view(request):
    """The forms of the cadres ticked (`cadre`, repeated) in one PDF, one after another."""
    ids = [object_id(v) for v in request.POST.getlist("cadre")]
    ids = [i for i in ids if i is not None]
    if not ids:
        return HttpResponseBadRequest("请选择要打印任免审批表的干部。")
    if len(set(ids)) > MAX_BATCH:
        return HttpResponseBadRequest(f"一次最多打印 {MAX_BATCH} 份任免审批表，请分批打印。")
    cadres = appointment_form_cadres(user=request.user, ids=ids)
    return appointment_form_download(user=request.user, cadres=cadres)
