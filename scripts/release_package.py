#!/usr/bin/env python3
"""Packages built provider binaries as terraform release assets and a provider network mirror.

Called by scripts/release.sh (which builds the binaries and signs the checksums); usable on
its own with binaries built elsewhere:

    scripts/release_package.py --version 0.1.0 --address terraform.local/qualys/qualys \\
        --protocol 6.0 --dist dist linux_amd64=target/release/terraform-provider-qualys

Writes, under DIST (NAME is terraform-provider-TYPE, TYPE the address's last part):

    NAME_VERSION_OS_ARCH.zip          the binary, inside named NAME_vVERSION (.exe on windows)
    NAME_VERSION_manifest.json        {"version": 1, "metadata": {"protocol_versions": [...]}}
    NAME_VERSION_SHA256SUMS           "sha256hex  file" for every zip and the manifest
    mirror/ADDRESS/VERSION.json       network mirror: {"archives": {OS_ARCH: {url, hashes}}}
    mirror/ADDRESS/index.json         every VERSION.json present in that directory
    mirror/ADDRESS/NAME_VERSION_OS_ARCH.zip

The layout, file names and hashes are those of the public registry, HCP Terraform's private
registry, `terraform providers mirror` and the provider network mirror protocol. Each
archive's `hashes` carry both schemes terraform checks: `h1:` (terraform's package hash: the
golang.org/x/mod dirhash "Hash1" of the files inside the zip, what terraform records in
.terraform.lock.hcl) and `zh:` (sha256 of the zip file itself). Zips are reproducible: fixed
timestamps, so one binary always gives the same archive and the same hashes.

Only the standard library is used (no `zip` command needed).
"""

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import sys
import zipfile

# The earliest time a zip can record: a fixed stamp makes archives reproducible.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
PLATFORM = re.compile(r"^[a-z0-9]+_[a-z0-9]+$")
# Versions terraform accepts for a provider (semver, optional pre-release).
SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$")


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_zip(zip_path, member_name, binary_path):
    """The binary as the zip's only member, executable (unix mode 0755), deflated."""
    info = zipfile.ZipInfo(member_name, date_time=ZIP_EPOCH)
    info.create_system = 3  # unix, so that external_attr carries the file mode
    info.external_attr = (0o100755 & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    tmp = zip_path + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z, open(binary_path, "rb") as src:
        with z.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, zip_path)


def package_hash_h1(zip_path):
    """terraform's `h1:` package hash of a zip: dirhash Hash1 over the files in it.

    For each file, sorted by name: "<sha256 hex of its contents>  <name>\\n"; the hash is
    the base64 (standard, padded) sha256 of those lines.
    """
    lines = []
    with zipfile.ZipFile(zip_path) as z:
        for name in sorted(z.namelist()):
            if "\n" in name:
                raise ValueError(f"file name with a newline in {zip_path}: {name!r}")
            digest = hashlib.sha256()
            with z.open(name) as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            lines.append(f"{digest.hexdigest()}  {name}\n")
    summary = hashlib.sha256("".join(lines).encode()).digest()
    return "h1:" + base64.b64encode(summary).decode()


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", required=True, help="release version, e.g. 0.1.0")
    parser.add_argument("--address", required=True, help="provider source address HOST/NAMESPACE/TYPE")
    parser.add_argument("--protocol", required=True, help='plugin protocol version, e.g. "6.0"')
    parser.add_argument("--dist", required=True, help="output directory")
    parser.add_argument("binaries", nargs="+", metavar="OS_ARCH=BINARY")
    args = parser.parse_args(argv)

    version = args.version
    if not SEMVER.match(version):
        parser.error(f"version {version!r} is not a semantic version like 0.1.0")
    parts = args.address.split("/")
    if len(parts) != 3 or not all(parts):
        parser.error(f"address {args.address!r} is not HOST/NAMESPACE/TYPE")
    name = f"terraform-provider-{parts[2]}"

    builds = {}
    for item in args.binaries:
        platform, sep, binary = item.partition("=")
        if not sep or not PLATFORM.match(platform):
            parser.error(f"{item!r} is not OS_ARCH=BINARY (e.g. linux_amd64=target/release/{name})")
        if platform in builds:
            parser.error(f"two binaries for {platform}: {builds[platform]} and {binary}")
        if not os.path.isfile(binary):
            parser.error(f"{binary}: no such file")
        builds[platform] = binary

    dist = args.dist
    mirror = os.path.join(dist, "mirror", *parts)
    os.makedirs(mirror, exist_ok=True)
    prefix = f"{name}_{version}_"
    # A re-run rewrites this version from scratch: no stale archive of an earlier run stays
    # behind in the checksums or the mirror. Other versions in the mirror are kept.
    for directory in (dist, mirror):
        for entry in os.listdir(directory):
            if entry.startswith(prefix):
                os.remove(os.path.join(directory, entry))

    archives = {}
    sums = []
    for platform, binary in sorted(builds.items()):
        member = f"{name}_v{version}" + (".exe" if platform.startswith("windows_") else "")
        zip_name = f"{prefix}{platform}.zip"
        zip_path = os.path.join(dist, zip_name)
        write_zip(zip_path, member, binary)
        shutil.copyfile(zip_path, os.path.join(mirror, zip_name))
        zip_sha = sha256_file(zip_path)
        archives[platform] = {"url": zip_name, "hashes": [package_hash_h1(zip_path), "zh:" + zip_sha]}
        sums.append((zip_sha, zip_name))

    manifest_name = f"{prefix}manifest.json"
    manifest_path = os.path.join(dist, manifest_name)
    with open(manifest_path, "w") as f:
        json.dump({"version": 1, "metadata": {"protocol_versions": [args.protocol]}}, f)
        f.write("\n")
    sums.append((sha256_file(manifest_path), manifest_name))

    sums_path = os.path.join(dist, f"{prefix}SHA256SUMS")
    with open(sums_path, "w") as f:
        for digest, file_name in sorted(sums, key=lambda s: s[1]):
            f.write(f"{digest}  {file_name}\n")

    write_json(os.path.join(mirror, f"{version}.json"), {"archives": archives})
    versions = sorted(
        entry[: -len(".json")]
        for entry in os.listdir(mirror)
        if entry.endswith(".json") and entry != "index.json"
    )
    write_json(os.path.join(mirror, "index.json"), {"versions": {v: {} for v in versions}})

    print(f"release assets in {dist}:")
    for _, file_name in sorted(sums, key=lambda s: s[1]):
        print(f"  {file_name}")
    print(f"  {os.path.basename(sums_path)}")
    print(f"network mirror in {os.path.join(dist, 'mirror')} (versions: {', '.join(versions)}):")
    for platform, archive in sorted(archives.items()):
        print(f"  {platform}: {' '.join(archive['hashes'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
