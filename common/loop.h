/*
 * loop.h - the libevent loop every evalfleet process runs on (local mode's
 * engine, a worker).
 *
 * The loop batches its epoll changes (libevent's change list): libcurl asks
 * to stop watching a kept-alive connection when a transfer ends and to
 * watch it again when the next one starts, and without the change list each
 * of those is an epoll_ctl system call (~1.9 per judge call).  libevent's
 * documented hazard for the change list is descriptors cloned with dup(),
 * which nothing here does; a descriptor closed and reopened between two
 * turns is handled (a failed MOD is retried as an ADD).
 *
 * The caller owns the base (event_base_free).
 */
#ifndef EF_LOOP_H
#define EF_LOOP_H

struct event_base;

/* NULL when out of memory. */
struct event_base *ef_loop_new(void);

#endif
