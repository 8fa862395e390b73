/* lv_stun.h — the few STUN messages (RFC 8489) the load client's ICE agent
 * sends and reads: binding requests with USERNAME, PRIORITY,
 * ICE-CONTROLLING or ICE-CONTROLLED, USE-CANDIDATE; success responses with
 * XOR-MAPPED-ADDRESS; 487 error responses; MESSAGE-INTEGRITY and
 * FINGERPRINT on all of them.
 *
 * Pure functions over caller buffers; every length from the datagram is
 * checked before use.
 */
#ifndef LV_STUN_H
#define LV_STUN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LV_STUN_TID 12
#define LV_STUN_MAX 548 /* what the client writes fits in this */

enum {
	LV_STUN_REQUEST = 0x0001,
	LV_STUN_SUCCESS = 0x0101,
	LV_STUN_ERROR = 0x0111,
};

/* What lv_stun_parse() read; username points into the datagram. */
struct lv_stun_msg {
	uint16_t type;
	uint8_t tid[LV_STUN_TID];
	const char *username;
	size_t username_len;
	bool use_candidate, controlling, controlled;
	uint64_t tiebreaker;
	int error_code;               /* 0: none */
	size_t integrity_off, fp_off; /* 0: absent */
};

/* Read a STUN message (RFC 7983: first byte 0-3). 0, or -1 if it is not
 * one or its attributes do not frame. */
int lv_stun_parse(const uint8_t *buf, size_t len, struct lv_stun_msg *m);
/* True if m has a FINGERPRINT and a MESSAGE-INTEGRITY that match buf,
 * the latter under key (the ICE password of the side that checks it). */
bool lv_stun_valid(const uint8_t *buf, const struct lv_stun_msg *m,
                   const char *key);

/* A binding request from user ("theirs:ours"); its length, 0 if it does
 * not fit. */
size_t lv_stun_request(uint8_t *buf, size_t cap, const uint8_t tid[LV_STUN_TID],
                       const char *user, uint32_t priority, bool controlling,
                       uint64_t tiebreaker, const char *key);
/* A success response naming mapped, or (error 487) a role conflict. */
size_t lv_stun_response(uint8_t *buf, size_t cap,
                        const uint8_t tid[LV_STUN_TID],
                        const struct sockaddr_in *mapped, int error,
                        const char *key);

#endif
