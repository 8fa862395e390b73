/* lv_srtp.c — libsrtp sessions of the load client.
 *
 * Owns: the viewer's two srtp_t. Must never: protect past the caller's
 * buffer. Called by lv_peer.c on the viewer's worker thread, and once by
 * lviewers.c (lv_srtp_global_init).
 *
 * Only a sample of the packets is decrypted: libsrtp estimates each
 * packet's index from the last one it saw, which holds for gaps far below
 * 2^15 packets.
 */
#include "lv_srtp.h"

#include <srtp2/srtp.h>
#include <string.h>

int lv_srtp_global_init(void)
{
	return srtp_init() == srtp_err_status_ok ? 0 : -1;
}

static int session(void **out, int profile, const uint8_t *key,
                   srtp_ssrc_type_t type)
{
	srtp_policy_t p;

	memset(&p, 0, sizeof(p));
	if (profile == LV_SRTP_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
	} else if (profile == LV_SRTP_CM80) {
		srtp_crypto_policy_set_rtp_default(&p.rtp);
		srtp_crypto_policy_set_rtcp_default(&p.rtcp);
	} else {
		return -1;
	}
	p.ssrc.type = type;
	p.key = (unsigned char *)key;
	p.window_size = 1024;
	return srtp_create((srtp_t *)out, &p) == srtp_err_status_ok ? 0 : -1;
}

int lv_srtp_start(struct lv_srtp *s, const struct lv_srtp_keys *k)
{
	memset(s, 0, sizeof(*s));
	if (session(&s->rx, k->profile, k->remote, ssrc_any_inbound) ||
	    session(&s->tx, k->profile, k->local, ssrc_any_outbound)) {
		lv_srtp_stop(s);
		return -1;
	}
	return 0;
}

void lv_srtp_stop(struct lv_srtp *s)
{
	if (s->rx)
		srtp_dealloc(s->rx);
	if (s->tx)
		srtp_dealloc(s->tx);
	s->rx = s->tx = NULL;
}

int lv_srtp_unprotect_rtp(struct lv_srtp *s, uint8_t *buf, size_t *len)
{
	int n = (int)*len;

	if (!s->rx || srtp_unprotect(s->rx, buf, &n) != srtp_err_status_ok)
		return -1;
	*len = (size_t)n;
	return 0;
}

int lv_srtp_unprotect_rtcp(struct lv_srtp *s, uint8_t *buf, size_t *len)
{
	int n = (int)*len;

	if (!s->rx || srtp_unprotect_rtcp(s->rx, buf, &n) != srtp_err_status_ok)
		return -1;
	*len = (size_t)n;
	return 0;
}

int lv_srtp_protect_rtcp(struct lv_srtp *s, uint8_t *buf, size_t *len,
                         size_t cap)
{
	int n = (int)*len;

	if (!s->tx || *len + LV_SRTP_ROOM > cap ||
	    srtp_protect_rtcp(s->tx, buf, &n) != srtp_err_status_ok)
		return -1;
	*len = (size_t)n;
	return 0;
}
