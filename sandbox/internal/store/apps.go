package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Developer is a developer account. Its API key is stored only as a keyed hash.
type Developer struct {
	ID string
	// Email is "" when unknown (stored as NULL; two developers never share an email).
	Email      string
	APIKeyHash []byte
	CreatedAt  time.Time
}

// LogValue keeps the key hash out of logs.
func (d Developer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", d.ID))
}

// App is a registered application as stored. Secrets are stored only as a keyed hash.
type App struct {
	ClientID    string
	DeveloperID string
	Name        string
	Description string
	// AuthMethod is "client_secret" or "private_key_jwt".
	AuthMethod string
	Scopes     []string
	// JWKS is the inline JWKS as registered (raw JSON), or nil.
	JWKS       []byte
	JWKSURL    string
	SecretHash []byte
	SecretHint string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// LogValue keeps the secret hash and keys out of logs.
func (a App) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", a.ClientID), slog.String("developer_id", a.DeveloperID))
}

// PutDeveloper inserts d, or updates the developer with d.ID (its email and API key hash; the
// creation time stays). A zero CreatedAt means now.
func (s *SQLite) PutDeveloper(ctx context.Context, d Developer) error {
	if d.ID == "" || len(d.APIKeyHash) == 0 {
		return fmt.Errorf("store: put developer: id and API key hash are required")
	}
	created := d.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO developers (id, email, api_key_hash, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET email = excluded.email, api_key_hash = excluded.api_key_hash`,
		d.ID, nullIfEmpty(d.Email), d.APIKeyHash, created.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: put developer %s: %w", d.ID, err)
	}
	return nil
}

// DeveloperByKeyHash returns the developer whose API key hashes to hash; ErrNotFound if none.
func (s *SQLite) DeveloperByKeyHash(ctx context.Context, hash []byte) (Developer, error) {
	var d Developer
	var email sql.NullString
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT id, email, api_key_hash, created_at FROM developers WHERE api_key_hash = ?`, hash).
		Scan(&d.ID, &email, &d.APIKeyHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Developer{}, ErrNotFound
	}
	if err != nil {
		return Developer{}, fmt.Errorf("store: developer by key: %w", err)
	}
	d.Email = email.String
	d.CreatedAt = time.UnixMilli(created).UTC()
	return d, nil
}

// PutApp inserts a, or updates the app with a.ClientID (every field but the creation time).
// Zero CreatedAt and UpdatedAt mean now. The developer must exist.
func (s *SQLite) PutApp(ctx context.Context, a App) error {
	if a.ClientID == "" || a.DeveloperID == "" {
		return fmt.Errorf("store: put app: client id and developer id are required")
	}
	scopes := a.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	sj, err := json.Marshal(scopes)
	if err != nil {
		return fmt.Errorf("store: put app %s: %w", a.ClientID, err)
	}
	now := time.Now()
	created, updated := a.CreatedAt, a.UpdatedAt
	if created.IsZero() {
		created = now
	}
	if updated.IsZero() {
		updated = now
	}
	var jwks any // NULL unless there is a JWKS
	if len(a.JWKS) > 0 {
		jwks = a.JWKS
	}
	var secret any
	if len(a.SecretHash) > 0 {
		secret = a.SecretHash
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO apps (client_id, developer_id, name, description, auth_method, scopes,
			jwks, jwks_url, secret_hash, secret_hint, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (client_id) DO UPDATE SET developer_id = excluded.developer_id, name = excluded.name,
			description = excluded.description, auth_method = excluded.auth_method, scopes = excluded.scopes,
			jwks = excluded.jwks, jwks_url = excluded.jwks_url, secret_hash = excluded.secret_hash,
			secret_hint = excluded.secret_hint, updated_at = excluded.updated_at`,
		a.ClientID, a.DeveloperID, a.Name, a.Description, a.AuthMethod, string(sj),
		jwks, nullIfEmpty(a.JWKSURL), secret, nullIfEmpty(a.SecretHint), created.UnixMilli(), updated.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: put app %s: %w", a.ClientID, err)
	}
	return nil
}

// Apps returns every app (to load a cache at start-up), oldest first.
func (s *SQLite) Apps(ctx context.Context) ([]App, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT client_id, developer_id, name, description, auth_method, scopes,
		jwks, jwks_url, secret_hash, secret_hint, created_at, updated_at FROM apps ORDER BY created_at, client_id`)
	if err != nil {
		return nil, fmt.Errorf("store: apps: %w", err)
	}
	defer rows.Close()
	var out []App
	for rows.Next() {
		var a App
		var scopes string
		var url, hint sql.NullString
		var created, updated int64
		if err := rows.Scan(&a.ClientID, &a.DeveloperID, &a.Name, &a.Description, &a.AuthMethod, &scopes,
			&a.JWKS, &url, &a.SecretHash, &hint, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: apps: %w", err)
		}
		if err := json.Unmarshal([]byte(scopes), &a.Scopes); err != nil {
			return nil, fmt.Errorf("store: app %s: scopes: %w", a.ClientID, err)
		}
		a.JWKSURL, a.SecretHint = url.String, hint.String
		a.CreatedAt, a.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: apps: %w", err)
	}
	return out, nil
}

// DeleteApp deletes the app clientID; ErrNotFound if there is none.
func (s *SQLite) DeleteApp(ctx context.Context, clientID string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM apps WHERE client_id = ?`, clientID)
	if err != nil {
		return fmt.Errorf("store: delete app %s: %w", clientID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete app %s: %w", clientID, err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
