// run.sh: what the device machine runs. It needs only sh and xz (or python3, whose lzma module
// stands in for a missing xz): no Node, no npm, no network.
import { bundleFile } from "./bundle-entry.ts"

/** The text of run.sh, which unpacks `packed` (paths of .xz files, relative to it) and runs the bundle. */
export const runScript = (packed: readonly string[]): string => `#!/bin/sh
# Made by tools/gpu-bundle: runs ${bundleFile} on the Node 22 carried beside it, passing on every
# argument (./run.sh --flag value ...). Works from any directory, with no Node or node_modules there.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

# Unpack the compressed binaries beside their .xz, once (through a temporary file, so an
# interrupted run never leaves a truncated binary behind).
unpack() {
  [ -e "\${1%.xz}" ] && return 0
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" >"$1.partial"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$1.partial"
  fi
  chmod 755 "$1.partial" && mv "$1.partial" "\${1%.xz}"
}
${["node.xz", ...packed].map((file) => `unpack "$here/${file}"`).join("\n")}

# Vulkan loader: Dawn (the webgpu package) talks to the GPU through libvulkan.so.1, and NVIDIA's
# Vulkan driver links libGLdispatch.so.0 (libglvnd). The lent GPU machines may have neither
# (their README says to carry libvulkan1 and libglvnd0 as .deb files and unpack them): this folder
# carries the build machine's copies under lib/<name>/, each used only where the system has none.
has_library() { ldconfig -p 2>/dev/null | awk -v name="$1" '$1 == name { found = 1 } END { exit !found }'; }
for folder in "$here"/lib/*/; do
  [ -d "$folder" ] || continue
  for library in "$folder"*; do
    has_library "$(basename "$library")" || LD_LIBRARY_PATH="\${folder%/}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  done
done
export LD_LIBRARY_PATH="\${LD_LIBRARY_PATH:-}"

# Vulkan driver: VK_DRIVER_FILES, when set, names the driver manifest(s) the loader uses, and is
# kept as it is. Otherwise, where NVIDIA's manifest sits in the lent machines' driver mount
# (outside the loader's search path), it is named here. If Dawn still finds no adapter, set
# VK_DRIVER_FILES yourself; VK_LOADER_DEBUG=driver makes the loader say what it tried.
nvidia_manifest=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "\${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_manifest" ]; then export VK_DRIVER_FILES="$nvidia_manifest"; fi

exec "$here/node" "$here/${bundleFile}" "$@"
`
