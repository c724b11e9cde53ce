"""Forms of the household pages: they collect input; the rules are the services'."""

from django import forms


class HouseholdForm(forms.Form):
    community = forms.TypedChoiceField(label="社区（村）", coerce=int)
    grid = forms.CharField(label="网格", max_length=32, required=False)
    address = forms.CharField(label="住址", max_length=200)
    head_name = forms.CharField(label="户主姓名", max_length=64)
    head_id_number = forms.CharField(label="户主公民身份号码", max_length=30, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    people = forms.IntegerField(label="家庭人口", min_value=1, max_value=99, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]


class LinkForm(forms.Form):
    member = forms.TypedChoiceField(label="联系党员", coerce=int)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [
            (m.pk, f"{m.name}（{m.organization.name}，已联系 {m.load} 户）") for m in members
        ]


class UnlinkForm(forms.Form):
    end_reason = forms.CharField(label="结束原因", max_length=200)


class BulkAssignForm(forms.Form):
    community = forms.TypedChoiceField(label="社区（村）", coerce=int)
    grid = forms.CharField(label="网格（不填为全部）", max_length=32, required=False)
    unit = forms.TypedChoiceField(label="县直单位党组织", coerce=int)

    def __init__(self, *args, communities=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
