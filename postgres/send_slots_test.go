package postgres_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ohcontact/ohcontact/postgres"
	"github.com/ohcontact/ohcontact/postgres/pgtest"
)

// The spacing is an hour so that the test's own speed cannot change which
// slot a call gets: waits are compared in whole hours.
const hour = time.Hour

func hours(d time.Duration) int { return int(d.Round(hour) / hour) }

func TestReserveSendSlotSpacesSlotsAndRefusesFarOnes(t *testing.T) {
	db := pgtest.New(t)
	steps := []struct {
		name         string
		wantHours    int
		wantReserved bool
	}{
		{"first slot is now", 0, true},
		{"second waits one spacing", 1, true},
		{"third is beyond maxWait", 1, false}, // next free slot is 2h away; within 90m of it in 30m
	}
	for _, s := range steps {
		wait, reserved, err := postgres.ReserveSendSlot(t.Context(), db.Pool, "sms", hour, 90*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if reserved != s.wantReserved {
			t.Fatalf("%s: reserved = %v, want %v", s.name, reserved, s.wantReserved)
		}
		if !reserved {
			if wait < 29*time.Minute || wait > 31*time.Minute {
				t.Fatalf("%s: wait %v, want about 30m (until the next slot is within maxWait)", s.name, wait)
			}
			continue
		}
		if hours(wait) != s.wantHours {
			t.Fatalf("%s: wait %v, want %dh", s.name, wait, s.wantHours)
		}
	}
}

// Two instances (two pools) reserving at once share one rate: every slot is
// handed out exactly once.
func TestReserveSendSlotIsSharedAcrossInstances(t *testing.T) {
	url := pgtest.NewURL(t)
	var instances []*postgres.DB
	for range 2 {
		db, err := postgres.Open(t.Context(), postgres.Config{URL: url, MaxConns: 5})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		instances = append(instances, db)
	}
	const perInstance = 10
	var mu sync.Mutex
	var got []int
	var wg sync.WaitGroup
	for _, db := range instances {
		for range perInstance {
			wg.Go(func() {
				wait, reserved, err := postgres.ReserveSendSlot(t.Context(), db.Pool, "sms", hour, 100*hour)
				if err != nil || !reserved {
					t.Errorf("reserve: reserved=%v err=%v", reserved, err)
					return
				}
				mu.Lock()
				got = append(got, hours(wait))
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	slices.Sort(got)
	for i, h := range got {
		if h != i {
			t.Fatalf("slots (hours from now) = %v, want 0..%d each once", got, 2*perInstance-1)
		}
	}
}
