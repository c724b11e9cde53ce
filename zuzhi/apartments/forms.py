"""Forms of the apartment pages: they collect input only (yuan typed, fen stored); the rules
are the services' and their errors are mapped back onto the fields."""

from django import forms

from zuzhi.core.money import YuanField

from . import rules
from . import selectors as sel
from .models import Condition, FlatStatus

# A date input takes only ISO dates: a localized "2026/12/06" would show an empty field.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BuildingForm(forms.Form):
    name = forms.CharField(label="楼栋名称", max_length=64)
    address = forms.CharField(label="地址", max_length=128, required=False)
    note = forms.CharField(label="备注", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class BulkFlatsForm(forms.Form):
    prefix = forms.CharField(
        label="房号前缀", max_length=8, required=False, help_text="如“3-”，房号为 3-201"
    )
    first_floor = forms.IntegerField(label="起始楼层", min_value=1, max_value=99, initial=1)
    last_floor = forms.IntegerField(label="结束楼层", min_value=1, max_value=99)
    first_room = forms.IntegerField(label="每层起始序号", min_value=1, max_value=99, initial=1)
    last_room = forms.IntegerField(label="每层结束序号", min_value=1, max_value=99)
    area = forms.DecimalField(label="面积（㎡）", max_digits=7, decimal_places=2, min_value=1)
    layout = forms.CharField(label="户型", max_length=32, required=False)
    furnished = forms.BooleanField(label="已配家具家电", required=False, initial=True)


class FlatStatusForm(forms.Form):
    status = forms.ChoiceField(label="房间状态", choices=FlatStatus.choices)
    note = forms.CharField(label="说明", max_length=200, required=False)


class AllocationForm(forms.Form):
    application = forms.ModelChoiceField(
        label="入住申请", queryset=None, help_text="已同意、尚未分配的申请；分配后该申请即为已分配"
    )
    start = forms.DateField(label="协议起始日", widget=DATE)
    end = forms.DateField(label="协议到期日", widget=DATE)
    rent_free = forms.BooleanField(label="免租", required=False, initial=True)
    rent_fen = YuanField(label="月租金（元）", help_text="不免租时填写", max_yuan=rules.MAX_YUAN)
    deposit_fen = YuanField(label="押金（元）", help_text="可不填", max_yuan=rules.MAX_YUAN)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = sel.applications_to_allocate(user=user)
        self.fields["application"].label_from_instance = _wish


def _wish(a) -> str:
    wish = " ".join(filter(None, [a.building.name if a.building else "不限楼栋", a.layout]))
    return f"{a.talent.name}（{a.talent.employer}）· {a.applied_on:%Y-%m-%d} 申请 · 意向：{wish}"


class ApplicationForm(forms.Form):
    talent = forms.ModelChoiceField(label="申请人", queryset=None)
    building = forms.ModelChoiceField(label="意向楼栋", queryset=None, required=False)
    layout = forms.CharField(label="意向户型", max_length=32, required=False)
    reason = forms.CharField(
        label="申请理由", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    applied_on = forms.DateField(label="申请日期", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["talent"].queryset = sel.talents_to_house(user=user)
        self.fields["talent"].label_from_instance = lambda t: f"{t.name}（{t.employer}）"
        self.fields["building"].queryset = sel.building_choices(user=user)


class DecisionForm(forms.Form):
    reason = forms.CharField(label="审核意见", max_length=200, required=False)


class CheckInForm(forms.Form):
    checked_in_on = forms.DateField(label="入住日期", widget=DATE)
    keys_handed = forms.IntegerField(label="交付钥匙（把）", min_value=1, max_value=20, initial=2)


class RenewForm(forms.Form):
    new_end = forms.DateField(label="续签后到期日", widget=DATE)
    note = forms.CharField(label="备注", max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=200)


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label="退房日期", widget=DATE)
    keys_returned = forms.IntegerField(label="交回钥匙（把）", min_value=0, max_value=20)


class InspectForm(forms.Form):
    inspected_on = forms.DateField(label="验房日期", widget=DATE)
    condition = forms.ChoiceField(label="房屋状况", choices=Condition.choices)
    damages = forms.CharField(
        label="损坏情况", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    deduction_fen = YuanField(label="扣款（元）", max_yuan=rules.MAX_YUAN)
    note = forms.CharField(label="验房备注", max_length=500, required=False)
    needs_repair = forms.BooleanField(label="验房后转维修", required=False)
