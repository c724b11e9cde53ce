"""Forms of the ticket pages: they only collect input; the services decide."""

from django import forms

from zuzhi.orgs.models import Organization

from .models import ServiceTeam, TeamSpecialty, TicketState, TicketType


class TicketFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部")] + TicketState.choices
    )
    type = forms.ModelChoiceField(
        label="类型", required=False, queryset=TicketType.objects.all(), empty_label="全部"
    )
    overdue = forms.BooleanField(label="已逾期", required=False)
    escalated = forms.BooleanField(label="已上报", required=False)


class TicketCreateForm(forms.Form):
    household = forms.ModelChoiceField(label="联系户", queryset=None, empty_label=None)
    type = forms.ModelChoiceField(
        label="诉求类型", queryset=TicketType.objects.filter(active=True), empty_label=None
    )
    description = forms.CharField(label="诉求内容", max_length=2000, widget=forms.Textarea)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    attachment = forms.FileField(label="照片或附件", required=False)

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=500, required=False)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label="办理结果", max_length=2000, widget=forms.Textarea)
    attachment = forms.FileField(label="照片或附件", required=False)


class AttachForm(forms.Form):
    attachment = forms.FileField(label="照片或附件")
    note = forms.CharField(label="说明", max_length=500, required=False)


class PassToTeamForm(forms.Form):
    team = forms.ModelChoiceField(label="服务团队", queryset=ServiceTeam.objects.none())
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ReassignForm(forms.Form):
    member = forms.ModelChoiceField(label="改派给", queryset=None)
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class TicketTypeForm(forms.Form):
    name = forms.CharField(label="类型名称", max_length=32)
    accept_hours = forms.IntegerField(label="受理时限（小时）", min_value=1)
    resolve_hours = forms.IntegerField(label="办结时限（小时）", min_value=1)
    order = forms.IntegerField(label="排序", min_value=0, initial=0)
    active = forms.BooleanField(label="启用", required=False, initial=True)


class TeamForm(forms.Form):
    name = forms.CharField(label="团队名称", max_length=64)
    specialty = forms.ChoiceField(label="专长", choices=TeamSpecialty.choices)
    leader = forms.ModelChoiceField(label="团队负责人", queryset=None)
    members = forms.ModelMultipleChoiceField(label="团队成员", queryset=None, required=False)
    active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = candidates
        self.fields["members"].queryset = candidates


class TeamOrgForm(forms.Form):
    organization = forms.ModelChoiceField(label="联合党组织", queryset=Organization.objects.none())

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
