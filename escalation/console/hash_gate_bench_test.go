package console

import (
	"context"
	"sync/atomic"
	"testing"
)

// BenchmarkSignInVerifyUnderContention verifies passwords from 8
// goroutines per CPU through a gate of the default size, as a burst of
// sign-ins would: ns/op is the time per attempt overall, refused/op the
// share answered 503 rather than hashed (none while the queue holds them
// all), and the gate keeps memory to its slots × 19 MiB however many
// wait.
func BenchmarkSignInVerifyUnderContention(b *testing.B) {
	lim := SignInLimits{}.withDefaults()
	g := newHashGate(lim.Hashes, lim.HashQueue, lim.HashWait)
	hash := mustHashPassword("correct horse battery")
	var refused atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := g.do(context.Background(), func() { passwordMatches(hash, "not the password at all") }); err != nil {
				refused.Add(1)
			}
		}
	})
	b.ReportMetric(float64(refused.Load())/float64(b.N), "refused/op")
}
