/* lv_ice.h — the load client's ICE agent for one viewer (RFC 8445, RFC
 * 7675): one local host candidate, checks to every remote UDP candidate
 * with USERNAME, PRIORITY, ICE-CONTROLLING or ICE-CONTROLLED,
 * USE-CANDIDATE (controlling: every check nominates), MESSAGE-INTEGRITY
 * and FINGERPRINT; answers to the server's own checks (full-ICE servers
 * send them); a role conflict resolved by the tie-breakers; consent
 * refreshed every 5 s and lost after 30 s without an answer.
 *
 * STUN itself is the engine's media/stun.h (parse, check, build), so the
 * client and the lite engine read one implementation, tested against the
 * RFC 5769 vectors and fuzzed. One thread uses an agent at a time.
 */
#ifndef LV_ICE_H
#define LV_ICE_H

#include "lv_sdp.h"
#include "stun.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum lv_ice_state { LV_ICE_CHECKING, LV_ICE_CONNECTED, LV_ICE_FAILED };

/* Sends one datagram from the viewer's socket. */
typedef void (*lv_ice_send_fn)(void *user, const struct sockaddr_in *to,
                               const uint8_t *buf, size_t len);

struct lv_ice {
	enum lv_ice_state state;
	bool controlling;
	uint64_t tiebreaker;
	const char *lufrag, *lpwd; /* borrowed from the viewer */
	const char *rufrag, *rpwd; /* borrowed from the remote description */
	int ncand;
	struct sockaddr_in cand[LV_SDP_MAX_CANDS];
	uint8_t tid[LV_SDP_MAX_CANDS][STUN_TXID_LEN];
	int64_t started_us, next_check_us;
	struct sockaddr_in selected; /* valid in CONNECTED */
	uint8_t consent_tid[STUN_TXID_LEN];
	int64_t next_consent_us, consent_ok_us;
	unsigned requests_in, bad_in; /* the server's checks, answered / not */
	const char *why;              /* of FAILED, static */
};

/* Start checking the remote's candidates. */
void lv_ice_init(struct lv_ice *ice, const char *lufrag, const char *lpwd,
                 const struct lv_sdp_remote *r, bool controlling, int64_t now);
/* Send what is due: checks while CHECKING, consent while CONNECTED; fails
 * after 10 s without a working pair or 30 s without consent. */
void lv_ice_tick(struct lv_ice *ice, int64_t now, lv_ice_send_fn send,
                 void *user);
/* A STUN datagram from `from`. */
void lv_ice_input(struct lv_ice *ice, const uint8_t *buf, size_t len,
                  const struct sockaddr_in *from, int64_t now,
                  lv_ice_send_fn send, void *user);

#endif
