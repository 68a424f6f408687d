from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parindex import scoring
from parindex.frameworks.files import REFERENCE_FRAMEWORK
from parindex.frameworks.models import FrameworkVersion
from parindex.frameworks.tests.factories import FIVE_PROBLEMS
from parindex.frameworks.workflow import Status

RESPONSES = """\
format: parindex-responses/1
framework: QT-XA-2023
unit: {code: "19345", name: Xã Triệu Trạch}
year: 2022
responses:
  "1.1.3": {value: 0.8}
  "3.13.1": {numerator: 337, denominator: 1000}
  "1.6": {count: 1}
  "2.4.4": {score: 1.8}
  "3.12": {met: false}
"""


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


class TestValidate:
    def test_it_summarises_a_valid_file(self):
        code, out, _ = run("framework", "validate", str(REFERENCE_FRAMEWORK))
        assert code == 0
        assert "QT-XA-2023, 64 tiêu chí, 53 tiêu chí chấm điểm, tổng điểm tối đa 100" in out

    def test_it_reports_all_five_problems_in_one_run_and_exits_1(self, tmp_path):
        code, out, _ = run("framework", "validate", write(tmp_path, "bad.yaml", FIVE_PROBLEMS))
        assert code == 1
        assert "5 lỗi" in out
        assert "1.1 (criteria[0].children[0].max): điểm tối đa 3 khác tổng điểm tối đa các tiêu chí con (1)" in out
        assert "mã tiêu chí '1.2' bị trùng" in out
        assert "1.3 (criteria[0].children[3]): tiêu chí vừa có tiêu chí con" in out
        assert "1.4 (criteria[0].children[4].rule.kind): cách chấm không hợp lệ: 'percent'" in out
        assert "1.5 (criteria[0].children[5].rule.params.tiers[0].points): điểm 3 lớn hơn điểm tối đa 2" in out

    @pytest.mark.parametrize(("content", "needle"), [(None, "không tìm thấy"), ("a: [", "YAML không hợp lệ ở dòng")])
    def test_it_exits_2_when_the_file_cannot_be_read(self, tmp_path, content, needle):
        path = str(tmp_path / "missing.yaml") if content is None else write(tmp_path, "broken.yaml", content)
        code, _, err = run("framework", "validate", path)
        assert code == 2 and needle in err


@pytest.mark.django_db
class TestImportExport:
    def test_it_imports_publishes_and_exports_yaml_that_round_trips(self, tmp_path, reference_spec):
        code, out, _ = run("framework", "import", str(REFERENCE_FRAMEWORK), "--publish")
        assert code == 0 and "QT-XA-2023 phiên bản 1" in out
        assert FrameworkVersion.objects.get().status == Status.PUBLISHED
        code, out, _ = run("framework", "export", "QT-XA-2023")
        assert code == 0
        assert scoring.framework_to_dict(scoring.parse_framework(scoring.loads(out))) == scoring.framework_to_dict(
            reference_spec
        )

    def test_it_exports_excel_to_a_file(self, tmp_path):
        run("framework", "import", str(REFERENCE_FRAMEWORK), "--publish")
        target = tmp_path / "qt.xlsx"
        code, out, _ = run("framework", "export", "QT-XA-2023", "--format", "xlsx", "--output", str(target))
        assert code == 0 and target.stat().st_size > 5000
        code, out, _ = run("framework", "validate", str(target))
        assert code == 0 and "hợp lệ: QT-XA-2023" in out

    def test_it_imports_for_a_province_and_refuses_the_code_to_anyone_else(self, province):
        code, out, _ = run("framework", "import", str(REFERENCE_FRAMEWORK), "--province", "44", "--publish")
        assert code == 0 and "QT-XA-2023 phiên bản 1" in out
        assert FrameworkVersion.objects.get().framework.owner == province
        code, out, _ = run("framework", "list")
        assert "QT-XA-2023\tv1\tĐã ban hành\tTỉnh Quảng Trị\t" in out
        with pytest.raises(CommandError, match="thuộc Tỉnh Quảng Trị; chỉ tỉnh đó được nạp phiên bản mới"):
            run("framework", "import", str(REFERENCE_FRAMEWORK))  # national: not the owner
        assert FrameworkVersion.objects.count() == 1

    def test_without_a_province_the_framework_is_national(self):
        run("framework", "import", str(REFERENCE_FRAMEWORK))
        assert FrameworkVersion.objects.get().framework.owner is None
        assert "\tDùng chung toàn quốc\t" in run("framework", "list")[1]

    def test_it_refuses_an_unknown_province_before_reading_anything(self, province, commune):
        for code in ("99", commune.code):  # no such unit; a commune is no province
            with pytest.raises(CommandError, match=f"Không có tỉnh mã {code}"):
                run("framework", "import", str(REFERENCE_FRAMEWORK), "--province", code)
        assert not FrameworkVersion.objects.exists()

    def test_it_says_when_a_code_is_unknown(self):
        code, _, err = run("framework", "export", "NOPE")
        assert code == 2 and "Không có bộ chỉ số NOPE" in err


@pytest.mark.django_db
class TestExtend:
    ARGS = ("framework", "extend", "QT-XA-2023", "--version", "1")

    def test_it_extends_a_published_version_with_its_decision(self):
        run("framework", "import", str(REFERENCE_FRAMEWORK), "--publish")
        code, out, _ = run(*self.ARGS, "--to", "2026", "--decision", "2156/QĐ-UBND", "--date", "2026-01-12")
        assert code == 0
        assert out.strip() == (
            "Đã kéo dài QT-XA-2023 phiên bản 1 (giai đoạn 2023–2025) đến năm 2026 "
            "theo Quyết định số 2156/QĐ-UBND ngày 12/01/2026."
        )
        version = FrameworkVersion.objects.get()
        assert (version.extended_to, version.applies_until) == (2026, 2026)
        assert (
            version.events.last().note == "Kéo dài thời gian áp dụng đến năm 2026 (QĐ số 2156/QĐ-UBND ngày 12/01/2026)"
        )

    def test_it_explains_a_refusal_an_unknown_version_and_a_bad_date(self):
        run("framework", "import", str(REFERENCE_FRAMEWORK))  # a draft
        with pytest.raises(CommandError, match="phiên bản đang áp dụng .*Năm kéo dài phải sau năm kết thúc"):
            run(*self.ARGS, "--to", "2025", "--decision", "2156/QĐ-UBND", "--date", "2026-01-12")
        with pytest.raises(CommandError, match="Không có bộ chỉ số QT-XA-2023 phiên bản 7"):
            run(
                "framework",
                "extend",
                "QT-XA-2023",
                "--version",
                "7",
                "--to",
                "2026",
                "--decision",
                "x",
                "--date",
                "2026-01-12",
            )
        with pytest.raises(CommandError, match="phải có dạng YYYY-MM-DD"):
            run(*self.ARGS, "--to", "2026", "--decision", "2156/QĐ-UBND", "--date", "12/01/2026")
        assert FrameworkVersion.objects.get().extended_to is None


class TestScore:
    def test_it_prints_the_json_contract(self, tmp_path):
        code, out, _ = run("score", str(REFERENCE_FRAMEWORK), write(tmp_path, "r.yaml", RESPONSES), "--json")
        assert code == 0
        result = json.loads(out)
        assert (result["framework"], result["unit"], result["year"]) == ("QT-XA-2023", "19345", 2022)
        assert result["nodes"]["1.1.3"] == {
            "score": "1.60", "max": "2", "applicable_max": "2", "lost": "0.40", "applicable": True,
            "explanation": "2 × 0.8 = 1.60",
        }  # fmt: skip
        assert result["nodes"]["3.13.1"]["score"] == "0.34"
        assert result["nodes"]["1.6"]["score"] == "1.00"
        assert result["total"] == "4.74" and result["max_total"] == "100" and result["percent"] == "4.74"
        assert "5.2" in result["missing"] and "1.1.3" not in result["missing"]

    def test_it_prints_a_readable_table_without_json(self, tmp_path):
        code, out, _ = run("score", str(REFERENCE_FRAMEWORK), write(tmp_path, "r.yaml", RESPONSES))
        assert code == 0
        assert "1.1.3       1.60 / 2" in out and "Tổng: 4.74 / 100" in out

    def test_it_exits_1_with_every_invalid_response_on_stderr(self, tmp_path):
        bad = RESPONSES.replace("{count: 1}", "{count: -1}").replace("{met: false}", "{met: false, value: 1}")
        code, out, err = run("score", str(REFERENCE_FRAMEWORK), write(tmp_path, "r.yaml", bad), "--json")
        assert code == 1 and out == ""
        assert "1.6" in err and "không được âm" in err
        assert "3.12" in err and "khóa 'value' không thuộc cách chấm binary" in err

    def test_it_exits_2_when_a_file_cannot_be_read(self, tmp_path):
        code, _, err = run("score", str(REFERENCE_FRAMEWORK), str(tmp_path / "none.yaml"), "--json")
        assert code == 2 and "không tìm thấy" in err

    def test_it_refuses_responses_for_another_framework(self, tmp_path):
        other = RESPONSES.replace("framework: QT-XA-2023", "framework: HN-XA-2022")
        code, _, err = run("score", str(REFERENCE_FRAMEWORK), write(tmp_path, "r.yaml", other), "--json")
        assert code == 1 and "không phải QT-XA-2023" in err

    @pytest.mark.django_db
    def test_it_scores_against_a_stored_framework_code(self, tmp_path):
        run("framework", "import", str(REFERENCE_FRAMEWORK), "--publish")
        code, out, _ = run("score", "QT-XA-2023", write(tmp_path, "r.yaml", RESPONSES), "--json")
        assert code == 0 and json.loads(out)["total"] == "4.74"


def test_the_installed_console_command_runs(tmp_path):
    exe = shutil.which("parindex", path=str(Path(sys.executable).parent))
    assert exe, "the parindex console script is installed with the package"
    done = subprocess.run(
        [exe, "framework", "validate", str(REFERENCE_FRAMEWORK)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "hợp lệ: QT-XA-2023" in done.stdout
    bad = write(tmp_path, "bad.yaml", FIVE_PROBLEMS)
    done = subprocess.run([exe, "framework", "validate", bad], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout.count("\n") >= 6
