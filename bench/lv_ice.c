/* lv_ice.c — a small ICE agent for the load client.
 *
 * Owns: one viewer's connectivity checks, the selected pair and consent.
 * Must never: answer or accept a check whose MESSAGE-INTEGRITY or
 * FINGERPRINT is wrong. Called by lv_peer.c on the viewer's worker thread.
 *
 * Controlling (the WHEP offerer, or anyone facing an ICE-lite server), it
 * nominates with every check and takes the first pair that answers.
 * Controlled (answering Janus, a full agent that offered), it takes the
 * pair the server nominates once it has answered the server's check.
 */
#include "lv_ice.h"

#include "stun.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#define CHECK_EVERY_US   100000
#define CHECK_LIMIT_US   10000000
#define CONSENT_EVERY_US 5000000
#define CONSENT_LIMIT_US 30000000
#define PRFLX_PRIORITY   ((110u << 24) | (65535u << 8) | 255u)
#define USER_MAX         (2 * LV_SDP_CRED_MAX + 2)
#define STUN_MSG_MAX     548 /* what the agent writes fits in this */

static void new_tid(uint8_t tid[STUN_TXID_LEN])
{
	if (RAND_bytes(tid, STUN_TXID_LEN) != 1)
		memset(tid, 0x5a, STUN_TXID_LEN);
}

void lv_ice_init(struct lv_ice *ice, const char *lufrag, const char *lpwd,
                 const struct lv_sdp_remote *r, bool controlling, int64_t now)
{
	memset(ice, 0, sizeof(*ice));
	ice->state = LV_ICE_CHECKING;
	ice->controlling = controlling;
	if (RAND_bytes((uint8_t *)&ice->tiebreaker, sizeof(ice->tiebreaker)) !=
	    1)
		ice->tiebreaker = (uint64_t)now;
	ice->lufrag = lufrag;
	ice->lpwd = lpwd;
	ice->rufrag = r->ufrag;
	ice->rpwd = r->pwd;
	ice->ncand = r->ncand;
	memcpy(ice->cand, r->cand, sizeof(ice->cand));
	for (int i = 0; i < ice->ncand; i++)
		new_tid(ice->tid[i]);
	ice->started_us = ice->next_check_us = now;
}

/* A binding request to `to` with transaction id tid. */
static void send_check(struct lv_ice *ice, const struct sockaddr_in *to,
                       const uint8_t *tid, lv_ice_send_fn send, void *user)
{
	uint8_t buf[STUN_MSG_MAX];
	char name[USER_MAX];
	struct stun_builder b;
	int len;

	snprintf(name, sizeof(name), "%s:%s", ice->rufrag, ice->lufrag);
	stun_begin(&b, buf, sizeof(buf), STUN_BINDING, STUN_REQUEST, tid);
	stun_add_username(&b, name);
	stun_add_priority(&b, PRFLX_PRIORITY);
	stun_add_role(&b, ice->controlling, ice->tiebreaker);
	if (ice->controlling)
		stun_add_use_candidate(&b);
	len = stun_finish(&b, ice->rpwd, strlen(ice->rpwd), true);
	if (len > 0)
		send(user, to, buf, (size_t)len);
}

static void fail(struct lv_ice *ice, const char *why)
{
	ice->state = LV_ICE_FAILED;
	ice->why = why;
}

void lv_ice_tick(struct lv_ice *ice, int64_t now, lv_ice_send_fn send,
                 void *user)
{
	switch (ice->state) {
	case LV_ICE_CHECKING:
		if (now - ice->started_us > CHECK_LIMIT_US) {
			fail(ice, "no candidate pair answered in 10 s");
			return;
		}
		if (now < ice->next_check_us)
			return;
		for (int i = 0; i < ice->ncand; i++)
			send_check(ice, &ice->cand[i], ice->tid[i], send, user);
		ice->next_check_us = now + CHECK_EVERY_US;
		break;
	case LV_ICE_CONNECTED:
		if (now - ice->consent_ok_us > CONSENT_LIMIT_US) {
			fail(ice, "consent expired (30 s without an answer)");
			return;
		}
		if (now < ice->next_consent_us)
			return;
		new_tid(ice->consent_tid);
		send_check(ice, &ice->selected, ice->consent_tid, send, user);
		ice->next_consent_us = now + CONSENT_EVERY_US;
		break;
	case LV_ICE_FAILED: break;
	}
}

static void connect_to(struct lv_ice *ice, const struct sockaddr_in *a,
                       int64_t now)
{
	if (ice->state != LV_ICE_CHECKING)
		return;
	ice->selected = *a;
	ice->state = LV_ICE_CONNECTED;
	ice->consent_ok_us = now;
	ice->next_consent_us = now + CONSENT_EVERY_US;
}

/* Both MESSAGE-INTEGRITY (under key) and FINGERPRINT present and right. */
static bool valid(const struct stun_msg *m, const char *key)
{
	return m->integrity_at && m->fingerprint_at &&
	       !stun_check_integrity(m, key, strlen(key)) &&
	       !stun_check_fingerprint(m);
}

/* A success response naming from, or (error 487) a role conflict. */
static void respond(struct lv_ice *ice, const struct stun_msg *m,
                    const struct sockaddr_in *from, int error,
                    lv_ice_send_fn send, void *user)
{
	uint8_t buf[STUN_MSG_MAX];
	struct stun_builder b;
	int len;

	stun_begin(&b, buf, sizeof(buf), STUN_BINDING,
	           error ? STUN_ERROR : STUN_SUCCESS, m->txid);
	if (error)
		stun_add_error(&b, error, "Role Conflict");
	else
		stun_add_xor_mapped(&b, (const struct sockaddr *)from);
	len = stun_finish(&b, ice->lpwd, strlen(ice->lpwd), true);
	if (len > 0)
		send(user, from, buf, (size_t)len);
}

/* RFC 8445 7.3.1.1: true if this agent keeps its role and answers 487. */
static bool keep_role(struct lv_ice *ice, const struct stun_msg *m)
{
	if (ice->controlling && m->controlling) {
		if (ice->tiebreaker >= m->tiebreaker)
			return true;
		ice->controlling = false;
	} else if (!ice->controlling && m->controlled) {
		if (ice->tiebreaker < m->tiebreaker)
			return true;
		ice->controlling = true;
	}
	return false;
}

static void on_request(struct lv_ice *ice, const struct stun_msg *m,
                       const struct sockaddr_in *from, int64_t now,
                       lv_ice_send_fn send, void *user)
{
	size_t ul = strlen(ice->lufrag);

	if (m->username_len <= ul || memcmp(m->username, ice->lufrag, ul) ||
	    m->username[ul] != ':' || !valid(m, ice->lpwd)) {
		ice->bad_in++;
		return;
	}
	ice->requests_in++;
	if (keep_role(ice, m)) {
		respond(ice, m, from, 487, send, user);
		return;
	}
	respond(ice, m, from, 0, send, user);
	if (!ice->controlling && m->use_candidate)
		connect_to(ice, from, now);
}

static void on_response(struct lv_ice *ice, const struct stun_msg *m,
                        const struct sockaddr_in *from, int64_t now)
{
	int i;

	if (ice->state == LV_ICE_CONNECTED &&
	    !memcmp(m->txid, ice->consent_tid, STUN_TXID_LEN)) {
		if (m->cls == STUN_SUCCESS && valid(m, ice->rpwd))
			ice->consent_ok_us = now;
		return;
	}
	for (i = 0; i < ice->ncand; i++)
		if (!memcmp(m->txid, ice->tid[i], STUN_TXID_LEN))
			break;
	if (i == ice->ncand || !valid(m, ice->rpwd))
		return;
	if (m->cls == STUN_ERROR) {
		if (m->error_code == 487) { /* the other side keeps its role */
			ice->controlling = !ice->controlling;
			new_tid(ice->tid[i]);
			ice->next_check_us = now;
		}
		return;
	}
	if (ice->controlling)
		connect_to(ice, from, now);
}

void lv_ice_input(struct lv_ice *ice, const uint8_t *buf, size_t len,
                  const struct sockaddr_in *from, int64_t now,
                  lv_ice_send_fn send, void *user)
{
	struct stun_msg m;

	if (ice->state == LV_ICE_FAILED || stun_parse(buf, len, &m) ||
	    m.method != STUN_BINDING)
		return;
	if (m.cls == STUN_REQUEST)
		on_request(ice, &m, from, now, send, user);
	else if (m.cls == STUN_SUCCESS || m.cls == STUN_ERROR)
		on_response(ice, &m, from, now);
}
