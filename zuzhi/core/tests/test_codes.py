from zuzhi.core.codes import GB4658_TO_ZB64, code_map, code_tables_load
from zuzhi.core.models import CodeItem


def test_code_tables_are_loaded_by_migration(db):
    assert code_map("GB3304")["01"] == "汉族"
    assert code_map("GB4762")["01"] == "中共党员"
    assert CodeItem.objects.filter(table="GB3304").count() == 60
    assert CodeItem.objects.filter(table="ZB01", code="411330").exists()


def test_loading_twice_changes_nothing(db):
    assert code_tables_load(CodeItem) == 0


def test_gb4658_maps_onto_existing_zb64_codes(db):
    zb64 = set(CodeItem.objects.filter(table="ZB64").values_list("code", flat=True))
    assert set(GB4658_TO_ZB64.values()) <= zb64
