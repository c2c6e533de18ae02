from click.testing import CliRunner

from copisdsl import __version__
from copisdsl.cli import main


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_check_typo_in_flow_prints_caret_and_hint(tmp_path):
    f = tmp_path / "a.copis"
    f.write_text('journey j "J" {\n  stage s "S" {\n    touchpoint checkout "C" {}\n  }\n'
                 '  flow checkout -> chekout\n}\n')
    result = CliRunner().invoke(main, ["check", str(f)])
    assert result.exit_code == 1
    assert f"{f.as_posix()}:5:20: E201 error: unknown flow endpoint 'chekout'" in result.output
    assert "   |                    ^^^^^^^\n" in result.output
    assert "hint: did you mean 'checkout'?" in result.output
