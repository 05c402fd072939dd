package console

// HashesRun returns how many password hashes c has run through its
// hashing gate.
func (c *Console) HashesRun() int64 { return c.hashes.hashes() }

// HoldHashSlots takes every slot of c's hashing gate, as if that many
// hashes were running, until release is called.
func (c *Console) HoldHashSlots() (release func()) {
	g := c.hashes
	for range cap(g.slots) {
		g.slots <- struct{}{}
	}
	return func() {
		for range cap(g.slots) {
			<-g.slots
		}
	}
}
