// The N-API binding of the native GEMM: argument checking, the choice among the kernel variants
// the CPU can run (runtime dispatch, so the one prebuilt binary is safe on any x86-64), and the
// GEMM threads with their packing space (parallel-gemm.h), kept per Node environment (napi
// instance data) so that every worker thread that loads the addon gets its own and frees them when
// the thread ends.
//
// Exports (../src/addon.ts types them):
//   kernels(): [{ name, mr, nr, kc, mc, nc }], the variants this CPU runs, fastest first
//   maxThreads: the most threads one call may run on
//   gemm(a, b, c, m, n, k, transposeA, transposeB, kernel, threads): C = op(A) · op(B), in place
//   batchedGemm(a, b, c, batch, m, n, k, transposeA, transposeB, kernel, threads): `batch` products,
//     A or B holding either `batch` matrices back to back or one (used by every product)
//   packedGemm(x, weight, absmax, bias, c, m, n, k, storage, blockSize, transposeWeight, kernel, threads):
//     C [m, n] = x [m, k] · Wᵀ (W [n, k]) or x · W (W [k, n]), plus bias [n] on every row, with W a
//     frozen weight kept as bf16 bits or NF4 codes (a Uint8Array) and dequantized while packed
//   flashAttention(q, k, v, mask, out, lse, ...sizes, kernel) and flashAttentionGrad(dy, q, k, v,
//     mask, out, lse, dq, dk, dv, dmask, ...sizes, kernel), sizes being batch, heads, kvHeads,
//     queries, keys, dim, past, causal, scale: fused attention and its gradient (attention.h), on
//     the calling thread
// `threads`: at most this many threads run the call (1 to maxThreads; a small call runs on one).
// Operands are typed arrays over any ArrayBuffer (a WebAssembly.Memory's or a SharedArrayBuffer
// included): read and written where they lie, no copies.
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention.h"
#include "gemm.h"
#include "parallel-gemm.h"

#define ERROR_CODE "ERR_PEFTLAB_NATIVE_GEMM"

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

// The GEMM threads and packing space of one environment (the main thread or one worker).
static void free_workspace(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  gemm_workspace_free(data);
  free(data);
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

// A typed array of `wanted` type (`type_name` in the error): its data and its length in elements.
static int read_typed_array(napi_env env, napi_value value, const char *name, napi_typedarray_type wanted, const char *type_name, void **data,
                            size_t *length) {
  bool is_typed_array = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) != napi_ok || type != wanted) {
    fail(env, 0, "%s: expected a %s", name, type_name);
    return 0;
  }
  return 1;
}

static int read_floats(napi_env env, napi_value value, const char *name, float_view *view) {
  void *data;
  if (!read_typed_array(env, value, name, napi_float32_array, "Float32Array", &data, &view->length)) return 0;
  view->data = data;
  return 1;
}

// A Float32Array, or null/undefined for none (data NULL, length 0).
static int read_optional_floats(napi_env env, napi_value value, const char *name, float_view *view) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) == napi_ok && (type == napi_null || type == napi_undefined)) {
    *view = (float_view){NULL, 0};
    return 1;
  }
  return read_floats(env, value, name, view);
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

static int overlap(const void *x, size_t x_bytes, const void *y, size_t y_bytes) {
  uintptr_t x0 = (uintptr_t)x, y0 = (uintptr_t)y;
  return x_bytes > 0 && y_bytes > 0 && x0 < y0 + y_bytes && y0 < x0 + x_bytes;
}

// The threads a call may run on: an integer from 1 to POOL_MAX_THREADS.
static int read_threads(napi_env env, napi_value value, size_t *out) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= 1 && number <= POOL_MAX_THREADS) || number != (double)(int64_t)number) {
    fail(env, 1, "threads: expected an integer from 1 to %d", POOL_MAX_THREADS);
    return 0;
  }
  *out = (size_t)number;
  return 1;
}

// Runs `job` on this environment's threads; throws (and returns NULL) if it could not.
static napi_value run_job(napi_env env, const gemm_job *job, size_t threads) {
  gemm_workspace *workspace;
  if (napi_get_instance_data(env, (void **)&workspace) != napi_ok || workspace == NULL) {
    napi_throw_error(env, ERROR_CODE, "the addon's state is missing");
    return NULL;
  }
  const char *failure = gemm_run(workspace, job, threads);
  if (failure != NULL) napi_throw_error(env, ERROR_CODE, failure);
  return NULL;
}

// gemm and batchedGemm: `batched` says whether the argument after c is the batch size.
static napi_value multiply(napi_env env, napi_callback_info info, int batched) {
  napi_value argv[11];
  size_t argc = 11, expected = batched ? 11 : 10;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < expected) return fail(env, 0, "expected %zu arguments, got %zu", expected, argc);
  float_view a, b, c;
  size_t batch = 1, m, n, k, threads;
  int transpose_a, transpose_b;
  napi_value *dims = argv + (batched ? 4 : 3);
  if (!read_floats(env, argv[0], "a", &a) || !read_floats(env, argv[1], "b", &b) || !read_floats(env, argv[2], "c", &c)) return NULL;
  if (batched && !read_dimension(env, argv[3], "batch", &batch)) return NULL;
  if (!read_dimension(env, dims[0], "m", &m) || !read_dimension(env, dims[1], "n", &n) || !read_dimension(env, dims[2], "k", &k) ||
      !read_flag(env, dims[3], "transposeA", &transpose_a) || !read_flag(env, dims[4], "transposeB", &transpose_b))
    return NULL;
  const gemm_kernel *kernel = read_kernel(env, dims[5]);
  if (kernel == NULL || !read_threads(env, dims[6], &threads)) return NULL;
  size_t a_size = m * k, b_size = k * n, c_size = m * n;
  int a_shared = batch > 1 && a.length == a_size, b_shared = batch > 1 && b.length == b_size;
  size_t a_floats = a_shared ? a_size : batch * a_size, b_floats = b_shared ? b_size : batch * b_size, c_floats = batch * c_size;
  if (a.length != a_floats || b.length != b_floats || c.length != c_floats)
    return fail(env, 1, "%zu products [%zu, %zu] x [%zu, %zu]: a, b and c hold %zu, %zu and %zu floats, expected %zu, %zu and %zu", batch, m, k,
                k, n, a.length, b.length, c.length, a_floats, b_floats, c_floats);
  if (overlap(c.data, c_floats * sizeof(float), a.data, a_floats * sizeof(float)) ||
      overlap(c.data, c_floats * sizeof(float), b.data, b_floats * sizeof(float)))
    return fail(env, 1, "c overlaps a or b");
  if (c_floats == 0) return NULL;
  gemm_job job = {kernel, transpose_a, transpose_b, batch, m, n, k, a.data, a_shared ? 0 : a_size, {SOURCE_F32, b.data, NULL, 0},
                  b_shared ? 0 : b_size, c.data, NULL};
  return run_job(env, &job, threads);
}

// The weight's storage: "BF16" or "NF4" (the names @peftlab/models' frozen matrices carry).
static int read_storage(napi_env env, napi_value value, source_format *format) {
  char name[8];
  size_t length;
  if (napi_get_value_string_utf8(env, value, name, sizeof name, &length) != napi_ok) {
    fail(env, 0, "storage: expected a string (BF16 or NF4)");
    return 0;
  }
  if (strcmp(name, "BF16") == 0 || strcmp(name, "NF4") == 0) {
    *format = name[0] == 'B' ? SOURCE_BF16 : SOURCE_NF4;
    return 1;
  }
  fail(env, 1, "storage: expected BF16 or NF4, got \"%s\"", name);
  return 0;
}

// Whether the packed weight covers [n, k] (as the wasm packed kernel checks it: bf16 exactly two
// bytes a value, NF4 at least a code a value and a scale a block); throws and returns 0 if not.
static int weight_covers(napi_env env, source_format format, size_t weight_bytes, const float_view *absmax, size_t block_size, size_t n,
                         size_t k) {
  size_t values = n * k;
  if (format == SOURCE_BF16) {
    if (weight_bytes == 2 * values && absmax->data == NULL) return 1;
    fail(env, 1, "bf16 weight [%zu, %zu]: expected %zu bytes and no absmax, got %zu bytes%s", n, k, 2 * values, weight_bytes,
         absmax->data == NULL ? "" : " and an absmax");
    return 0;
  }
  if (block_size == 0) {
    fail(env, 1, "blockSize: expected a positive integer for an NF4 weight");
    return 0;
  }
  if (absmax->data == NULL) {
    fail(env, 0, "absmax: expected a Float32Array for an NF4 weight");
    return 0;
  }
  size_t codes = (values + 1) / 2, blocks = (values + block_size - 1) / block_size;
  if (weight_bytes >= codes && absmax->length >= blocks) return 1;
  fail(env, 1, "NF4 weight [%zu, %zu] in blocks of %zu: expected at least %zu code bytes and %zu scales, got %zu and %zu", n, k, block_size,
       codes, blocks, weight_bytes, absmax->length);
  return 0;
}

static napi_value packed_gemm(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  size_t argc = 13;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 13) return fail(env, 0, "expected 13 arguments, got %zu", argc);
  float_view x, absmax, bias, c;
  void *weight;
  size_t weight_bytes, m, n, k, block_size, threads;
  source_format format;
  int transpose_weight;
  if (!read_floats(env, argv[0], "x", &x) ||
      !read_typed_array(env, argv[1], "weight", napi_uint8_array, "Uint8Array", &weight, &weight_bytes) ||
      !read_optional_floats(env, argv[2], "absmax", &absmax) || !read_optional_floats(env, argv[3], "bias", &bias) ||
      !read_floats(env, argv[4], "c", &c) || !read_dimension(env, argv[5], "m", &m) || !read_dimension(env, argv[6], "n", &n) ||
      !read_dimension(env, argv[7], "k", &k) || !read_storage(env, argv[8], &format) || !read_dimension(env, argv[9], "blockSize", &block_size) ||
      !read_flag(env, argv[10], "transposeWeight", &transpose_weight))
    return NULL;
  const gemm_kernel *kernel = read_kernel(env, argv[11]);
  if (kernel == NULL || !read_threads(env, argv[12], &threads) || !weight_covers(env, format, weight_bytes, &absmax, block_size, n, k)) return NULL;
  if (x.length != m * k || c.length != m * n || (bias.data != NULL && bias.length != n))
    return fail(env, 1, "x [%zu, %zu] times a weight to %zu columns: x, c and bias hold %zu, %zu and %zu floats, expected %zu, %zu and %zu (or no bias)",
                m, k, n, x.length, c.length, bias.length, m * k, m * n, n);
  size_t c_bytes = c.length * sizeof(float);
  if (overlap(c.data, c_bytes, x.data, x.length * sizeof(float)) || overlap(c.data, c_bytes, weight, weight_bytes) ||
      overlap(c.data, c_bytes, absmax.data, absmax.length * sizeof(float)) || overlap(c.data, c_bytes, bias.data, bias.length * sizeof(float)))
    return fail(env, 1, "c overlaps x, the weight, absmax or bias");
  if (c.length == 0) return NULL;
  gemm_job job = {kernel, 0, transpose_weight, 1, m, n, k, x.data, 0, {format, weight, absmax.data, block_size}, 0, c.data, bias.data};
  return run_job(env, &job, threads);
}

// a · b · c · d into *out, 0 on overflow.
static int product4(size_t a, size_t b, size_t c, size_t d, size_t *out) {
  return !__builtin_mul_overflow(a, b, out) && !__builtin_mul_overflow(*out, c, out) && !__builtin_mul_overflow(*out, d, out);
}

// flashAttention (backward 0) and flashAttentionGrad (1): the tensors, then the sizes and the kernel variant.
static napi_value attend(napi_env env, napi_callback_info info, int backward) {
  static const char *const names[2][11] = {{"q", "k", "v", "mask", "out", "lse"}, {"dy", "q", "k", "v", "mask", "out", "lse", "dq", "dk", "dv", "dmask"}};
  static const char *const size_names[7] = {"batch", "heads", "kvHeads", "queries", "keys", "dim", "past"};
  // Each tensor's length among q's, k's, the mask's and lse's; the outputs are the last ones.
  static const int shapes[2][11] = {{0, 1, 1, 2, 0, 3}, {0, 0, 1, 1, 2, 0, 3, 0, 1, 1, 2}};
  size_t tensors = backward ? 11 : 6, outputs = backward ? 4 : 2, argc = 21, sizes[7], lengths[4];
  napi_value argv[21];
  float_view views[11];
  int causal;
  double scale;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < tensors + 10) return fail(env, 0, "expected %zu arguments, got %zu", tensors + 10, argc);
  for (size_t i = 0; i < tensors; i++)
    if (!read_floats(env, argv[i], names[backward][i], views + i)) return NULL;
  for (size_t i = 0; i < 7; i++)
    if (!read_dimension(env, argv[tensors + i], size_names[i], sizes + i)) return NULL;
  if (!read_flag(env, argv[tensors + 7], "causal", &causal)) return NULL;
  if (napi_get_value_double(env, argv[tensors + 8], &scale) != napi_ok) return fail(env, 0, "scale: expected a number");
  const gemm_kernel *kernel = read_kernel(env, argv[tensors + 9]);
  if (kernel == NULL) return NULL;
  attention_sizes s = {sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5], sizes[6], causal, (float)scale};
  if (s.kv_heads == 0 || s.heads % s.kv_heads != 0 || s.keys == 0 || s.dim == 0)
    return fail(env, 1, "expected kvHeads dividing heads and at least one key and one dimension, got %zu heads, %zu kvHeads, %zu keys, dim %zu",
                s.heads, s.kv_heads, s.keys, s.dim);
  if (!product4(s.batch, s.heads, s.queries, s.dim, lengths) || !product4(s.batch, s.kv_heads, s.keys, s.dim, lengths + 1) ||
      !product4(s.batch, s.keys, 1, 1, lengths + 2) || !product4(s.batch, s.heads, s.queries, 1, lengths + 3))
    return fail(env, 1, "attention sizes overflow");
  for (size_t i = 0; i < tensors; i++) {
    size_t expected = lengths[shapes[backward][i]];
    if (views[i].length != expected) return fail(env, 1, "%s: expected %zu floats, got %zu", names[backward][i], expected, views[i].length);
  }
  for (size_t o = tensors - outputs; o < tensors; o++)
    for (size_t i = 0; i < tensors; i++)
      if (i != o && overlap(views[o].data, views[o].length * sizeof(float), views[i].data, views[i].length * sizeof(float)))
        return fail(env, 1, "%s overlaps %s", names[backward][o], names[backward][i]);
  const attention_kernel *variant = kernel == &gemm_avx512 ? &attention_avx512 : kernel == &gemm_avx2 ? &attention_avx2 : &attention_sse2;
  size_t floats = backward ? variant->backward_scratch_floats(s.keys, s.dim) : variant->forward_scratch_floats(s.keys, s.dim);
  float *scratch = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
  if (scratch == NULL) {
    napi_throw_error(env, ERROR_CODE, "out of memory for attention's scratch");
    return NULL;
  }
  if (backward)
    variant->backward(&s, views[0].data, views[1].data, views[2].data, views[3].data, views[4].data, views[5].data, views[6].data, views[7].data,
                      views[8].data, views[9].data, views[10].data, scratch);
  else
    variant->forward(&s, views[0].data, views[1].data, views[2].data, views[3].data, views[4].data, views[5].data, scratch);
  free(scratch);
  return NULL;
}

static napi_value flash_attention(napi_env env, napi_callback_info info) { return attend(env, info, 0); }
static napi_value flash_attention_grad(napi_env env, napi_callback_info info) { return attend(env, info, 1); }

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
  gemm_workspace *workspace = malloc(sizeof *workspace);
  int ready = workspace != NULL && gemm_workspace_init(workspace) == 0;
  if (!ready || napi_set_instance_data(env, workspace, free_workspace, NULL) != napi_ok) {
    if (ready) gemm_workspace_free(workspace);
    free(workspace);
    napi_throw_error(env, ERROR_CODE, "cannot allocate the addon's state");
    return NULL;
  }
  napi_value max_threads;
  if (napi_create_uint32(env, POOL_MAX_THREADS, &max_threads) != napi_ok) return NULL;
  napi_property_descriptor properties[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchedGemm", NULL, batched_gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packedGemm", NULL, packed_gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"kernels", NULL, kernels, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flashAttention", NULL, flash_attention, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flashAttentionGrad", NULL, flash_attention_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maxThreads", NULL, NULL, NULL, NULL, max_threads, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) return NULL;
  return exports;
}
