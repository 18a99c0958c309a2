#!/usr/bin/env bash
# Builds a release of terraform-provider-qualys and writes, under dist/, everything needed to
# distribute it (packaging by scripts/release_package.py):
#
#   terraform-provider-qualys_VERSION_OS_ARCH.zip        one per target; inside, the binary
#                                                        terraform-provider-qualys_vVERSION
#   terraform-provider-qualys_VERSION_manifest.json      protocol version 6.0
#   terraform-provider-qualys_VERSION_SHA256SUMS         every zip and the manifest
#   terraform-provider-qualys_VERSION_SHA256SUMS.sig     when GPG_KEY_ID is set
#       -> the registry release assets (public registry, HCP Terraform private registry)
#   mirror/terraform.local/qualys/qualys/                index.json, VERSION.json, the zips
#       -> a provider network mirror: upload mirror/ as-is to any static HTTPS server
#
# Usage: scripts/release.sh [--target TRIPLE]... [--binary [OS_ARCH=]PATH]... [--dist DIR] VERSION
#
#   VERSION          must be the version in Cargo.toml (what `--version` prints)
#   --target TRIPLE  a Rust target to build (repeatable). Default: $TARGETS (space-separated)
#                    if set, else every target `rustup target list --installed` lists, else
#                    the host's (installed targets terraform has no platform for, such as
#                    wasm32, are skipped). Add targets with `rustup target add aarch64-apple-darwin`
#                    (cross-linking needs that platform's linker/SDK; on a Mac both darwin
#                    targets build natively).
#   --binary PATH    package PATH, a binary already built for this machine, instead of
#                    building (the tests package their debug build this way); it must
#                    report VERSION. Repeatable: OS_ARCH=PATH is a binary built elsewhere
#                    for that platform (e.g. windows_arm64=...exe, as the release workflow
#                    gathers them from its build machines), checked only when it is this
#                    machine's platform, since another platform's binary cannot run here
#   --dist DIR       output directory (default: dist/ in the repository)
#
# Environment: GPG_KEY_ID (sign the SHA256SUMS with that key, as the registries require),
# TARGETS, CARGO_TARGET_DIR. A re-run replaces this version's files; other versions already
# in dist/mirror stay listed in index.json, so a mirror directory can collect releases.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
die() { echo "release: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

targets=()
binaries=()
dist="$root/dist"
version=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target) [ $# -ge 2 ] || die "--target needs a value"; targets+=("$2"); shift 2 ;;
    --target=*) targets+=("${1#--target=}"); shift ;;
    --binary) [ $# -ge 2 ] || die "--binary needs a value"; binaries+=("$2"); shift 2 ;;
    --binary=*) binaries+=("${1#--binary=}"); shift ;;
    --dist) [ $# -ge 2 ] || die "--dist needs a value"; dist="$2"; shift 2 ;;
    --dist=*) dist="${1#--dist=}"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$version" ] || die "one VERSION only (got $version and $1)"; version="$1"; shift ;;
  esac
done
[ -n "$version" ] || die "usage: scripts/release.sh [--target TRIPLE]... [--binary [OS_ARCH=]PATH]... [--dist DIR] VERSION"

# One source of truth for each fact: the crate's version, source address and protocol.
crate_version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n1)"
address="$(sed -n 's/^pub const SOURCE_ADDRESS: &str = "\(.*\)";$/\1/p' "$root/src/provider/mod.rs")"
protocol="$(sed -n 's/^pub const PROTOCOL_VERSION: u32 = \([0-9]*\);$/\1/p' "$root/crates/tfplugin-rs/src/handshake.rs")"
[ -n "$crate_version" ] && [ -n "$address" ] && [ -n "$protocol" ] \
  || die "cannot read the version (Cargo.toml), SOURCE_ADDRESS (src/provider/mod.rs) or PROTOCOL_VERSION (crates/tfplugin-rs/src/handshake.rs)"
[ "$version" = "$crate_version" ] \
  || die "VERSION $version is not the version in Cargo.toml ($crate_version): bump Cargo.toml first, so that --version and the User-Agent say the same"
command -v python3 >/dev/null || die "python3 is needed to package the release"

host="$(rustc -vV | sed -n 's/^host: //p')"

# terraform's OS_ARCH for a Rust target triple; fails for a target terraform has no name for.
platform_of() {
  local triple="$1" arch os
  case "$triple" in
    x86_64-*) arch=amd64 ;;
    aarch64-*|arm64-*) arch=arm64 ;;
    i686-*|i586-*) arch=386 ;;
    armv7-*|arm-*) arch=arm ;;
    *) return 1 ;;
  esac
  case "$triple" in
    *-linux-*) os=linux ;;
    *-apple-darwin) os=darwin ;;
    *-windows-*) os=windows ;;
    *-freebsd) os=freebsd ;;
    *) return 1 ;;
  esac
  echo "${os}_${arch}"
}

packages=()
if [ ${#binaries[@]} -gt 0 ]; then
  [ ${#targets[@]} -eq 0 ] || die "--binary packages binaries already built; it does not take --target"
  host_platform="$(platform_of "$host" || true)"
  seen=" "
  for spec in "${binaries[@]}"; do
    if [[ "$spec" =~ ^([a-z0-9]+_[a-z0-9]+)=(.+)$ ]]; then
      platform="${BASH_REMATCH[1]}"
      binary="${BASH_REMATCH[2]}"
    else
      [ -n "$host_platform" ] || die "terraform has no platform name for this machine ($host): give --binary OS_ARCH=$spec"
      platform="$host_platform"
      binary="$spec"
    fi
    case "$seen" in
      *" $platform "*) die "two binaries for $platform: give one --binary per platform" ;;
    esac
    seen="$seen$platform "
    [ -f "$binary" ] || die "$binary ($platform) is not a file"
    if [ "$platform" = "$host_platform" ]; then
      [ -x "$binary" ] || die "$binary is not an executable file"
      # Refuse a stale binary: it must report the version being released.
      reported="$("$binary" --version 2>/dev/null | head -n1 || true)"
      case "$reported" in
        "terraform-provider-qualys $version "*|"terraform-provider-qualys $version") ;;
        *) die "$binary --version says '${reported:-nothing}', not terraform-provider-qualys $version" ;;
      esac
    fi
    packages+=("$platform=$binary")
  done
else
  if [ ${#targets[@]} -eq 0 ]; then
    if [ -n "${TARGETS:-}" ]; then
      read -r -a targets <<<"$TARGETS"
    elif command -v rustup >/dev/null; then
      # Installed targets terraform has no platform for (wasm32, ...) are not providers.
      while read -r triple; do
        if platform_of "$triple" >/dev/null; then
          targets+=("$triple")
        else
          echo "release: skipping installed target $triple (no terraform platform)" >&2
        fi
      done < <(rustup target list --installed)
    fi
    [ ${#targets[@]} -gt 0 ] || targets=("$host")
  fi
  # Every target named and distinct before anything is built.
  seen=" "
  for triple in "${targets[@]}"; do
    platform="$(platform_of "$triple")" || die "no terraform platform (OS_ARCH) for target $triple"
    case "$seen" in
      *" $platform "*) die "two targets for $platform: pick one of them with --target" ;;
    esac
    seen="$seen$platform "
  done
  target_dir="${CARGO_TARGET_DIR:-$root/target}"
  for triple in "${targets[@]}"; do
    platform="$(platform_of "$triple")"
    step "cargo build --release ($triple -> $platform)"
    started=$SECONDS
    if [ "$triple" = "$host" ]; then
      # Without --target: the same target/release the quickstart and benchmarks build.
      cargo build --manifest-path "$root/Cargo.toml" --release --locked --bin terraform-provider-qualys
      built="$target_dir/release/terraform-provider-qualys"
    else
      cargo build --manifest-path "$root/Cargo.toml" --release --locked --bin terraform-provider-qualys --target "$triple"
      built="$target_dir/$triple/release/terraform-provider-qualys"
    fi
    case "$platform" in windows_*) built="$built.exe" ;; esac
    echo "built $built in $((SECONDS - started)) s"
    packages+=("$platform=$built")
  done
fi

step "Packaging $version for ${packages[*]%%=*} into $dist"
mkdir -p "$dist"
python3 "$root/scripts/release_package.py" --version "$version" --address "$address" \
  --protocol "$protocol.0" --dist "$dist" "${packages[@]}"

sums="$dist/terraform-provider-qualys_${version}_SHA256SUMS"
if [ -n "${GPG_KEY_ID:-}" ]; then
  step "Signing $(basename "$sums") with GPG key $GPG_KEY_ID"
  command -v gpg >/dev/null || die "GPG_KEY_ID is set but gpg is not installed"
  gpg --batch --yes --local-user "$GPG_KEY_ID" --output "$sums.sig" --detach-sign "$sums"
  echo "  $(basename "$sums").sig"
else
  echo
  echo "NOTE: GPG_KEY_ID is not set, so $(basename "$sums") is NOT signed (no .sig written)."
  echo "      The network and filesystem mirrors do not need a signature (terraform checks the"
  echo "      hashes in VERSION.json); the public registry and HCP Terraform's private registry"
  echo "      do: run again with GPG_KEY_ID=<key id or fingerprint> for a release to upload there."
fi
