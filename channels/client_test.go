package channels

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddress(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, remote, header, value, want string
	}{
		{"peer", "192.0.2.7:4312", "", "", "192.0.2.7"},
		{"header not trusted", "192.0.2.7:4312", "", "203.0.113.9", "192.0.2.7"},
		{"proxy's last hop", "10.0.0.2:4312", "X-Forwarded-For", "198.51.100.1, 203.0.113.9", "203.0.113.9"},
		{"forged first hop changes nothing", "10.0.0.2:4312", "X-Forwarded-For", "1.2.3.4, 203.0.113.9", "203.0.113.9"},
		{"no header: the peer", "10.0.0.2:4312", "X-Forwarded-For", "", "10.0.0.2"},
		{"header not an address", "10.0.0.2:4312", "X-Forwarded-For", "unknown", "10.0.0.2"},
		{"IPv6 by its /64", "[2001:db8:1:2:3:4:5:6]:443", "", "", "2001:db8:1:2::/64"},
		{"IPv6 in the header", "10.0.0.2:4312", "X-Real-Ip", "2001:db8:1:2::99", "2001:db8:1:2::/64"},
		{"IPv4 in IPv6", "[::ffff:192.0.2.7]:80", "", "", "192.0.2.7"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.value != "" {
			r.Header.Set(tt.header, tt.value)
			if tt.header == "" {
				r.Header.Set("X-Forwarded-For", tt.value)
			}
		}
		if got := ClientAddress(r, tt.header); got != tt.want {
			t.Errorf("%s: ClientAddress = %q, want %q", tt.name, got, tt.want)
		}
	}
}
