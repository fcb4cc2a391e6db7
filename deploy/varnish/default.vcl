# Varnish 7 in front of Newsroom's gunicorn (docs/serving.md, "Behind Varnish";
# docs/security.md, "The proxy chain").
#
# Debian: apt-get install varnish varnish-modules (the xkey and header vmods), then
#   PURGE_SECRET=... varnishd -a http=:80 -a tls=127.0.0.1:8443,PROXY \
#     -n /run/varnish -f /etc/varnish/default.vcl -s malloc,1G -p vcc_allow_inline_c=off
# with the working directory (-n) on tmpfs: its shared-memory log is written for every
# request and must not be flushed to a disk (docs/serving.md). The TLS terminator (hitch,
# nginx's stream module, haproxy) on the same host connects to the `tls` listener with the
# PROXY protocol, so `client.ip` is the reader's address; every other listener is plain
# HTTP. Set the backend below to gunicorn's address, and the app's PURGE_URLS to this
# Varnish with the same PURGE_SECRET (docs/deployment.md).
#
# - The app takes nothing about the request's origin from a client: headers with `_`
#   (SCRIPT_NAME, PATH_INFO...), Forwarded and every X-Forwarded-* are dropped, then
#   X-Forwarded-For and X-Forwarded-Proto are set here from the connection (the listener
#   says the scheme). Host is lower-cased, without a trailing dot or a default port.
# - Anonymous readers share pages: cookies are dropped from their GET/HEAD requests,
#   except the CSRF cookie, which is passed on (never hashed) so a form page does not
#   mint a new token per page and break the forms open in the reader's other tabs.
# - A request with a session or messages cookie goes to the app (pass), never cached.
# - Only what the app marks `Cache-Control: public` (and not no-cache, as the API's
#   revalidated reads are) is kept, for its s-maxage, and never a response that sets a
#   cookie. The object is keyed by scheme, Host and URL.
# - Each page carries its dependency tags in `xkey`; `PURGE` with an `xkey` header and
#   `X-Purge-Secret: $PURGE_SECRET` (from an address in the `purgers` ACL) soft-purges
#   every page with one of the tags: the next reader still gets the old copy at once
#   while one fetch renders the new one. No secret configured: no purges at all.
# - /metrics is the operators' (scrape gunicorn directly): 403 here.
# - Grace: a stale page is served for up to 10 s while it is refetched, and for up to
#   an hour if the app is down; with nothing to serve, a 503 in the site's look
#   (problem+json under /api/) with Retry-After.
vcl 4.1;

import header;
import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    # Above gunicorn's `timeout` (30 s, gunicorn.conf.py), itself above the database's
    # statement timeout: the app answers a stall with its own 503 before gunicorn kills
    # the worker, and gunicorn before Varnish gives up (tests/serving/test_proxy_chain.py).
    .first_byte_timeout = 40s;
    .between_bytes_timeout = 40s;
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # Headers the app must never take from a client. gunicorn would map a header with
    # "_" in its name onto the WSGI environment (SCRIPT_NAME moved every link of a page
    # cached for everyone); each such line is renamed, then dropped. The X-Forwarded-*
    # family and Forwarded are only ever set here, from the connection.
    header.regsub(req, "^[^:]*_[^:]*:.*$", "X-Newsroom-Dropped: 1");
    header.regsub(req, "^(?i)(x-forwarded-[^:]*|forwarded|x-original-url|x-rewrite-url|x-real-ip):.*$",
        "X-Newsroom-Dropped: 1");
    unset req.http.X-Newsroom-Dropped;
    set req.http.X-Forwarded-For = client.ip;
    if (local.socket == "tls") {
        set req.http.X-Forwarded-Proto = "https";
    } else {
        set req.http.X-Forwarded-Proto = "http";
    }
    # One spelling per host, and the port the client really connected to: lower case,
    # no trailing dot, no port on the tls listener (readers see 443) or on port 80, else
    # this listener's own port. "Example.org.:1234" on :80 is "example.org": made-up
    # ports can neither split the cache nor force a render per port.
    set req.http.Host = std.tolower(regsub(req.http.Host,
        "^(\[[^\]]*\]|[^:]*?)\.?(:[0-9]*)?$", "\1"));
    if (local.socket != "tls" && std.port(local.ip) != 80) {
        set req.http.Host = req.http.Host + ":" + std.port(local.ip);
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers || std.getenv("PURGE_SECRET") == ""
            || req.http.X-Purge-Secret != std.getenv("PURGE_SECRET")) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "PURGE needs an xkey header"));
        }
        set req.http.n-gone = xkey.softpurge(req.http.xkey);
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }
    unset req.http.X-Purge-Secret;
    if (req.url ~ "^/metrics(\?|/|$)") {
        return (synth(403, "Forbidden"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Signed-in readers (Django's session cookie) and readers with a pending flash
    # message get pages made for them.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Anything else in Cookie (analytics) must not split the cache: the app never serves
    # a shared page that depends on it. The CSRF cookie goes on to the app (it is not part
    # of the hash): without it, each form page rendered made Django mint a new token and
    # overwrite the cookie, and a form left open in another tab then failed with a 403.
    if (req.http.Cookie ~ "(^|;\s*)csrftoken=") {
        set req.http.Cookie = regsub(req.http.Cookie, "^(.*;\s*)?(csrftoken=[^;]*).*$", "\2");
    } else {
        unset req.http.Cookie;
    }
    # Tracking parameters change nothing on a page (the app keys pages by the parameters
    # each view reads): drop them, and sort the rest, so such links share one object.
    if (req.url ~ "[?&](utm_[a-z]+|fbclid|gclid|mc_[a-z]+)=") {
        set req.url = regsuball(req.url, "([?&])(utm_[a-z]+|fbclid|gclid|mc_[a-z]+)=[^&]*", "\1");
        set req.url = regsuball(req.url, "&&+", "&");
        set req.url = regsub(req.url, "\?&", "?");
        set req.url = regsub(req.url, "[?&]$", "");
    }
    set req.url = std.querysort(req.url);
    # Grace (serve stale while refetching) for a few seconds while the app is healthy,
    # longer while it is not.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_hash {
    # The scheme too: a page built for https:// links is never given to http:// (the
    # builtin vcl_hash adds the URL and Host).
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_response {
    # Keep only what the app explicitly shares, and never a response that sets a cookie.
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control !~ "public"
        || beresp.http.Cache-Control ~ "no-cache|no-store|private") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # A shared page does not depend on the CSRF cookie passed along: one object for all.
    if (beresp.http.Vary ~ "(?i)cookie") {
        set beresp.http.Vary = regsub(regsuball(beresp.http.Vary, "(?i)\s*cookie\s*(,|$)", ""),
            ",\s*$", "");
        if (beresp.http.Vary == "") {
            unset beresp.http.Vary;
        }
    }
    set beresp.grace = 1h;
    return (deliver);
}

# No backend answer in time and nothing in grace: the site's own 503, never Varnish's
# bare "Backend fetch failed" (problem+json under /api/, as the API's errors are).
sub vcl_backend_error {
    set beresp.http.Retry-After = "5";
    set beresp.http.Cache-Control = "no-store";
    set beresp.ttl = 0s;
    if (bereq.url ~ "^/api/") {
        set beresp.http.Content-Type = "application/problem+json";
        synthetic({"{"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": "The service is temporarily unavailable: try again in a few seconds." }
"});
    } else {
        set beresp.http.Content-Type = "text/html; charset=utf-8";
        synthetic({"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporarily unavailable · Newsroom</title>
<style>
:root { --bg: #ffffff; --text: #16191d; --muted: #555d68; --line: #dde1e6; --brand: #1b4d89; --brand-ink: #ffffff; }
@media (prefers-color-scheme: dark) { :root { --bg: #121417; --text: #e9ecef; --muted: #a7b0bb; --line: #2e343b; --brand: #8fb8ec; --brand-ink: #0d1b2c; } }
body { margin: 0; background: var(--bg); color: var(--text); font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { border-bottom: 1px solid var(--line); padding: 1rem 1.25rem; }
header a { color: var(--text); font-weight: 800; font-size: 1.4rem; text-decoration: none; }
main { max-width: 40rem; margin: 0 auto; padding: 2.5rem 1.25rem; }
.kicker { color: var(--muted); text-transform: uppercase; letter-spacing: .06em; font-size: .85rem; margin: 0; }
h1 { margin: .25rem 0 1rem; line-height: 1.2; }
.button { display: inline-block; background: var(--brand); color: var(--brand-ink); padding: .6rem 1rem; border-radius: .4rem; text-decoration: none; font-weight: 600; }
</style>
</head>
<body class="page-error">
<header><a href="/">Newsroom</a></header>
<main>
<p class="kicker">Error 503</p>
<h1>The site is briefly unavailable</h1>
<p>We could not get this page ready in time. This usually lasts only a moment: please try again in a minute.</p>
<p><a class="button" href="/">Go to the home page</a></p>
</main>
</body>
</html>
"});
    }
    return (deliver);
}

sub vcl_deliver {
    # The tags are for this cache only.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
