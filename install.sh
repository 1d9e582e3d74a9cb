#!/bin/sh
# Installs gv, the Go toolchain manager, from its signed release archives: no Rust needed.
#
#   curl -LsSf https://github.com/gv-dev/gv/releases/latest/download/install.sh | sh
#   curl -LsSf …/install.sh | sh -s -- --version 0.2.0
#
# Options:
#   --version VERSION           install this release instead of the newest
#   --insecure-skip-signature   do not check SHA256SUMS's signature (see "Checks" below)
#   -h, --help                  this text
# Environment:
#   GV_INSTALL_URL   where the releases are (default https://github.com/gv-dev/gv/releases);
#                    a mirror must be laid out the same way: BASE/latest/download/FILE and
#                    BASE/download/vVERSION/FILE. Plain http is accepted for 127.0.0.1 and
#                    localhost only.
#   GV_INSTALL_DIR   where gv and gv-shim go (default ~/.local/bin). Never uses sudo.
#
# Checks, before anything is installed:
#   1. SHA256SUMS.sig is an SSH signature (namespace gv-release) of SHA256SUMS by gv's
#      release key, written into this script below. It is checked with `ssh-keygen -Y
#      verify` (OpenSSH 8.1 or later: macOS, most Linux desktops) or, failing that, with
#      `openssl pkeyutl` (OpenSSL 1.1.1 or later: an ed25519 check of the same signed
#      bytes). Each tool first proves it can check ed25519 signatures on a known-good
#      sample, so a tool too old to check is never mistaken for a bad signature. With
#      neither tool the installer stops, unless --insecure-skip-signature.
#   2. The archive's sha256 is the one SHA256SUMS lists for it.
# Everything is downloaded into a temporary directory, removed on exit, interrupted or
# not; gv and gv-shim are renamed into place only after both checks pass.
#
# POSIX sh: tested under dash and bash.

set -u

# BEGIN RELEASE KEY (`cargo xtask sign` writes the signing key here; see RELEASING.md)
release_key_ssh='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7XAukqV6haVb0ohOZc11RtqugvhPeD9/Qx5CSsG2mO gv-release-2026'
release_key_pem='-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAHtcC6SpXqFpVvSiE5lzXVG2q6C+E94P39DHkJKwbaY4=
-----END PUBLIC KEY-----'
# END RELEASE KEY

default_url='https://github.com/gv-dev/gv/releases'
namespace='gv-release'

# Known-good samples the verifiers must accept before their verdict on the release counts.
# ssh-keygen: "hello" and a newline, signed with a throwaway key (not gv's).
probe_ssh_key='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDpl2eX8xKha26LEbYqrE9c4+ivlrS5xyGDI+ZPs/heQ probe'
probe_ssh_sig='-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgOmXZ5fzEqFrbosRtiqsT1zj6K+
WtLnHIYMj5k+z+F5AAAAAKZ3YtcmVsZWFzZQAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gt
ZWQyNTUxOQAAAEDk7dPnffIp8IAjHVtJdniP48FxiTGYSuxlHEH27za4NKAz8HWBOjHKz2
FqGCAzv5tpxVJcTPoRT/xICwxRdOYL
-----END SSH SIGNATURE-----'
# openssl: RFC 8032's second ed25519 test vector (the message is the one byte "r").
probe_pem='-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAPUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=
-----END PUBLIC KEY-----'
probe_sig='kqAJqfDUyrhyDoILX2QlQKKye1QWUD+Ps3YiI+vbadoIWsHkPhWZbkWPNhPQ8R2MOHsurrQwKu6wDSkWErsMAA=='

tmp=''
# The directory gv and gv-shim are being staged in, while they are.
staging=''

say() {
    printf 'gv-install: %s\n' "$*" >&2
}

# die MESSAGE [HINT]
die() {
    printf 'gv-install: error: %s\n' "$1" >&2
    if [ -n "${2:-}" ]; then
        printf '  hint: %s\n' "$2" >&2
    fi
    exit 1
}

cleanup() {
    if [ -n "$staging" ]; then
        rm -f "$staging/.gv-install-gv.$$" "$staging/.gv-install-gv-shim.$$"
    fi
    if [ -n "$tmp" ]; then
        rm -rf "$tmp"
    fi
}

usage() {
    cat <<'EOF'
Installs gv and gv-shim from gv's signed release archives.

Usage: install.sh [--version VERSION] [--insecure-skip-signature]
       curl -LsSf https://github.com/gv-dev/gv/releases/latest/download/install.sh | sh -s -- [OPTIONS]

  --version VERSION           install this release instead of the newest
  --insecure-skip-signature   do not check SHA256SUMS's signature (HTTPS and the
                              checksums alone vouch for the archive)

Environment:
  GV_INSTALL_URL   where the releases are (default https://github.com/gv-dev/gv/releases)
  GV_INSTALL_DIR   where gv and gv-shim go (default ~/.local/bin)
EOF
}

has() {
    command -v "$1" >/dev/null 2>&1
}

# download URL FILE: fails on HTTP errors, a connection that stalls for 30 s, a cut
# download (curl and wget both check the length the server announced).
download() {
    case "$1" in
        https://*) proto='=https' ;;
        *) proto='=http,https' ;;
    esac
    if has curl; then
        curl --proto "$proto" --tlsv1.2 --fail --silent --show-error --location \
            --connect-timeout 15 --speed-limit 1024 --speed-time 30 \
            --output "$2" "$1" 2>"$tmp/download.err"
    else
        if wget --version 2>/dev/null | grep -q 'GNU Wget'; then
            # GNU wget would retry a cut download 20 times.
            wget --quiet --timeout=30 --tries=2 --output-document="$2" "$1" 2>"$tmp/download.err"
        else
            # BusyBox's wget knows only short options, and no retries.
            wget -q -T 30 -O "$2" "$1" 2>"$tmp/download.err"
        fi
    fi
    status=$?
    if [ "$status" -ne 0 ]; then
        why=$(tail -n 1 "$tmp/download.err" 2>/dev/null)
        rm -f "$2"
        die "cannot download $1${why:+ ($why)}" \
            "check the network, or set GV_INSTALL_URL to a mirror of gv's releases"
    fi
}

sha256_of() {
    if has sha256sum; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif has shasum; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    elif has openssl; then
        openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
    else
        die "cannot compute a sha256: no sha256sum, shasum or openssl" \
            "install coreutils (sha256sum) or openssl"
    fi
}

# ssh_check SIGFILE MESSAGEFILE KEYLINE: 0 if ssh-keygen accepts the signature.
ssh_check() {
    printf 'signer namespaces="%s" %s\n' "$namespace" "$3" >"$tmp/allowed_signers"
    ssh-keygen -Y verify -f "$tmp/allowed_signers" -I signer -n "$namespace" \
        -s "$1" <"$2" >"$tmp/verify.log" 2>&1
}

# openssl_check SIGNEDFILE RAWSIGFILE PEMFILE: 0 if openssl accepts the raw ed25519 signature.
openssl_check() {
    openssl pkeyutl -verify -pubin -inkey "$3" -rawin -in "$1" -sigfile "$2" \
        >"$tmp/verify.log" 2>&1
}

# verify_signature SUMS SIG: proves SUMS was signed by the release key, or dies.
verify_signature() {
    if [ "$skip_signature" = 1 ]; then
        say "warning: not checking the signature of SHA256SUMS (--insecure-skip-signature):"
        say "  the archive is checked against SHA256SUMS, which is trusted only as far as HTTPS is"
        verified_by='nothing (--insecure-skip-signature)'
        return 0
    fi
    if has ssh-keygen; then
        printf 'hello\n' >"$tmp/probe.msg"
        printf '%s\n' "$probe_ssh_sig" >"$tmp/probe.sig"
        if ssh_check "$tmp/probe.sig" "$tmp/probe.msg" "$probe_ssh_key"; then
            if ssh_check "$2" "$1" "$release_key_ssh"; then
                verified_by='ssh-keygen'
                return 0
            fi
            die "SHA256SUMS.sig is not a valid signature of SHA256SUMS by gv's release key ($(tail -n 1 "$tmp/verify.log")): nothing was installed" \
                "the files were changed after gv's release was signed, or come from elsewhere; if GV_INSTALL_URL is a mirror, check it"
        fi
    fi
    if has openssl; then
        printf '%s\n' "$probe_pem" >"$tmp/probe.pem"
        printf 'r' >"$tmp/probe.msg"
        printf '%s' "$probe_sig" | openssl base64 -d -A >"$tmp/probe.raw" 2>/dev/null
        if openssl_check "$tmp/probe.msg" "$tmp/probe.raw" "$tmp/probe.pem"; then
            printf '%s\n' "$release_key_pem" >"$tmp/key.pem"
            # The bytes an SSH signature signs (OpenSSH's PROTOCOL.sshsig): the magic, the
            # namespace, an empty reserved field, the hash's name and SHA-512 of the file.
            {
                printf 'SSHSIG'
                printf '\000\000\000\012%s' "$namespace"
                printf '\000\000\000\000'
                printf '\000\000\000\006sha512'
                printf '\000\000\000\100'
                openssl dgst -sha512 -binary <"$1"
            } >"$tmp/signed"
            # The signature is the last 64 bytes of the armored blob.
            sed -e '/^-----/d' "$2" | tr -d '\r\n' | openssl base64 -d -A >"$tmp/sig.blob" 2>/dev/null
            tail -c 64 "$tmp/sig.blob" >"$tmp/sig.raw"
            if openssl_check "$tmp/signed" "$tmp/sig.raw" "$tmp/key.pem"; then
                verified_by='openssl'
                return 0
            fi
            die "SHA256SUMS.sig is not a valid signature of SHA256SUMS by gv's release key: nothing was installed" \
                "the files were changed after gv's release was signed, or come from elsewhere; if GV_INSTALL_URL is a mirror, check it"
        fi
    fi
    die "cannot check the release's signature: this machine has neither ssh-keygen (OpenSSH 8.1 or later) nor openssl (1.1.1 or later) able to verify ed25519 signatures" \
        "install one (apt-get install openssh-client, apk add openssh-keygen, dnf install openssh), or rerun with --insecure-skip-signature to trust HTTPS and the checksums alone"
}

# The release target of this machine: Rust's triple, as the archives are named.
detect_target() {
    os=$(uname -s)
    arch=$(uname -m)
    case "$os" in
        Linux) os_part='unknown-linux-musl' ;;
        Darwin)
            os_part='apple-darwin'
            # An x86_64 shell under Rosetta 2 on Apple Silicon: the machine is arm64.
            if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
                arch=arm64
            fi
            ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            die "this is Windows: use install.ps1" \
                "in PowerShell: irm $base/latest/download/install.ps1 | iex"
            ;;
        *) die "gv has no release for $os" "build it from source: cargo install --locked gv gv-shim" ;;
    esac
    case "$arch" in
        x86_64 | amd64) arch_part='x86_64' ;;
        aarch64 | arm64) arch_part='aarch64' ;;
        *) die "gv has no release for $os on $arch" "build it from source: cargo install --locked gv gv-shim" ;;
    esac
    target="$arch_part-$os_part"
}

# The line that sets gv up in the user's shell, and where it goes.
init_line() {
    case "${SHELL:-}" in
        */zsh) printf '  ~/.zshrc:    eval "$(gv init zsh)"\n' ;;
        */fish) printf '  ~/.config/fish/config.fish:    gv init fish | source\n' ;;
        */bash) printf '  ~/.bashrc:    eval "$(gv init bash)"\n' ;;
        *)
            printf '  ~/.bashrc:    eval "$(gv init bash)"\n'
            printf '  ~/.zshrc:     eval "$(gv init zsh)"\n'
            printf '  ~/.config/fish/config.fish:    gv init fish | source\n'
            ;;
    esac
}

main() {
    version=''
    skip_signature=0
    while [ $# -gt 0 ]; do
        case "$1" in
            --version)
                [ $# -ge 2 ] || die "--version needs a version, such as 0.2.0"
                version=${2#v}
                shift 2
                ;;
            --version=*)
                version=${1#--version=}
                version=${version#v}
                shift
                ;;
            --insecure-skip-signature)
                skip_signature=1
                shift
                ;;
            -h | --help)
                usage
                exit 0
                ;;
            *) die "unknown option $1" "see --help" ;;
        esac
    done
    case "$version" in
        *[!0-9A-Za-z.-]*) die "$version is not a gv version (such as 0.2.0)" ;;
    esac

    base=${GV_INSTALL_URL:-$default_url}
    base=${base%/}
    case "$base" in
        https://*) ;;
        http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/* | http://\[::1\]*) ;;
        http://*) die "GV_INSTALL_URL uses plain http for a host other than this machine: $base" "use https" ;;
        *) die "GV_INSTALL_URL is not an http(s) URL: $base" ;;
    esac
    dir=${GV_INSTALL_DIR:-${HOME:?HOME is not set}/.local/bin}

    has curl || has wget || die "neither curl nor wget is installed" "install one of them"
    for tool in tar gzip mktemp uname sed tr tail cut grep; do
        has "$tool" || die "$tool is not installed" "install it with your package manager"
    done
    detect_target

    tmp=$(mktemp -d 2>/dev/null || mktemp -d -t gv-install) || die "cannot create a temporary directory"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    if [ -n "$version" ]; then
        where="$base/download/v$version"
    else
        where="$base/latest/download"
    fi
    say "downloading $where/SHA256SUMS"
    download "$where/SHA256SUMS" "$tmp/SHA256SUMS"
    download "$where/SHA256SUMS.sig" "$tmp/SHA256SUMS.sig"
    verify_signature "$tmp/SHA256SUMS" "$tmp/SHA256SUMS.sig"

    # The archive for this target; its name says the version.
    line=$(grep -E "^[0-9a-f]{64}  gv-[0-9A-Za-z.-]+-$target\\.tar\\.gz\$" "$tmp/SHA256SUMS")
    count=$(printf '%s' "$line" | grep -c .)
    if [ "$count" -ne 1 ]; then
        die "the release at $where has no archive for $target" \
            "build gv from source: cargo install --locked gv gv-shim"
    fi
    expected=${line%%  *}
    archive=${line#*  }
    found=${archive#gv-}
    found=${found%-"$target".tar.gz}
    if [ -n "$version" ] && [ "$found" != "$version" ]; then
        die "the release at $where is gv $found, not $version"
    fi
    version=$found

    say "downloading $base/download/v$version/$archive"
    download "$base/download/v$version/$archive" "$tmp/$archive"
    actual=$(sha256_of "$tmp/$archive")
    if [ "$actual" != "$expected" ]; then
        die "$archive does not match the release's SHA256SUMS (expected sha256 $expected, got $actual): the download is corrupt or was tampered with; nothing was installed" \
            "try again; if it happens again, report it"
    fi

    mkdir "$tmp/x" && tar -xzf "$tmp/$archive" -C "$tmp/x" ||
        die "cannot unpack $archive"
    unpacked="$tmp/x/gv-$version-$target"
    for bin in gv gv-shim; do
        [ -f "$unpacked/$bin" ] || die "$archive has no $bin"
    done

    mkdir -p "$dir" || die "cannot create $dir" "set GV_INSTALL_DIR to a directory you can write"
    replacing=''
    [ -e "$dir/gv" ] && replacing=1
    # Staged beside their final names, then renamed: each name always holds a whole program.
    staging=$dir
    for bin in gv-shim gv; do
        new="$dir/.gv-install-$bin.$$"
        cp "$unpacked/$bin" "$new" && chmod 755 "$new" ||
            die "cannot write $new" "set GV_INSTALL_DIR to a directory you can write"
    done
    "$dir/.gv-install-gv.$$" --version >/dev/null 2>&1 ||
        die "the downloaded gv does not run on this machine ($target)"
    for bin in gv-shim gv; do
        mv -f "$dir/.gv-install-$bin.$$" "$dir/$bin" || die "cannot replace $dir/$bin"
    done
    staging=''
    if [ -n "$replacing" ]; then
        # Point existing shims at the new gv-shim (a no-op without a store).
        "$dir/gv" rehash >/dev/null 2>&1 || true
    fi

    printf 'installed gv %s (%s) in %s\n' "$version" "$target" "$dir"
    printf '  verified: SHA256SUMS signed by gv'"'"'s release key (checked with %s); %s matches it\n' \
        "$verified_by" "$archive"
    case ":${PATH:-}:" in
        *":$dir:"*) ;;
        *)
            printf '\n%s is not on PATH. Add it in your shell'"'"'s rc file:\n' "$dir"
            case "${SHELL:-}" in
                */fish) printf '  fish_add_path %s\n' "$dir" ;;
                *) printf '  export PATH="%s:$PATH"\n' "$dir" ;;
            esac
            ;;
    esac
    printf '\nThen set gv up: one line in your shell'"'"'s rc file (shims on PATH, versions switched as you cd):\n'
    init_line
    printf '\nand install Go:  gv install latest\n'
}

main "$@"
