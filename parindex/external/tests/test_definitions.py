"""The 766 index as versioned data: the shipped file, its validation (every problem listed),
the loader (idempotent, never rewrites a stored structure) and ``parindex external validate``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from parindex import scoring
from parindex.external import definitions, services
from parindex.external.models import ExternalIndex, IndexVersion

SHIPPED = definitions.SHIPPED[0]


def doc() -> dict:
    return scoring.load_path(SHIPPED)


def problems(d: dict) -> list[str]:
    with pytest.raises(definitions.DefinitionInvalid) as exc:
        definitions.parse_definition(d)
    return [str(p) for p in exc.value.problems]


def test_the_shipped_file_holds_766_v1_and_v2():
    d = definitions.load_definition_path(SHIPPED)
    assert (d.code, d.decision_number, d.decision_date) == ("766", "766/QĐ-TTg", dt.date(2022, 6, 23))
    v1, v2 = d.versions
    assert v1.valid_from == dt.date(2022, 8, 1)
    assert [(c.code, c.max) for c in v1.components] == [
        ("cong_khai", 18), ("tien_do", 20), ("so_hoa", 22), ("dvc_truc_tuyen", 22), ("hai_long", 18)
    ]  # fmt: skip
    assert {c.code: c.max for c in v2.components} == {
        "cong_khai": 18, "tien_do": 20, "dvc_truc_tuyen": 12, "thanh_toan": 10, "hai_long": 18, "so_hoa": 22
    }  # fmt: skip
    assert "chưa xác định được văn bản sửa đổi" in v2.description and "báo cáo" in v2.description


def test_every_problem_is_listed_with_its_path_and_code():
    d = doc()
    d["versions"][0]["components"][0]["max"] = 17  # sum 99
    d["versions"][1]["components"][1]["code"] = "cong_khai"  # duplicate
    d["versions"][1]["components"][2]["formula"] = "22 * so_ho_so / ho_so"  # names not declared
    d["versions"][1]["valid_from"] = dt.date(2022, 1, 1)
    d["extra"] = 1
    found = problems(d)
    assert "versions[0].max_total: tổng điểm tối đa các nhóm (99) khác tổng điểm của phiên bản (100)" in found
    assert "cong_khai (versions[1].components[1].code): mã nhóm chỉ số bị trùng trong phiên bản" in found
    assert any("so_ho_so" in p and "chưa khai báo" in p for p in found)
    assert any("versions[1].valid_from" in p for p in found)
    assert "extra: khóa không được hỗ trợ" in found
    assert len(found) >= 6


def test_a_formula_over_declared_ratios_is_accepted():
    d = doc()
    d["versions"][1]["components"][5] |= {"ratios": ["ho_so_so_hoa"], "formula": "22 * min(ho_so_so_hoa / 0.8, 1)"}
    assert definitions.parse_definition(d).versions[1].components[5].formula
    assert definitions.formula_problems("__import__('os')", []) != []


@pytest.mark.django_db
def test_migrate_loaded_766_and_loading_again_changes_nothing():
    index = ExternalIndex.objects.get(code="766")
    assert list(index.versions.values_list("number", "valid_from")) == [
        (1, dt.date(2022, 8, 1)),
        (2, dt.date(2025, 7, 1)),
    ]
    result = services.external_indices_load()
    assert result.created == () and len(result.unchanged) == 2 and result.refused == ()


@pytest.mark.django_db
def test_a_stored_structure_is_never_rewritten():
    d = doc()
    d["versions"][0]["components"][0]["max"] = 20
    d["versions"][0]["components"][1]["max"] = 18
    result = services.external_index_load(definition=definitions.parse_definition(d))
    assert result.refused and "766 phiên bản 1" in result.refused[0]
    assert IndexVersion.objects.get(index__code="766", number=1).components.get(code="cong_khai").max == Decimal(18)


def test_the_command_validates_with_formats_exit_codes(tmp_path, capsys):
    call_command("external", "validate", str(SHIPPED))
    assert "hợp lệ: chỉ số 766" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(SHIPPED.read_text(encoding="utf-8").replace("max: 18", "max: 19", 1), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("external", "validate", str(bad))
    assert exc.value.code == 1 and "khác tổng điểm" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        call_command("external", "validate", str(tmp_path / "none.yaml"))
    assert exc.value.code == 2
