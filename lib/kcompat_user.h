/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel names kmod/compat.h promises, for userspace builds of the
 * lookup core (host tests and benchmarks). Single threaded: RCU
 * publication is a release store, a grace period is immediate.
 */
#ifndef DFC_KCOMPAT_USER_H
#define DFC_KCOMPAT_USER_H

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef struct { s64 counter; } atomic64_t;
struct rcu_head { void *next; void (*func)(struct rcu_head *); };
struct list_head { struct list_head *next, *prev; };

#define __rcu
#define __force
#define __aligned(x)		__attribute__((__aligned__(x)))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define noinline		__attribute__((__noinline__))
#define __uninitialized		/* no automatic zeroing to opt out of */
#ifndef __always_inline		/* glibc's <sys/cdefs.h> has it */
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define rcu_dereference(p)	__atomic_load_n(&(p), __ATOMIC_CONSUME)
#define rcu_dereference_protected(p, c) (p)
#define rcu_access_pointer(p)	(p)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v)	((p) = (v))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define hweight64(x)		((unsigned int)__builtin_popcountll(x))
#define ilog2(n)		(31 - __builtin_clz((unsigned int)(n)))
#define GFP_KERNEL		0
#define GFP_ATOMIC		0
#define __GFP_NOWARN		0
#define kzalloc(sz, gfp)	calloc(1, (sz))
#define kvzalloc(sz, gfp)	calloc(1, (sz))
#define kvcalloc(n, sz, gfp)	calloc((n), (sz))
#define kfree(p)		free(p)
#define kvfree(p)		free(p)
#define dfc_call_rcu(head, fn)	((fn)(head))
#define dfc_synchronize_rcu()	do { } while (0)
/* One CPU: a per-CPU variable is a single one. */
#define __percpu
#define alloc_percpu_gfp(type, gfp) ((type *)calloc(1, sizeof(type)))
#define free_percpu(p)		free(p)
#define num_possible_cpus()	1U
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define per_cpu_ptr(p, cpu)	((void)(cpu), (p))
#define this_cpu_inc(x)		((void)__atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED))

static inline s64 atomic64_read(const atomic64_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic64_set(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic64_add(s64 i, atomic64_t *v)
{
	__atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED);
}

static inline bool atomic64_try_cmpxchg(atomic64_t *v, s64 *old, s64 new)
{
	return __atomic_compare_exchange_n(&v->counter, old, new, false,
					   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

u32 get_random_u32(void);	/* provided by the userspace harness */

#endif /* DFC_KCOMPAT_USER_H */
