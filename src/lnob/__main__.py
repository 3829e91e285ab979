"""``python -m lnob`` runs the command line."""

if __name__ == "__main__":
    from lnob.cli.main import entry

    entry()
