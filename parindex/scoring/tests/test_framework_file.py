"""parindex-framework/1 documents (formats.md §1): validation, round trip and exact loading."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from parindex import scoring
from parindex.scoring.tests._helpers import BANDS, REFERENCE_PATH, D, document, leaf, parent


def problems_of(doc) -> list[scoring.Problem]:
    with pytest.raises(scoring.FrameworkInvalid) as caught:
        scoring.parse_framework(doc)
    return list(caught.value.problems)


def where(problems) -> list[tuple[str | None, str]]:
    return [(p.code, p.path) for p in problems]


def test_it_accepts_a_small_valid_document():
    framework = scoring.parse_framework(
        document(
            parent("1", leaf("1.1", D("1.5"), "binary"), leaf("1.2", D("0.5"), "proportional")), classification=BANDS
        )
    )
    assert [node.code for node in framework.nodes] == ["1", "1.1", "1.2"]
    assert [node.code for node in framework.leaves] == ["1.1", "1.2"]
    assert framework.node("1").children == ("1.1", "1.2")
    assert framework.node("1.2").parent == "1"
    assert framework.node("1.2").depth == 1
    assert framework.max_total == D(2)
    assert framework.node("1.2").rule.params == {"target": D(1)}


def test_it_reports_five_different_problems_in_one_error():
    doc = document(
        parent("A", leaf("A.1", 1, "binary"), leaf("A.2", 2, "binary")),
        {"code": "B", "name": "Nhóm B", "max": D(2), "children": [leaf("A.1", 1, "binary"), leaf("B.2", 1, "binary")]},
        {
            "code": "C",
            "name": "Nhóm C",
            "max": D(1),
            "rule": {"kind": "binary"},
            "children": [leaf("C.1", 1, "binary")],
        },
        leaf("D", 1, "fuzzy"),
        leaf("E", 1, "tiered", tiers=[{"min": D(1), "points": D(2)}]),
    )
    doc["criteria"][0]["max"] = D(4)  # (a) children add up to 3
    doc["max_total"] = D(10)  # 4 + 2 + 1 + 1 + 1 + 1 more, to keep the total itself consistent
    doc["criteria"].append(leaf("F", 1, "binary"))
    problems = problems_of(doc)
    assert where(problems) == [
        ("A", "criteria[0].max"),  # (a) wrong parent sum
        ("A.1", "criteria[1].children[0].code"),  # (b) duplicate code
        ("C", "criteria[2]"),  # (c) both children and rule
        ("D", "criteria[3].rule.kind"),  # (d) unknown rule kind
        ("E", "criteria[4].rule.params.tiers[0].points"),  # (e) tier above max
    ]
    messages = [p.message for p in problems]
    assert "4" in messages[0] and "(3)" in messages[0]
    assert "criteria[0].children[0]" in messages[1]
    assert "fuzzy" in messages[3]
    assert "lớn hơn điểm tối đa" in messages[4]


def single_problem(doc) -> scoring.Problem:
    (problem,) = problems_of(doc)
    return problem


def test_it_refuses_a_max_total_that_is_not_the_sum_of_the_fields():
    problem = single_problem(document(leaf("1", 2, "binary"), leaf("2", 3, "binary"), max_total=D(100)))
    assert problem.path == "max_total"
    assert "100" in problem.message and "(5)" in problem.message


def test_it_compares_parent_sums_exactly_as_decimals():
    doc = document(parent("1", leaf("1.1", D("0.1"), "binary"), leaf("1.2", D("0.2"), "binary")))
    doc["criteria"][0]["max"] = D("0.3")
    assert scoring.parse_framework(doc).node("1").max == D("0.3")
    doc["criteria"][0]["max"] = doc["max_total"] = D("0.31")
    assert single_problem(doc).path == "criteria[0].max"


@pytest.mark.parametrize(
    ("rounding", "max_"),
    [pytest.param(2, D("1.125"), id="3dp-with-rounding-2"), pytest.param(0, D("1.5"), id="1dp-with-rounding-0")],
)
def test_it_refuses_a_max_with_more_decimals_than_the_rounding(rounding, max_):
    with pytest.raises(scoring.FrameworkInvalid) as exc:
        scoring.parse_framework(document(leaf("1", max_, "binary"), rounding=rounding))
    by_path = {p.path: p for p in exc.value.problems}
    assert by_path["criteria[0].max"].code == "1"
    assert "chữ số thập phân" in by_path["criteria[0].max"].message
    # The document's max_total (the same number here) is held to the same rule.
    assert "chữ số thập phân" in by_path["max_total"].message


def test_it_accepts_trailing_zeros_in_a_max():
    framework = scoring.parse_framework(document(leaf("1", D("2.500"), "binary"), rounding=1))
    assert framework.node("1").max == D("2.5")


def test_it_refuses_a_leaf_without_a_rule():
    doc = document(parent("1", leaf("1.1", 1, "binary"), {"code": "1.2", "name": "Không cách chấm", "max": D(1)}))
    problem = single_problem(doc)
    assert (problem.code, problem.path) == ("1.2", "criteria[0].children[1]")
    assert "rule" in problem.message


@pytest.mark.parametrize(
    "tiers",
    [
        pytest.param([{"min": D("0.5"), "points": D(1)}, {"min": D(1), "points": D(2)}], id="ascending"),
        pytest.param([{"min": D("0.8"), "points": D(2)}, {"min": D("0.8"), "points": D(1)}], id="equal-mins"),
    ],
)
def test_it_refuses_a_tier_that_can_never_apply(tiers):
    problem = single_problem(document(leaf("1", 2, "tiered", tiers=tiers)))
    assert (problem.code, problem.path) == ("1", "criteria[0].rule.params.tiers[1].min")
    assert "không bao giờ" in problem.message


def test_it_refuses_late_entries_out_of_order():
    late = [{"within_days": 10, "points": D(1)}, {"within_days": 5, "points": D("0.5")}]
    problem = single_problem(document(leaf("1", 2, "timeliness", late=late)))
    assert problem.path == "criteria[0].rule.params.late[1].within_days"


def test_it_refuses_classification_not_highest_first():
    bands = [{"label": "Khá", "min": D(70)}, {"label": "Tốt", "min": D(80)}]
    problem = single_problem(document(leaf("1", 1, "binary"), classification=bands))
    assert problem.path == "classification[1].min"
    assert "cao xuống thấp" in problem.message


def test_it_refuses_a_band_outside_0_to_100():
    problem = single_problem(document(leaf("1", 1, "binary"), classification=[{"label": "Tốt", "min": D(120)}]))
    assert problem.path == "classification[0].min"


@pytest.mark.parametrize(
    ("kind", "params", "path"),
    [
        pytest.param("proportional", {"target": D(1), "goal": D(1)}, "goal", id="proportional"),
        pytest.param("binary", {"per_item": D(1)}, "per_item", id="binary-takes-none"),
        pytest.param("count", {"per_item": D(1), "max": D(2)}, "max", id="count"),
        pytest.param(
            "tiered", {"tiers": [{"min": D(1), "points": D(1), "label": "a"}]}, "tiers[0].label", id="tier-entry"
        ),
    ],
)
def test_it_refuses_an_unknown_param_key(kind, params, path):
    problem = single_problem(document(leaf("1", 2, kind, **params)))
    assert (problem.code, problem.path) == ("1", f"criteria[0].rule.params.{path}")


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        pytest.param("count", "per_item", id="count-without-per_item"),
        pytest.param("deduction", "per_item", id="deduction-without-per_item"),
        pytest.param("tiered", "tiers", id="tiered-without-tiers"),
    ],
)
def test_it_refuses_a_missing_required_param(kind, path):
    problem = single_problem(document(leaf("1", 2, kind)))
    assert (problem.code, problem.path) == ("1", f"criteria[0].rule.params.{path}")
    assert "thiếu" in problem.message


@pytest.mark.parametrize(
    ("kind", "params", "path"),
    [
        pytest.param("proportional", {"target": D(0)}, "target", id="target-0"),
        pytest.param("count", {"per_item": D("-1")}, "per_item", id="negative-per-item"),
        pytest.param("manual", {"step": D(0)}, "step", id="step-0"),
        pytest.param("tiered", {"tiers": [{"min": D(1), "points": D("-1")}]}, "tiers[0].points", id="negative-points"),
        pytest.param("tiered", {"tiers": [{"min": D(1), "points": D("0.125")}]}, "tiers[0].points", id="points-3dp"),
        pytest.param(
            "timeliness", {"late": [{"within_days": 0, "points": D(1)}]}, "late[0].within_days", id="within-0"
        ),
        pytest.param("timeliness", {"default": D(3)}, "default", id="default-above-max"),
        pytest.param("count", {"per_item": 1.0}, "per_item", id="float-param"),
    ],
)
def test_it_refuses_a_bad_param_value(kind, params, path):
    problem = single_problem(document(leaf("1", 2, kind, **params)))
    assert problem.path == f"criteria[0].rule.params.{path}"


@pytest.mark.parametrize("value", ["parindex-framework/2", "parindex-responses/1", None])
def test_it_refuses_a_wrong_format_string(value):
    doc = document(leaf("1", 1, "binary"))
    doc["format"] = value
    problem = single_problem(doc)
    assert problem.path == "format"
    assert "parindex-framework/1" in problem.message


def test_it_refuses_a_document_that_is_not_a_mapping():
    assert problems_of(["format"])[0].path == ""


def test_it_refuses_a_float_max():
    doc = document(leaf("1", 1, "binary"))
    doc["criteria"][0]["max"] = 1.0
    doc["max_total"] = D(1)
    problem = single_problem(doc)
    assert problem.path == "criteria[0].max"
    assert "float" in problem.message


# -- round trip ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_doc():
    return scoring.load_path(REFERENCE_PATH)


def test_it_round_trips_the_reference_framework(reference_doc):
    framework = scoring.parse_framework(copy.deepcopy(reference_doc))
    written = scoring.framework_to_dict(framework)
    again = scoring.framework_to_dict(scoring.parse_framework(copy.deepcopy(written)))
    assert again == written
    assert written["criteria"][0]["code"] == "I"
    assert written["decision"] == {"number": "1325/QĐ-UBND", "date": dt.date(2023, 6, 23)}
    assert len(framework.nodes) == 64


def test_it_round_trips_the_reference_framework_through_yaml_text(reference_doc):
    written = scoring.framework_to_dict(scoring.parse_framework(reference_doc))
    reread = scoring.framework_to_dict(scoring.parse_framework(scoring.loads(scoring.dumps(written))))
    assert reread == written


def test_it_round_trips_non_default_params():
    doc = document(
        leaf("a", 2, "proportional", target=D("0.9")),
        leaf(
            "b",
            2,
            "tiered",
            tiers=[{"min": D(1), "points": D(2)}, {"min": D("0.5"), "points": D("0.5")}],
            default=D("0.25"),
        ),
        leaf("c", 2, "timeliness", late=[{"within_days": 5, "points": D(1)}], default=D("0.5")),
        leaf("d", 2, "manual", step=D("0.25")),
        leaf("e", 2, "deduction", per_item=D("0.5")),
        classification=BANDS,
    )
    written = scoring.framework_to_dict(scoring.parse_framework(doc))
    assert written["criteria"][0]["rule"] == {"kind": "proportional", "params": {"target": D("0.9")}}
    assert written["criteria"][3]["rule"] == {"kind": "manual", "params": {"step": D("0.25")}}
    assert scoring.framework_to_dict(scoring.parse_framework(scoring.loads(scoring.dumps(written)))) == written


# -- files.loads --------------------------------------------------------------------------

YAML_DOC = """\
format: parindex-framework/1
code: T-1
name: Thử
max_total: 1.5
criteria:
  - code: 3.10
    name: Mã số viết không có nháy
    max: 1.5
    rule: {kind: proportional}
ratio: 0.337
"""


def test_it_loads_numbers_as_exact_decimals():
    data = scoring.loads(YAML_DOC)
    assert type(data["ratio"]) is D
    assert data["ratio"] == D("0.337")
    assert str(data["ratio"]) == "0.337"
    assert str(data["criteria"][0]["code"]) == "3.10"


def test_it_keeps_the_trailing_zero_of_an_unquoted_code():
    framework = scoring.parse_framework(scoring.loads(YAML_DOC))
    assert [node.code for node in framework.nodes] == ["3.10"]
    assert framework.extra == {"ratio": D("0.337")}


def test_it_refuses_a_key_written_twice():
    with pytest.raises(scoring.DocumentInvalid) as caught:
        scoring.loads("a: 1\nb:\n  c: 2\n  c: 3\n")
    (problem,) = caught.value.problems
    assert problem.path == "dòng 4"
    assert "'c'" in problem.message


def test_it_reports_broken_yaml_with_its_line():
    with pytest.raises(scoring.FileUnreadable) as caught:
        scoring.loads("format: parindex-framework/1\ncriteria:\n  - code: [1\n  - name: x\n")
    assert "dòng" in str(caught.value)
    assert any(f"dòng {n}," in str(caught.value) for n in (3, 4))


def test_it_loads_json_with_decimals():
    data = scoring.loads('{"value": 0.337, "max": 2, "big": 1e2}', json_only=True)
    assert data == {"value": D("0.337"), "max": 2, "big": D("1e2")}
    assert type(data["value"]) is D
    assert type(data["max"]) is int


def test_it_refuses_a_json_key_written_twice():
    with pytest.raises(scoring.DocumentInvalid):
        scoring.loads('{"a": 1, "a": 2}', json_only=True)


def test_it_reports_broken_json_with_its_line():
    with pytest.raises(scoring.FileUnreadable, match="dòng 2"):
        scoring.loads('{"a": 1,\n "b": }', json_only=True)


def test_it_loads_a_json_file_by_extension(tmp_path):
    path = tmp_path / "f.json"
    path.write_text('{"value": 0.8}', encoding="utf-8")
    assert scoring.load_path(path) == {"value": D("0.8")}


def test_it_reports_a_missing_file_as_unreadable(tmp_path):
    with pytest.raises(scoring.FileUnreadable, match="không tìm thấy"):
        scoring.load_path(tmp_path / "nothing.yaml")


def test_it_names_a_missing_band_minimum_in_words():
    doc = document(leaf("1", 1, "binary"))
    doc["classification"] = [{"label": "Tốt", "min": D(80)}, {"label": "Yếu"}]
    (problem,) = problems_of(doc)
    assert (
        problem.path == "classification[1].min" and "thiếu ngưỡng" in problem.message and "None" not in problem.message
    )


def test_it_gives_a_nodes_own_problems_its_code_even_after_a_duplicate():
    doc = document(
        parent("1", leaf("1.1", 1, "binary"), {"code": "1.1", "name": "", "max": D(1), "rule": {"kind": "binary"}})
    )
    problems = problems_of(doc)
    assert {p.code for p in problems} == {"1.1"}
    assert any("bị trùng" in p.message for p in problems) and any("không được để trống" in p.message for p in problems)


def test_it_refuses_a_criterion_code_with_spaces():
    (problem,) = problems_of(document(leaf("1 a", 1, "binary")))
    assert problem.code == "1 a" and "chỉ được gồm" in problem.message


def test_it_refuses_a_unit_kind_written_twice():
    doc = document(leaf("1", 1, "binary"))
    doc["applies_to"] = ["xa", "phuong", "xa"]
    (problem,) = problems_of(doc)
    assert problem.path == "applies_to[2]" and "hai lần" in problem.message


def test_it_refuses_a_negative_max_total():
    doc = document(leaf("1", 1, "binary"))
    doc["max_total"] = D(-1)
    assert any(p.path == "max_total" and "không được âm" in p.message for p in problems_of(doc))


def test_the_content_hash_is_the_sha256_of_the_canonical_yaml_computed_once(monkeypatch):
    import hashlib

    from parindex.scoring import files

    framework = scoring.parse_framework(scoring.load_path(REFERENCE_PATH))
    text = scoring.dumps(scoring.framework_to_dict(framework))
    assert framework.content_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    # The same document parsed again has the same hash; a changed one another.
    again = scoring.parse_framework(scoring.load_path(REFERENCE_PATH))
    assert again.content_sha256 == framework.content_sha256
    changed = scoring.load_path(REFERENCE_PATH)
    changed["name"] += " (sửa đổi)"
    assert scoring.parse_framework(changed).content_sha256 != framework.content_sha256
    # Kept on the (immutable) framework: the YAML is not written again.
    monkeypatch.setattr(files, "dumps", lambda data: pytest.fail("written again"))
    assert framework.content_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
