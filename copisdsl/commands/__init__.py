"""One module per `copis` subcommand beyond `check`, each registering itself
on ``copisdsl.cli.main``. Modules import heavy libraries inside the command
function only, so that loading them all keeps `copis --version` fast."""
