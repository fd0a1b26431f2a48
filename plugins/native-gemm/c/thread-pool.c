// The helper threads of thread-pool.h: one mutex and two condition variables per pool. A task is
// published as a new round, open (broadcast on `wake`); a helper that sees it while it is still
// open counts itself busy and runs it. Once its own run returns, the calling thread closes the
// task (later helpers skip it) and waits for the busy ones, the last of which signals `finished`.
// Waking a sleeping thread costs 0.05 to 0.5 ms on this virtual machine, so helpers first spin for
// SPIN_PAUSES pauses (about 1 ms on these Zen cores) watching the round, and the caller watching
// the busy count, before they sleep. The mutex, or the atomics' acquire and release, order the
// helpers' writes before the caller's return.
#include "thread-pool.h"

#include <immintrin.h>
#include <signal.h>

#define SPIN_PAUSES 40000

// glibc 2.32 and 2.34 moved these from libpthread into libc under new versions; bound to their
// first ones (still in libc, the same code), the prebuilt keeps loading on the older glibc that
// Node 22 supports (2.28 up), where Node's own libpthread provides them.
__asm__(".symver pthread_create, pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_join, pthread_join@GLIBC_2.2.5");
__asm__(".symver pthread_sigmask, pthread_sigmask@GLIBC_2.2.5");

int pool_init(thread_pool *pool) {
  int error = pthread_mutex_init(&pool->lock, NULL);
  if (error != 0) return error;
  if ((error = pthread_cond_init(&pool->wake, NULL)) != 0) {
    pthread_mutex_destroy(&pool->lock);
    return error;
  }
  if ((error = pthread_cond_init(&pool->finished, NULL)) != 0) {
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->lock);
    return error;
  }
  pool->task = NULL;
  pool->context = NULL;
  atomic_init(&pool->round, 0);
  atomic_init(&pool->busy, 0);
  pool->shares = pool->started = 0;
  pool->open = pool->stopping = 0;
  return 0;
}

static void *helper_main(void *argument) {
  pool_helper *helper = argument;
  thread_pool *pool = helper->pool;
  for (;;) {
    for (int spin = 0; spin < SPIN_PAUSES && atomic_load_explicit(&pool->round, memory_order_acquire) == helper->seen; spin++) _mm_pause();
    pthread_mutex_lock(&pool->lock);
    while (!pool->stopping && atomic_load_explicit(&pool->round, memory_order_relaxed) == helper->seen) pthread_cond_wait(&pool->wake, &pool->lock);
    if (pool->stopping) break;
    helper->seen = atomic_load_explicit(&pool->round, memory_order_relaxed);
    int joins = pool->open && helper->share < pool->shares;
    if (joins) atomic_fetch_add_explicit(&pool->busy, 1, memory_order_relaxed);
    pool_task *task = pool->task;
    void *context = pool->context;
    pthread_mutex_unlock(&pool->lock);
    if (!joins) continue;
    task(context, helper->share);
    pthread_mutex_lock(&pool->lock);
    if (atomic_fetch_sub_explicit(&pool->busy, 1, memory_order_release) == 1 && !pool->open) pthread_cond_signal(&pool->finished);
    pthread_mutex_unlock(&pool->lock);
  }
  pthread_mutex_unlock(&pool->lock);
  return NULL;
}

// Starts helpers until `helpers` run. Signals are blocked in them: Node's threads handle signals.
static int start_helpers(thread_pool *pool, size_t helpers) {
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  int error = 0;
  while (pool->started < helpers && error == 0) {
    pool_helper *helper = &pool->helpers[pool->started];
    *helper = (pool_helper){pool, pool->started + 1, atomic_load_explicit(&pool->round, memory_order_relaxed), 0};
    error = pthread_create(&helper->thread, NULL, helper_main, helper);
    if (error == 0) pool->started++;
  }
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  return error;
}

int pool_run(thread_pool *pool, size_t threads, pool_task *task, void *context) {
  if (threads > POOL_MAX_THREADS) threads = POOL_MAX_THREADS;
  if (threads > 1) {
    int error = start_helpers(pool, threads - 1);
    if (error != 0) return error;
    pthread_mutex_lock(&pool->lock);
    pool->task = task;
    pool->context = context;
    pool->shares = threads;
    pool->open = 1;
    atomic_fetch_add_explicit(&pool->round, 1, memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
  }
  task(context, 0);
  if (threads > 1) {
    pthread_mutex_lock(&pool->lock);
    pool->open = 0;
    pthread_mutex_unlock(&pool->lock);
    for (int spin = 0; spin < SPIN_PAUSES && atomic_load_explicit(&pool->busy, memory_order_acquire) > 0; spin++) _mm_pause();
    pthread_mutex_lock(&pool->lock);
    while (atomic_load_explicit(&pool->busy, memory_order_acquire) > 0) pthread_cond_wait(&pool->finished, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
  }
  return 0;
}

void pool_destroy(thread_pool *pool) {
  pthread_mutex_lock(&pool->lock);
  pool->stopping = 1;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (size_t i = 0; i < pool->started; i++) pthread_join(pool->helpers[i].thread, NULL);
  pthread_cond_destroy(&pool->finished);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->lock);
}
