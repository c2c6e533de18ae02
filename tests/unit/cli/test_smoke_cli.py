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


def test_own_process_exits_fast_with_every_line_written(tmp_path):
    """`copis` ends its process without teardown (cli.end_process): the exit
    code and all of the output, to a pipe or a file, must survive that."""
    import subprocess
    import sys

    f = tmp_path / "a.copis"
    f.write_text("journey j \"J\" {\n" + "".join(f"  stage s{i} \"S\" {{}}\n" for i in range(400)) + "}\n")
    done = subprocess.run([sys.executable, "-m", "copisdsl", "check", str(f)], capture_output=True, text=True)
    assert done.returncode == 0  # warnings only
    assert done.stdout.count("W305 warning") == 400
    assert done.stdout.endswith("1 file, 0 errors, 400 warnings\n")
    out = tmp_path / "out.json"
    with open(out, "w") as handle:
        done = subprocess.run([sys.executable, "-m", "copisdsl", "check", "--strict", "--format", "json", str(f)],
                              stdout=handle)
    assert done.returncode == 1
    assert out.read_text().rstrip().endswith("}")
