from django.http import HttpResponse


def _pending(request, pk=None):
    return HttpResponse("建设中")


org_list_view = org_tree_view = org_children_view = org_create_view = _pending
org_detail_view = org_edit_view = org_history_view = _pending
