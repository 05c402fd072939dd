package console

import (
	"net/http"

	"github.com/ohcontact/ohcontact/postgres"
)

// loginView is the sign-in page.
type loginView struct {
	layout
	Email string
}

// showLogin handles GET /console/login: the sign-in form, or the home page
// (home) of someone already signed in.
func (c *Console) showLogin(w http.ResponseWriter, r *http.Request) {
	if token, ok := c.cookieToken(r, sessionCookie); ok {
		if u, err := postgres.UserBySession(r.Context(), c.db.Pool, hashToken(token), c.now()); err == nil {
			c.redirect(w, r, home(u))
			return
		}
	}
	c.renderLogin(w, r, http.StatusOK, "", nil)
}

// renderLogin shows the sign-in form, first setting the pre-session cookie
// its CSRF token comes from when the browser has none.
func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, status int, email string, errs []fieldError) {
	token, ok := c.cookieToken(r, loginCookie)
	if !ok {
		token = newToken()
		c.setCookie(w, loginCookie, token, 0)
	}
	l := newLayout("Sign in", nil)
	l.CSRF, l.Errors = csrfToken(token, "sign-in"), errs
	c.render(w, r, status, "login", loginView{layout: l, Email: email})
}
