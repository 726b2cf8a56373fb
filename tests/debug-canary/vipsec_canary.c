// SPDX-License-Identifier: GPL-2.0
/*
 * vipsec_canary: one bug of each kind the debug guest kernel must report,
 * committed on purpose at module load, so that tests/vm/debug-canary.sh can
 * show every check of make test-debug firing and the judge catching it:
 *   kmemleak         an allocation whose only pointer is dropped
 *   DEBUG_OBJECTS    freeing an armed timer
 *   lockdep          taking two mutexes in both orders (no deadlock: one
 *                    thread, but the dependency cycle is reported)
 *   atomic sleep     msleep() under a spinlock
 *   KASAN            reading freed memory (last: KASAN reports once)
 * Never loaded by any test suite.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>

static DEFINE_MUTEX(canary_a);
static DEFINE_MUTEX(canary_b);
static DEFINE_SPINLOCK(canary_lock);

struct canary_timer {
	struct timer_list t;
};

static void canary_timer_fn(struct timer_list *t)
{
}

static noinline void canary_leak(void)
{
	void *volatile p;
	int i;

	for (i = 0; i < 4; i++) {
		p = kmalloc(256, GFP_KERNEL);
		if (p)
			memset(p, 0x5a, 256);	/* no pointers inside */
	}
	p = NULL;
}

static noinline void canary_odebug(void)
{
	struct canary_timer *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return;
	timer_setup(&c->t, canary_timer_fn, 0);
	mod_timer(&c->t, jiffies + 100 * HZ);
	kfree(c);	/* ODEBUG: free active; its fixup deletes the timer */
}

static noinline void canary_lockdep(void)
{
	mutex_lock(&canary_a);
	mutex_lock(&canary_b);
	mutex_unlock(&canary_b);
	mutex_unlock(&canary_a);
	mutex_lock(&canary_b);
	mutex_lock(&canary_a);
	mutex_unlock(&canary_a);
	mutex_unlock(&canary_b);
}

static noinline void canary_atomic_sleep(void)
{
	spin_lock(&canary_lock);
	msleep(1);
	spin_unlock(&canary_lock);
}

static noinline int canary_uaf(void)
{
	char *volatile p = kmalloc(64, GFP_KERNEL);
	int v;

	if (!p)
		return 0;
	p[0] = 1;
	kfree(p);
	v = p[8];	/* KASAN: use-after-free */
	return v;
}

static int __init canary_init(void)
{
	canary_leak();
	canary_odebug();
	canary_lockdep();
	canary_atomic_sleep();
	pr_info("vipsec_canary: all bugs committed (%d)\n", canary_uaf());
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberately buggy: proves the debug kernel's checks fire");
