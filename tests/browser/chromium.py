"""Debian's Chromium as this project runs it: where it is, and the flags that keep it quiet
on a machine with a closed network (without the background-networking ones it makes many
refused connections at every start). The browser tests launch it with these through
Playwright; ``benchmarks/pdfs.py`` prints PDFs with it headless."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
