package postgres_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ohcontact/ohcontact"
	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// TestRevealContact: the staff record's details are read with their
// audit event, which names what was shown and never the values; an
// unknown sender's number is the only detail of their case.
func TestRevealContact(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	if _, err := db.Pool.Exec(ctx, `UPDATE staff SET email = 'ann@example.nhs.uk', job_title = 'Porter' WHERE id = $1`, f.staff); err != nil {
		t.Fatal(err)
	}
	var known, unknown int64
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		known, _, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: f.org, ConversationID: f.conversation,
			StaffID: f.staff, Priority: ohcontact.PriorityUrgent, Category: "suicide_risk", SLADue: time.Now()})
		if err != nil {
			return err
		}
		conv := pgtest.Conversation(t, tx, pgtest.ConversationRow{Organisation: f.org, Channel: "sms", Address: "+447700900999",
			Flow: "support", State: "start"})
		unknown, _, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: f.org, ConversationID: conv,
			Priority: ohcontact.PriorityUrgent, Category: "suicide_risk", UnknownSender: true, SLADue: time.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	reveal := func(id int64) (ohcontact.Case, postgres.ContactDetails) {
		t.Helper()
		var k ohcontact.Case
		var d postgres.ContactDetails
		err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
			if k, err = postgres.CaseByID(ctx, tx, f.org, id); err != nil {
				return err
			}
			d, err = postgres.RevealContact(ctx, tx, k, 0)
			return err
		})
		if err != nil {
			t.Fatalf("reveal contact of case %d: %v", id, err)
		}
		return k, d
	}

	k, d := reveal(known)
	if k.StaffID != f.staff || k.JobTitle != "Porter" || k.Department != "" {
		t.Errorf("case shows staff %d, job %q, department %q; want %d, Porter, none", k.StaffID, k.JobTitle, k.Department, f.staff)
	}
	if want := (postgres.ContactDetails{Mobile: "+447700900001", Email: "ann@example.nhs.uk"}); d != want {
		t.Errorf("revealed %+v, want %+v", d, want)
	}
	if _, d := reveal(unknown); d != (postgres.ContactDetails{TextedFrom: "+447700900999"}) {
		t.Errorf("unknown sender revealed %+v, want only the number texted from", d)
	}
	var details []string
	rows, err := db.Pool.Query(ctx, `SELECT details::text FROM audit_events WHERE action = 'contact.reveal' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	if details, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if len(details) != 2 || !strings.Contains(details[0], `"shown": ["mobile", "email"]`) || !strings.Contains(details[1], `"shown": ["texted_from"]`) {
		t.Errorf("contact.reveal details %q, want one per reveal naming what was shown", details)
	}
	for _, d := range details {
		if strings.Contains(d, "7700900") || strings.Contains(d, "@") {
			t.Errorf("audit details %s carry a contact detail", d)
		}
	}
}

// TestPersonHistory: a person's cases and conversations across channels,
// newest first, in their organisation only.
func TestPersonHistory(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	f := newFixture(t, db)
	var chat, smsCase, chatCase int64
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, created_at)
			VALUES ($1, $2, 'webchat', 'widget-1', 'support', 'start', now() + interval '1 minute') RETURNING id`, f.org, f.staff).Scan(&chat); err != nil {
			return err
		}
		var err error
		for _, c := range []struct {
			conv int64
			id   *int64
		}{{f.conversation, &smsCase}, {chat, &chatCase}} {
			if *c.id, _, err = postgres.OpenOrRaiseCase(ctx, tx, postgres.NewCase{OrganisationID: f.org, ConversationID: c.conv,
				StaffID: f.staff, Priority: ohcontact.PriorityHigh, Category: "asked_to_talk", SLADue: time.Now()}); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE cases SET created_at = created_at + interval '1 minute' WHERE id = $1`, chatCase)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	cases, err := postgres.PersonCases(ctx, db.Pool, f.org, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range cases {
		ids = append(ids, c.ID)
	}
	if want := []int64{chatCase, smsCase}; !slices.Equal(ids, want) {
		t.Errorf("cases %v, want %v (newest first)", ids, want)
	}
	convs, err := postgres.PersonConversations(ctx, db.Pool, f.org, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != 2 || convs[0].ID != chat || convs[0].Channel != ohcontact.ChannelWebChat || convs[1].Channel != ohcontact.ChannelSMS {
		t.Errorf("conversations %+v, want the web chat then the SMS one", convs)
	}

	other := f.org + 1000
	if _, err := postgres.PersonByID(ctx, db.Pool, other, f.staff); !errors.Is(err, ohcontact.ErrNotFound) {
		t.Errorf("another organisation's person: %v, want ErrNotFound", err)
	}
	if cases, _ := postgres.PersonCases(ctx, db.Pool, other, f.staff); len(cases) != 0 {
		t.Errorf("another organisation sees %d of the person's cases", len(cases))
	}
	if p, err := postgres.PersonByID(ctx, db.Pool, 0, f.staff); err != nil || p.FirstName != "Ann" || p.OrganisationName != "Test Trust" {
		t.Errorf("PersonByID for every organisation: %+v, %v", p, err)
	}
}
