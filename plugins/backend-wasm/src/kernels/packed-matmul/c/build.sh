#!/bin/sh
# Rebuilds ../packed-matmul.wasm from packed-matmul.c (npm run build:kernels). The .wasm is
# committed, so users need no compiler; this needs clang and lld with the wasm32 target (Debian:
# apt-get install clang lld). No libc, no entry point: the module exports its memory, its
# functions and __heap_base, the first free byte the caller may lay buffers out from.
set -eu
here=$(dirname "$0")
clang --target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--export=__heap_base -Wl,--strip-all \
  -Wl,--initial-memory=1048576 -Wl,--max-memory=4294967296 \
  -o "$here/../packed-matmul.wasm" "$here/packed-matmul.c"
