// A small persistent pool of helper threads for one Node environment (parallel-gemm.c splits a
// GEMM across it), started the first time a task asks for them and kept until the environment
// ends: spinning a while after each task (the products of a layer come close together), then
// asleep on a condition variable. The calling thread runs the task too, and a helper joins only
// while the caller's own run lasts, so a task shares its work out dynamically (every run takes
// what is left) and a helper slow to wake costs nothing: it finds the task closed, and is not
// waited for. Tasks are synchronous: pool_run returns once every run that joined is done.
#ifndef PEFTLAB_THREAD_POOL_H
#define PEFTLAB_THREAD_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

// Runs one task may have at once (the calling thread and up to POOL_MAX_THREADS - 1 helpers).
#define POOL_MAX_THREADS 256

// One run of a task on thread `share` (0: the calling thread; its helpers 1 up), taking work
// until none is left.
typedef void pool_task(void *context, size_t share);

typedef struct thread_pool thread_pool;

// A helper: its thread, its share index (1 up) and the last round it has seen.
typedef struct {
  thread_pool *pool;
  size_t share;
  unsigned long seen;
  pthread_t thread;
} pool_helper;

struct thread_pool {
  pthread_mutex_t lock;
  pthread_cond_t wake, finished;
  pool_task *task;
  void *context;
  // Tasks published so far, read without the lock by helpers spinning before they sleep.
  _Atomic unsigned long round;
  // Helpers with share < shares may join the current task while it is open.
  size_t shares;
  int open;
  // Helpers running the current task, read without the lock by the caller spinning before it sleeps.
  _Atomic size_t busy;
  size_t started;
  int stopping;
  pool_helper helpers[POOL_MAX_THREADS - 1];
};

// 0, or an error number (pthread_mutex_init's or pthread_cond_init's).
int pool_init(thread_pool *pool);

// Runs task(context, 0) on the calling thread, and task(context, s) on each helper s in
// [1, threads) that wakes before that run returns (helpers are started here when fewer run).
// Returns 0 once every run is done, or pthread_create's error number, before anything ran, when
// a helper cannot be started.
int pool_run(thread_pool *pool, size_t threads, pool_task *task, void *context);

// Stops and joins the helpers (no task may be running) and frees the pool's locks.
void pool_destroy(thread_pool *pool);

#endif
