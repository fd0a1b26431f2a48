#!/bin/sh
# Rebuilds the plugin's C kernels (npm run build:kernels): ../<name>/<name>.wasm from ../<name>/c/. The .wasm files are committed, so users need no
# compiler; this needs clang and lld with the wasm32 target (Debian 12: apt-get install clang lld,
# or clang-19 lld-19 with CLANG=clang-19, which built the committed files). No libc, no entry
# point. The matmuls export their memory, their functions and __heap_base, the first free byte the
# caller may lay buffers out from. The elementwise and attention kernels import tfjs-wasm's memory and work on
# the tensors where they lie: they must have no data and never use the shadow stack (its pointer
# is global 0), which would overwrite tfjs's heap, so the build refuses a module that does.
set -eu
kernels=$(dirname "$0")/..
compile() {
  "${CLANG:-clang}" --target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding \
    -Wall -Wextra -Werror \
    -Wl,--no-entry -Wl,--strip-all "$@"
}
for name in packed-matmul gemm; do
  compile -Wl,--export=__heap_base -Wl,--initial-memory=1048576 -Wl,--max-memory=4294967296 \
    -o "$kernels/$name/$name.wasm" "$kernels/$name/c/$name.c"
done
objdump=${OBJDUMP:-llvm-objdump-19}
for name in rms-norm swiglu flash-attention cross-entropy rope; do
  wasm="$kernels/$name/$name.wasm"
  compile -Wl,--import-memory -o "$wasm" "$kernels/$name/c/$name.c"
  if "$objdump" -h "$wasm" | grep -q DATA || "$objdump" -d "$wasm" | grep -q "global\.[gs]et"; then
    echo "$wasm has data or uses the stack: it would write into tfjs-wasm's heap" >&2
    exit 1
  fi
done
