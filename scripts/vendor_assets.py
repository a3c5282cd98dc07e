"""Vendor Leaflet and the DejaVu Sans font from the npm registry, recording where they came from.

    python scripts/vendor_assets.py   # npm pack leaflet@1.9.4 and dejavu-fonts-ttf@2.37.3

The map page inlines Leaflet, so a built map loads nothing from any other host. Only the files
the page uses are kept: leaflet.js, leaflet.css (its image rules point at files we do not ship;
the page uses no default icons or layer control) and the licence.

map.png needs a font with the accents of place names (Pillow's built-in font has ASCII only):
DejaVu Sans and Sans Bold, cut down with fontTools to the Latin, Greek and Cyrillic blocks and
common punctuation (about a tenth of the size), fixed timestamps so the files are reproducible.
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


FONT_PACKAGE, FONT_VERSION = "dejavu-fonts-ttf", "2.37.3"
FONT_DEST = ROOT / "tourmap" / "vendor" / "fonts"
FONTS = {"package/ttf/DejaVuSans.ttf": "DejaVuSans.ttf", "package/ttf/DejaVuSans-Bold.ttf": "DejaVuSans-Bold.ttf"}
# Basic Latin .. Latin Extended-B, IPA-free; Greek, Cyrillic; Latin Extended Additional; punctuation,
# currency, letterlike symbols, arrows; the replacement character.
FONT_RANGES = ["U+0020-024F", "U+0300-036F", "U+0370-03FF", "U+0400-04FF", "U+1E00-1EFF", "U+2000-206F",
               "U+20A0-20CF", "U+2100-214F", "U+2190-21FF", "U+FFFD"]


def subset_font(data: bytes) -> bytes:
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    opts = subset.Options()
    opts.layout_features = ["kern", "liga", "ccmp", "locl", "mark", "mkmk"]
    opts.name_IDs = ["*"]  # keep the copyright and licence records
    opts.hinting = False  # drawn at 2x and scaled down: hints only add bytes
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=subset.parse_unicodes(",".join(FONT_RANGES)))
    sub.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def vendor_fonts(tmp: Path) -> None:
    FONT_DEST.mkdir(parents=True, exist_ok=True)
    tgz = npm_pack(f"{FONT_PACKAGE}@{FONT_VERSION}", tmp)
    tar_sha = hashlib.sha256(tgz.read_bytes()).hexdigest()
    rows = []
    with tarfile.open(tgz) as tar:
        for member, name in FONTS.items():
            data = subset_font(tar.extractfile(member).read())
            (FONT_DEST / name).write_bytes(data)
            rows.append((name, member, len(data), hashlib.sha256(data).hexdigest()))
        (FONT_DEST / "LICENSE").write_bytes(tar.extractfile("package/LICENSE").read())
    lines = [
        "# Vendored fonts", "",
        f"DejaVu Sans {FONT_VERSION} (Bitstream Vera licence and public domain, see LICENSE), from the npm registry:",
        f"`npm pack {FONT_PACKAGE}@{FONT_VERSION}` (tarball sha256 `{tar_sha}`). Written by `scripts/vendor_assets.py`,",
        f"subset with fontTools to {', '.join(FONT_RANGES)}; used to draw map.png.", "",
        "| file | from the package | bytes | sha256 |", "|---|---|---|---|",
    ]
    lines += [f"| {n} | {m} | {size} | `{sha}` |" for n, m, size, sha in rows]
    (FONT_DEST / "SOURCES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"vendored {FONT_PACKAGE} {FONT_VERSION} (subset) into {FONT_DEST.relative_to(ROOT)}")


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
    with tempfile.TemporaryDirectory() as tmp:
        vendor_fonts(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
