#!/usr/bin/env bash
# prometheus + prometheus-pushgateway: Debian's packages, fetched with `apt-get download` and unpacked
# with `dpkg -x` into .sextant/prometheus/ (nothing installed on the system; apt's package lists are
# kept in .sextant/apt/ so even `apt-get update` leaves /var/lib/apt alone). Both are static Go
# binaries. The metric-trigger tests start them on free loopback ports
# (Tests/TestSupport/PrometheusPeer.swift): pushgateway, and prometheus scraping it every second.
PROMETHEUS_PKGS="prometheus prometheus-pushgateway"

install_prometheus() {
    local dest="$root/prometheus"
    if [ -x "$dest/usr/bin/prometheus" ] && [ -x "$dest/usr/bin/prometheus-pushgateway" ] \
        && "$dest/usr/bin/prometheus" --version >/dev/null 2>&1; then
        log "prometheus already installed ($("$dest/usr/bin/prometheus" --version 2>&1 | head -1))"; return
    fi
    local started; started=$(date +%s)
    local apt="$root/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dest"
    local opts=(-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Dir::State::status=/var/lib/dpkg/status"
                -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
    log "apt-get update into $apt (private lists)"
    apt-get "${opts[@]}" -qq update >&2
    local tmp; tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN
    log "apt-get download $PROMETHEUS_PKGS"
    (cd "$tmp" && apt-get "${opts[@]}" -qq download $PROMETHEUS_PKGS >&2)
    for deb in "$tmp"/*.deb; do
        dpkg -x "$deb" "$dest"
    done
    "$dest/usr/bin/prometheus" --version 2>&1 | head -1 >&2
    "$dest/usr/bin/prometheus-pushgateway" --version 2>&1 | head -1 >&2
    log "prometheus installed in $(( $(date +%s) - started )) s"
}
