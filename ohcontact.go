// Package ohcontact holds the domain vocabulary of the OH digital contact
// service: the types every other package speaks in. It depends on nothing
// but the standard library.
//
// The service contacts NHS staff who are off sick (by SMS or intranet web
// chat) when an absence trigger fires, runs a short conversation, signposts
// them to support, and hands anyone at risk to an occupational-health
// clinician.
package ohcontact

// Organisation is an NHS trust (or other employer) whose OH service uses
// ohcontact. Code is its short, stable identifier (an NHS organisation code
// such as "RTD", or "DEMO").
type Organisation struct {
	ID   int64
	Code string
	Name string
}
