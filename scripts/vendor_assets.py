"""Vendor Leaflet into tourmap/vendor/leaflet from the npm registry, recording where it came from.

    python scripts/vendor_assets.py            # npm pack leaflet@1.9.4, copy dist files + LICENSE

The map page inlines these files, so a built map loads nothing from any other host.
Only the files the page uses are kept: leaflet.js, leaflet.css (its image rules point at
files we do not ship; the page uses no default icons or layer control) and the licence.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE, VERSION = "leaflet", "1.9.4"
ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "tourmap" / "vendor" / "leaflet"
FILES = {"package/dist/leaflet.js": "leaflet.js", "package/dist/leaflet.css": "leaflet.css",
         "package/LICENSE": "LICENSE"}


def npm_pack(spec: str, workdir: Path) -> Path:
    """Download one npm tarball with the npm client; return its path."""
    out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=workdir, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    return workdir / out[-1]


def main() -> int:
    DEST.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tgz = npm_pack(f"{PACKAGE}@{VERSION}", Path(tmp))
        tar_sha = hashlib.sha256(tgz.read_bytes()).hexdigest()
        rows = []
        with tarfile.open(tgz) as tar:
            for member, name in FILES.items():
                data = tar.extractfile(member).read()
                if name == "leaflet.js":
                    # The source map is not shipped; the comment would make dev tools ask for it.
                    data = b"\n".join(l for l in data.split(b"\n") if not l.startswith(b"//# sourceMappingURL"))
                (DEST / name).write_bytes(data)
                rows.append((name, member, len(data), hashlib.sha256(data).hexdigest()))
    lines = [
        "# Vendored files", "",
        f"Leaflet {VERSION} (BSD-2-Clause, see LICENSE), from the npm registry: `npm pack {PACKAGE}@{VERSION}`",
        f"(tarball sha256 `{tar_sha}`). Written by `scripts/vendor_assets.py`; the map page inlines them.", "",
        "| file | from the package | bytes | sha256 |", "|---|---|---|---|",
    ]
    lines += [f"| {n} | {m} | {size} | `{sha}` |" for n, m, size, sha in rows]
    lines += ["", "leaflet.js: the `sourceMappingURL` comment is removed (the map file is not shipped).", ""]
    (DEST / "SOURCES.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"vendored {PACKAGE} {VERSION} into {DEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
