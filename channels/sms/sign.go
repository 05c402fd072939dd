package sms

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Sign computes the X-Twilio-Signature Twilio sends with a webhook posted to
// fullURL with form params: base64 of HMAC-SHA1, keyed by the auth token,
// over the URL followed by each parameter's name and value in name order.
// The phone simulator signs its posts with it, so they take the same path
// as Twilio's.
func Sign(authToken, fullURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range slices.Sorted(maps.Keys(params)) {
		b.WriteString(k)
		b.WriteString(params.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
