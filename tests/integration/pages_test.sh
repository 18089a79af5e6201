#!/usr/bin/env bash
# The status pages in a real browser: headless Chromium from Debian loads /, a filtered /,
# /checks/NAME and /status at 1400 and 400 pixels wide, saves screenshots (to look at), and
# the DOM it built is checked: states, uptime percentages, groups, the filter, the banner, the
# announcement, and no jargon on the public page. Badges are checked with curl.
# Usage: pages_test.sh PROBER TARGET_SERVER [SCREENSHOT_DIR]
set -uo pipefail
prober=$1
source "$(dirname "$0")/lib.sh"
start_target "$2"
shots=${3:-$work/screenshots}
mkdir -p "$shots"

cat >"$work/checks.toml" <<TOML
[prober]
state_dir = "$work/state"
status_group_by = "team"

[defaults]
interval = "1s"
timeout = "900ms"
failure_threshold = 2

[[check]]
name = "checkout"
url = "$target/ok"
labels = { team = "payments" }
assert = ["status == 200"]

[[check]]
name = "cart"
url = "$target/status/503"
labels = { team = "payments" }
assert = ["status == 200"]

[[check]]
name = "search"
url = "$target/slow?ms=200"
labels = { team = "discovery" }
assert = ["status == 200"]
degraded = ["latency < 50ms"]

[[check]]
name = "docs"
url = "$target/ok"
labels = { team = "web" }
assert = ["status == 200"]

[[announcement]]
text = "The search index is rebuilt tonight from 22:00 UTC; results may be incomplete."
level = "info"
TOML
start_daemon "$prober" "$work/checks.toml" "$work/prober.log"

# The pages read uptime worked out every 10 s off the loop: wait until the API has it.
uptime_known() {
  curl -sf "$api/api/v1/checks/cart" | jq -e '.uptime["24h"] == 0 and .alert_firing' >/dev/null &&
    curl -sf "$api/api/v1/checks/checkout" | jq -e '.uptime["24h"] == 100' >/dev/null
}
expect "the uptime reaches the API (0 % for cart, 100 % for checkout)" wait_up_to 40 uptime_known

# browser WIDTH NAME PATH: a screenshot to SHOTS/NAME-WIDTH.png and the DOM to WORK/NAME.html.
browser() {
  local width=$1 name=$2 path=$3
  local flags=(--headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --disable-extensions --user-data-dir="$work/chromium" --window-size="$width,1400")
  timeout 60 chromium "${flags[@]}" --screenshot="$shots/$name-$width.png" "$api$path" \
    >/dev/null 2>>"$work/chromium.log"
  timeout 60 chromium "${flags[@]}" --dump-dom "$api$path" >"$work/$name-$width.html" \
    2>>"$work/chromium.log"
}
contains() { grep -qF -- "$2" "$work/$1"; }

for width in 1400 400; do
  browser "$width" dashboard "/"
  browser "$width" failing "/?q=state%3Afailing"
  browser "$width" check "/checks/cart"
  browser "$width" status "/status"
  expect "a $width px screenshot of each page" \
    test -s "$shots/dashboard-$width.png" -a -s "$shots/check-$width.png" -a -s "$shots/status-$width.png"
done

d=dashboard-1400.html
expect "/ sets a viewport for phones" contains $d '<meta name="viewport" content="width=device-width'
expect "/ shows cart failing" contains $d 'id="check-cart" data-state="failing"'
expect "/ shows search degraded" contains $d 'id="check-search" data-state="degraded"'
expect "/ shows checkout passing" contains $d 'id="check-checkout" data-state="passing"'
expect "/ shows 100.00 % uptime" contains $d '100.00 %'
expect "/ shows 0.00 % uptime" contains $d '0.00 %'
expect "/ groups by team" bash -c "grep -qF 'team: payments' '$work/$d' && grep -qF 'team: discovery' '$work/$d'"
expect "/ draws recent runs on a time axis with a text summary" contains $d 'aria-label="Latency of the last'
expect "/ says when the last failure was, with the full time on hover" \
  bash -c "grep -qE '<time datetime=\"[0-9T:.-]+Z\" title=\"[0-9 :-]+ UTC\">' '$work/$d'"
f=failing-1400.html
expect "/?q=state:failing says how many match" contains $f '1 of 4 checks match'
expect "/?q=state:failing lists cart" contains $f 'id="check-cart"'
expect "/?q=state:failing leaves checkout out" bash -c "! grep -qF 'id=\"check-checkout\"' '$work/$f'"
c=check-1400.html
expect "/checks/cart puts the state first" contains $c 'cart <span class="state failing">'
expect "/checks/cart groups failed runs into an outage" contains $c 'down since'
expect "/checks/cart names the failed assertion" contains $c 'status == 200 (got 503)'
expect "/checks/cart draws latency by phase" contains $c 'aria-label="Latency by phase'
expect "/checks/cart shows availability per hour and per day" \
  bash -c "grep -qF 'Availability per hour' '$work/$c' && grep -qF 'Availability per day' '$work/$c'"
expect "/checks/cart lists the alert that fired" contains $c 'alert fired'
s=status-1400.html
expect "/status has one banner with role=status" test "$(grep -o 'role="status"' "$work/$s" | wc -l)" -eq 1
expect "/status says some systems have problems" contains $s 'Some systems have problems'
expect "/status shows the announcement" contains $s 'The search index is rebuilt tonight'
expect "/status says cart is down, in plain words" contains $s '<b>cart</b> is down.'
expect "/status names each group's state" contains $s 'payments</span> <span class="state failing">'
for word in assert latency probe 503 "status ==" metric; do
  expect "/status has no jargon: $word" bash -c "! grep -qiF -- '$word' '$work/$s'"
done
for page in dashboard check status; do
  expect "$page: no script and nothing fetched from elsewhere (works offline)" \
    bash -c "! grep -qiE '<script|<link|(src|href)=\"(https?:)?//' '$work/$page-1400.html'"
done
expect "the 400 px DOM is the same page (the layout is CSS)" contains status-400.html 'Some systems have problems'

expect "a status badge is SVG saying failing" bash -c \
  "curl -sf -D '$work/badge.h' '$api/badge/cart/status.svg' | grep -qF '>failing</text>' && grep -qi '^content-type: image/svg+xml' '$work/badge.h'"
expect "an uptime badge says 100.00%" bash -c "curl -sf '$api/badge/checkout/uptime/30d.svg' | grep -qF '>100.00%</text>'"
expect "a badge for an unknown check is 404" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "$api/badge/nothing/status.svg")" == 404
echo "screenshots in $shots"
finish
