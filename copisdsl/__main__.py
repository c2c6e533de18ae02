from copisdsl.cli import main

main()
