"""A release id for cache keys: cached pages from older code or templates are
never served after a deploy. `RELEASE` (e.g. the git commit) wins when set;
otherwise a hash of the code, templates and static manifest, computed once at
start-up (a few hundred small files)."""

import hashlib
import os
from pathlib import Path

PARTS = ("careerguide", "roadmaps", "salaries", "stories", "templates")
SUFFIXES = {".py", ".html", ".xml", ".txt"}


def release_id(base_dir):
    if os.environ.get("RELEASE"):
        return os.environ["RELEASE"][:40]
    digest = hashlib.blake2b(digest_size=6)
    base = Path(base_dir)
    paths = [
        p
        for part in PARTS
        for p in (base / part).rglob("*")
        if p.suffix in SUFFIXES and "migrations" not in p.parts
    ]
    manifest = base / "staticfiles" / "staticfiles.json"
    if manifest.exists():
        paths.append(manifest)
    for path in sorted(paths):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
