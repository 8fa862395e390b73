/* elements.c — the table of GStreamer elements and their Debian packages.
 *
 * Owns: the list itself and the check of what is missing. Must never: load
 * plugins by hand or guess a package from a plugin's name (the test checks
 * every package against dpkg). Called by media.c at start-up and by the
 * element test.
 */
#include "elements.h"

#include "err.h"

#include <gst/gst.h>
#include <stdio.h>
#include <string.h>

#define D ELEMENTS_DAEMON
#define T ELEMENTS_TESTS
#define B ELEMENTS_BENCH

#define CORE  "libgstreamer1.0-0"
#define BASE  "gstreamer1.0-plugins-base"
#define GOOD  "gstreamer1.0-plugins-good"
#define BAD   "gstreamer1.0-plugins-bad"
#define UGLY  "gstreamer1.0-plugins-ugly"
#define LIBAV "gstreamer1.0-libav"

/* Sorted by package, then name. Elements that decodebin or webrtcbin make
 * by themselves are listed too: no source names them, but a camera or a
 * viewer fails without them. */
static const struct elements_entry table[] = {
    {"avdec_aac", LIBAV, D},
    {"avenc_aac", LIBAV, D},
    {"avdec_h264", LIBAV, D | T},
    {"nicesink", "gstreamer1.0-nice", D},
    {"nicesrc", "gstreamer1.0-nice", D},
    {"dtlsdec", BAD, D | T},
    {"dtlssrtpdec", BAD, D},
    {"dtlssrtpenc", BAD, D},
    {"h264parse", BAD, D | T},
    {"mpegtsmux", BAD, D},
    {"srtpdec", BAD, D},
    {"srtpenc", BAD, D},
    {"tsdemux", BAD, T},
    {"webrtcbin", BAD, D | T | B},
    {"appsink", BASE, D | T},
    {"appsrc", BASE, D | T},
    {"audioconvert", BASE, D | T | B},
    {"audioresample", BASE, D | T | B},
    {"audiotestsrc", BASE, D | T | B},
    {"decodebin", BASE, D | T},
    {"opusdec", BASE, D | T},
    {"opusenc", BASE, D | T | B},
    {"videoconvert", BASE, D | T},
    {"videorate", BASE, D},
    {"videoscale", BASE, D},
    {"videotestsrc", BASE, D | T | B},
    {"aacparse", GOOD, D | T},
    {"alawdec", GOOD, D},
    {"jpegdec", GOOD, D},
    {"jpegenc", GOOD, T},
    {"mp4mux", GOOD, D},
    {"mulawdec", GOOD, D},
    {"qtdemux", GOOD, T},
    {"rtpbin", GOOD, D},
    {"rtpfunnel", GOOD, D},
    {"rtph264depay", GOOD, D | T},
    {"rtph264pay", GOOD, D | T | B},
    {"rtpjitterbuffer", GOOD, D},
    {"rtpjpegdepay", GOOD, D},
    {"rtpmp4adepay", GOOD, D},
    {"rtpmp4gdepay", GOOD, D},
    {"rtpopusdepay", GOOD, D | T},
    {"rtpopuspay", GOOD, D | T | B},
    {"rtppcmadepay", GOOD, D},
    {"rtppcmudepay", GOOD, D},
    {"rtprtxsend", GOOD, D},
    {"rtpstorage", GOOD, D},
    {"rtpvp8depay", GOOD, D | T},
    {"rtpvp8pay", GOOD, D | T},
    {"udpsink", GOOD, B},
    {"rtspsrc", GOOD, D},
    {"splitmuxsink", GOOD, D},
    {"vp8dec", GOOD, D | T},
    {"vp8enc", GOOD, D | T},
    {"x264enc", UGLY, D | T | B},
    {"clockoverlay", "gstreamer1.0-x", D},
    {"textoverlay", "gstreamer1.0-x", D},
    {"capsfilter", CORE, D | T},
    {"fakesink", CORE, D | T | B},
    {"filesrc", CORE, T},
    {"filesink", CORE, D},
    {"identity", CORE, T},
    {"queue", CORE, D | T},
    {"tee", CORE, D | T},
    {"valve", CORE, T},
};

const struct elements_entry *elements_table(size_t *n)
{
	*n = G_N_ELEMENTS(table);
	return table;
}

const struct elements_entry *elements_find(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

/* Append word to a space-separated list unless it is there already. */
static int add_word(char *list, size_t len, size_t *off, const char *word)
{
	int n;

	for (const char *p = list; (p = strstr(p, word)); p++)
		if ((p == list || p[-1] == ' ') &&
		    (p[strlen(word)] == ' ' || !p[strlen(word)]))
			return 0;
	n = snprintf(list + *off, len - *off, "%s%s", *off ? " " : "", word);
	if (n < 0 || (size_t)n >= len - *off)
		return ERR_TOO_LARGE;
	*off += (size_t)n;
	return 0;
}

int elements_missing(unsigned users, char *names, size_t names_len,
                     char *packages, size_t packages_len)
{
	size_t noff = 0, poff = 0;
	int missing = 0;

	if (!names_len || !packages_len)
		return ERR_TOO_LARGE;
	names[0] = packages[0] = '\0';
	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		GstElementFactory *f;

		if (!(table[i].users & users))
			continue;
		if ((f = gst_element_factory_find(table[i].name))) {
			gst_object_unref(f);
			continue;
		}
		if (add_word(names, names_len, &noff, table[i].name) ||
		    add_word(packages, packages_len, &poff, table[i].package))
			return ERR_TOO_LARGE;
		missing++;
	}
	return missing;
}
