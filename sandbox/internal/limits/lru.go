package limits

import (
	"container/list"
	"time"
)

// lru is a bounded map whose least recently used entries go first, and whose entries idle for
// longer than idle are dropped as they are met: the limiters' memory stays bounded whatever the
// number of apps or addresses. It is not safe for concurrent use (the limiters lock).
type lru[V any] struct {
	max  int
	idle time.Duration
	m    map[string]*list.Element
	l    *list.List // front: most recent
}

type lruEntry[V any] struct {
	key  string
	used time.Time
	v    V
}

func newLRU[V any](max int, idle time.Duration) *lru[V] {
	return &lru[V]{max: max, idle: idle, m: map[string]*list.Element{}, l: list.New()}
}

// get returns the entry for key, creating it with mk when absent (or idle too long).
func (c *lru[V]) get(key string, now time.Time, mk func() V) *V {
	c.evict(now)
	if e, ok := c.m[key]; ok {
		ent := e.Value.(*lruEntry[V])
		ent.used = now
		c.l.MoveToFront(e)
		return &ent.v
	}
	for c.l.Len() >= c.max {
		c.remove(c.l.Back())
	}
	ent := &lruEntry[V]{key: key, used: now, v: mk()}
	c.m[key] = c.l.PushFront(ent)
	return &ent.v
}

// peek returns the entry for key without creating it or marking it used.
func (c *lru[V]) peek(key string, now time.Time) (*V, bool) {
	e, ok := c.m[key]
	if !ok {
		return nil, false
	}
	ent := e.Value.(*lruEntry[V])
	if now.Sub(ent.used) > c.idle {
		c.remove(e)
		return nil, false
	}
	return &ent.v, true
}

// evict drops the idle entries at the back.
func (c *lru[V]) evict(now time.Time) {
	for e := c.l.Back(); e != nil && now.Sub(e.Value.(*lruEntry[V]).used) > c.idle; e = c.l.Back() {
		c.remove(e)
	}
}

func (c *lru[V]) remove(e *list.Element) {
	delete(c.m, e.Value.(*lruEntry[V]).key)
	c.l.Remove(e)
}

func (c *lru[V]) len() int { return c.l.Len() }
