#!/usr/bin/env bash
# `make run`: the web server and, beside it, the background worker that produces PDFs
# (manage.py db_worker). Ctrl+C, or stopping this script, stops both.
#   scripts/run.sh [HOST:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
address="${1:-127.0.0.1:8000}"
# links in PDFs and emails point where the app is served, unless told otherwise (`make run` says)
export SITE_URL="${SITE_URL:-http://$address}"

# Each runs in a process group of its own, so that stopping it also stops the process its
# autoreloader starts (in development both restart when the code changes).
groups=()
stop() {
  trap - EXIT INT TERM
  for group in "${groups[@]}"; do kill -TERM -- "-$group" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
# Ctrl+C (or a TERM from whoever started it) is how this script is meant to end: both
# processes are stopped and it exits 0, so `make run` does not end with "Error 130/143"
trap 'exit 0' INT TERM

setsid "$python" manage.py db_worker &
groups+=("$!")
echo "Background worker started: PDFs are produced while the server runs."
setsid "$python" manage.py runserver "$address" &
groups+=("$!")
# whichever stops first (the server, or the worker on an error) stops the other
wait -n
