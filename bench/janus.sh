#!/usr/bin/env bash
# Janus as an anchor for the viewer benches: Debian's janus with a
# temporary configuration (HTTP API on 127.0.0.1, the streaming plugin with
# one RTP mountpoint fed on 127.0.0.1, ICE on one local IPv4 address, no
# STUN) and a gst-launch feed
# with the stream settings of sinian's encoder (media/encoder.c): 1280x720
# at 30 fps, x264enc tune=zerolatency speed-preset=ultrafast
# key-int-max=60 bitrate=1500, constrained baseline, rtph264pay pt 102
# config-interval=-1 aggregate-mode=zero-latency (mtu as given), and Opus
# at 64 kbit/s pt 111.
#
#   bench/janus.sh [--cpu LIST] [--mtu 1400] [--event-loops 0] [--ice-lite]
#                  [--ready-file FILE]
#
# Prints one line once the mountpoint receives the feed:
#   janus url=http://127.0.0.1:PORT/janus mountpoint=1 pid=N feed_pid=N ip=ADDR
# (also written to --ready-file), then runs until it gets SIGINT or SIGTERM
# or one of the two processes ends, and stops both and removes its
# temporary files on the way out.
#
# --cpu LIST     run Janus and the feed under taskset -c LIST
# --mtu N        rtph264pay mtu (default 1400, rtph264pay's default, which
#                sinian's encoder uses)
# --event-loops N  Janus's event_loops (default 0, Janus's default: a loop
#                thread per handle; N: N static loop threads for all)
# --ice-lite     Janus as an ICE-lite agent (default: full ICE, like
#                webrtcbin; it then checks the viewers' candidates itself)
#
# ICE: Janus gathers its candidates with libnice, which never offers a
# loopback address, so its candidates are on the machine's first IPv4
# address (ice_enforce_list; `hostname -I`), IPv4 only. A client on the same
# machine must use that address too (bench/lviewers --local-ip ADDR, the ip=
# of the line above): packets between two local addresses stay in the host
# (the kernel routes them over lo).
#
# --keyframe-buffer false   do not replay the last key frame to a joining
#                viewer (default true: Janus's videobufferkf, its fast join)
set -euo pipefail

cpu=""
mtu=1400
loops=0
ice_lite=false
kf=true
ready_file=""
while [ $# -gt 0 ]; do
	case "$1" in
	--cpu) cpu="$2"; shift ;;
	--mtu) mtu="$2"; shift ;;
	--event-loops) loops="$2"; shift ;;
	--ice-lite) ice_lite=true ;;
	--keyframe-buffer) kf="$2"; shift ;;
	--ready-file) ready_file="$2"; shift ;;
	*)
		echo "usage: $0 [--cpu LIST] [--mtu N] [--event-loops N] [--ice-lite] [--keyframe-buffer true|false] [--ready-file FILE]" >&2
		exit 2
		;;
	esac
	shift
done
for tool in janus gst-launch-1.0 curl; do
	command -v "$tool" >/dev/null || {
		echo "janus.sh: $tool is missing (scripts/deps.sh --bench)" >&2
		exit 2
	}
done
LIB=/usr/lib/x86_64-linux-gnu/janus
[ -d "$LIB" ] || LIB="$(dirname "$(dpkg -L janus | grep -m1 '/janus/plugins$')")"

tmp="$(mktemp -d /tmp/sinian-janus-XXXXXX)"
janus_pid=""
feed_pid=""
stop() {
	trap - EXIT INT TERM
	[ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null || true
	[ -n "$janus_pid" ] && kill "$janus_pid" 2>/dev/null || true
	for _ in $(seq 50); do
		if { [ -z "$janus_pid" ] || ! kill -0 "$janus_pid" 2>/dev/null; } &&
			{ [ -z "$feed_pid" ] || ! kill -0 "$feed_pid" 2>/dev/null; }; then
			break
		fi
		sleep 0.1
	done
	[ -n "$feed_pid" ] && kill -9 "$feed_pid" 2>/dev/null || true
	[ -n "$janus_pid" ] && kill -9 "$janus_pid" 2>/dev/null || true
	[ -n "${JANUS_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT TERM

# A port nobody listens on (TCP and UDP), from the ephemeral range's
# neighbourhood; ss tells what is taken.
used=" $(ss -Htuan 2>/dev/null | awk '{print $5}' | sed 's/.*://' | tr '\n' ' ') "
taken=" "
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		case "$used$taken" in *" $p "*) continue ;; esac
		taken="$taken$p "
		echo "$p"
		return
	done
}
http_port="$(free_port)"
video_port="$(free_port)"
audio_port="$(free_port)"
rtp_lo="$(free_port)"

ip="$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -m1 -E '^[0-9]+(\.[0-9]+){3}$' || true)"
[ -n "$ip" ] || {
	echo "janus.sh: this machine has no IPv4 address besides loopback" >&2
	exit 1
}
event_loops=""
[ "$loops" -gt 0 ] && event_loops="event_loops = $loops"
cat >"$tmp/janus.jcfg" <<EOF
general: {
	configs_folder = "$tmp"
	plugins_folder = "$LIB/plugins"
	transports_folder = "$LIB/transports"
	events_folder = "$LIB/events"
	loggers_folder = "$LIB/loggers"
	debug_level = ${JANUS_DEBUG:-3}
	session_timeout = 60
	$event_loops
}
certificates: {
}
media: {
	ipv6 = false
	rtp_port_range = "$rtp_lo-$((rtp_lo + 999))"
	dtls_mtu = 1200
}
nat: {
	ice_lite = $ice_lite
	ice_tcp = false
	full_trickle = false
	ice_enforce_list = "$ip"
	ignore_mdns = true
}
plugins: {
	disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_videoroom.so,libjanus_voicemail.so"
}
transports: {
	disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so"
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
events: {
	broadcast = false
}
EOF
cat >"$tmp/janus.transport.http.jcfg" <<EOF
general: {
	json = "compact"
	base_path = "/janus"
	http = true
	port = $http_port
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_http = false
	admin_https = false
}
EOF
cat >"$tmp/janus.plugin.streaming.jcfg" <<EOF
general: {
	events = false
}
bench: {
	type = "rtp"
	id = 1
	description = "sinian bench feed"
	audio = true
	video = true
	audioport = $audio_port
	audioiface = "127.0.0.1"
	audiopt = 111
	audiocodec = "opus"
	videoport = $video_port
	videoiface = "127.0.0.1"
	videopt = 102
	videocodec = "h264"
	videofmtp = "profile-level-id=42e01f;packetization-mode=1"
	videobufferkf = $kf
}
EOF

pin=()
[ -n "$cpu" ] && pin=(taskset -c "$cpu")
"${pin[@]}" janus --config="$tmp/janus.jcfg" --configs-folder="$tmp" \
	--disable-colors --log-stdout >"$tmp/janus.log" 2>&1 &
janus_pid=$!
url="http://127.0.0.1:$http_port/janus"
for _ in $(seq 100); do
	curl -sf "$url/info" >/dev/null 2>&1 && break
	kill -0 "$janus_pid" 2>/dev/null || {
		echo "janus.sh: janus exited:" >&2
		tail -n 30 "$tmp/janus.log" >&2
		exit 1
	}
	sleep 0.1
done
curl -sf "$url/info" >/dev/null || {
	echo "janus.sh: janus did not answer on $url" >&2
	tail -n 30 "$tmp/janus.log" >&2
	exit 1
}

"${pin[@]}" gst-launch-1.0 -q \
	videotestsrc is-live=true pattern=smpte \
	! video/x-raw,format=I420,width=1280,height=720,framerate=30/1 \
	! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=60 bitrate=1500 \
	! video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au \
	! rtph264pay config-interval=-1 aggregate-mode=zero-latency pt=102 mtu="$mtu" \
	! udpsink host=127.0.0.1 port="$video_port" sync=false async=false \
	audiotestsrc is-live=true wave=sine freq=440 volume=0.05 \
	! audioconvert ! audioresample \
	! audio/x-raw,format=S16LE,rate=48000,channels=2 \
	! opusenc bitrate=64000 ! rtpopuspay pt=111 \
	! udpsink host=127.0.0.1 port="$audio_port" sync=false async=false \
	>"$tmp/feed.log" 2>&1 &
feed_pid=$!
sleep 1
kill -0 "$feed_pid" 2>/dev/null || {
	echo "janus.sh: the feed exited:" >&2
	cat "$tmp/feed.log" >&2
	exit 1
}

line="janus url=$url mountpoint=1 pid=$janus_pid feed_pid=$feed_pid ip=$ip"
echo "$line"
[ -n "$ready_file" ] && echo "$line" >"$ready_file"
# until asked to stop, or until either process ends
while kill -0 "$janus_pid" 2>/dev/null && kill -0 "$feed_pid" 2>/dev/null; do
	sleep 0.5 &
	wait $! || true
done
echo "janus.sh: janus or the feed ended; last lines of the log:" >&2
tail -n 20 "$tmp/janus.log" >&2
exit 1
