/*
 * live.c: a live capture that spools to a file. Every packet is written
 * to the spool before the engine sees it, with the record's offset, so the
 * rest of the program treats a live capture exactly like a file.
 */
#include "live.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "../util/clock.h"
#include "safefile.h"

#define WHOLE_PACKET 262144	/* what -s 0 means, as in tcpdump */
#define SPOOL_IOBUF (256 * 1024)
#define RING_BYTES (64 << 20)	/* kernel ring: ~1 s of a busy gateway */
#define DELIVER_MS 50		/* longest a packet waits in the ring */
#define FLUSH_NS (100LL * 1000000LL)	/* spool readers lag at most this */
#define STATS_NS (250LL * 1000000LL)	/* pcap_stats reads sysfs: not often */

struct live {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	FILE *spool;		/* owned by dump */
	char spool_path[4096];
	char keep_path[4096];	/* -w: where the spool goes at the end */
	bool keep, force, nano, paused, full;
	uint64_t max_bytes;
	uint64_t captured;
	uint64_t spool_bytes;	/* also the next record's offset */
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

static int
set_filter(pcap_t *p, const struct live_opts *o, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (o->filter == NULL || o->filter[0] == '\0')
		return 0;
	if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "-f '%s': %s", o->filter, pcap_geterr(p));
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

/* The spool: a private temporary file, or the temporary twin of -w FILE. */
static int
open_spool(struct live *l, const struct live_opts *o, char *err,
    size_t errlen)
{
	int fd;

	if (o->write_path != NULL) {
		if (!o->force && safefile_exists(o->write_path)) {
			snprintf(err, errlen, "%s: file exists (use --force to "
			    "overwrite)", o->write_path);
			return -1;
		}
		snprintf(l->keep_path, sizeof l->keep_path, "%s", o->write_path);
		l->keep = true;
		fd = safefile_temp(o->write_path, l->spool_path,
		    sizeof l->spool_path, err, errlen);
	} else {
		const char *tmpdir = getenv("TMPDIR");
		char hint[4096];

		snprintf(hint, sizeof hint, "%s/spool",
		    tmpdir && *tmpdir ? tmpdir : "/tmp");
		fd = safefile_temp(hint, l->spool_path, sizeof l->spool_path,
		    err, errlen);
	}
	if (fd < 0)
		return -1;
	if ((l->spool = fdopen(fd, "w+b")) == NULL) {
		snprintf(err, errlen, "%s: %s", l->spool_path, strerror(errno));
		close(fd);
		return -1;
	}
	setvbuf(l->spool, NULL, _IOFBF, SPOOL_IOBUF);
	if ((l->dump = pcap_dump_fopen(l->pcap, l->spool)) == NULL) {
		snprintf(err, errlen, "%s: %s", l->spool_path,
		    pcap_geterr(l->pcap));
		return -1;
	}
	l->spool_bytes = 24;
	return 0;
}

static void
discard(struct live *l)
{
	if (l->dump != NULL)
		pcap_dump_close(l->dump);
	else if (l->spool != NULL)
		fclose(l->spool);
	if (l->spool_path[0])
		(void)unlink(l->spool_path);
	if (l->pcap != NULL)
		pcap_close(l->pcap);
	free(l);
}

struct live *
live_open(const struct live_opts *o, char *err, size_t errlen)
{
	struct live *l = calloc(1, sizeof *l);

	if (l == NULL) {
		snprintf(err, errlen, "%s: out of memory", o->iface);
		return NULL;
	}
	l->force = o->force;
	l->max_bytes = o->max_bytes;
	if ((l->pcap = open_iface(o, &l->nano, err, errlen)) == NULL ||
	    set_filter(l->pcap, o, err, errlen) < 0 ||
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
	/* the spool must stay readable for the stream view and export */
	if (fchown(fileno(l->spool), pw->pw_uid, pw->pw_gid) < 0 ||
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
	return pcap_get_selectable_fd(l->pcap);
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct live *l = (struct live *)user;
	struct frame f;
	uint64_t off = l->spool_bytes;	/* no ftell: it costs an lseek */

	if (l->paused || l->full)
		return;
	pcap_dump((u_char *)l->dump, h, bytes);
	l->spool_bytes += 16 + h->caplen;
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
	if (l->max_bytes && l->spool_bytes >= l->max_bytes)
		l->full = true;
}

int
live_read(struct live *l, int max, live_cb cb, void *ctx)
{
	int n;

	l->cb = cb;
	l->ctx = ctx;
	n = pcap_dispatch(l->pcap, max, on_packet, (u_char *)l);
	if (n == PCAP_ERROR) {
		snprintf(l->err, sizeof l->err, "%s", pcap_geterr(l->pcap));
		return -1;
	}
	/* readers of the spool (stream view, export) see whole records soon */
	if (n > 0 && clock_mono_ns() - l->flushed_ns >= FLUSH_NS && live_flush(l) < 0)
		return -1;
	return n < 0 ? 0 : n;
}

int
live_flush(struct live *l)
{
	l->flushed_ns = clock_mono_ns();
	if (pcap_dump_flush(l->dump) < 0) {
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
	return l->spool_path;
}

const char *
live_error(const struct live *l)
{
	return l->err;
}

/* Copies the spool's bytes so far into a new file. */
int
live_save(struct live *l, const char *path, bool force, char *err,
    size_t errlen)
{
	char tmp[4096], buf[65536];
	FILE *in;
	int fd, rc = -1;
	size_t n;

	if (pcap_dump_flush(l->dump) < 0 ||
	    (in = fopen(l->spool_path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", l->spool_path, strerror(errno));
		return -1;
	}
	if ((fd = safefile_temp(path, tmp, sizeof tmp, err, errlen)) < 0) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (write(fd, buf, n) != (ssize_t)n)
			break;
	if (ferror(in) || n > 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else
		rc = safefile_commit(tmp, path, force, err, errlen);
	close(fd);
	fclose(in);
	if (rc < 0)
		(void)unlink(tmp);
	return rc;
}

int
live_close(struct live *l, char *err, size_t errlen)
{
	int rc = 0;

	if (pcap_dump_flush(l->dump) < 0 || fsync(fileno(l->spool)) < 0) {
		snprintf(err, errlen, "%s: %s", l->spool_path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && l->keep) {
		(void)fchmod(fileno(l->spool), 0644);
		rc = safefile_commit(l->spool_path, l->keep_path, l->force, err,
		    errlen);
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
