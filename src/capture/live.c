/*
 * live.c: a live capture that spools to a file. Every packet is written
 * to the spool before the engine sees it, with the record's offset, so the
 * rest of the program treats a live capture exactly like a file. With
 * --ring the spool is a ring of files (ring.h) that reads as one.
 * A capture stream (-r -, a FIFO: pipe.h) is the other source: its records
 * are written to the spool as they arrive, byte for byte, and its frames
 * read back from there by capfile.c.
 */
#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "../util/clock.h"
#include "capfile.h"
#include "pipe.h"
#include "ring.h"
#include "safefile.h"

#define WHOLE_PACKET 262144	/* what -s 0 means, as in tcpdump */
#define SPOOL_IOBUF (256 * 1024)
#define RING_BYTES (64 << 20)	/* kernel ring: ~1 s of a busy gateway */
#define DELIVER_MS 50		/* longest a packet waits in the ring */
#define FLUSH_NS (100LL * 1000000LL)	/* spool readers lag at most this */
#define STATS_NS (250LL * 1000000LL)	/* pcap_stats reads sysfs: not often */
#define FILL_BYTES (256 * 1024)	/* a stream read between read-backs */
#define CALL_BYTES (4 << 20)	/* a stream read in one live_read at most */

struct live {
	pcap_t *pcap;		/* an interface, or NULL for a stream: */
	struct pipe_in *in;	/* a capture stream (closed once done) */
	struct capfile *back;	/* the stream's spool, read back */
	bool ended;		/* the stream has ended (notice: how) */
	bool behind;		/* frames wait in the spool to be handed on */
	char notice[600];	/* a damaged or cut stream, in one line */
	pcap_dumper_t *dump;	/* NULL for a stream, written as it came */
	FILE *spool;		/* owned by dump */
	char spool_path[4096];
	char keep_path[4096];	/* -w: where the spool goes at the end */
	bool keep, force, nano, paused, full;
	bool kept;		/* -w ring closed cleanly: leave its files */
	bool failed;		/* a ring file could not be made: see err */
	bool spool_named;	/* spool_path is a name to remove at the end
				 * (else /proc/self/fd/N of a nameless file) */
	uint64_t max_bytes;
	uint64_t captured;
	uint64_t spool_bytes;	/* written in all */
	uint64_t member_bytes;	/* in the file being written: next offset */
	/* --ring: the files, oldest first; spool_path is the newest's */
	unsigned ring_files;	/* how many to keep; 0: one spool file */
	struct ring_index *ring;
	char ring_dir[4096];	/* the members' and the index's folder */
	char ring_base[200];	/* members are BASE_00001.pcap … */
	char ring_path[4400];	/* the index */
	bool ring_private;	/* a folder of our own, removed at exit */
	int64_t flushed_ns, stats_ns;
	uint64_t drops;		/* cached pcap_stats */
	int linktype;
	char err[4608];
	/* the callback of the batch being read */
	live_cb cb;
	void *ctx;
};

static const char *
perm_hint(void)
{
	return "run as root, or give the program CAP_NET_RAW and "
	    "CAP_NET_ADMIN (setcap cap_net_raw,cap_net_admin=eip)";
}

/* One line naming the interface and what is wrong. */
static void
activate_error(pcap_t *p, int rc, const char *iface, char *err,
    size_t errlen)
{
	switch (rc) {
	case PCAP_ERROR_PERM_DENIED:
		snprintf(err, errlen, "%s: you may not capture here (%s)",
		    iface, perm_hint());
		break;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(err, errlen, "%s: no such interface", iface);
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(err, errlen, "%s: the interface is down", iface);
		break;
	default:
		snprintf(err, errlen, "%s: %s", iface, pcap_geterr(p));
		break;
	}
}

static pcap_t *
open_iface(const struct live_opts *o, bool *nano, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(o->iface, ebuf);
	int rc;

	if (p == NULL) {
		snprintf(err, errlen, "%s: %s", o->iface, ebuf);
		return NULL;
	}
	pcap_set_snaplen(p, o->snaplen > 0 ? o->snaplen : WHOLE_PACKET);
	pcap_set_promisc(p, 1);
	/*
	 * Not immediate mode: that makes libpcap use fixed-size ring slots
	 * (64 KiB each with offloads), so a 64 MiB ring would hold only ~1000
	 * packets. A short timeout keeps the screen within 50 ms instead.
	 */
	pcap_set_timeout(p, DELIVER_MS);
	pcap_set_buffer_size(p, RING_BYTES);
	*nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
	rc = pcap_activate(p);
	if (rc < 0) {
		activate_error(p, rc, o->iface, err, errlen);
		pcap_close(p);
		return NULL;
	}
	*nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	return p;
}

/* *bad: the filter does not compile (for this interface's link type) */
static int
set_filter(pcap_t *p, const struct live_opts *o, bool *bad, char *err,
    size_t errlen)
{
	struct bpf_program prog;

	if (o->filter == NULL || o->filter[0] == '\0')
		return 0;
	if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "-f '%s': %s", o->filter, pcap_geterr(p));
		*bad = true;
		return -1;
	}
	if (pcap_setfilter(p, &prog) < 0) {
		snprintf(err, errlen, "-f '%s': %s", o->filter, pcap_geterr(p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static int
dump_to(struct live *l, int fd, char *err, size_t errlen)
{
	const uint8_t *hdr;
	size_t len;

	if ((l->spool = fdopen(fd, "w+b")) == NULL) {
		snprintf(err, errlen, "%s: %s", l->spool_path, strerror(errno));
		close(fd);
		return -1;
	}
	setvbuf(l->spool, NULL, _IOFBF, SPOOL_IOBUF);
	if (l->in != NULL) {
		/* a stream's pcap header starts every file; pcapng's section
		 * header is its first record */
		hdr = pipe_header(l->in, &len);
		if (len && fwrite(hdr, 1, len, l->spool) != len) {
			snprintf(err, errlen, "%s: %s", l->spool_path,
			    strerror(errno));
			return -1;
		}
		l->member_bytes = len;
		l->spool_bytes += len;
		return 0;
	}
	if ((l->dump = pcap_dump_fopen(l->pcap, l->spool)) == NULL) {
		snprintf(err, errlen, "%s: %s", l->spool_path,
		    pcap_geterr(l->pcap));
		return -1;
	}
	l->member_bytes = CAPFILE_PCAP_HDR_LEN;
	l->spool_bytes += CAPFILE_PCAP_HDR_LEN;
	return 0;
}

static int
spool_flush(struct live *l)
{
	return l->dump ? pcap_dump_flush(l->dump) : fflush(l->spool);
}

/* Flushes and closes the file being written. */
static void
spool_close(struct live *l)
{
	if (l->dump != NULL)
		pcap_dump_close(l->dump);
	else if (l->spool != NULL)
		fclose(l->spool);
	l->dump = NULL;
	l->spool = NULL;
}

/* Starts the next file of the ring and lists it in the index. */
static int
ring_add_member(struct live *l, char *err, size_t errlen)
{
	struct ring_index *ri = l->ring;
	struct ring_member *m;
	uint32_t seq = ri->n ? ri->m[ri->n - 1].seq + 1 : 1;
	int fd;

	if (ri->n >= RING_MAX_FILES) {
		snprintf(err, errlen, "%s: too many ring files", l->ring_path);
		return -1;
	}
	if (seq > RING_MAX_SEQ) {
		snprintf(err, errlen, "%s: the ring has made its %lu files; "
		    "start a new one", l->ring_path, RING_MAX_SEQ);
		return -1;
	}
	m = &ri->m[ri->n];
	snprintf(m->name, sizeof m->name, "%s_%05u.pcap", l->ring_base,
	    (unsigned)seq);
	m->seq = seq;
	m->first = l->captured + 1;
	ring_member_path(l->ring_path, m, l->spool_path,
	    sizeof l->spool_path);
	if (l->force) {
		if (safefile_replaceable(l->spool_path, err, errlen) < 0)
			return -1;
		(void)unlink(l->spool_path);
	}
	fd = open(l->spool_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, l->ring_private ? 0600 : 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", l->spool_path, strerror(errno));
		return -1;
	}
	ri->n++;
	if (dump_to(l, fd, err, errlen) < 0)
		return -1;
	if (ring_index_write(l->ring_path, ri, err, errlen) < 0) {
		/* not listed: it would be a file nobody removes */
		(void)unlink(l->spool_path);
		ri->n--;
		return -1;
	}
	return 0;
}

/* Drops the oldest files beyond `keep`: the index first, then the file
 * (a reader that has it open keeps reading it). */
static int
ring_trim(struct live *l, size_t keep, char *err, size_t errlen)
{
	struct ring_index *ri = l->ring;
	char old[4400];

	struct ring_member gone;

	while (ri->n > keep) {
		gone = ri->m[0];
		ring_member_path(l->ring_path, &gone, old, sizeof old);
		memmove(&ri->m[0], &ri->m[1], (ri->n - 1) * sizeof ri->m[0]);
		ri->n--;
		if (ring_index_write(l->ring_path, ri, err, errlen) < 0)
			return -1;
		if (unlink(old) < 0 && errno != ENOENT) {
			/* listed again: no member lives outside the index */
			size_t n = (size_t)snprintf(err, errlen, "%s: cannot "
			    "remove the oldest ring file: %s", old,
			    strerror(errno));

			memmove(&ri->m[1], &ri->m[0], ri->n * sizeof ri->m[0]);
			ri->m[0] = gone;
			ri->n++;
			if (n < errlen)
				(void)ring_index_write(l->ring_path, ri,
				    err + n, errlen - n);
			return -1;
		}
	}
	return 0;
}

static int
ring_rotate(struct live *l)
{
	spool_close(l);
	/* room first: with --ring 1024 the index is full */
	if (ring_trim(l, l->ring_files - 1, l->err, sizeof l->err) < 0 ||
	    ring_add_member(l, l->err, sizeof l->err) < 0)
		return -1;
	return 0;
}

/* Splits -w FILE into the ring's folder and base name (FILE minus .pcap). */
static void
ring_names(struct live *l, const char *write_path)
{
	const char *slash = strrchr(write_path, '/');
	const char *name = slash ? slash + 1 : write_path;
	size_t len = strlen(name);

	if (slash == NULL)
		snprintf(l->ring_dir, sizeof l->ring_dir, ".");
	else
		snprintf(l->ring_dir, sizeof l->ring_dir, "%.*s",
		    (int)(slash - write_path), write_path);
	if (len > 5 && strcmp(name + len - 5, ".pcap") == 0)
		len -= 5;
	snprintf(l->ring_base, sizeof l->ring_base, "%.*s",
	    (int)(len < 150 ? len : 150), name);
}

static int
open_ring(struct live *l, const struct live_opts *o, char *err,
    size_t errlen)
{
	char first[4400];

	if ((l->ring = calloc(1, sizeof *l->ring)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->ring_files = o->ring_files;
	if (o->write_path != NULL) {
		ring_names(l, o->write_path);
	} else {
		const char *tmpdir = getenv("TMPDIR");

		snprintf(l->ring_dir, sizeof l->ring_dir,
		    "%s/.gw502tui-ring-XXXXXX", tmpdir && *tmpdir ? tmpdir :
		    "/tmp");
		if (mkdtemp(l->ring_dir) == NULL) {
			snprintf(err, errlen, "%s: %s", l->ring_dir,
			    strerror(errno));
			l->ring_dir[0] = '\0';
			return -1;
		}
		l->ring_private = true;
		snprintf(l->ring_base, sizeof l->ring_base, "spool");
	}
	snprintf(l->ring_path, sizeof l->ring_path, "%s/%s.ring", l->ring_dir,
	    l->ring_base);
	snprintf(first, sizeof first, "%s/%s_00001.pcap", l->ring_dir,
	    l->ring_base);
	if (!o->force && (safefile_exists(l->ring_path) ||
	    safefile_exists(first))) {
		snprintf(err, errlen, "%s: file exists (use --force to "
		    "overwrite)", safefile_exists(first) ? first :
		    l->ring_path);
		l->ring_path[0] = '\0';
		return -1;
	}
	return ring_add_member(l, err, errlen);
}

/* The spool: a private temporary file, or the temporary twin of -w FILE. */
static int
open_spool(struct live *l, const struct live_opts *o, char *err,
    size_t errlen)
{
	int fd;

	if (o->ring_files > 0)
		return open_ring(l, o, err, errlen);

	if (o->write_path != NULL) {
		if (!o->force && safefile_exists(o->write_path)) {
			snprintf(err, errlen, "%s: file exists (use --force to "
			    "overwrite)", o->write_path);
			return -1;
		}
		if (o->force && safefile_replaceable(o->write_path, err,
		    errlen) < 0)
			return -1;
		snprintf(l->keep_path, sizeof l->keep_path, "%s", o->write_path);
		l->keep = true;
		/* named: a capture that cannot get its name is kept by it */
		fd = safefile_temp(o->write_path, false, l->spool_path,
		    sizeof l->spool_path, err, errlen);
	} else {
		const char *tmpdir = getenv("TMPDIR");
		char hint[4096];

		snprintf(hint, sizeof hint, "%s/spool",
		    tmpdir && *tmpdir ? tmpdir : "/tmp");
		/* nameless where possible: nothing is left if we are killed;
		 * readers open it again through /proc/self/fd */
		fd = safefile_temp(hint, true, l->spool_path,
		    sizeof l->spool_path, err, errlen);
		if (fd >= 0 && l->spool_path[0] == '\0')
			snprintf(l->spool_path, sizeof l->spool_path,
			    "/proc/self/fd/%d", fd);
		else
			l->spool_named = true;
	}
	if (fd < 0)
		return -1;
	if (o->write_path != NULL)
		l->spool_named = true;
	return dump_to(l, fd, err, errlen);
}

/* Removes every file of a private ring (or what a failed start made). */
static void
ring_remove(struct live *l)
{
	char path[4400];

	for (size_t i = 0; i < l->ring->n; i++) {
		ring_member_path(l->ring_path, &l->ring->m[i], path,
		    sizeof path);
		(void)unlink(path);
	}
	if (l->ring_path[0])
		(void)unlink(l->ring_path);
	if (l->ring_private && l->ring_dir[0])
		(void)rmdir(l->ring_dir);
}

static void
discard(struct live *l)
{
	spool_close(l);
	capfile_close(l->back);
	pipe_close(l->in);
	if (l->ring != NULL) {
		if (l->ring_private || !l->kept)
			ring_remove(l);
		free(l->ring);
	} else if (l->spool_named && l->spool_path[0]) {
		(void)unlink(l->spool_path);
	}
	if (l->pcap != NULL)
		pcap_close(l->pcap);
	free(l);
}

/* A capture stream: its header first (a stream that is none stops here). */
static int
open_stream(struct live *l, const struct live_opts *o, char *err,
    size_t errlen)
{
	if ((l->in = pipe_open(o->stream, err, errlen)) == NULL)
		return -1;
	if (o->ring_files > 0 && pipe_format(l->in) != CAPFILE_PCAP) {
		snprintf(err, errlen, "%s: --ring keeps pcap files, and this "
		    "stream is pcapng (use --max-mb alone, or make the "
		    "producer write pcap: tcpdump -w -, dumpcap -P)",
		    strcmp(o->stream, "-") ? o->stream : "stdin");
		return -1;
	}
	return open_spool(l, o, err, errlen);
}

struct live *
live_open(const struct live_opts *o, bool *bad_filter, char *err,
    size_t errlen)
{
	struct live *l = calloc(1, sizeof *l);

	*bad_filter = false;
	if (l == NULL) {
		snprintf(err, errlen, "%s: out of memory",
		    o->iface ? o->iface : o->stream);
		return NULL;
	}
	l->force = o->force;
	l->max_bytes = o->max_bytes;
	if (o->stream != NULL) {
		if (open_stream(l, o, err, errlen) < 0) {
			discard(l);
			return NULL;
		}
		return l;
	}
	if ((l->pcap = open_iface(o, &l->nano, err, errlen)) == NULL ||
	    set_filter(l->pcap, o, bad_filter, err, errlen) < 0 ||
	    open_spool(l, o, err, errlen) < 0 ||
	    pcap_setnonblock(l->pcap, 1, err) < 0) {
		discard(l);
		return NULL;
	}
	l->linktype = pcap_datalink(l->pcap);
	return l;
}

int
live_drop_privileges(struct live *l, const char *user, char *err,
    size_t errlen)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if (user == NULL)
		user = getenv("SUDO_USER");
	if (user == NULL || *user == '\0' || strcmp(user, "root") == 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "-Z %s: no such user", user);
		return -1;
	}
	/* the spool must stay readable for the stream view and export; a
	 * private ring's folder writable, for the files still to come */
	/*
	 * A ring's index too: it is replaced at every rotation, and in a
	 * sticky folder (/tmp, /var/tmp) only its owner may replace it.
	 */
	if (fchown(fileno(l->spool), pw->pw_uid, pw->pw_gid) < 0 ||
	    (l->ring != NULL && chown(l->ring_path, pw->pw_uid,
	    pw->pw_gid) < 0) ||
	    (l->ring_private && chown(l->ring_dir, pw->pw_uid,
	    pw->pw_gid) < 0) ||
	    initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		snprintf(err, errlen, "-Z %s: cannot drop privileges: %s", user,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		snprintf(err, errlen, "-Z %s: privileges were not dropped",
		    user);
		return -1;
	}
	return 0;
}

int
live_fd(const struct live *l)
{
	if (l->in != NULL)
		return l->ended || l->full || l->paused ? -1 : pipe_fd(l->in);
	return pcap_get_selectable_fd(l->pcap);
}

int
live_wait_ms(const struct live *l, int ms)
{
	return l->behind ? 0 : ms;
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct live *l = (struct live *)user;
	struct frame f;
	uint64_t off = l->member_bytes;	/* no ftell: it costs an lseek */

	if (l->paused || l->full || l->failed)
		return;
	if (l->ring != NULL)
		off = ring_offset(l->ring->m[l->ring->n - 1].seq, off);
	pcap_dump((u_char *)l->dump, h, bytes);
	l->spool_bytes += CAPFILE_PCAP_REC_LEN + h->caplen;
	l->member_bytes += CAPFILE_PCAP_REC_LEN + h->caplen;
	l->captured++;
	f.number = l->captured;
	f.ts_ns = (int64_t)h->ts.tv_sec * 1000000000LL +
	    (int64_t)h->ts.tv_usec * (l->nano ? 1 : 1000);
	f.offset = off;
	f.data = bytes;
	f.caplen = h->caplen;
	f.wirelen = h->len;
	f.linktype = l->linktype;
	l->cb(l->ctx, &f);
	if (!l->max_bytes || l->member_bytes < l->max_bytes)
		return;
	/* a ring goes on in a new file; a single spool stops */
	if (l->ring == NULL)
		l->full = true;
	else if (ring_rotate(l) < 0)
		l->failed = true;	/* an error, not the size limit */
}

/* The stream has ended, or is damaged here: keep what came, say why. */
static void
stream_end(struct live *l, const char *why)
{
	l->ended = true;
	snprintf(l->notice, sizeof l->notice, "%s", why);
	pipe_close(l->in);	/* a producer still writing stops (EPIPE) */
	l->in = NULL;
}

/* The stream's whole records so far, into the spool; 0 or -1 with err. */
static int
stream_spool(struct live *l)
{
	const uint8_t *rec;
	size_t len;
	bool packet;
	int rc = 0;

	while (!l->full && (rc = pipe_record(l->in, &rec, &len,
	    &packet)) == 1) {
		if (fwrite(rec, 1, len, l->spool) != len) {
			snprintf(l->err, sizeof l->err, "%s: %s",
			    l->spool_path, strerror(errno));
			return -1;
		}
		l->spool_bytes += len;
		l->member_bytes += len;
		l->captured += packet;
		if (!l->max_bytes || l->member_bytes < l->max_bytes)
			continue;
		/* as on_packet: a ring goes on, a single spool stops */
		if (l->ring == NULL)
			l->full = true;
		else if (ring_rotate(l) < 0)
			return -1;
	}
	if (spool_flush(l) != 0) {
		snprintf(l->err, sizeof l->err, "%s: %s", l->spool_path,
		    strerror(errno));
		return -1;
	}
	if (l->full)
		stream_end(l, "");
	else if (rc < 0)
		stream_end(l, pipe_error(l->in));
	else if (pipe_ended(l->in))
		stream_end(l, "");
	return 0;
}

/* Up to max frames of the spool not yet handed on; -1 with err. */
static int
stream_hand_on(struct live *l, int max, live_cb cb, void *ctx)
{
	struct frame f;
	int n = 0, rc = 0;

	if (l->back == NULL) {
		if (l->spool_bytes == 0)
			return 0;	/* pcapng: no section header yet */
		if (spool_flush(l) != 0) {
			snprintf(l->err, sizeof l->err, "%s: %s",
			    l->spool_path, strerror(errno));
			return -1;
		}
		if ((l->back = capfile_open(live_spool_path(l), l->err,
		    sizeof l->err)) == NULL)
			return -1;
	}
	while (n < max && (rc = capfile_next(l->back, &f)) == 1) {
		cb(ctx, &f);
		n++;
	}
	l->behind = rc == 1 || n >= max;	/* may be more: ask again */
	/* what the framing let through and the reader did not: the end */
	if (rc < 0 && !l->notice[0])
		stream_end(l, capfile_error(l->back));
	return n;
}

/*
 * A stream: hands on what the spool holds, then takes what the pipe has,
 * a bounded amount per call, so the keyboard is never kept waiting.
 */
static int
stream_read(struct live *l, int max, live_cb cb, void *ctx)
{
	size_t taken = 0;
	int n = 0, got;
	long r;

	for (;;) {
		if ((got = stream_hand_on(l, max - n, cb, ctx)) < 0)
			return -1;
		n += got;
		if (l->behind || l->ended || l->full || l->paused ||
		    taken >= CALL_BYTES)
			return n;
		if ((r = pipe_fill(l->in, FILL_BYTES)) < 0) {
			stream_end(l, pipe_error(l->in));
			return n;
		}
		taken += (size_t)r;
		if (stream_spool(l) < 0)
			return -1;
		if (r == 0 && !l->ended)
			return n;	/* nothing more waiting */
	}
}

int
live_read(struct live *l, int max, live_cb cb, void *ctx)
{
	int n;

	if (l->pcap == NULL)
		return stream_read(l, max, cb, ctx);
	l->cb = cb;
	l->ctx = ctx;
	n = pcap_dispatch(l->pcap, max, on_packet, (u_char *)l);
	if (n == PCAP_ERROR) {
		snprintf(l->err, sizeof l->err, "%s", pcap_geterr(l->pcap));
		return -1;
	}
	if (l->failed)
		return -1;
	/* readers of the spool (stream view, export) see whole records soon */
	if (n > 0 && clock_mono_ns() - l->flushed_ns >= FLUSH_NS && live_flush(l) < 0)
		return -1;
	return n < 0 ? 0 : n;
}

int
live_flush(struct live *l)
{
	l->flushed_ns = clock_mono_ns();
	if (spool_flush(l) != 0) {
		snprintf(l->err, sizeof l->err, "%s: %s", l->spool_path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
live_pause(struct live *l, bool paused)
{
	l->paused = paused;
}

void
live_stats(struct live *l, struct live_stats *st, bool fresh)
{
	struct pcap_stat ps;

	memset(st, 0, sizeof *st);
	st->captured = l->captured;
	st->spool_bytes = l->spool_bytes;
	st->full = l->full;
	st->paused = l->paused;
	st->stream = l->pcap == NULL;
	st->ended = l->ended;
	/* an interface goes on (its clock too) when full; a stream is over */
	st->done = st->stream ? (l->ended || l->full) && !l->behind : l->full;
	if (st->stream)
		return;
	if ((fresh || clock_mono_ns() - l->stats_ns >= STATS_NS) &&
	    pcap_stats(l->pcap, &ps) == 0) {
		l->stats_ns = clock_mono_ns();
		l->drops = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	}
	st->kernel_drops = l->drops;
}

const char *
live_spool_path(const struct live *l)
{
	return l->ring ? l->ring_path : l->spool_path;
}

const char *
live_error(const struct live *l)
{
	return l->err;
}

const char *
live_notice(const struct live *l)
{
	return l->notice;
}

/* Appends the file at from (minus its first skip bytes) to fd. */
static int
append_file(int fd, const char *from, long skip, char *err, size_t errlen)
{
	char buf[65536];
	FILE *in = fopen(from, "rb");
	size_t n = 0;
	int rc = 0;

	if (in == NULL || fseek(in, skip, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: %s", from, strerror(errno));
		if (in)
			fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (write(fd, buf, n) != (ssize_t)n)
			break;
	if (ferror(in) || n > 0) {
		snprintf(err, errlen, "%s: %s", from, strerror(errno));
		rc = -1;
	}
	fclose(in);
	return rc;
}

/*
 * Copies the spool's bytes so far into a new file; a ring's files one
 * after the other (the pcap header once: they share it).
 */
int
live_save(struct live *l, const char *path, bool force, char *err,
    size_t errlen)
{
	char tmp[4096], member[4400];
	int fd, rc = 0;

	if (spool_flush(l) != 0) {
		snprintf(err, errlen, "%s: %s", l->spool_path, strerror(errno));
		return -1;
	}
	if ((fd = safefile_temp(path, true, tmp, sizeof tmp, err,
	    errlen)) < 0)
		return -1;
	if (l->ring == NULL) {
		rc = append_file(fd, l->spool_path, 0, err, errlen);
	} else {
		for (size_t i = 0; i < l->ring->n && rc == 0; i++) {
			ring_member_path(l->ring_path, &l->ring->m[i], member,
			    sizeof member);
			rc = append_file(fd, member,
			    i ? CAPFILE_PCAP_HDR_LEN : 0, err, errlen);
		}
	}
	if (rc == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc == 0)
		rc = safefile_commit(fd, tmp, path, force, err, errlen);
	close(fd);
	if (rc < 0)
		safefile_discard(tmp);
	return rc;
}

int
live_close(struct live *l, char *err, size_t errlen)
{
	int rc = 0;

	if (l->spool != NULL && (spool_flush(l) != 0 ||
	    fsync(fileno(l->spool)) < 0)) {
		snprintf(err, errlen, "%s: %s", l->spool_path, strerror(errno));
		rc = -1;
	}
	if (l->ring != NULL) {
		/* -w: the files already have their names; never lose them */
		l->kept = !l->ring_private;
		discard(l);
		return rc;
	}
	if (rc == 0 && l->keep) {
		(void)fchmod(fileno(l->spool), 0644);
		rc = safefile_commit(fileno(l->spool), l->spool_path,
		    l->keep_path, l->force, err, errlen);
	}
	if (rc < 0 && l->keep) {
		/* never lose a capture: leave it under its temporary name */
		size_t n = strlen(err);

		snprintf(err + n, errlen - n, "; the capture is kept in %s",
		    l->spool_path);
		l->spool_path[0] = '\0';
	}
	discard(l);
	return rc;
}
