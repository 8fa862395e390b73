// ceremony-warm.js — the first script of the player page /c/{id}: it asks
// for the ICE servers (STUN, and TURN with credentials for this viewer) and
// starts the WebRTC offer with them (whep.js prepareOffer: a recvonly
// connection, its offer and ICE gathering, ~150–250 ms) while the rest of
// the page's modules load and the ceremony is asked for. ceremony.js takes
// it over if the ceremony is live, and closes it otherwise.
import { fetchIceServers, prepareOffer } from './whep.js';

const m = /^\/c\/(\d+)\/?$/.exec(location.pathname);
const invite = new URLSearchParams(location.search).get('invite');

/** A promise of the ICE servers, or null off a /c/{id} path. */
export const iceServers = m ? fetchIceServers(`/api/ceremonies/${m[1]}/ice-servers`, invite) : null;

export const warm = iceServers && typeof RTCPeerConnection === 'function'
  ? prepareOffer(iceServers)
  : null;
