package store

import (
	"context"
	"fmt"
	"time"
)

// UseJTI records that clientID used the client assertion id jti, valid until exp. It reports
// false when that jti was used before: one atomic insert on a unique key, so of concurrent
// copies of one assertion exactly one succeeds, and a replay fails after a restart too.
func (s *SQLite) UseJTI(ctx context.Context, clientID, jti string, exp time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO used_jti (client_id, jti, exp) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		clientID, jti, exp.Unix())
	if err != nil {
		return false, fmt.Errorf("store: record jti: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: record jti: %w", err)
	}
	return n == 1, nil
}

// PurgeJTI forgets assertion ids that expired before t: a replay of those fails on exp anyway.
func (s *SQLite) PurgeJTI(ctx context.Context, before time.Time) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM used_jti WHERE exp < ?`, before.Unix())
	return err
}

// RevokeToken records an access token's jti as revoked until exp.
func (s *SQLite) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO revoked_tokens (jti, exp) VALUES (?, ?) ON CONFLICT DO NOTHING`, jti, exp.Unix())
	if err != nil {
		return fmt.Errorf("store: revoke: %w", err)
	}
	return nil
}

// RevokedTokens returns the revoked tokens that have not expired at now, jti → expiry.
func (s *SQLite) RevokedTokens(ctx context.Context, now time.Time) (map[string]time.Time, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT jti, exp FROM revoked_tokens WHERE exp >= ?`, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: revoked tokens: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var jti string
		var exp int64
		if err := rows.Scan(&jti, &exp); err != nil {
			return nil, err
		}
		out[jti] = time.Unix(exp, 0)
	}
	return out, rows.Err()
}
