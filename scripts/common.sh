# Shared by scripts/test and scripts/release (sourced, not run): messages, and
# installing Debian packages with apt-get as root or through sudo.

section() { printf '\n==> %s\n' "$*"; }
ok() { printf '    %s\n' "$*"; }
die() { printf 'scripts/%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $*"
    fi
}

apt_updated=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "install these first (no apt-get here): $*"
    if [ "$apt_updated" = 0 ]; then
        ok "apt-get update"
        as_root apt-get update -qq
        apt_updated=1
    fi
    ok "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
