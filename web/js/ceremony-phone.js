// ceremony-phone.js — the player in a hand: fullscreen turns the phone to
// landscape where the browser allows it (screen.orientation.lock), the
// picture stays pinned at the top while a condolence is written, and a
// browser that can play neither WebRTC nor HLS (WeChat's and other apps'
// built-in browsers on some phones) says how to open the link in the
// phone's own browser. Landscape itself is CSS (ceremony.css: the picture
// fills the screen, its buttons on it).
//
//   import { canPlayLive, inAppBrowser, pinWhileWriting, enterFullscreen } from '/js/ceremony-phone.js';
import { hlsPlayable } from './hls-play.js';

/** Can this browser play the live ceremony at all: WebRTC, or HLS
 *  (natively, or through Media Source Extensions: hls-play.js)? */
export function canPlayLive(video) {
  return typeof RTCPeerConnection === 'function' || hlsPlayable(video);
}

/** 'wechat', 'qq', 'app' (another app's built-in browser) or null. */
export function inAppBrowser(ua = navigator.userAgent) {
  if (/MicroMessenger/i.test(ua)) return 'wechat';
  if (/\bQQ\//.test(ua)) return 'qq';
  if (/Weibo|DingTalk|AlipayClient|Lark|Feishu|Douyin|aweme/i.test(ua)) return 'app';
  return null;
}

/** Full screen for the stage, turned to landscape where allowed; an
 *  iPhone can only put the video itself full screen. */
export async function enterFullscreen(stage, video) {
  if (stage.requestFullscreen) {
    try {
      await stage.requestFullscreen({ navigationUI: 'hide' });
    } catch {
      return;
    }
    try {
      await screen.orientation?.lock?.('landscape');
    } catch { /* not allowed here (desktop, iOS): the picture stays as it is */ }
  } else if (video?.webkitEnterFullscreen) {
    video.webkitEnterFullscreen();
  }
}

export function exitFullscreen() {
  try {
    screen.orientation?.unlock?.();
  } catch { /* nothing was locked */ }
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
}

// Leaving full screen by the system's back gesture also unlocks.
document.addEventListener('fullscreenchange', () => {
  if (!document.fullscreenElement) {
    try {
      screen.orientation?.unlock?.();
    } catch { /* nothing was locked */ }
  }
});

/** While focus is in form, main gets .is-writing (CSS pins the picture at
 *  the top on a phone held upright, the field scrolled below it). */
export function pinWhileWriting(main, form) {
  form.addEventListener('focusin', () => main.classList.add('is-writing'));
  form.addEventListener('focusout', (ev) => {
    if (!form.contains(ev.relatedTarget)) main.classList.remove('is-writing');
  });
}
