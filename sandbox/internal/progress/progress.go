// Package progress reports the progress of long work: a redrawn bar with a rate on a terminal,
// or a log line every few seconds when the output is a file or a pipe.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Meter tracks done out of total units.
type Meter struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	what     string
	total    int
	done     int
	start    time.Time
	last     time.Time
	interval time.Duration
}

// New reports to w (nil for silence) the progress of total units of what ("patients").
func New(w io.Writer, what string, total int) *Meter {
	m := &Meter{w: w, what: what, total: total, start: time.Now(), interval: 2 * time.Second}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			m.tty, m.interval = true, 100*time.Millisecond
		}
	}
	return m
}

// Add records n more units done.
func (m *Meter) Add(n int) {
	if m == nil || m.w == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done += n
	now := time.Now()
	if now.Sub(m.last) < m.interval && m.done < m.total {
		return
	}
	m.last = now
	m.draw(now)
}

// Rate is the units per second so far.
func (m *Meter) Rate() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rate(time.Now())
}

func (m *Meter) rate(now time.Time) float64 {
	s := now.Sub(m.start).Seconds()
	if s <= 0 {
		return 0
	}
	return float64(m.done) / s
}

func (m *Meter) draw(now time.Time) {
	pct := 100.0
	if m.total > 0 {
		pct = 100 * float64(m.done) / float64(m.total)
	}
	if m.tty {
		const width = 30
		filled := int(pct / 100 * width)
		fmt.Fprintf(m.w, "\r%s [%s%s] %5.1f%% %d/%d %s, %.0f %s/s ", "seeding", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), pct, m.done, m.total, m.what, m.rate(now), m.what)
		return
	}
	fmt.Fprintf(m.w, "seeding: %d/%d %s (%.0f%%), %.0f %s/s\n", m.done, m.total, m.what, pct, m.rate(now), m.what)
}

// Finish ends the bar's line on a terminal.
func (m *Meter) Finish() {
	if m == nil || m.w == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tty {
		m.draw(time.Now())
		fmt.Fprintln(m.w)
	}
}
