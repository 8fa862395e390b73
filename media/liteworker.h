/* liteworker.h — one send thread of the lite engine: the viewers it
 * serves, each packet copied from the ceremony's ring into a scratch
 * buffer, given the viewer's payload type and SSRC, protected with the
 * viewer's keys and sent in batches; NACKs answered from the ring, sender
 * reports, key frame requests. Made and owned by lite.c.
 */
#ifndef SINIAN_LITEWORKER_H
#define SINIAN_LITEWORKER_H

#include "litev.h"

#include <stdbool.h>
#include <stdint.h>

struct liteworker;

/* Start a worker sending on fd (borrowed), with UDP segmentation offload
 * if gso and the kernel takes it. 0, ERR_NOMEM or ERR_IO. */
int liteworker_new(int fd, bool gso, struct liteworker **out);
/* Stop the thread and free. Its viewers must have been removed. */
void liteworker_free(struct liteworker *w);
/* Add or remove a viewer (main thread). After remove returns the worker
 * no longer touches v. */
int liteworker_add(struct liteworker *w, struct litev *v);
void liteworker_remove(struct liteworker *w, struct litev *v);
unsigned liteworker_count(struct liteworker *w);
/* Something to send: run a pass soon. Any thread. */
void liteworker_wake(struct liteworker *w);
/* Datagrams sent, those of them sent in segmented messages, and those
 * dropped because the socket buffer was full. */
void liteworker_counts(struct liteworker *w, uint64_t *sent,
                       uint64_t *segmented, uint64_t *dropped);

#endif
