from copisdsl.cli import run

run()
