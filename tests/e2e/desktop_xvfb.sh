#!/usr/bin/env bash
# End-to-end check of the desktop (issue 5): runs the release `flowline` binary on the embedded demo backend in a
# virtual X server, waits until the dashboard is painted with data (the app logs "first dashboard painted" once),
# saves a screenshot, reads the app's resident memory, stops the app and the X server.
#
#   tests/e2e/desktop_xvfb.sh [SCREENSHOT.png]          (default: target/e2e/desktop-dashboard.png)
#
# Environment:
#   FLOWLINE_BIN             the binary to run; default: build it with `cargo build --release -p flowline-desktop`
#   FLOWLINE_E2E_DATA_DIR    the demo's data folder (kept; a seeded one measures a start with the cache present);
#                            default: a fresh temporary folder, so the first start simulates 24 months of 50 wells
#   FLOWLINE_E2E_TIMEOUT     seconds to wait for the painted dashboard (default 600: a first start seeds the demo)
#   FLOWLINE_E2E_SETTLE      seconds between the painted dashboard and the screenshot (default 2)
#   FLOWLINE_E2E_DISPLAY     X display number (default: the first free one from 99 up)
#   FLOWLINE_E2E_LOG         also copy the app's log to this file (a failed run keeps it in its temporary folder)
#
# Needs: Xvfb, ImageMagick (import, identify) and Mesa's OpenGL (libgl1-mesa-dri, libegl1); .ci/run installs them.
# Prints one summary line, e.g.
#   desktop_xvfb: ok first_dashboard_ms=206 app_ms=85 rss_mib=160.4 peak_rss_mib=160.4 colours=3061 errors=0 screenshot=...
# (first_dashboard_ms: from launching the process to the logged first painted dashboard; app_ms: from the app's
# creation, after the window opened; rss: VmRSS and VmHWM of the process once painted and settled.)
# Exits non-zero, with the reason and the end of the app's log, when anything fails. It asserts no timing.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() {
  printf 'desktop_xvfb: FAILED: %s\n' "$*" >&2
  if [ -n "${app_log:-}" ] && [ -s "$app_log" ]; then
    printf -- '--- last lines of the app log (%s) ---\n' "$app_log" >&2
    tail -n 40 "$app_log" >&2
  fi
  exit 1
}

for tool in Xvfb import identify; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (apt-get install xvfb imagemagick)"
done

screenshot=${1:-target/e2e/desktop-dashboard.png}
mkdir -p "$(dirname "$screenshot")"
timeout_s=${FLOWLINE_E2E_TIMEOUT:-600}
settle_s=${FLOWLINE_E2E_SETTLE:-2}

if [ -n "${FLOWLINE_BIN:-}" ]; then
  bin=$FLOWLINE_BIN
else
  cargo build --release -p flowline-desktop --bin flowline
  bin=target/release/flowline
fi
[ -x "$bin" ] || fail "no executable at $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/flowline-e2e.XXXXXX")
app_log=$work/flowline.log
xvfb_pid=""
app_pid=""
cleanup() {
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
    kill -TERM "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$app_pid" 2>/dev/null || true
  fi
  if [ -n "$xvfb_pid" ]; then
    kill -TERM "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  # The log stays for a failed run's message; a successful run removes the folder.
  if [ "${keep_work:-1}" = 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

data_dir=${FLOWLINE_E2E_DATA_DIR:-$work/data}
mkdir -p "$data_dir" "$work/home"

# A free display: no lock file and no socket.
display=${FLOWLINE_E2E_DISPLAY:-}
if [ -z "$display" ]; then
  display=99
  while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
fi
Xvfb ":$display" -screen 0 1920x1080x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 100); do
  [ -S "/tmp/.X11-unix/X$display" ] && break
  kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb :$display did not start: $(cat "$work/xvfb.log")"
  sleep 0.1
done
[ -S "/tmp/.X11-unix/X$display" ] || fail "Xvfb :$display did not open its socket within 10 s"

# The app on the embedded demo, with its own HOME and data folder; plain log lines (no colours) to parse.
launched_ns=$(date +%s%N)
env DISPLAY=":$display" HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
  NO_COLOR=1 RUST_LOG="info,wgpu=warn,eframe=warn,egui_glow=warn" \
  "$bin" --data-dir "$data_dir" >"$app_log" 2>&1 &
app_pid=$!

deadline=$(($(date +%s) + timeout_s))
line=""
while :; do
  line=$(grep -m1 'first dashboard painted' "$app_log" | sed 's/\x1b\[[0-9;]*m//g' || true)
  [ -n "$line" ] && break
  kill -0 "$app_pid" 2>/dev/null || fail "the app exited before painting the dashboard"
  [ "$(date +%s)" -lt "$deadline" ] || fail "no painted dashboard within $timeout_s s"
  sleep 0.05
done

# The log line's own timestamp (tracing's RFC 3339 UTC), so the poll interval does not count.
stamp=${line%% *}
painted_ns=$(date -d "$stamp" +%s%N 2>/dev/null) || painted_ns=$(date +%s%N)
first_dashboard_ms=$(((painted_ns - launched_ns) / 1000000))
app_ms=$(sed -n 's/.*since_app_created_ms=\([0-9]*\).*/\1/p' <<<"$line")

sleep "$settle_s"
kill -0 "$app_pid" 2>/dev/null || fail "the app exited after painting the dashboard"
rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$app_pid/status")
peak_kib=$(awk '/^VmHWM:/ {print $2}' "/proc/$app_pid/status")

DISPLAY=":$display" import -window root "$screenshot" || fail "import could not take the screenshot"
colours=$(identify -format '%k' "$screenshot") || fail "identify could not read $screenshot"
# A painted dashboard has text, tiles and sparklines: hundreds of colours; a black or blank screen has one or two.
[ "$colours" -gt 16 ] || fail "the screenshot has only $colours colours: nothing painted"

[ -z "${FLOWLINE_E2E_LOG:-}" ] || cp "$app_log" "$FLOWLINE_E2E_LOG"
# Errors the app logged are shown (and counted in the summary) but do not fail the run: a demo start may log a
# missing audio player or a transient connection error without anything being wrong with the dashboard.
errors=$(grep -c ' ERROR ' "$app_log" || true)
[ "$errors" = 0 ] || grep ' ERROR ' "$app_log" | head -n 10 >&2
keep_work=0
printf 'desktop_xvfb: ok first_dashboard_ms=%s app_ms=%s rss_mib=%s peak_rss_mib=%s colours=%s errors=%s screenshot=%s\n' \
  "$first_dashboard_ms" "${app_ms:-?}" "$(awk -v k="$rss_kib" 'BEGIN {printf "%.1f", k / 1024}')" \
  "$(awk -v k="$peak_kib" 'BEGIN {printf "%.1f", k / 1024}')" "$colours" "$errors" "$screenshot"
