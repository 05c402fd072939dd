package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ohcontact/ohcontact"
)

const conversationColumns = `id, organisation_id, coalesce(staff_id, 0), channel, address, flow, fsm_state, data,
	language, version, owner, status = 'closed', last_message_seq, coalesce(contact_id, 0), coalesce(client_key, ''),
	coalesce(follows_case_id, 0), coalesce(campaign_member_id, 0),
	coalesce(new_starter_id, 0)`

// scanConversation reads the conversationColumns of row, then any columns
// selected after them into extra.
func scanConversation(row pgx.Row, extra ...any) (ohcontact.Conversation, error) {
	var c ohcontact.Conversation
	err := row.Scan(append([]any{&c.ID, &c.OrganisationID, &c.StaffID, &c.Channel, &c.Address, &c.Flow, &c.State, &c.Data,
		&c.Language, &c.Version, &c.Owner, &c.Closed, &c.LastMessageSeq, &c.ContactID, &c.ClientKey, &c.FollowsCaseID, &c.CampaignMemberID, &c.NewStarterID}, extra...)...)
	return c, err
}

// ConversationByID returns conversation id without locking it, or
// ohcontact.ErrNotFound.
func ConversationByID(ctx context.Context, q Querier, id int64) (ohcontact.Conversation, error) {
	c, err := scanConversation(q.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("conversation %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("load conversation %d: %w", id, err)
	}
	return c, nil
}

// SaveMessageSeq stores c's message count after messages were appended to
// it outside a step (a notice), leaving its flow, status and owner as
// they are.
func SaveMessageSeq(ctx context.Context, tx pgx.Tx, c *ohcontact.Conversation) error {
	if _, err := tx.Exec(ctx, `UPDATE conversations SET last_message_seq = $2, version = version + 1 WHERE id = $1`,
		c.ID, c.LastMessageSeq); err != nil {
		return fmt.Errorf("save conversation %d: %w", c.ID, err)
	}
	c.Version++
	return nil
}

// LockConversation locks conversation id's row in tx and returns it. It
// returns ohcontact.ErrNotFound if there is none.
func LockConversation(ctx context.Context, tx pgx.Tx, id int64) (ohcontact.Conversation, error) {
	c, err := scanConversation(tx.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("conversation %d: %w", id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("lock conversation %d: %w", id, err)
	}
	return c, nil
}

// SaveConversation writes c's flow state, owner, language, status and
// message count, and increments its version. It returns
// ohcontact.ErrConflict when the row's version is no longer c.Version.
func SaveConversation(ctx context.Context, tx pgx.Tx, c *ohcontact.Conversation, closedReason string) error {
	tag, err := tx.Exec(ctx, `
		UPDATE conversations SET
			flow = $3, fsm_state = $4, data = $5, language = $6, owner = $7,
			last_message_seq = $8, last_activity_at = now(), version = version + 1,
			status = CASE WHEN $9 THEN 'closed' ELSE 'open' END,
			closed_reason = CASE WHEN $9 THEN $10 END,
			closed_at = CASE WHEN $9 THEN coalesce(closed_at, now()) END
		WHERE id = $1 AND version = $2`,
		c.ID, c.Version, c.Flow, c.State, c.Data, c.Language, c.Owner, c.LastMessageSeq, c.Closed, nullIfEmpty(closedReason))
	if err != nil {
		return fmt.Errorf("save conversation %d: %w", c.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("save conversation %d: changed concurrently: %w", c.ID, ohcontact.ErrConflict)
	}
	c.Version++
	return nil
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CloseContactConversations closes, as returned_to_work, the open
// bot-owned conversations that the contacts ids opened, and returns how
// many it closed. A conversation a clinician owns stays open: they close
// it.
func CloseContactConversations(ctx context.Context, tx pgx.Tx, contactIDs []int64) (int, error) {
	tag, err := tx.Exec(ctx, `
		UPDATE conversations SET status = 'closed', closed_reason = 'returned_to_work', closed_at = now(),
			version = version + 1
		WHERE status = 'open' AND owner = 'bot' AND contact_id = ANY($1)`, contactIDs)
	if err != nil {
		return 0, fmt.Errorf("close conversations of contacts: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// OpenConversation is an open conversation with when it last saw activity.
type OpenConversation struct {
	ohcontact.Conversation
	LastActivity time.Time
}

// LockOpenConversations returns every open conversation of staff member
// staffID, on any channel, and locks their rows until tx ends.
func LockOpenConversations(ctx context.Context, tx pgx.Tx, staffID int64) ([]OpenConversation, error) {
	rows, err := tx.Query(ctx, `SELECT `+conversationColumns+`, last_activity_at FROM conversations
		WHERE staff_id = $1 AND status = 'open' ORDER BY id FOR UPDATE`, staffID)
	if err != nil {
		return nil, fmt.Errorf("lock open conversations: %w", err)
	}
	open, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OpenConversation, error) {
		var o OpenConversation
		var err error
		o.Conversation, err = scanConversation(r, &o.LastActivity)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("lock open conversations: %w", err)
	}
	return open, nil
}

// OpenContactConversation opens conversation c (flow state, language,
// address) for contact contactID (0: none), or for the campaign member
// c.CampaignMemberID, or for the new starter c.NewStarterID, owned by the bot. The caller has made sure the person
// has no open conversation on c's channel (triggers.MakeWay).
func OpenContactConversation(ctx context.Context, tx pgx.Tx, c ohcontact.Conversation, contactID int64) (ohcontact.Conversation, error) {
	opened, err := scanConversation(tx.QueryRow(ctx, `
		INSERT INTO conversations (organisation_id, staff_id, contact_id, campaign_member_id, new_starter_id, channel, address, flow,
			fsm_state, data, language, owner)
		VALUES ($1, $2, nullif($3::bigint, 0), nullif($4::bigint, 0), nullif($5::bigint, 0), $6, $7, $8, $9, $10, $11, 'bot')
		RETURNING `+conversationColumns,
		c.OrganisationID, c.StaffID, contactID, c.CampaignMemberID, c.NewStarterID, c.Channel, c.Address, c.Flow, c.State, c.Data,
		c.Language))
	if err != nil {
		return opened, fmt.Errorf("open conversation for contact %d, campaign member %d, new starter %d: %w",
			contactID, c.CampaignMemberID, c.NewStarterID, err)
	}
	return opened, nil
}

// LockContactConversation returns the latest conversation contact
// contactID opened, locked until tx ends, and whether the person has
// written in it. It returns ohcontact.ErrNotFound when the contact opened none.
func LockContactConversation(ctx context.Context, tx pgx.Tx, contactID int64) (ohcontact.Conversation, bool, error) {
	return lockOpenedConversation(ctx, tx, "contact_id", contactID)
}

// LockNewStarterConversation is LockContactConversation for the
// conversations opened for new starter newStarterID.
func LockNewStarterConversation(ctx context.Context, tx pgx.Tx, newStarterID int64) (ohcontact.Conversation, bool, error) {
	return lockOpenedConversation(ctx, tx, "new_starter_id", newStarterID)
}

// LockMemberConversation is LockContactConversation for the conversations
// opened for campaign member memberID.
func LockMemberConversation(ctx context.Context, tx pgx.Tx, memberID int64) (ohcontact.Conversation, bool, error) {
	return lockOpenedConversation(ctx, tx, "campaign_member_id", memberID)
}

// lockOpenedConversation locks the latest conversation whose column
// (contact_id, campaign_member_id or new_starter_id) is id; see LockContactConversation.
func lockOpenedConversation(ctx context.Context, tx pgx.Tx, column string, id int64) (ohcontact.Conversation, bool, error) {
	var replied bool
	c, err := scanConversation(tx.QueryRow(ctx, `
		SELECT `+conversationColumns+`,
		       EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'inbound')
		FROM conversations WHERE `+column+` = $1 ORDER BY id DESC LIMIT 1 FOR UPDATE`, id), &replied)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, fmt.Errorf("conversation of %s %d: %w", column, id, ohcontact.ErrNotFound)
	}
	if err != nil {
		return c, false, fmt.Errorf("lock conversation of %s %d: %w", column, id, err)
	}
	return c, replied, nil
}

// PersonConversation is one of a person's conversations with the service.
type PersonConversation struct {
	ID           int64
	Channel      ohcontact.Channel
	Flow         string
	Owner        ohcontact.Owner
	Status       string // open or closed
	ClosedReason string // completed, opted_out, no_response, returned_to_work, resolved or purged; empty while open
	CreatedAt    time.Time
	LastActivity time.Time
}

// PersonConversations returns member of staff staffID's conversations on
// every channel in organisation orgScope (0: any), newest first.
func PersonConversations(ctx context.Context, q Querier, orgScope, staffID int64) ([]PersonConversation, error) {
	rows, err := q.Query(ctx, `
		SELECT id, channel, flow, owner, status, coalesce(closed_reason, ''), created_at, last_activity_at
		FROM conversations
		WHERE staff_id = $1 AND ($2::bigint = 0 OR organisation_id = $2)
		ORDER BY created_at DESC, id DESC`, staffID, orgScope)
	if err != nil {
		return nil, fmt.Errorf("load conversations of staff %d: %w", staffID, err)
	}
	convs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PersonConversation, error) {
		var c PersonConversation
		err := row.Scan(&c.ID, &c.Channel, &c.Flow, &c.Owner, &c.Status, &c.ClosedReason, &c.CreatedAt, &c.LastActivity)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("load conversations of staff %d: %w", staffID, err)
	}
	return convs, nil
}

// orEmpty is ids, or an empty list (not null) when there are none.
func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// OpenWebChat returns the id of the open web chat conversation at address,
// or ohcontact.ErrNotFound.
func OpenWebChat(ctx context.Context, q Querier, address string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM conversations
		WHERE channel = 'webchat' AND address = $1 AND status = 'open'
		ORDER BY id DESC LIMIT 1`, address).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ohcontact.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("find open web chat: %w", err)
	}
	return id, nil
}

// WebChatConversationOf returns the id of the web chat conversation at
// address that holds the message the widget sent with externalID, open or
// closed, or ohcontact.ErrNotFound.
func WebChatConversationOf(ctx context.Context, q Querier, address, externalID string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT c.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.channel = 'webchat' AND m.external_id = $2 AND c.channel = 'webchat' AND c.address = $1`,
		address, externalID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ohcontact.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("find the web chat of a message: %w", err)
	}
	return id, nil
}

// EndWebChat closes the open web chat at address with reason "ended",
// when the bot has it. A conversation a clinician has stays open, so the
// clinician can still answer; the widget forgets it all the same. It
// returns the id and last message number of a conversation left open (0 and
// 0 when none is).
func EndWebChat(ctx context.Context, q Querier, address string) (kept int64, seq int, err error) {
	_, err = q.Exec(ctx, `UPDATE conversations
		SET status = 'closed', closed_reason = 'ended', closed_at = now(), version = version + 1
		WHERE channel = 'webchat' AND address = $1 AND status = 'open' AND owner = 'bot'`, address)
	if err == nil {
		err = q.QueryRow(ctx, `SELECT id, last_message_seq FROM conversations
			WHERE channel = 'webchat' AND address = $1 AND status = 'open'`, address).Scan(&kept, &seq)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, 0, nil
		}
	}
	if err != nil {
		return 0, 0, fmt.Errorf("end web chat: %w", err)
	}
	return kept, seq, nil
}

// NotifyAddresses sends the address of each of conversations ids as a
// notification on PostgreSQL channel. Listeners get them when q's
// transaction commits (at once when q is the pool).
func NotifyAddresses(ctx context.Context, q Querier, channel string, ids []int64) error {
	if _, err := q.Exec(ctx, `SELECT pg_notify($1, address) FROM conversations WHERE id = ANY($2)`, channel, ids); err != nil {
		return fmt.Errorf("notify addresses of %d conversations: %w", len(ids), err)
	}
	return nil
}

// Conversations of many inbound messages are locked (LockForInbound) and
// saved (SaveSteps) together, one round trip each in one transaction, so
// that a busy service spends its database's time on the work rather than on
// round trips and commits.

// ConversationKey names an open conversation: a member of staff's on a
// channel or, when StaffID is 0, an address's (an unknown number, an
// anonymous chat). Each has at most one open conversation.
type ConversationKey struct {
	StaffID int64
	Channel ohcontact.Channel
	Address string // empty when StaffID is set
}

// KeyFor returns the key of the conversation of staffID (or, when that is
// 0, of address) on channel.
func KeyFor(staffID int64, channel ohcontact.Channel, address string) ConversationKey {
	if staffID != 0 {
		return ConversationKey{StaffID: staffID, Channel: channel}
	}
	return ConversationKey{Channel: channel, Address: address}
}

// KeyOf returns the key of c's person (or address) and channel.
func KeyOf(c ohcontact.Conversation) ConversationKey { return KeyFor(c.StaffID, c.Channel, c.Address) }

// compareKeys orders keys for locking. Transactions that lock (or open)
// the same conversations in the same order cannot deadlock.
func compareKeys(a, b ConversationKey) int {
	return cmp.Or(cmp.Compare(a.StaffID, b.StaffID), cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Address, b.Address))
}

// MessageKey names an inbound message by its channel's id for it.
type MessageKey struct {
	Channel    ohcontact.Channel
	ExternalID string
}

// LockForInbound locks the open conversations of keys until tx ends and
// finds which of the messages are already stored, in one round trip. Keys
// with no open conversation are missing from the map.
func LockForInbound(ctx context.Context, tx pgx.Tx, keys []ConversationKey, messages []MessageKey) (map[ConversationKey]ohcontact.Conversation, map[MessageKey]bool, error) {
	keys = slices.SortedFunc(slices.Values(keys), compareKeys)
	var staffIDs []int64
	var staffChannels, addrChannels, addrs []string
	for _, k := range keys {
		if k.StaffID != 0 {
			staffIDs, staffChannels = append(staffIDs, k.StaffID), append(staffChannels, string(k.Channel))
		} else {
			addrChannels, addrs = append(addrChannels, string(k.Channel)), append(addrs, k.Address)
		}
	}
	convs := make(map[ConversationKey]ohcontact.Conversation, len(keys))
	stored := make(map[MessageKey]bool)
	scanConversations := func(rows pgx.Rows) error {
		defer rows.Close()
		for rows.Next() {
			c, err := scanConversation(rows)
			if err != nil {
				return err
			}
			convs[KeyOf(c)] = c
		}
		return rows.Err()
	}

	// One index look-up per key, in order, whatever the planner believes of
	// how many conversations are open.
	b := &pgx.Batch{}
	if len(staffIDs) > 0 {
		b.Queue(`SELECT c.* FROM unnest($1::bigint[], $2::text[]) AS k (staff_id, channel)
			CROSS JOIN LATERAL (SELECT `+conversationColumns+` FROM conversations
				WHERE staff_id = k.staff_id AND channel = k.channel AND status = 'open' LIMIT 1 FOR UPDATE) c`,
			staffIDs, staffChannels).Query(scanConversations)
	}
	if len(addrs) > 0 {
		b.Queue(`SELECT c.* FROM unnest($1::text[], $2::text[]) AS k (channel, address)
			CROSS JOIN LATERAL (SELECT `+conversationColumns+` FROM conversations
				WHERE staff_id IS NULL AND channel = k.channel AND address = k.address AND status = 'open' LIMIT 1 FOR UPDATE) c`,
			addrChannels, addrs).Query(scanConversations)
	}
	if len(messages) > 0 {
		channels, ids := make([]string, len(messages)), make([]string, len(messages))
		for i, m := range messages {
			channels[i], ids[i] = string(m.Channel), m.ExternalID
		}
		b.Queue(`SELECT channel, external_id FROM messages
			JOIN unnest($1::text[], $2::text[]) AS k (channel, external_id) USING (channel, external_id)`, channels, ids).
			Query(func(rows pgx.Rows) error {
				defer rows.Close()
				for rows.Next() {
					var k MessageKey
					if err := rows.Scan(&k.Channel, &k.ExternalID); err != nil {
						return err
					}
					stored[k] = true
				}
				return rows.Err()
			})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, fmt.Errorf("lock conversations: %w", err)
	}
	return convs, stored, nil
}

// OpenConversations opens each of cs, the first open conversation for its
// key. One that another transaction opened first is missing from the
// result; the caller locks it (LockForInbound waits for the other's commit).
// An anonymous conversation (StaffID 0) keeps its ClientKey; a member of
// staff's never has one. A conversation opened while the same person (the
// member of staff; else the same anonymous web chat client, or the same
// unknown number) has an unresolved case of the organisation whose
// conversation a clinician handed back follows the newest such case
// (FollowsCaseID).
func OpenConversations(ctx context.Context, tx pgx.Tx, cs []ohcontact.Conversation) (map[ConversationKey]ohcontact.Conversation, error) {
	cs = slices.SortedFunc(slices.Values(cs), func(a, b ohcontact.Conversation) int { return compareKeys(KeyOf(a), KeyOf(b)) })
	n := len(cs)
	orgs, staff := make([]int64, n), make([]int64, n)
	channels, addrs, flows, states, data, langs, clients := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, c := range cs {
		orgs[i], staff[i], channels[i], addrs[i] = c.OrganisationID, c.StaffID, string(c.Channel), c.Address
		if c.StaffID == 0 {
			clients[i] = c.ClientKey
		}
		flows[i], states[i], data[i], langs[i] = c.Flow, c.State, string(c.Data), c.Language
		if c.Data == nil {
			data[i] = "{}"
		}
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO conversations (organisation_id, staff_id, channel, address, flow, fsm_state, data, language, owner, client_key,
			follows_case_id)
		SELECT org, nullif(staff, 0), channel, address, flow, state, data::jsonb, lang, 'bot', nullif(client, ''),
			(SELECT k.id FROM cases k JOIN conversations kv ON kv.id = k.conversation_id
			 WHERE k.status <> 'resolved' AND k.handed_back_at IS NOT NULL AND k.organisation_id = org
			   AND CASE WHEN staff <> 0 THEN k.staff_id = staff
			            WHEN client <> '' THEN kv.client_key = client
			            ELSE kv.staff_id IS NULL AND kv.channel = v.channel AND kv.address = v.address END
			 ORDER BY k.handed_back_at DESC, k.id DESC LIMIT 1)
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
			AS v (org, staff, channel, address, flow, state, data, lang, client)
		ON CONFLICT DO NOTHING
		RETURNING `+conversationColumns, orgs, staff, channels, addrs, flows, states, data, langs, clients)
	if err != nil {
		return nil, fmt.Errorf("open conversations: %w", err)
	}
	opened, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ohcontact.Conversation, error) { return scanConversation(row) })
	if err != nil {
		return nil, fmt.Errorf("open conversations: %w", err)
	}
	byKey := make(map[ConversationKey]ohcontact.Conversation, len(opened))
	for _, c := range opened {
		byKey[KeyOf(c)] = c
	}
	return byKey, nil
}

// ClosedByClinicians returns which of keys had a conversation closed
// since since by clinicians resolving its case (closed_reason resolved).
func ClosedByClinicians(ctx context.Context, q Querier, keys []ConversationKey, since time.Time) (map[ConversationKey]bool, error) {
	n := len(keys)
	staff, channels, addrs := make([]int64, n), make([]string, n), make([]string, n)
	for i, k := range keys {
		staff[i], channels[i], addrs[i] = k.StaffID, string(k.Channel), k.Address
	}
	rows, err := q.Query(ctx, `
		SELECT k.staff_id, k.channel, k.address FROM unnest($1::bigint[], $2::text[], $3::text[]) AS k (staff_id, channel, address)
		WHERE (k.staff_id <> 0 AND EXISTS (SELECT 1 FROM conversations c WHERE c.closed_reason = 'resolved'
				AND c.staff_id = k.staff_id AND c.channel = k.channel AND c.closed_at > $4))
		   OR (k.staff_id = 0 AND EXISTS (SELECT 1 FROM conversations c WHERE c.closed_reason = 'resolved'
				AND c.staff_id IS NULL AND c.channel = k.channel AND c.address = k.address AND c.closed_at > $4))`,
		staff, channels, addrs, since)
	if err != nil {
		return nil, fmt.Errorf("conversations closed by clinicians: %w", err)
	}
	closed := map[ConversationKey]bool{}
	for rows.Next() {
		var k ConversationKey
		if err := rows.Scan(&k.StaffID, &k.Channel, &k.Address); err != nil {
			rows.Close()
			return nil, fmt.Errorf("conversations closed by clinicians: %w", err)
		}
		closed[k] = true
	}
	return closed, rows.Err()
}

// Step is one conversation's part in SaveSteps: its new state, the
// messages the step added, in order, and what the flow recorded.
type Step struct {
	Conversation *ohcontact.Conversation
	ClosedReason string // closes the conversation when set
	Messages     []*ohcontact.Message
	// Answers replace earlier answers to the same questions.
	Answers []Answer
	// Signposts are the services the step gave, for the pilot's evidence.
	Signposts []Signpost
}

// Answer is the answer to a flow's question (a screening item, a choice).
type Answer struct{ Question, Value string }

// Signpost is a service given, with its category.
type Signpost struct{ Service, Category string }

// SaveSteps stores each step's messages (setting their ID, Seq and
// CreatedAt), answers and signposts, marks responded the contact that
// opened a conversation an inbound message arrived in (so no reminder
// follows), and replied the campaign member or the new starter it was
// opened for, and saves the conversations, incrementing their versions, in
// one round trip. tx must hold the conversations locked.
//
// It returns ErrDuplicate when an inbound message's channel and external
// id are already stored, and ohcontact.ErrConflict when a conversation's
// version has moved on; the caller rolls back.
func SaveSteps(ctx context.Context, tx pgx.Tx, steps []Step) error {
	var (
		m                                                 messageColumns
		inbound                                           int
		contacts, members, starters                       []int64
		ids, versions, lastSeqs                           []int64
		flows, states, data, langs, owners, closedReasons []string
		closed                                            []bool
	)
	type msgKey struct {
		conversation int64
		seq          int
	}
	byKey := make(map[msgKey]*ohcontact.Message)
	for _, s := range steps {
		c := s.Conversation
		responded := false
		for _, msg := range s.Messages {
			c.LastMessageSeq++
			msg.ConversationID, msg.Seq, msg.Channel = c.ID, c.LastMessageSeq, c.Channel
			m.add(msg)
			byKey[msgKey{c.ID, msg.Seq}] = msg
			if msg.Direction == ohcontact.DirectionInbound {
				inbound++
				responded = true
			}
		}
		if responded && c.ContactID != 0 {
			contacts = append(contacts, c.ContactID)
		}
		if responded && c.CampaignMemberID != 0 {
			members = append(members, c.CampaignMemberID)
		}
		if responded && c.NewStarterID != 0 {
			starters = append(starters, c.NewStarterID)
		}
		c.Closed = s.ClosedReason != ""
		ids, versions, lastSeqs = append(ids, c.ID), append(versions, int64(c.Version)), append(lastSeqs, int64(c.LastMessageSeq))
		flows, states, data = append(flows, c.Flow), append(states, c.State), append(data, string(c.Data))
		langs, owners = append(langs, c.Language), append(owners, string(c.Owner))
		closed, closedReasons = append(closed, c.Closed), append(closedReasons, s.ClosedReason)
	}

	b := &pgx.Batch{}
	var insertedInbound int
	b.Queue(`
		INSERT INTO messages (conversation_id, seq, direction, channel, author, body, external_id, urgent, delivery_status)
		SELECT conversation_id, seq, direction, channel, author, body, nullif(external_id, ''), urgent,
			CASE direction WHEN 'inbound' THEN 'received' ELSE 'queued' END
		FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bool[])
			AS v (conversation_id, seq, direction, channel, author, body, external_id, urgent)
		ON CONFLICT (channel, external_id) DO NOTHING
		RETURNING conversation_id, seq, id, created_at, direction = 'inbound'`,
		m.conversations, m.seqs, m.directions, m.channels, m.authors, m.bodies, m.externalIDs, m.urgent).
		Query(func(rows pgx.Rows) error {
			defer rows.Close()
			for rows.Next() {
				var k msgKey
				var id int64
				var created time.Time
				var in bool
				if err := rows.Scan(&k.conversation, &k.seq, &id, &created, &in); err != nil {
					return err
				}
				byKey[k].ID, byKey[k].CreatedAt = id, created
				if in {
					insertedInbound++
				}
			}
			return rows.Err()
		})
	queueAnswers(b, steps)
	queueSignposts(b, steps)
	if len(contacts) > 0 {
		b.Queue(`UPDATE contacts SET state = 'responded', state_reason = NULL, updated_at = now()
			WHERE id = ANY($1) AND state IN ('sent', 'reminded')`, contacts)
	}
	if len(members) > 0 {
		b.Queue(`UPDATE campaign_members SET state = 'replied', replied_at = coalesce(replied_at, now()), updated_at = now()
			WHERE id = ANY($1) AND state IN ('sent', 'reminded')`, members)
	}
	if len(starters) > 0 {
		// The first reply only: replied_at is when they first wrote, and
		// later messages write nothing. A reply that put them on the
		// worklist (a question, an opt-out) leaves them there.
		b.Queue(`UPDATE new_starters SET state = CASE WHEN state = 'worklist' THEN state ELSE 'replied' END,
			replied_at = now(), updated_at = now()
			WHERE id = ANY($1) AND state IN ('welcomed', 'reminded', 'worklist') AND replied_at IS NULL`, starters)
	}
	var saved int64
	b.Queue(`
		UPDATE conversations c SET
			flow = v.flow, fsm_state = v.state, data = v.data::jsonb, language = v.lang, owner = v.owner,
			last_message_seq = v.last_seq, last_activity_at = now(), version = c.version + 1,
			status = CASE WHEN v.closed THEN 'closed' ELSE 'open' END,
			closed_reason = CASE WHEN v.closed THEN v.closed_reason END,
			closed_at = CASE WHEN v.closed THEN coalesce(c.closed_at, now()) END
		FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::bool[], $10::text[])
			AS v (id, version, flow, state, data, lang, owner, last_seq, closed, closed_reason)
		WHERE c.id = v.id AND c.version = v.version`,
		ids, versions, flows, states, data, langs, owners, lastSeqs, closed, closedReasons).
		Exec(func(tag pgconn.CommandTag) error {
			saved = tag.RowsAffected()
			return nil
		})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("save steps: %w", err)
	}
	switch {
	case insertedInbound < inbound:
		return ErrDuplicate
	case saved < int64(len(steps)):
		return fmt.Errorf("save steps: a conversation changed concurrently: %w", ohcontact.ErrConflict)
	}
	for _, s := range steps {
		s.Conversation.Version++
	}
	return nil
}

// queueAnswers queues the steps' answers on b, the last of a
// conversation's answers to a question winning.
func queueAnswers(b *pgx.Batch, steps []Step) {
	type key struct {
		conversation int64
		question     string
	}
	latest := make(map[key]string)
	var order []key
	for _, s := range steps {
		for _, a := range s.Answers {
			k := key{s.Conversation.ID, a.Question}
			if _, seen := latest[k]; !seen {
				order = append(order, k)
			}
			latest[k] = a.Value
		}
	}
	if len(order) == 0 {
		return
	}
	conversations, questions, values := make([]int64, len(order)), make([]string, len(order)), make([]string, len(order))
	for i, k := range order {
		conversations[i], questions[i], values[i] = k.conversation, k.question, latest[k]
	}
	b.Queue(`
		INSERT INTO answers (conversation_id, question, value)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])
		ON CONFLICT (conversation_id, question) DO UPDATE SET value = excluded.value, answered_at = now()`,
		conversations, questions, values)
}

// queueSignposts queues the steps' signposts on b.
func queueSignposts(b *pgx.Batch, steps []Step) {
	var orgs, conversations []int64
	var services, categories []string
	for _, s := range steps {
		for _, sp := range s.Signposts {
			orgs, conversations = append(orgs, s.Conversation.OrganisationID), append(conversations, s.Conversation.ID)
			services, categories = append(services, sp.Service), append(categories, sp.Category)
		}
	}
	if len(orgs) == 0 {
		return
	}
	b.Queue(`
		INSERT INTO signposts (organisation_id, conversation_id, service, category)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])`,
		orgs, conversations, services, categories)
}

// messageColumns are SaveSteps' messages as one array per column.
type messageColumns struct {
	conversations                                      []int64
	seqs                                               []int64
	directions, channels, authors, bodies, externalIDs []string
	urgent                                             []bool
}

func (m *messageColumns) add(msg *ohcontact.Message) {
	m.conversations, m.seqs = append(m.conversations, msg.ConversationID), append(m.seqs, int64(msg.Seq))
	m.directions, m.channels = append(m.directions, string(msg.Direction)), append(m.channels, string(msg.Channel))
	m.authors, m.bodies = append(m.authors, string(msg.Author)), append(m.bodies, msg.Body)
	m.externalIDs, m.urgent = append(m.externalIDs, msg.ExternalID), append(m.urgent, msg.Urgent)
}
