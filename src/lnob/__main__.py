from lnob.cli.main import entry

entry()
