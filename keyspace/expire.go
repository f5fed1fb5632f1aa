package keyspace

import "time"

// Active expiry, as Redis's activeExpireCycle: keys with an expiry are
// sampled, 20 at a time per database, and those whose time has come are
// deleted (notifying "expired"); a database is sampled again while more
// than a tenth of its sample had expired, until the cycle's time budget is
// spent. Lazy expiry (Lookup) catches the keys read before a cycle gets to
// them.
const (
	expireSample     = 20
	expireStaleRatio = 10 // percent of a sample expired that calls for another
)

// ActiveExpireCycle runs one cycle of at most budget and returns how many
// keys it expired. Lock held.
func (ks *Keyspace) ActiveExpireCycle(budget time.Duration) int {
	if ks.loading {
		return 0
	}
	start := time.Now()
	expired := 0
	for _, db := range ks.dbs {
		for len(db.volatile) > 0 {
			now := ks.Now()
			sampled, hit := 0, 0
			for key := range db.volatile { // map order is random: the sample
				if sampled == expireSample {
					break
				}
				sampled++
				if e := db.keys[key]; e != nil && e.ExpireAt <= now {
					db.expire(key)
					hit++
				}
			}
			expired += hit
			if hit*100 <= sampled*expireStaleRatio || time.Since(start) > budget {
				break
			}
		}
		if time.Since(start) > budget {
			break
		}
	}
	return expired
}
