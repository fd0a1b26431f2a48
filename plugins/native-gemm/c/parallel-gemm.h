// One call of the addon (a product, a batch of them, or a product by a packed weight) split across
// threads: by products of a batch, by columns of C in multiples of the kernel's nr, or by rows in
// multiples of its mr when C is too narrow, each thread packing into its own scratch. A small call
// stays on the calling thread. Every element is summed by one thread in the single-threaded order,
// so the result is the same, bit for bit, for every thread count.
#ifndef PEFTLAB_PARALLEL_GEMM_H
#define PEFTLAB_PARALLEL_GEMM_H

#include "gemm.h"
#include "thread-pool.h"

// `batch` products C_p [m, n] = op(A_p) · op(B_p), plus bias [n] on every row when `bias` is not
// NULL, C_p at c + p * m * n. A_p lies at a + p * a_step and B_p's data `b_step` floats further per
// product (0: one operand used by every product; only float32 sources come in batches).
typedef struct {
  const gemm_kernel *kernel;
  int transpose_a, transpose_b;
  size_t batch, m, n, k;
  const float *a;
  size_t a_step;
  gemm_source b;
  size_t b_step;
  float *c;
  const float *bias;
} gemm_job;

// Packing space of one thread, grown to the largest share it was given.
typedef struct {
  float *data;
  size_t floats;
} gemm_scratch;

// The threads of one Node environment and their packing space.
typedef struct {
  thread_pool pool;
  gemm_scratch scratch[POOL_MAX_THREADS];
} gemm_workspace;

// 0, or an error number (see pool_init).
int gemm_workspace_init(gemm_workspace *workspace);
void gemm_workspace_free(gemm_workspace *workspace);

// Runs `job` on up to `threads` threads (fewer for a small job). NULL when done, else what failed
// (nothing was written then): no memory for the packing space, or no thread could be started.
const char *gemm_run(gemm_workspace *workspace, const gemm_job *job, size_t threads);

#endif
