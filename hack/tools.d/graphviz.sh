#!/usr/bin/env bash
# graphviz: Debian's `dot`, to prove that `sextant lineage --format dot` output is valid DOT
# (Tests/SextantControllersTests/LineageE2ETests.swift). Unpacked with `apt-get download` +
# `dpkg -x` into .sextant/graphviz (no root install); .sextant/bin/dot is a wrapper that sets
# LD_LIBRARY_PATH to the unpacked libraries and GVBINDIR to the plugins. Only the libraries
# Graphviz itself ships are unpacked: the core plugins (dot, svg, plain, json output) and the
# layout plugin need nothing else; the cairo/gd/X11 plugins stay unloadable (not needed).
GRAPHVIZ_PKGS="graphviz libgvc6 libcgraph6 libcdt5 libpathplan4 libxdot4 libgvpr2 liblab-gamut1 libann0 libgts-0.7-5 libltdl7"

install_graphviz() {
    local dir="$root/graphviz"
    if [ -x "$bin/dot" ] && "$bin/dot" -V >/dev/null 2>&1; then
        log "graphviz already installed ($("$bin/dot" -V 2>&1))"; return
    fi
    log "installing graphviz ($GRAPHVIZ_PKGS) into $dir"
    local tmp
    tmp="$(mktemp -d)"
    rm -rf "$dir"
    mkdir -p "$dir" "$bin"
    ( cd "$tmp" && apt-get download $GRAPHVIZ_PKGS >/dev/null ) || { [ -n "${APT_UPDATED:-}" ] || apt-get update -qq; ( cd "$tmp" && apt-get download $GRAPHVIZ_PKGS >/dev/null ); }
    for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$dir"; done
    rm -rf "$tmp"
    local libs="$dir/usr/lib/x86_64-linux-gnu"
    [ -d "$libs" ] || libs="$(dirname "$(find "$dir/usr/lib" -name 'libgvc.so.6*' | head -1)")"
    cat > "$bin/dot" <<WRAP
#!/usr/bin/env bash
# Graphviz from Debian packages unpacked by hack/tools.d/graphviz.sh.
export LD_LIBRARY_PATH="$libs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export GVBINDIR="$libs/graphviz"
exec "$dir/usr/bin/dot" "\$@"
WRAP
    chmod +x "$bin/dot"
    # Register the plugins (writes config6a next to them).
    "$bin/dot" -c 2>/dev/null || true
    "$bin/dot" -V >&2
}
