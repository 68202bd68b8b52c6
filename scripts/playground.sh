#!/usr/bin/env bash
# `make playground`: the local Teams client (Microsoft 365 Agents Playground) against `make run`.
# Usage: bash scripts/playground.sh [NICK]   NICK signs in as another demo person, e.g. MeganB.
# Environment: BOT_URL (default http://127.0.0.1:3978), PLAYGROUND_PORT (default 56150).
set -euo pipefail
cd "$(dirname "$0")/.."

BOT_URL="${BOT_URL:-http://127.0.0.1:3978}"
PLAYGROUND_PORT="${PLAYGROUND_PORT:-56150}"
STATE_DIR="var/playground"
mkdir -p "$STATE_DIR"

if ! command -v npm >/dev/null 2>&1; then
    echo "npm not found: install Node.js 20 or newer (for example: apt-get install -y nodejs npm)." >&2
    exit 1
fi
# The pinned versions live in package-lock.json; reinstall only when it changed.
if [ ! -x node_modules/.bin/agentsplayground ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
fi

if ! curl -fsS --max-time 3 "$BOT_URL/healthz" >/dev/null 2>&1; then
    echo "The bot does not answer on $BOT_URL/healthz." >&2
    echo "Start it first in another terminal with:  make run" >&2
    exit 1
fi

# The default config (Adele) is the committed .m365agentsplayground.yml; anyone else gets a
# generated copy under var/ so the committed file never changes.
config=".m365agentsplayground.yml"
if [ "${1:-}" != "" ]; then
    config="$STATE_DIR/as-$1.yml"
    python3 scripts/playground_config.py --as "$1" --output "$config"
fi
export M365_AGENTS_PLAYGROUND_CONFIG_PATH="$PWD/$config"
# The Playground writes its log under ./devTools by default; keep it out of the tree.
export M365_AGENTS_PLAYGROUND_LOGFILE="$PWD/$STATE_DIR/m365agentsplayground.log"
export TEAMSAPPTESTER_BROWSER=none

echo "Signed in as: $(grep -m1 -A2 '^currentUser:' "$config" | sed -n 's/^ *name: //p')"
echo "Open http://localhost:$PLAYGROUND_PORT in a browser (if the port is taken, the Playground"
echo "picks another one: use the port in its 'Listening on N' line). Ctrl+C stops it."
exec npx --no-install agentsplayground -e "$BOT_URL/api/messages" -c msteams \
    -p "$PLAYGROUND_PORT" --disable-telemetry
