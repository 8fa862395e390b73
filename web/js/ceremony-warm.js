// ceremony-warm.js — the first script of the player page /c/{id}: it only
// starts the WebRTC offer (whep.js prepareOffer: a recvonly connection, its
// offer and ICE gathering, ~150–250 ms) while the rest of the page's modules
// load and the ceremony is asked for. ceremony.js takes it over if the
// ceremony is live, and closes it otherwise.
import { prepareOffer } from './whep.js';

export const warm = /^\/c\/\d+\/?$/.test(location.pathname) && typeof RTCPeerConnection === 'function'
  ? prepareOffer()
  : null;
