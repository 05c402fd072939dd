package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/escalation"
	"github.com/ohcontact/ohcontact/postgres"
)

const (
	sessionLifetime = 12 * time.Hour
	maxFailedLogins = 5
	lockoutPeriod   = 15 * time.Minute
	maxFormBytes    = 64 << 10
	// maxUploadMemory is how much of a multipart form is held in memory:
	// the rest of its files waits in temporary files, removed when the
	// request has been answered.
	maxUploadMemory = 1 << 20
	// uploadTime is how long a multipart form may take to arrive: 32 MiB
	// at 1 Mbit/s takes about 4.5 minutes, far past the server's read
	// timeout for a body.
	uploadTime = 5 * time.Minute

	sessionCookie = "ohcontact_session"
	// loginCookie holds the pre-session token that the sign-in form's CSRF
	// token is derived from.
	loginCookie = "ohcontact_login"
	csrfField   = "csrf_token"
)

// session is a signed-in user's request.
type session struct {
	user ohcontact.User
	// token is the session cookie's value; csrf the token every form of
	// this session carries.
	token, csrf string
}

// scope is the organisation whose cases the user sees; 0 for every one.
func (s *session) scope() int64 { return s.user.OrganisationID }

// actor is the user as escalation.Cases sees them.
func (s *session) actor() escalation.Actor {
	return escalation.Actor{UserID: s.user.ID, OrganisationID: s.scope(), Admin: isAdmin(s.user)}
}

// handlerFunc handles a signed-in user's request.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session)

// Who may use a route.
func anyRole(ohcontact.User) bool { return true }
func worksCases(u ohcontact.User) bool {
	return u.Role == ohcontact.RoleClinician || u.Role == ohcontact.RoleAdmin
}
func isAdmin(u ohcontact.User) bool { return u.Role == ohcontact.RoleAdmin }

// seesCases reports whether u may see the case queue and case pages:
// everyone but the physio team.
func seesCases(u ohcontact.User) bool { return u.Role != ohcontact.RolePhysio }

// worksReferrals reports whether u may see and act on physiotherapy
// referrals: the physio team and admins.
func worksReferrals(u ohcontact.User) bool {
	return u.Role == ohcontact.RolePhysio || u.Role == ohcontact.RoleAdmin
}

// home is where u lands after signing in: the referrals worklist for the
// physio team, the case queue for everyone else.
func home(u ohcontact.User) string {
	if u.Role == ohcontact.RolePhysio {
		return "/console/referrals"
	}
	return "/console/"
}

// homeFirst wraps h, the case queue, so that a user who may not see cases
// is sent to their own home page instead.
func (c *Console) homeFirst(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		if !seesCases(s.user) {
			c.redirect(w, r, home(s.user))
			return
		}
		h(w, r, s)
	}
}

// casesOnly wraps h so that a user who may not see cases (seesCases) gets
// the page not found, as for another organisation's case: the physio team
// does not learn which cases exist.
func (c *Console) casesOnly(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		if !seesCases(s.user) {
			c.notFound(w, r, s)
			return
		}
		h(w, r, s)
	}
}

// signedIn wraps h so that it runs only for a signed-in user whom allowed
// accepts and, for a POST, only with a URL-encoded form of at most
// maxFormBytes carrying a valid CSRF token from this site. Anyone else is
// sent to the sign-in page or refused with 403.
func (c *Console) signedIn(allowed func(ohcontact.User) bool, h handlerFunc) http.HandlerFunc {
	return c.signedInUpload(allowed, upload{}, h)
}

// upload is what a route's form may carry beyond signedIn's: a
// multipart/form-data body of at most maxBytes, with files, and tooLarge
// answering a larger one (instead of 403) when the user may use the
// route. The zero upload takes URL-encoded forms only.
type upload struct {
	maxBytes int64
	tooLarge handlerFunc
}

// signedInUpload is signedIn for a route whose form may be as up says. A
// multipart form's temporary files are removed once h returns.
func (c *Console) signedInUpload(allowed func(ohcontact.User) bool, up upload, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := c.cookieToken(r, sessionCookie)
		err := ohcontact.ErrNotFound
		var user ohcontact.User
		if ok {
			user, err = postgres.UserBySession(r.Context(), c.db.Pool, hashToken(token), c.now())
		}
		switch {
		case errors.Is(err, ohcontact.ErrNotFound):
			c.redirect(w, r, "/console/login")
			return
		case err != nil:
			c.serverError(w, r, nil, err)
			return
		}
		s := &session{user: user, token: token, csrf: csrfToken(token, "session")}
		if r.Method == http.MethodPost {
			maxBytes := up.maxBytes
			if !allowed(user) {
				maxBytes = 0 // files are read only for a user of the route
			}
			err := c.formFromThisSite(w, r, s.csrf, maxBytes)
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
			switch {
			case errors.Is(err, errTooLarge) && up.tooLarge != nil:
				up.tooLarge(w, r, s)
				return
			case err != nil:
				c.forbidden(w, r, s, msgCSRF)
				return
			}
		}
		if !allowed(user) {
			c.forbidden(w, r, s, "Your account does not give you access to this page.")
			return
		}
		h(w, r, s)
	}
}

const msgCSRF = "This form has expired or did not come from this site, so nothing was changed. Go back, reload the page and try again."

// Why formFromThisSite refuses a form.
var (
	errNotFromSite = errors.New("console: the form did not come from this site")
	errTooLarge    = errors.New("console: the form is too large")
)

// formFromThisSite parses r's form and checks that it came from one of this
// site's pages: a same-origin request (Origin and Sec-Fetch-Site, when the
// browser sends them) carrying the CSRF token want. The form must be
// URL-encoded, of at most maxFormBytes, unless maxMultipart is positive:
// then it may also be multipart/form-data of at most maxMultipart bytes,
// whose files beyond maxUploadMemory wait in temporary files
// (r.MultipartForm; the caller removes them), and which may take
// uploadTime to arrive. It returns errTooLarge for a
// larger multipart body, whose token has not been read, and
// errNotFromSite for any other form it refuses.
func (c *Console) formFromThisSite(w http.ResponseWriter, r *http.Request, want string, maxMultipart int64) error {
	if c.cop.Check(r) != nil {
		return errNotFromSite
	}
	limit, isMultipart, tooLargeErr := int64(maxFormBytes), false, errNotFromSite
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" && maxMultipart > 0 {
		limit, isMultipart, tooLargeErr = maxMultipart, true, errTooLarge
	}
	if r.ContentLength > limit {
		return tooLargeErr
	}
	if isMultipart { // a signed-in user's, on a route that takes files
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(uploadTime)) // a ResponseWriter that cannot keeps the server's
		_ = rc.SetWriteDeadline(time.Now().Add(uploadTime + time.Minute))
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if isMultipart {
		err = r.ParseMultipartForm(maxUploadMemory)
	} else {
		err = r.ParseForm() // a multipart body is left unread: no token, refused
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || errors.Is(err, multipart.ErrMessageTooLarge):
		return tooLargeErr
	case err != nil:
		return errNotFromSite
	}
	if subtle.ConstantTimeCompare([]byte(r.PostForm.Get(csrfField)), []byte(want)) != 1 {
		return errNotFromSite
	}
	return nil
}

// cookieName is name with the __Host- prefix when cookies are Secure: such a
// cookie can only have been set by this host, over https, for the whole
// site.
func (c *Console) cookieName(name string) string {
	if c.secureCookies {
		return "__Host-" + name
	}
	return name
}

// setCookie sets cookie name to value for maxAge (the browser session when
// 0). A negative maxAge deletes it: Max-Age=0, with the name and
// attributes it was set with, so that the browser matches it.
func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	age := int(maxAge / time.Second)
	if maxAge < 0 {
		age = -1 // net/http writes Max-Age=0 for a negative MaxAge; 0 would mean no Max-Age at all
	}
	http.SetCookie(w, &http.Cookie{
		Name: c.cookieName(name), Value: value, Path: "/", MaxAge: age,
		HttpOnly: true, Secure: c.secureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// cookieToken returns the token in cookie name, if it holds a well-formed
// one.
func (c *Console) cookieToken(r *http.Request, name string) (string, bool) {
	ck, err := r.Cookie(c.cookieName(name))
	if err != nil {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(raw) != 32 {
		return "", false
	}
	return ck.Value, true
}

// newToken returns 32 random bytes, base64url-encoded.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: crypto/rand panics rather than return an error
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how a session token is stored: its SHA-256.
func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// csrfToken derives the CSRF token for purpose from a cookie's token: only
// someone who can read the cookie can compute it.
func csrfToken(token, purpose string) string {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte("ohcontact console csrf: " + purpose))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
