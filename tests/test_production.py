"""What production mode needs from the repository itself (the full check is .ci/smoke)."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"


def test_every_source_map_a_static_file_names_is_there():
    # The manifest storage fails collectstatic (and so the image build) on a missing one.
    missing = [
        f"{path.relative_to(STATIC)} -> {name}"
        for path in STATIC.rglob("*")
        if path.suffix in (".js", ".css")
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="ignore"))
        if not name.startswith("data:") and not (path.parent / name).exists()
    ]
    assert missing == []
