/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vipsec_sync: the few atomic operations the engine's shared state uses,
 * on plain fields (GCC/Clang __atomic builtins, which ThreadSanitizer
 * understands), so that the structures keep their layout and the
 * control path, which runs alone where it mutates, keeps plain code.
 *
 * Naming: vpe_ld/vpe_st are relaxed (a counter or flag read on its own),
 * _acq/_rel order the publication of an object (an SA pointer in the
 * table), _sc are sequentially consistent, vpe_add is a relaxed
 * fetch-add (statistics: only the sum matters). See vipsec_queue.c for the locking rules these serve.
 */
#ifndef VPE_SYNC_H
#define VPE_SYNC_H

#include <sched.h>
#include <stdint.h>

#define vpe_ld(p)	 __atomic_load_n((p), __ATOMIC_RELAXED)
#define vpe_ld_acq(p)	 __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define vpe_st(p, v)	 __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define vpe_st_rel(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define vpe_add(p, v)	 __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
#define vpe_sub(p, v)	 __atomic_fetch_sub((p), (v), __ATOMIC_RELAXED)
#define vpe_or(p, v)	 __atomic_fetch_or((p), (v), __ATOMIC_RELAXED)
#define vpe_cas(p, expp, v)                                                   \
	__atomic_compare_exchange_n((p), (expp), (v), true, __ATOMIC_RELAXED, \
				    __ATOMIC_RELAXED)
/*
 * Sequentially consistent store and load, for the store-then-load
 * handshakes (Dekker) between the data queues' entry and the control
 * path's grace periods (vipsec_queue.c). Used instead of a fence, which
 * ThreadSanitizer cannot model; on x86 the store is one xchg (what a
 * fence costs), the load a plain move.
 */
#define vpe_st_sc(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define vpe_ld_sc(p)	__atomic_load_n((p), __ATOMIC_SEQ_CST)

/*
 * A spinlock for critical sections of a few dozen instructions (an SA's
 * replay window): one atomic exchange to take, a store to release,
 * instead of a mutex's two atomics and calls. A waiter yields the CPU
 * after a while, in case the holder was preempted (more threads than
 * cores).
 */
static inline void vpe_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static inline void vpe_spin_lock(uint32_t *l)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
			if (++spins % 64 == 0)
				sched_yield();
			else
				vpe_cpu_relax();
		}
}

static inline void vpe_spin_unlock(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

#endif /* VPE_SYNC_H */
