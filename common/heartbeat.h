/*
 * heartbeat.h - a file whose modification time says "this process is alive".
 *
 * Long-running roles touch it every few seconds from their main loop, so a
 * stuck loop stops the beat; Kubernetes probes check the file's age.  With
 * an event_base the heartbeat beats by itself every 5 s; without one the
 * owner calls ef_heartbeat_beat() from its loop (it touches at most once a
 * second).  Owns a copy of the path and its timer.
 */
#ifndef EF_HEARTBEAT_H
#define EF_HEARTBEAT_H

#include <stddef.h>

struct event_base;
typedef struct ef_heartbeat ef_heartbeat;

ef_heartbeat *ef_heartbeat_new(struct event_base *base, const char *path, char *errstr,
                               size_t errsize);
void ef_heartbeat_beat(ef_heartbeat *hb);    /* NULL is fine */
void ef_heartbeat_destroy(ef_heartbeat *hb); /* NULL is fine; removes the file */

#endif
