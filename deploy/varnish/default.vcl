# Varnish 7 in front of Newsroom's gunicorn (docs/serving.md, "Behind Varnish").
#
# Debian: apt-get install varnish varnish-modules (the xkey vmod), then
#   varnishd -a :80 -n /run/varnish -f /etc/varnish/default.vcl -s malloc,1G \
#     -p vcc_allow_inline_c=off
# with the working directory (-n) on tmpfs: its shared-memory log is written for every
# request and must not be flushed to a disk (docs/serving.md).
# Set the backend below to gunicorn's address, and the app's PURGE_URLS to this Varnish
# (e.g. PURGE_URLS=http://127.0.0.1:80/) so a write purges the pages it changed.
#
# - Anonymous readers share pages: cookies are dropped from their GET/HEAD requests.
# - A request with a session or messages cookie goes to the app (pass), never cached.
# - Only what the app marks `Cache-Control: public` (and not no-cache, as the API's
#   revalidated reads are) is kept, for its s-maxage, and never a response that sets a
#   cookie.
# - Each page carries its dependency tags in `xkey`; `PURGE` with an `xkey` header
#   (from an address in the `purgers` ACL) soft-purges every page with one of the tags:
#   the next reader still gets the old copy at once while one fetch renders the new one.
# - Grace: a stale page is served for up to 10 s while it is refetched, and for up to
#   an hour if the app is down.
vcl 4.1;

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "PURGE needs an xkey header"));
        }
        set req.http.n-gone = xkey.softpurge(req.http.xkey);
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Signed-in readers (Django's session cookie) and readers with a pending flash
    # message get pages made for them.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Anything else in Cookie (the CSRF cookie, analytics) must not split the cache:
    # the app never serves a shared page that depends on it.
    unset req.http.Cookie;
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

sub vcl_backend_response {
    # Keep only what the app explicitly shares, and never a response that sets a cookie.
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control !~ "public"
        || beresp.http.Cache-Control ~ "no-cache|no-store|private") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    set beresp.grace = 1h;
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
