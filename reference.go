package ohcontact

import "crypto/rand"

// ReferenceAlphabet is the characters of an absence reference: digits 2 to
// 9 and capital letters without I, L, O and U, so that a reference read
// out on the phone or copied from a small screen cannot be mistaken (no
// 0/O, 1/I/L, U/V). absence_episodes.reference checks the same alphabet.
const ReferenceAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// ReferenceLength is how many characters an absence reference has: 30^6,
// about 729 million, references.
const ReferenceLength = 6

// NewReference returns a random absence reference such as "K7M4QX". It is
// not unique by itself: the database's unique constraint is, and the
// caller draws again on a collision (postgres.RecordSelfReportedAbsence).
func NewReference() string {
	var b [ReferenceLength]byte
	var c [1]byte
	for i := 0; i < len(b); {
		_, _ = rand.Read(c[:]) // crypto/rand.Read never returns an error
		// 240 is the largest multiple of 30 a byte holds: no character is
		// likelier than another.
		if c[0] < 240 {
			b[i] = ReferenceAlphabet[c[0]%byte(len(ReferenceAlphabet))]
			i++
		}
	}
	return string(b[:])
}
