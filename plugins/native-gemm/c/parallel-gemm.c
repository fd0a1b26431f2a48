// The split of parallel-gemm.h. A job goes to the calling thread alone below MIN_FLOPS_PER_THREAD
// of work per thread; otherwise it is cut into units along one axis — products of the batch,
// nr-wide column strips of C (each chunk packs only its own columns of B, the weight, and all of
// A), or mr-high row strips (each packs all of B: only for narrow C) — taking the axis whose
// chunks share out most evenly over the threads, in that order of preference on a tie. The units
// are dealt as chunks of consecutive ones, CHUNKS_PER_THREAD per thread (one product each for a
// batch), taken in turn by whichever thread is free (thread-pool.h), so a helper that wakes late
// or is descheduled leaves its chunks to the others instead of holding up the call.
#include "parallel-gemm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

// About 80 µs of one core's work at the AVX-512 kernel's speed, some eight times what handing
// chunks to a spinning helper costs (a sleeping one takes 0.05 to 0.5 ms to wake here, and
// finds the work done by then): products smaller than two of these (stories260k's projections of
// 64-wide rows, LoRA's rank-8 factors) never leave the calling thread.
#define MIN_FLOPS_PER_THREAD 16e6

size_t gemm_scratch_floats(const gemm_blocking *blocking, size_t columns) {
  size_t nc = columns < blocking->nc ? columns : blocking->nc;
  return blocking->mc * blocking->kc + blocking->kc * ((nc + blocking->nr - 1) / blocking->nr * blocking->nr);
}

// Chunks of columns or rows per thread: enough that the calling thread can take a late helper's
// share; few, since each chunk of columns packs all of A again.
#define CHUNKS_PER_THREAD 2

typedef enum { SPLIT_BATCH, SPLIT_COLUMNS, SPLIT_ROWS } split_axis;

typedef struct {
  const gemm_job *job;
  gemm_workspace *workspace;
  split_axis axis;
  // Units along the axis, the products, columns or rows in one, and the chunks they are dealt in:
  // chunk c holds units [c·units/chunks, (c+1)·units/chunks).
  size_t units, unit_size, chunks, threads;
  // The next chunk to take.
  _Atomic size_t next;
} gemm_split;

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

// The most units a chunk holds.
static size_t largest_chunk(const gemm_split *split) { return (split->units + split->chunks - 1) / split->chunks; }

// The fraction of `threads`' time spent working when the split's chunks, about equal, go to them in turn.
static double balance(const gemm_split *split, size_t threads) {
  size_t rounds = (split->chunks + threads - 1) / threads;
  return (double)split->chunks / (double)(rounds * threads);
}

static void run_product(const gemm_job *job, size_t p, const gemm_part *part, float *scratch) {
  gemm_source b = job->b;
  if (p > 0) b.data = (const float *)b.data + p * job->b_step;
  float *c = job->c + p * job->m * job->n;
  job->kernel->run(job->transpose_a, job->transpose_b, job->m, job->n, job->k, job->a + p * job->a_step, &b, c, part, scratch);
  if (job->bias != NULL)
    for (size_t i = part->row_begin; i < part->row_end; i++)
      for (size_t j = part->column_begin; j < part->column_end; j++) c[i * job->n + j] += job->bias[j];
}

static void run_chunk(const gemm_split *split, size_t chunk, float *scratch) {
  const gemm_job *job = split->job;
  size_t begin = split->units * chunk / split->chunks, end = split->units * (chunk + 1) / split->chunks;
  gemm_part part = {0, job->m, 0, job->n};
  if (split->axis == SPLIT_BATCH) {
    for (size_t p = begin; p < end; p++) run_product(job, p, &part, scratch);
    return;
  }
  size_t *from = split->axis == SPLIT_COLUMNS ? &part.column_begin : &part.row_begin;
  size_t *to = split->axis == SPLIT_COLUMNS ? &part.column_end : &part.row_end;
  *from = begin * split->unit_size;
  *to = min_size(end * split->unit_size, *to);
  for (size_t p = 0; p < job->batch; p++) run_product(job, p, &part, scratch);
}

// One thread's run (thread-pool.h): chunks, each taken by the first thread free, until none is left.
static void run_chunks(void *context, size_t share) {
  gemm_split *split = context;
  float *scratch = split->workspace->scratch[share].data;
  for (size_t chunk; (chunk = atomic_fetch_add_explicit(&split->next, 1, memory_order_relaxed)) < split->chunks;) run_chunk(split, chunk, scratch);
}

// A split of `units` along `axis`, each `unit_size`, over `threads`, in chunks.
static void cut(gemm_split *split, split_axis axis, size_t units, size_t unit_size, size_t threads) {
  split->axis = axis;
  split->units = units;
  split->unit_size = unit_size;
  split->threads = min_size(units, threads);
  split->chunks = axis == SPLIT_BATCH ? units : min_size(units, CHUNKS_PER_THREAD * split->threads);
}

// The split of `job` over at most `threads` threads (one: no split, in one chunk).
static void plan(gemm_split *split, size_t threads) {
  const gemm_job *job = split->job;
  const gemm_blocking *blocking = &job->kernel->blocking;
  double flops = 2.0 * (double)job->batch * (double)job->m * (double)job->n * (double)job->k;
  size_t worth = flops / MIN_FLOPS_PER_THREAD >= (double)threads ? threads : (size_t)(flops / MIN_FLOPS_PER_THREAD);
  threads = worth > 1 ? worth : 1;
  cut(split, SPLIT_BATCH, job->batch, 1, threads);
  if (threads == 1) {
    split->chunks = 1;
    return;
  }
  gemm_split columns = *split, rows = *split;
  cut(&columns, SPLIT_COLUMNS, (job->n + blocking->nr - 1) / blocking->nr, blocking->nr, threads);
  cut(&rows, SPLIT_ROWS, (job->m + blocking->mr - 1) / blocking->mr, blocking->mr, threads);
  if (balance(&columns, threads) > balance(split, threads)) *split = columns;
  if (balance(&rows, threads) > balance(split, threads)) *split = rows;
}

// Grows the packing space of every thread that may run a chunk: all or nothing.
static int grow_scratch(gemm_workspace *workspace, const gemm_split *split) {
  const gemm_job *job = split->job;
  size_t columns = split->axis == SPLIT_COLUMNS ? min_size(largest_chunk(split) * split->unit_size, job->n) : job->n;
  size_t floats = gemm_scratch_floats(&job->kernel->blocking, columns);
  for (size_t t = 0; t < split->threads; t++) {
    gemm_scratch *scratch = &workspace->scratch[t];
    if (scratch->floats >= floats) continue;
    float *grown = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
    if (grown == NULL) return 0;
    free(scratch->data);
    *scratch = (gemm_scratch){grown, floats};
  }
  return 1;
}

int gemm_workspace_init(gemm_workspace *workspace) {
  memset(workspace->scratch, 0, sizeof workspace->scratch);
  return pool_init(&workspace->pool);
}

void gemm_workspace_free(gemm_workspace *workspace) {
  pool_destroy(&workspace->pool);
  for (size_t t = 0; t < POOL_MAX_THREADS; t++) free(workspace->scratch[t].data);
}

const char *gemm_run(gemm_workspace *workspace, const gemm_job *job, size_t threads) {
  gemm_split split = {.job = job, .workspace = workspace};
  plan(&split, threads);
  atomic_init(&split.next, 0);
  if (!grow_scratch(workspace, &split)) return "out of memory for the packing space";
  int error = pool_run(&workspace->pool, split.threads, run_chunks, &split);
  return error == 0 ? NULL : error == EAGAIN ? "cannot start a GEMM thread: the system's thread limit is reached" : "cannot start a GEMM thread";
}
