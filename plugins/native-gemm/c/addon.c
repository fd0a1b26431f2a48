// The N-API binding of the native GEMM: argument checking, the choice among the kernel variants
// the CPU can run (runtime dispatch, so the one prebuilt binary is safe on any x86-64), and the
// packing space, kept per Node environment (napi instance data) so that every worker thread that
// loads the addon gets its own and frees it when the thread ends.
//
// Exports (../src/native-addon.ts types them):
//   kernels(): [{ name, mr, nr, kc, mc, nc }], the variants this CPU runs, fastest first
//   gemm(a, b, c, m, n, k, transposeA, transposeB, kernel): C = op(A) · op(B), in place
//   batchedGemm(a, b, c, batch, m, n, k, transposeA, transposeB, kernel): `batch` products, A or B
//     holding either `batch` matrices back to back or one (used by every product)
// Operands are Float32Arrays over any ArrayBuffer (a WebAssembly.Memory's included): read and
// written where they lie, no copies.
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

#define ERROR_CODE "ERR_PEFTLAB_NATIVE_GEMM"

size_t gemm_scratch_floats(const gemm_blocking *blocking, size_t m, size_t n) {
  (void)m;
  size_t nc = n < blocking->nc ? n : blocking->nc;
  return blocking->mc * blocking->kc + blocking->kc * ((nc + blocking->nr - 1) / blocking->nr * blocking->nr);
}

// Fastest first.
static const gemm_kernel *const all_kernels[] = {&gemm_avx512, &gemm_avx2, &gemm_sse2};
#define KERNEL_COUNT (sizeof all_kernels / sizeof all_kernels[0])

// __builtin_cpu_supports checks CPUID and that the OS saves the wider registers (XCR0).
static int cpu_runs(const gemm_kernel *kernel) {
  __builtin_cpu_init();
  if (kernel == &gemm_avx512) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  if (kernel == &gemm_avx2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return 1;
}

// Packing space of one environment (the main thread or one worker), grown to the largest call.
typedef struct {
  float *scratch;
  size_t floats;
} environment_state;

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  environment_state *state = data;
  free(state->scratch);
  free(state);
}

static float *scratch_for(napi_env env, size_t floats) {
  environment_state *state;
  if (napi_get_instance_data(env, (void **)&state) != napi_ok || state == NULL) return NULL;
  if (state->floats >= floats) return state->scratch;
  size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
  float *grown = aligned_alloc(64, bytes);
  if (grown == NULL) return NULL;
  free(state->scratch);
  state->scratch = grown;
  state->floats = floats;
  return grown;
}

// Throws a TypeError (or RangeError when `range`) with a formatted message; returns NULL for the caller to return.
static napi_value fail(napi_env env, int range, const char *format, ...) __attribute__((format(printf, 3, 4)));
static napi_value fail(napi_env env, int range, const char *format, ...) {
  char message[256];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  if (range)
    napi_throw_range_error(env, ERROR_CODE, message);
  else
    napi_throw_type_error(env, ERROR_CODE, message);
  return NULL;
}

typedef struct {
  float *data;
  size_t length;
} float_view;

static int read_floats(napi_env env, napi_value value, const char *name, float_view *view) {
  bool is_typed_array = false;
  napi_typedarray_type type;
  void *data;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, value, &type, &view->length, &data, NULL, NULL) != napi_ok || type != napi_float32_array) {
    fail(env, 0, "%s: expected a Float32Array", name);
    return 0;
  }
  view->data = data;
  return 1;
}

// A dimension: an integer in [0, 2^31).
static int read_dimension(napi_env env, napi_value value, const char *name, size_t *out) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= 0 && number < 2147483648.0) || number != (double)(int64_t)number) {
    fail(env, 1, "%s: expected an integer from 0 to 2^31 - 1", name);
    return 0;
  }
  *out = (size_t)number;
  return 1;
}

static int read_flag(napi_env env, napi_value value, const char *name, int *out) {
  bool flag;
  if (napi_get_value_bool(env, value, &flag) != napi_ok) {
    fail(env, 0, "%s: expected a boolean", name);
    return 0;
  }
  *out = flag;
  return 1;
}

static const gemm_kernel *read_kernel(napi_env env, napi_value value) {
  char name[16];
  size_t length;
  if (napi_get_value_string_utf8(env, value, name, sizeof name, &length) != napi_ok) {
    fail(env, 0, "kernel: expected a string (avx512, avx2 or sse2)");
    return NULL;
  }
  for (size_t i = 0; i < KERNEL_COUNT; i++)
    if (strcmp(all_kernels[i]->name, name) == 0) {
      if (cpu_runs(all_kernels[i])) return all_kernels[i];
      fail(env, 1, "kernel: this CPU cannot run %s", name);
      return NULL;
    }
  fail(env, 1, "kernel: expected avx512, avx2 or sse2, got \"%s\"", name);
  return NULL;
}

static int overlap(const float_view *x, size_t x_floats, const float_view *y, size_t y_floats) {
  uintptr_t x0 = (uintptr_t)x->data, y0 = (uintptr_t)y->data;
  return x0 < y0 + y_floats * sizeof(float) && y0 < x0 + x_floats * sizeof(float);
}

// gemm and batchedGemm: `batched` says whether the argument after c is the batch size.
static napi_value multiply(napi_env env, napi_callback_info info, int batched) {
  napi_value argv[10];
  size_t argc = 10, expected = batched ? 10 : 9;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < expected) return fail(env, 0, "expected %zu arguments, got %zu", expected, argc);
  float_view a, b, c;
  size_t batch = 1, m, n, k;
  int transpose_a, transpose_b;
  napi_value *dims = argv + (batched ? 4 : 3);
  if (!read_floats(env, argv[0], "a", &a) || !read_floats(env, argv[1], "b", &b) || !read_floats(env, argv[2], "c", &c)) return NULL;
  if (batched && !read_dimension(env, argv[3], "batch", &batch)) return NULL;
  if (!read_dimension(env, dims[0], "m", &m) || !read_dimension(env, dims[1], "n", &n) || !read_dimension(env, dims[2], "k", &k) ||
      !read_flag(env, dims[3], "transposeA", &transpose_a) || !read_flag(env, dims[4], "transposeB", &transpose_b))
    return NULL;
  const gemm_kernel *kernel = read_kernel(env, dims[5]);
  if (kernel == NULL) return NULL;
  size_t a_size = m * k, b_size = k * n, c_size = m * n;
  int a_shared = batch > 1 && a.length == a_size, b_shared = batch > 1 && b.length == b_size;
  size_t a_floats = a_shared ? a_size : batch * a_size, b_floats = b_shared ? b_size : batch * b_size, c_floats = batch * c_size;
  if (a.length != a_floats || b.length != b_floats || c.length != c_floats)
    return fail(env, 1, "%zu products [%zu, %zu] x [%zu, %zu]: a, b and c hold %zu, %zu and %zu floats, expected %zu, %zu and %zu", batch, m, k,
                k, n, a.length, b.length, c.length, a_floats, b_floats, c_floats);
  if (overlap(&c, c_floats, &a, a_floats) || overlap(&c, c_floats, &b, b_floats)) return fail(env, 1, "c overlaps a or b");
  if (c_floats == 0) return NULL;
  float *scratch = scratch_for(env, gemm_scratch_floats(&kernel->blocking, m, n));
  if (scratch == NULL) {
    napi_throw_error(env, ERROR_CODE, "out of memory for the packing space");
    return NULL;
  }
  for (size_t p = 0; p < batch; p++)
    kernel->run(transpose_a, transpose_b, m, n, k, a.data + (a_shared ? 0 : p * a_size), b.data + (b_shared ? 0 : p * b_size),
                c.data + p * c_size, scratch);
  return NULL;
}

static napi_value gemm(napi_env env, napi_callback_info info) { return multiply(env, info, 0); }
static napi_value batched_gemm(napi_env env, napi_callback_info info) { return multiply(env, info, 1); }

static napi_status set_size(napi_env env, napi_value object, const char *name, size_t value) {
  napi_value number;
  napi_status status = napi_create_uint32(env, (uint32_t)value, &number);
  return status == napi_ok ? napi_set_named_property(env, object, name, number) : status;
}

static napi_value kernels(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value list, entry, name;
  if (napi_create_array(env, &list) != napi_ok) return NULL;
  uint32_t index = 0;
  for (size_t i = 0; i < KERNEL_COUNT; i++) {
    const gemm_kernel *kernel = all_kernels[i];
    if (!cpu_runs(kernel)) continue;
    const gemm_blocking *blocking = &kernel->blocking;
    if (napi_create_object(env, &entry) != napi_ok || napi_create_string_utf8(env, kernel->name, NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_set_named_property(env, entry, "name", name) != napi_ok || set_size(env, entry, "mr", blocking->mr) != napi_ok ||
        set_size(env, entry, "nr", blocking->nr) != napi_ok || set_size(env, entry, "kc", blocking->kc) != napi_ok ||
        set_size(env, entry, "mc", blocking->mc) != napi_ok || set_size(env, entry, "nc", blocking->nc) != napi_ok ||
        napi_set_element(env, list, index++, entry) != napi_ok)
      return NULL;
  }
  return list;
}

NAPI_MODULE_INIT() {
  environment_state *state = calloc(1, sizeof *state);
  if (state == NULL || napi_set_instance_data(env, state, free_state, NULL) != napi_ok) {
    free(state);
    napi_throw_error(env, ERROR_CODE, "cannot allocate the addon's state");
    return NULL;
  }
  napi_property_descriptor properties[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchedGemm", NULL, batched_gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"kernels", NULL, kernels, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) return NULL;
  return exports;
}
