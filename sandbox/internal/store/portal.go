package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// ErrExists is an insert that would duplicate a unique value (an account's email).
var ErrExists = errors.New("store: already exists")

// Account is a portal account: how a developer of a hosted sandbox signs in. The password is
// stored only as a password-KDF hash.
type Account struct {
	DeveloperID  string
	Email        string
	PasswordHash string
	CreatedAt    time.Time
}

// LogValue keeps the password hash out of logs.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(slog.String("developer_id", a.DeveloperID))
}

// CreateAccount inserts a for an existing developer; ErrExists if its email is taken. The
// email is compared case-insensitively.
func (s *SQLite) CreateAccount(ctx context.Context, a Account) error {
	if a.DeveloperID == "" || a.Email == "" || a.PasswordHash == "" {
		return fmt.Errorf("store: create account: developer id, email and password hash are required")
	}
	created := a.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO portal_accounts (developer_id, email, password_hash, created_at) VALUES (?, ?, ?, ?)`,
		a.DeveloperID, strings.ToLower(a.Email), a.PasswordHash, created.UnixMilli())
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return ErrExists
		}
		return fmt.Errorf("store: create account: %w", err)
	}
	return nil
}

// AccountByEmail returns the account of email (case-insensitively); ErrNotFound if none.
func (s *SQLite) AccountByEmail(ctx context.Context, email string) (Account, error) {
	var a Account
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT developer_id, email, password_hash, created_at FROM portal_accounts WHERE email = ?`,
		strings.ToLower(email)).Scan(&a.DeveloperID, &a.Email, &a.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, ErrNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: account by email: %w", err)
	}
	a.CreatedAt = time.UnixMilli(created).UTC()
	return a, nil
}
