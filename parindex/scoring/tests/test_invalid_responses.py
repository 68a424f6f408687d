"""Invalid responses are errors, never silently fixed (formats.md §2), all reported at once."""

from __future__ import annotations

import pytest

from parindex import scoring
from parindex.scoring.tests._helpers import D, build, leaf, parent


@pytest.fixture(scope="module")
def framework() -> scoring.Framework:
    late = [{"within_days": 5, "points": D(1)}]
    tiers = [{"min": D(1), "points": D(2)}]
    return build(
        parent(
            "1",
            leaf("1.1", 1, "binary"),
            leaf("1.2", 2, "proportional"),
            leaf("1.3", 2, "tiered", tiers=tiers),
        ),
        parent(
            "2",
            leaf("2.1", 2, "count", per_item=D(1)),
            leaf("2.2", 4, "deduction", per_item=D("0.5")),
            leaf("2.3", 2, "timeliness", late=late),
            leaf("2.4", 2, "manual", step=D("0.25")),
        ),
    )


def bad(id_: str, code: str, response, key: str | None, message: str):
    return pytest.param(code, response, key, message, id=id_)


INVALID = [
    # the list in formats.md §2
    bad("negative-count", "2.1", {"count": -1}, "count", "không được âm"),
    bad("negative-deduction-count", "2.2", {"count": -2}, "count", "không được âm"),
    bad("ratio-below-0", "1.2", {"value": D("-0.1")}, "value", "không được âm"),
    bad("tiered-ratio-below-0", "1.3", {"value": D("-1")}, "value", "không được âm"),
    bad("negative-numerator", "1.2", {"numerator": -1, "denominator": 4}, "numerator", "không được âm"),
    bad("negative-denominator", "1.2", {"numerator": 1, "denominator": -4}, "denominator", "không được âm"),
    bad("denominator-0", "1.2", {"numerator": 0, "denominator": 0}, "denominator", "applicable: false"),
    bad("tiered-denominator-0", "1.3", {"numerator": D(3), "denominator": D(0)}, "denominator", "mẫu số bằng 0"),
    bad("manual-above-max", "2.4", {"score": D("2.25")}, "score", "lớn hơn điểm tối đa"),
    bad("manual-off-grid", "2.4", {"score": D("1.1")}, "score", "bội số"),
    bad("key-of-another-kind-on-proportional", "1.2", {"count": 3}, "count", "không thuộc cách chấm proportional"),
    bad("key-of-another-kind-on-binary", "1.1", {"value": D(1)}, "value", "không thuộc cách chấm binary"),
    bad("unknown-key-next-to-a-good-one", "2.1", {"count": 1, "note": "x"}, "note", "không thuộc cách chấm count"),
    # further invalid input
    bad(
        "value-and-numerator", "1.2", {"value": D("0.5"), "numerator": 1, "denominator": 2}, "value", "không ghi cả hai"
    ),
    bad("value-and-denominator", "1.3", {"value": D("0.5"), "denominator": 2}, "value", "không ghi cả hai"),
    bad("numerator-without-denominator", "1.2", {"numerator": 3}, "denominator", "cả tử số"),
    bad("denominator-without-numerator", "1.2", {"denominator": 3}, "numerator", "cả tử số"),
    bad("met-a-string", "1.1", {"met": "yes"}, "met", "true"),
    bad("met-an-int", "1.1", {"met": 1}, "met", "true"),
    bad("met-null", "1.1", {"met": None}, "met", "true"),
    bad("applicable-a-string", "1.1", {"met": True, "applicable": "false"}, "applicable", "true hoặc false"),
    bad("applicable-an-int", "1.2", {"applicable": 0}, "applicable", "true hoặc false"),
    bad("float-value", "1.2", {"value": 0.8}, "value", "float"),
    bad("float-tiered-value", "1.3", {"value": 0.8}, "value", "float"),
    bad("float-numerator", "1.2", {"numerator": 0.5, "denominator": 1}, "numerator", "float"),
    bad("float-count", "2.1", {"count": 1.0}, "count", "float"),
    bad("float-days-late", "2.3", {"days_late": 2.0}, "days_late", "float"),
    bad("float-manual-score", "2.4", {"score": 1.5}, "score", "float"),
    bad("fractional-count", "2.1", {"count": D("1.5")}, "count", "số nguyên"),
    bad("bool-count", "2.1", {"count": True}, "count", "số nguyên"),
    bad("fractional-days-late", "2.3", {"days_late": D("0.5")}, "days_late", "số nguyên"),
    bad("text-value", "1.2", {"value": "tám mươi"}, "value", "không phải là số"),
    bad("infinite-value", "1.2", {"value": D("Infinity")}, "value", "hữu hạn"),
    bad("nan-value-proportional", "1.2", {"value": D("NaN")}, "value", "hữu hạn"),
    bad("nan-value-tiered", "1.3", {"value": D("NaN")}, "value", "hữu hạn"),
    bad("nan-numerator", "1.2", {"numerator": D("NaN"), "denominator": D(1)}, "numerator", "hữu hạn"),
    bad("response-not-a-mapping", "1.2", D("0.8"), None, "bảng khóa"),
    bad("bad-value-even-when-not-applicable", "1.2", {"applicable": False, "value": D(-1)}, "value", "không được âm"),
]


@pytest.mark.parametrize(("code", "response", "key", "message"), INVALID)
def test_it_refuses_an_invalid_response_and_names_its_code(framework, code, response, key, message):
    with pytest.raises(scoring.ResponsesInvalid) as caught:
        scoring.score(framework, {code: response})
    (problem,) = caught.value.problems
    assert problem.code == code
    assert problem.path == (f'responses."{code}".{key}' if key else f'responses."{code}"')
    assert message in problem.message
    assert code in str(caught.value)


def test_it_refuses_a_code_not_in_the_framework(framework):
    with pytest.raises(scoring.ResponsesInvalid) as caught:
        scoring.score(framework, {"1.1": {"met": True}, "9.9": {"met": True}})
    (problem,) = caught.value.problems
    assert problem.path == 'responses."9.9"'
    assert "'9.9'" in problem.message
    assert "TEST-1" in problem.message


@pytest.mark.parametrize("code", ["1", "2"])
def test_it_refuses_a_response_on_a_parent_node(framework, code):
    with pytest.raises(scoring.ResponsesInvalid) as caught:
        scoring.score(framework, {code: {"met": True}})
    (problem,) = caught.value.problems
    assert problem.code == code
    assert problem.path == f'responses."{code}"'
    assert "tiêu chí thành phần" in problem.message


def test_it_reports_every_problem_at_once(framework):
    responses = {
        "1.1": {"met": True},  # fine
        "1.2": {"numerator": 1, "denominator": 0},
        "2.1": {"count": -1},
        "2.4": {"score": D(3)},
        "9.9": {"count": 1},
    }
    with pytest.raises(scoring.ResponsesInvalid) as caught:
        scoring.score(framework, responses)
    paths = [problem.path for problem in caught.value.problems]
    assert paths == [
        'responses."1.2".denominator',
        'responses."2.1".count',
        'responses."2.4".score',
        'responses."9.9"',
    ]


def test_it_reports_two_bad_responses_as_two_problems(framework):
    with pytest.raises(scoring.ResponsesInvalid) as caught:
        scoring.score(framework, {"1.2": {"value": D(-1)}, "2.3": {"days_late": "hôm qua"}})
    assert [p.code for p in caught.value.problems] == ["1.2", "2.3"]


def test_it_is_a_scoring_error_with_readable_text(framework):
    with pytest.raises(scoring.ScoringError) as caught:
        scoring.score(framework, {"2.1": {"count": -1}})
    assert isinstance(caught.value, scoring.ProblemsError)
    assert str(caught.value).startswith('2.1 (responses."2.1".count): ')
