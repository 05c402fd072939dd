package channels

import (
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddress returns the address per-client limits count r under: the
// peer's address (r.RemoteAddr) or, when trustedHeader is set, the address
// a trusted reverse proxy put last in that header (the last address of the
// last X-Forwarded-For line, say: the one the proxy itself saw, which the
// client cannot forge), falling back to the peer's address when the
// header holds none. An IPv6 address counts by its /64, the block one
// client usually holds; an IPv4-mapped one as IPv4. Set trustedHeader
// only when every request comes through that proxy: anyone else can write
// the header. The result is an address, so it is never logged.
func ClientAddress(r *http.Request, trustedHeader string) string {
	var addr netip.Addr
	if trustedHeader != "" {
		if lines := r.Header.Values(trustedHeader); len(lines) > 0 {
			hops := strings.Split(lines[len(lines)-1], ",")
			addr = parseAddr(strings.TrimSpace(hops[len(hops)-1]))
		}
	}
	if !addr.IsValid() {
		addr = parseAddr(r.RemoteAddr)
	}
	switch {
	case !addr.IsValid():
		return r.RemoteAddr
	case addr.Is6():
		p, _ := addr.WithZone("").Prefix(64)
		return p.String()
	default:
		return addr.String()
	}
}

// parseAddr reads an IP address with or without a port; the zero Addr
// when s is neither.
func parseAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}
