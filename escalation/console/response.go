package console

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/ohcontact/ohcontact"
)

// The response helpers every handler answers through.

// secure sets the headers every console response carries: nothing is
// cached, framed, sent as a referrer, or loaded from anywhere but here.
func (c *Console) secure(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		h(w, r)
	})
}

// layout is what every page's template gets besides its own data.
type layout struct {
	Title string
	User  *ohcontact.User // nil when nobody is signed in
	CSRF  string
	// Done confirms what the user has just done.
	Done string
	// Errors are the problems to list in the error summary.
	Errors []fieldError
}

// fieldError is a problem with a form, shown in the error summary and next
// to Field (an input's id; empty for the form as a whole).
type fieldError struct {
	Field   string
	Message string
}

// ErrorFor returns the problem with the field whose id is field.
func (l layout) ErrorFor(field string) string {
	for _, e := range l.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// IsAdmin reports whether the signed-in user is an admin.
func (l layout) IsAdmin() bool { return l.User != nil && isAdmin(*l.User) }

// SeesCases reports whether the signed-in user may see the case queue.
func (l layout) SeesCases() bool { return l.User != nil && seesCases(*l.User) }

// WorksReferrals reports whether the signed-in user may see the referrals
// worklist.
func (l layout) WorksReferrals() bool { return l.User != nil && worksReferrals(*l.User) }

// newLayout returns the layout of a page titled title for s (nil when
// nobody is signed in).
func newLayout(title string, s *session) layout {
	l := layout{Title: title}
	if s != nil {
		l.User, l.CSRF = &s.user, s.csrf
	}
	return l
}

var pageNames = []string{"login", "queue", "case", "users", "dashboard", "referrals", "referral", "person", "feedback", "campaigns", "campaign_new", "campaign", "new_starters", "error"}

func parsePages() map[string]*template.Template {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		pages[name] = template.Must(template.New("base.html").Funcs(template.FuncMap{"number": number, "choice": newChoice}).ParseFS(files, "templates/base.html", "templates/"+name+".html"))
	}
	return pages
}

// render writes page with data and status. The page is rendered in full
// before anything is sent, so a template error is a clean 500.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var buf bytes.Buffer
	if err := c.pages[page].ExecuteTemplate(&buf, "base", data); err != nil {
		c.log.Error("console: render page", "page", page, "route", r.Pattern, "error", err)
		http.Error(w, "The page could not be shown. Try again.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// errorView is the plain page for a refusal or a failure.
type errorView struct {
	layout
	Message string
}

func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, s *session, status int, title, message string) {
	c.render(w, r, status, "error", errorView{layout: newLayout(title, s), Message: message})
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request, s *session) {
	c.errorPage(w, r, s, http.StatusNotFound, "Page not found",
		"There is no such page, or it belongs to an organisation you do not work for. Check the address, or go back to the case queue.")
}

func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, s *session, message string) {
	c.errorPage(w, r, s, http.StatusForbidden, "Not allowed", message)
}

// serverError logs err (which carries ids, never personal data) and tells
// the user, in plain words, that it did not work.
func (c *Console) serverError(w http.ResponseWriter, r *http.Request, s *session, err error) {
	attrs := []any{"route", r.Pattern, "error", err}
	if s != nil {
		attrs = append(attrs, "user_id", s.user.ID)
	}
	c.log.Error("console: request failed", attrs...)
	c.errorPage(w, r, s, http.StatusInternalServerError, "Sorry, there is a problem with the service",
		"That did not work, and nothing was changed. Try again in a moment. If it keeps happening, tell your OH administrator.")
}

// fail answers a request that err stopped, as its kind of error is shown:
// the page not found for ohcontact.ErrNotFound (no such record, or another
// organisation's), and otherwise the server error page, with err logged.
// Refusals the user can act on are shown on their own page before this.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if errors.Is(err, ohcontact.ErrNotFound) {
		c.notFound(w, r, s)
		return
	}
	c.serverError(w, r, s, err)
}

// redirect sends the browser to path with 303 See Other, so that a reload
// of the next page never repeats a form.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// pathID returns the path's {id}, or false when it is not a positive
// whole number.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}
