# How node-gyp builds the addon (npm run build:native in this package; c/build.ts runs node-gyp
# against the running Node's own headers, so nothing is downloaded). The GEMM and attention kernel
# variants are static libraries of their own, each compiled with its ISA's -m flags; everything
# else targets baseline x86-64, so the binary loads on any x86-64 CPU and addon.c only calls a
# variant the CPU runs. "gypfile": false in package.json keeps npm from building it on install:
# the default install takes the committed prebuilt and needs no compiler.
{
  "target_defaults": {
    "cflags": ["-O3", "-std=gnu11", "-fPIC", "-fvisibility=hidden", "-march=x86-64", "-mtune=generic", "-Wall", "-Wextra", "-Werror", "-pthread"],
    "cflags!": ["-O2", "-Wno-unused-parameter"],
    "configurations": {
      "Release": { "cflags!": ["-fno-omit-frame-pointer"] }
    }
  },
  "targets": [
    {
      "target_name": "kernels_avx512",
      "type": "static_library",
      "cflags": ["-mavx512f", "-mfma"],
      "sources": ["c/kernel-avx512.c", "c/attention-avx512.c"]
    },
    {
      "target_name": "kernels_avx2",
      "type": "static_library",
      "cflags": ["-mavx2", "-mfma"],
      "sources": ["c/kernel-avx2.c", "c/attention-avx2.c"]
    },
    {
      "target_name": "kernels_sse2",
      "type": "static_library",
      "sources": ["c/kernel-sse2.c", "c/attention-sse2.c"]
    },
    {
      "target_name": "native_gemm",
      "dependencies": ["kernels_avx512", "kernels_avx2", "kernels_sse2"],
      "sources": ["c/addon.c", "c/thread-pool.c", "c/parallel-gemm.c"],
      "ldflags": ["-s", "-pthread"]
    }
  ]
}
