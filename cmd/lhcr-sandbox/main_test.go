package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets a test re-run this test binary as the real command (with its real exit code).
func TestMain(m *testing.M) {
	if os.Getenv("LHCR_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"lhcr-sandbox"}, strings.Fields(os.Getenv("LHCR_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, o options)
	}{
		{name: "defaults", check: func(t *testing.T, o options) {
			if o.addr != ":8080" || o.cfg.Patients != 1000 || o.cfg.Seed != 1 || o.cfg.DBPath != "lhcr-sandbox.db" || o.cfg.AsOf.Format("2006-01-02") != "2026-01-01" {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{name: "flags", args: []string{"--patients", "20", "--seed", "7", "--as-of", "2025-06-30", "--reset", "--in-memory"}, check: func(t *testing.T, o options) {
			if o.cfg.Patients != 20 || o.cfg.Seed != 7 || !o.cfg.Reset || !o.cfg.InMemory || o.cfg.AsOf.Format("2006-01-02") != "2025-06-30" {
				t.Errorf("flags: %+v", o.cfg)
			}
		}},
		{name: "env twins", env: map[string]string{"LHCR_PATIENTS": "5", "LHCR_SEED": "9", "LHCR_ADDR": ":9999"}, check: func(t *testing.T, o options) {
			if o.cfg.Patients != 5 || o.cfg.Seed != 9 || o.addr != ":9999" {
				t.Errorf("env: %+v", o)
			}
		}},
		{name: "flag beats env", args: []string{"--patients", "3"}, env: map[string]string{"LHCR_PATIENTS": "5"}, check: func(t *testing.T, o options) {
			if o.cfg.Patients != 3 {
				t.Errorf("patients %d, want 3", o.cfg.Patients)
			}
		}},
		{name: "negative patients", args: []string{"--patients", "-1"}, wantErr: "invalid --patients -1"},
		{name: "too many patients", args: []string{"--patients", "5000000"}, wantErr: "choose between 0 and"},
		{name: "patients not a number", args: []string{"--patients", "abc"}, wantErr: `invalid value "abc" for flag -patients`},
		{name: "seed overflow", args: []string{"--seed", "99999999999999999999"}, wantErr: "for flag -seed"},
		{name: "bad env", env: map[string]string{"LHCR_PATIENTS": "lots"}, wantErr: `invalid LHCR_PATIENTS="lots"`},
		{name: "bad as-of", args: []string{"--as-of", "yesterday"}, wantErr: "invalid --as-of"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, wantErr: "invalid --log-level"},
		{name: "stray argument", args: []string{"serve"}, wantErr: `unexpected argument "serve"`},
		{name: "unknown flag", args: []string{"--colour"}, wantErr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
}

// The real command answers bad input with one line on stderr and exit status 2.
func TestBadInputExitsTwo(t *testing.T) {
	for _, args := range []string{"--patients -1", "--patients abc", "--seed 99999999999999999999", "--as-of 2025-13-01"} {
		t.Run(args, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "LHCR_TEST_RUN_MAIN=1", "LHCR_TEST_ARGS="+args)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Fatalf("exit: %v, want status 2; stderr %q", err, stderr.String())
			}
			msg := strings.TrimSpace(stderr.String())
			if strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, "lhcr-sandbox: ") {
				t.Errorf("stderr %q: want one line starting with lhcr-sandbox:", msg)
			}
		})
	}
}
